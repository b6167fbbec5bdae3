"""Fixtures for the option, expression and executable-statement parser tests.

`top_level(text)` reads a file the way dhcpd's parse_statement reads the global
scope, limited to what those parsers handle: `option` (including space and code
definitions, as confpars.c dispatches them) and every executable statement, with
"expecting a parameter or declaration" when nothing parses.  That lets these tests
compare error output with the real `dhcpd -t` before the full reader exists.

`isc(text)` runs the real dhcpd on the same text and returns its exit code and the
lines it printed between the banner and its verdict.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import pytest

from adapters.dhcpdconf.diagnostics import Diagnostics, FatalConfigError
from adapters.dhcpdconf.executable import parse_executable_statement
from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.options import (
    parse_option_code_definition,
    parse_option_name,
    parse_option_space_decl,
    parse_option_statement,
)
from adapters.dhcpdconf.primitives import skip_to_semi
from domain.config.dns import DnsDefinitions
from domain.config.statements import Statement
from domain.options.universes import OptionUniverses

_VERDICT_PREFIXES = (
    "Configuration file errors encountered",
    "Config file:",
    "If you think you have received this message",
)


@dataclass
class ClassTable:
    classes: dict = field(default_factory=dict)


@dataclass
class PartContext:
    """The attributes of the parse context these parsers use."""

    options: OptionUniverses = field(default_factory=OptionUniverses.standard)
    dns: DnsDefinitions = field(default_factory=DnsDefinitions)
    tree: ClassTable = field(default_factory=ClassTable)


@dataclass
class TopLevel:
    lines: list[str]
    statements: list[Statement]
    fatal: FatalConfigError | None
    context: PartContext

    @property
    def errors(self) -> list[str]:
        return [line for line in self.lines if " line " in line]


def _global_option(cf: Lexer, ctx: PartContext, out: list[Statement]) -> None:
    cf.skip()
    if cf.peek().kind == "SPACE":
        parse_option_space_decl(cf, ctx)
        return
    option, known = parse_option_name(cf, ctx, True)
    if option is None:
        return
    if cf.peek().kind == "CODE":
        cf.skip()
        parse_option_code_definition(cf, ctx, option)
        return
    if not known:
        cf.warn(f"unknown option {option.universe}.{option.name}")
        skip_to_semi(cf)
        return
    statement = parse_option_statement(cf, ctx, option, "supersede")
    if statement is not None:
        out.append(statement)


def read_top_level(text: str, filename: str = "t.conf") -> TopLevel:
    diagnostics = Diagnostics()
    cf = Lexer(text, filename, diagnostics)
    ctx = PartContext()
    statements: list[Statement] = []
    fatal = None
    try:
        while cf.peek().kind != EOF:
            if cf.peek().kind == "OPTION":
                _global_option(cf, ctx, statements)
                continue
            parsed, statement, lose = parse_executable_statement(cf, ctx)
            if not parsed:
                if not lose:
                    cf.warn("expecting a parameter or declaration")
                    skip_to_semi(cf)
            elif statement is not None:
                statements.append(statement)
    except FatalConfigError as error:
        fatal = error
    lines = [line for report in diagnostics.reports for line in report.lines]
    if fatal is not None:
        lines.extend(fatal.lines)
    return TopLevel(lines, statements, fatal, ctx)


@pytest.fixture
def ctx() -> PartContext:
    return PartContext()


@pytest.fixture
def lexer() -> Callable[[str], Lexer]:
    """`lexer(text)`: a Lexer over `text` named t.conf."""
    return lambda text: Lexer(text, "t.conf", Diagnostics())


@pytest.fixture
def top_level() -> Callable[[str], TopLevel]:
    return read_top_level


@pytest.fixture
def isc(isc_check, tmp_path) -> Callable[[str], tuple[int, list[str]]]:
    """`isc(text)` → (exit code, lines dhcpd -t printed about the file)."""

    def run(text: str) -> tuple[int, list[str]]:
        path = tmp_path / "t.conf"
        path.write_bytes(text.encode("latin-1"))
        verdict = isc_check(path)
        lines: list[str] = []
        for line in verdict.stderr.splitlines()[4:]:
            if line.startswith(_VERDICT_PREFIXES):
                break
            lines.append(line)
        if lines and not lines[-1]:
            lines.pop()  # the blank line before the trailer of a fatal error
        return verdict.exit_code, lines

    return run


@pytest.fixture
def same_as_dhcpd(top_level, isc) -> Callable[[str], TopLevel]:
    """`same_as_dhcpd(text)` asserts our verdict and messages equal dhcpd's.

    When dhcpd rejects the file, every line it printed (each error's three lines)
    must be ours too, the first error line above all.  When it accepts, we must
    report no error (dhcpd then also runs the global statements, whose output is
    not a parse matter).
    """

    def check(text: str) -> TopLevel:
        code, theirs = isc(text)
        ours = top_level(text)
        if code == 0:
            assert ours.errors == [] and ours.fatal is None, ours.lines
        else:
            assert code == 1, f"dhcpd exited with {code}"
            assert ours.lines[:1] == theirs[:1]
            assert ours.lines == theirs
        return ours

    return check
