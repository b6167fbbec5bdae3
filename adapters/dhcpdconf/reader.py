"""Read a dhcpd.conf the way `dhcpd -t` does, and say what dhcpd would say about it.

The steps and their order are dhcpd's (server/dhcpd.c main): parse the file and its
includes; stop with "Configuration file errors encountered -- exiting" if any parse
error was reported; check the global server parameters dhcpd reads once
(postconf_initialization: the removed `ad-hoc` DDNS style is fatal there); then run
the failover sanity check.  Nothing here raises for any file content: every outcome,
a crash-free "dhcpd would have exited" included, is in the returned `ReadResult`.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import Diagnostics, FatalConfigError
from adapters.dhcpdconf.failover import failover_sanity_check
from adapters.dhcpdconf.statement import read_conf_file
from adapters.dhcpdconf.tree import ConfTree
from domain.config.checks import CONFIG_ERRORS_FATAL, POSTCONF_ORDER, postconf_fatal
from domain.config.statements import OptionStatement


@dataclass
class ReadResult:
    """The parse tree, every report in the order dhcpd prints them, and the fatal
    error that ended the run, if one did."""

    tree: ConfTree
    diagnostics: Diagnostics
    fatal: FatalConfigError | None = None

    @property
    def ok(self) -> bool:
        """dhcpd -t would exit 0."""
        return self.fatal is None and not self.diagnostics.failed

    def first_error(self) -> str | None:
        """The first line dhcpd prints for the first error (None when ok)."""
        errors = self.diagnostics.errors
        if errors:
            return errors[0].first_line
        if self.fatal is not None:
            return self.fatal.lines[0]
        return None

    def output_lines(self) -> list[str]:
        """What `dhcpd -t` writes to stderr, without the banner, the `Config file:`
        / `Database file:` / `PID file:` lines and the bug-report trailer."""
        lines = [line for report in self.diagnostics.reports for line in report.lines]
        if self.fatal is not None:
            lines.extend(self.fatal.lines)
        return lines


def _global_parameters(ctx: ParseContext) -> dict[str, bytes | None]:
    """The server parameters set at global scope, as executing the global statements
    without a packet would leave them (a later `supersede` wins, `default` fills a
    gap; conditional statements are not run)."""
    values: dict[str, bytes | None] = {}
    for stmt in ctx.tree.root.statements:
        if not isinstance(stmt, OptionStatement) or stmt.universe != "server":
            continue
        if stmt.op == "default" and stmt.name in values:
            continue
        values[stmt.name] = stmt.constant_value()
    return values


def _postconf(ctx: ParseContext) -> None:
    values = _global_parameters(ctx)
    for name in POSTCONF_ORDER:
        if name in values:
            problem = postconf_fatal(name, values[name])
            if problem is not None:
                raise FatalConfigError(problem)


def read_config(path: str) -> ReadResult:
    """Read the configuration at `path` (relative to the working directory, as dhcpd
    takes it) and everything it includes."""
    ctx = ParseContext.new()
    result = ReadResult(ctx.tree, ctx.diagnostics)
    try:
        read_conf_file(ctx, path, ctx.tree.root, DeclKind.ROOT)
        if ctx.diagnostics.failed:
            raise FatalConfigError(CONFIG_ERRORS_FATAL)
        _postconf(ctx)
        failover_sanity_check(ctx, ctx.diagnostics)
    except FatalConfigError as fatal:
        result.fatal = fatal
    except RecursionError:
        # dhcpd's C stack goes deeper than Python's; no real configuration nests
        # declarations this far.
        result.fatal = FatalConfigError("configuration nested too deeply to read")
    return result
