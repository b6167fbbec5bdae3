"""Where the server's log lines go: syslog as `dhcpd`, and stderr as well with `-d`.

Admins keep their log parsers and alerts when they swap dhcpd out, so the lines are
dhcpd's (the decision core words them) and they reach syslog under dhcpd's ident and
facility (`daemon`, or `log-facility`).  dhcpd always logs to syslog (omapip/errwarn.c);
`-d`, `-t` and `-T` write everything, debug lines included, to stderr as well for the
whole run (its `log_perror`), and without them the start-up lines reach stderr too
unless `-q`.  So do we; with no syslog socket, stderr alone.

The logger writes each line straight to its sink instead of through `logging`'s
records, caller lookup, handler locks and formatters: an exchange logs four lines,
and that machinery cost more CPU than deciding the exchange's lease.  For the same
reason the server logs a burst of requests under `lines_batched`: a stream then gets
the burst's lines in one write at its end instead of one write per line (stderr is
line-buffered, so even unflushed lines would each cost a system call).
"""

from __future__ import annotations

import logging
import logging.handlers
import os
import socket
import sys
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager, suppress
from typing import TextIO

from domain.dhcp_decision import LogLevel, LogLine

_LEVELS = {LogLevel.INFO: logging.INFO, LogLevel.ERROR: logging.ERROR,
           LogLevel.DEBUG: logging.DEBUG}
# syslog severities (RFC 5424) of the levels the server logs at
_SEVERITIES = {logging.DEBUG: 7, logging.INFO: 6, logging.WARNING: 4, logging.ERROR: 3,
               logging.CRITICAL: 2}
SYSLOG_PATH = "/dev/log"
_DAEMON = logging.handlers.SysLogHandler.LOG_DAEMON


class DhcpdLogger(logging.Logger):
    """A `logging.Logger` whose `log`, `debug`, `info`, `warning` and `error` hand the
    formatted line (`msg % args`, as logging formats it) to `write` and nothing else."""

    def __init__(self, write: Callable[[int, str], None]) -> None:
        super().__init__("leaseledger.dhcpd", logging.DEBUG)
        self._write = write

    @contextmanager
    def batched(self) -> Iterator[None]:
        """Lines written inside reach syslog at once, a stream at the end in one write
        (a `-d` reader sees the burst a moment later, all of it)."""
        hold = getattr(self._write, "hold", None)
        if hold is None:
            yield
            return
        with hold():
            yield

    def log(self, level: int, msg: object, *args: object, **_kwargs: object) -> None:
        text = str(msg)
        self._write(level, text % args if args else text)

    def debug(self, msg: object, *args: object, **_kwargs: object) -> None:
        self.log(logging.DEBUG, msg, *args)

    def info(self, msg: object, *args: object, **_kwargs: object) -> None:
        self.log(logging.INFO, msg, *args)

    def warning(self, msg: object, *args: object, **_kwargs: object) -> None:
        self.log(logging.WARNING, msg, *args)

    def error(self, msg: object, *args: object, **_kwargs: object) -> None:
        self.log(logging.ERROR, msg, *args)


class _StreamSink:
    """Lines to a text stream, flushed one by one (a `-d` user watches them live) or,
    under `hold`, written and flushed at once at its end: stderr is line-buffered, so
    each line written on its own costs a system call, which under load is a few
    percent of a busy server.  A broken stream loses the line rather than the server."""

    def __init__(self, stream: TextIO) -> None:
        self.stream = stream
        self._holds = 0
        self._held: list[str] = []

    def __call__(self, _level: int, text: str) -> None:
        if self._holds:
            self._held.append(text)
            return
        try:
            self.stream.write(text + "\n")
            self.stream.flush()
        except (OSError, ValueError):
            return

    @contextmanager
    def hold(self) -> Iterator[None]:
        self._holds += 1
        try:
            yield
        finally:
            self._holds -= 1
            if not self._holds and self._held:
                held, self._held = self._held, []
                with suppress(OSError, ValueError):
                    self.stream.write("\n".join(held) + "\n")
                    self.stream.flush()


class _SyslogSink:
    """Lines to the local syslog socket as `<PRI>dhcpd[PID]: TEXT` + NUL, the form
    `logging.handlers.SysLogHandler` sends; a restarted syslog daemon gets one
    reconnect per line, after which the line is lost rather than the server."""

    def __init__(self, facility: int, ident: str, path: str) -> None:
        self.facility, self.ident, self.path = facility, ident, path
        self.sock = self._connect()

    def _connect(self) -> socket.socket:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
            sock.connect(self.path)
        except OSError:
            sock.close()
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            try:
                sock.connect(self.path)
            except OSError:
                sock.close()
                raise
        return sock

    def __call__(self, level: int, text: str) -> None:
        priority = (self.facility << 3) | _SEVERITIES.get(level, 4)
        data = f"<{priority}>{self.ident}{text}\0".encode()
        try:
            self.sock.sendall(data)
        except OSError:
            self.sock.close()
            try:
                self.sock = self._connect()
                self.sock.sendall(data)
            except OSError:
                return


class _Tee:
    """Syslog and stderr: for the whole run (`lasting`: -d, -t, -T), or until
    `end_startup` takes the logger back to syslog alone (dhcpd's `log_perror`: without
    -q its start-up lines, errors above all, reach the terminal of whoever started it;
    from `Server starting service.` on, syslog alone)."""

    def __init__(self, main: _SyslogSink, stream: _StreamSink, *, lasting: bool) -> None:
        self.main = main
        self.stream = stream
        self.lasting = lasting

    def __call__(self, level: int, text: str) -> None:
        self.main(level, text)
        self.stream(level, text)

    def hold(self) -> AbstractContextManager[None]:
        return self.stream.hold()


def make_logger(*, to_stderr: bool, stderr_until_started: bool = False,
                syslog: bool = True) -> logging.Logger:
    """Syslog as `dhcpd[PID]` under `daemon` until `use_facility`, and stderr as well:
    throughout if `to_stderr` (`-d`, `-t`, `-T`), else for the start-up lines if
    `stderr_until_started` (dhcpd without -q; `end_startup` ends that).  stderr alone
    when there is no syslog socket, or not `syslog` (a demo's server)."""
    stream = _StreamSink(sys.stderr)
    sink = _open_syslog() if syslog else None
    if sink is None:
        return DhcpdLogger(stream)
    if to_stderr or stderr_until_started:
        return DhcpdLogger(_Tee(sink, stream, lasting=to_stderr))
    return DhcpdLogger(sink)


def _open_syslog() -> _SyslogSink | None:
    """The local syslog socket as `dhcpd[PID]` under `daemon`, or None if there is none."""
    try:
        return _SyslogSink(_DAEMON, f"dhcpd[{os.getpid()}]: ", SYSLOG_PATH)
    except OSError:
        return None


def use_facility(logger: logging.Logger, facility: str, banner: str) -> bool:
    """dhcpd.conf's `log-facility`: as dhcpd, reopen syslog under `facility` once the
    configuration is read, and log the banner once more there alone (not on stderr),
    so a `local7.* /var/log/dhcpd.log` rule's file starts with it.  False when the
    lines do not go to syslog (no socket) or the name is not a syslog facility."""
    write = getattr(logger, "_write", None)
    syslog = write.main if isinstance(write, _Tee) else write
    code = logging.handlers.SysLogHandler.facility_names.get(facility)
    if not isinstance(syslog, _SyslogSink) or code is None:
        return False
    syslog.facility = code
    syslog(logging.INFO, banner)
    return True


class _Forward(logging.Handler):
    """Hands `logging` records of the adapters to the server's logger."""

    def __init__(self, target: logging.Logger) -> None:
        super().__init__(logging.INFO)
        self.target = target

    def emit(self, record: logging.LogRecord) -> None:
        self.target.log(record.levelno, record.getMessage())


def adopt_library_logs(logger: logging.Logger, name: str = "adapters") -> None:
    """The adapters log through `logging` (a torn tail cut off the lease file, a
    rotation, an index that could not be saved); the server's lines go to syslog or
    stderr by `logger`.  Send theirs, INFO and up, the same way, or a daemon's would
    be lost.  Calling it again replaces the earlier forwarding."""
    library = logging.getLogger(name)
    for handler in [h for h in library.handlers if isinstance(h, _Forward)]:
        library.removeHandler(handler)
    library.addHandler(_Forward(logger))
    if library.level == logging.NOTSET or library.level > logging.INFO:
        library.setLevel(logging.INFO)


def end_startup(logger: logging.Logger) -> None:
    """The server serves: without -d its lines no longer go to stderr (see
    `make_logger`), and the logger writes to syslog directly from here on."""
    if (isinstance(logger, DhcpdLogger) and isinstance(logger._write, _Tee)
            and not logger._write.lasting):
        logger._write = logger._write.main


@contextmanager
def lines_batched(logger: logging.Logger) -> Iterator[None]:
    """`DhcpdLogger.batched` for the server's logger; any other logger as it is."""
    if isinstance(logger, DhcpdLogger):
        with logger.batched():
            yield
    else:
        yield


def emit(logger: logging.Logger, lines: tuple[LogLine, ...] | list[LogLine]) -> None:
    for line in lines:
        logger.log(_LEVELS.get(line.level, logging.INFO), line.text)
