"""A logger whose lines a test can read: each record's text, in order."""

from __future__ import annotations

import logging

import trio


class LogLines(logging.Handler):
    """Keeps the text of every record it is handed."""

    def __init__(self) -> None:
        super().__init__()
        self.texts: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.texts.append(record.getMessage())

    async def wait_for(self, text: str) -> None:
        """Return once a line equal to `text` has been written (bound the wait with
        `trio.fail_after`)."""
        while text not in self.texts:
            await trio.sleep(0.01)


def logger_with_lines(name: str) -> tuple[logging.Logger, LogLines]:
    """A fresh logger (debug and up, not propagated) and the lines it writes."""
    logger = logging.Logger(name, logging.DEBUG)
    lines = LogLines()
    logger.addHandler(lines)
    return logger, lines
