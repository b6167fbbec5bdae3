"""blocks: the brace, position and address pieces every declaration uses."""

from __future__ import annotations

from adapters.dhcpdconf import blocks
from adapters.dhcpdconf.diagnostics import Diagnostics
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.tree import Where


def lexer(text: str) -> tuple[Lexer, Diagnostics]:
    d = Diagnostics()
    return Lexer(text, "t.conf", d), d


def test_lbrace() -> None:
    cf, d = lexer("{ x")
    assert blocks.parse_lbrace(cf)
    assert cf.next().text == "x"
    assert not d.reports


def test_missing_lbrace_skips_the_statement() -> None:
    cf, d = lexer("foo bar; baz")
    assert not blocks.parse_lbrace(cf)
    assert d.reports[0].first_line == "t.conf line 1: expecting left brace."
    assert cf.next().text == "baz"


def test_where_is_the_token_just_read() -> None:
    cf, _ = lexer("\n\n  subnet")
    cf.next()
    assert blocks.where(cf) == Where("t.conf", 3)


def test_parse_address() -> None:
    cf, d = lexer("10.1.2.3 10.0.300.1 10.0;")
    assert blocks.parse_address(cf) == 0x0A010203
    assert blocks.parse_address(cf) == 0x0A002C01  # 300 wraps to 44, with a warning
    assert d.reports[0].first_line == "t.conf line 1: 300 exceeds max (255) for precision."
    assert blocks.parse_address(cf) is None
    assert d.reports[1].first_line == "t.conf line 1: too few numbers."


def test_block_closed_at_the_brace_or_at_the_end_of_the_file() -> None:
    cf, d = lexer("x; }")
    assert not blocks.block_closed(cf)
    cf.next(), cf.next()
    assert blocks.block_closed(cf)
    assert not d.reports
    cf, d = lexer("")
    assert blocks.block_closed(cf)
    assert [r.first_line for r in d.reports] == ["t.conf line 0: unexpected end of file"]
