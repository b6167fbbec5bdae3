"""Where the server's log lines go: stderr with `-d`, syslog as `dhcpd` otherwise.

Admins keep their log parsers and alerts when they swap dhcpd out, so the lines are
dhcpd's (the decision core words them) and they reach syslog under dhcpd's ident and
facility (`daemon`, or `log-facility`).  With `-d` dhcpd writes everything, debug
lines included, to stderr as well; so do we.
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import sys

from domain.dhcp_decision import LogLevel, LogLine

_LEVELS = {LogLevel.INFO: logging.INFO, LogLevel.ERROR: logging.ERROR,
           LogLevel.DEBUG: logging.DEBUG}


def make_logger(*, to_stderr: bool, facility: str = "daemon") -> logging.Logger:
    logger = logging.getLogger("leaseledger.dhcpd")
    logger.handlers.clear()
    logger.propagate = False
    logger.setLevel(logging.DEBUG)
    if to_stderr:
        handler: logging.Handler = logging.StreamHandler(sys.stderr)
        handler.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(handler)
        return logger
    try:
        code = logging.handlers.SysLogHandler.facility_names.get(facility, 3)
        syslog = logging.handlers.SysLogHandler(address="/dev/log", facility=code)
        syslog.setFormatter(logging.Formatter(f"dhcpd[{os.getpid()}]: %(message)s"))
        logger.addHandler(syslog)
    except OSError:
        fallback = logging.StreamHandler(sys.stderr)
        fallback.setFormatter(logging.Formatter("%(message)s"))
        logger.addHandler(fallback)
    return logger


def emit(logger: logging.Logger, lines: tuple[LogLine, ...] | list[LogLine]) -> None:
    for line in lines:
        logger.log(_LEVELS.get(line.level, logging.INFO), line.text)
