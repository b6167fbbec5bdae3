"""Where configuration errors go, and how they are printed.

ISC dhcpd reports a parse error as three lines (`FILE line N: message`, the text of the
line as far as the lexer had read it, and a caret line), keeps parsing after most errors,
and stops at once on a *fatal* one.  This module holds those reports so that the parser
can mirror that behaviour without printing anything itself: `leaseledger check` decides
how to show them.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Diagnostic:
    """One report, as dhcpd would print it.

    `lines` is what appears on stderr: either the three-line parse warning or a single
    free-standing message (fatal errors and sanity checks have no line prefix).
    `is_error` is False for warnings that do not fail the configuration (the
    host-declarations-are-global warning, overlapping subnets).
    """

    lines: tuple[str, ...]
    is_error: bool = True

    @property
    def first_line(self) -> str:
        return self.lines[0]


class FatalConfigError(Exception):
    """dhcpd's `log_fatal`: parsing stops here and the configuration is rejected."""

    def __init__(self, lines: tuple[str, ...] | str) -> None:
        if isinstance(lines, str):
            lines = (lines,)
        super().__init__(lines[0] if lines else "fatal configuration error")
        self.lines = lines


@dataclass
class Diagnostics:
    """The sink every lexer and parser function of one configuration read writes to."""

    reports: list[Diagnostic] = field(default_factory=list)

    def add(self, diagnostic: Diagnostic) -> None:
        self.reports.append(diagnostic)

    def warning(self, *lines: str) -> None:
        """A message that does not fail the configuration (dhcpd's log_error/log_info)."""
        self.reports.append(Diagnostic(tuple(lines), is_error=False))

    def error(self, *lines: str) -> None:
        """A free-standing error line that fails the configuration."""
        self.reports.append(Diagnostic(tuple(lines), is_error=True))

    @property
    def errors(self) -> list[Diagnostic]:
        return [d for d in self.reports if d.is_error]

    @property
    def failed(self) -> bool:
        return any(d.is_error for d in self.reports)


def caret_line(token_line: str, lexchar: int) -> str:
    """The caret under the offending token, padded as ISC pads it.

    One space per character of the shown line before column `lexchar`, with a tab
    widening the padding to the next multiple of 8; past column 80 ISC drops the
    padding but still prints the caret.
    """
    if lexchar >= 81:
        return "^"
    pad: list[str] = []
    width = 0
    for ch in token_line[: max(lexchar - 1, 0)]:
        pad.append(" ")
        width += 1
        if ch == "\t":
            while width & 7:
                pad.append(" ")
                width += 1
    return "".join(pad) + "^"
