"""The lexer model: tokens as ISC forms them, and error positions as ISC reports them.

The expected texts come from real `dhcpd -t` runs (spec/dhcpd.md §2); the first
line, the shown source text and the caret are compared whole.
"""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.diagnostics import Diagnostics
from adapters.dhcpdconf.lexer import EOF, Lexer, is_identifier


def lex(text: str) -> list[tuple[str, str]]:
    cf = Lexer(text, "t.conf", Diagnostics())
    out = []
    while (tok := cf.next()).kind != EOF:
        out.append((tok.kind, tok.text))
    return out


@pytest.mark.parametrize(
    ("text", "kind"),
    [
        ("600", "NUMBER"),
        ("ac", "NUMBER_OR_NAME"),
        ("beef", "NUMBER_OR_NAME"),
        ("10abz", "NAME"),
        ("0x1f", "NUMBER_OR_NAME"),
        ("-12", "NUMBER"),
        ("foo_bar-2", "NAME"),
        ("g", "NUMBER_OR_NAME"),  # ISC never tests a name's first letter
        ("ga", "NUMBER_OR_NAME"),
        ("gx", "NAME"),
        ("SUBNET", "SUBNET"),  # keywords are case-insensitive
        ("fixed-address", "FIXED_ADDR"),
    ],
)
def test_word_kinds_follow_isc(text: str, kind: str) -> None:
    assert lex(text) == [(kind, text)]


def test_lone_minus_is_a_number_token_as_in_isc() -> None:
    # ISC's MINUS check looks at the wrong byte, so it never fires (checked with dhcpd -t).
    assert lex("42 - 7") == [("NUMBER", "42"), ("NUMBER", "-"), ("NUMBER", "7")]


def test_end_of_file_carries_the_stale_token_value() -> None:
    cf = Lexer("option routers\n", "t.conf", Diagnostics())
    cf.next(), cf.next()
    assert cf.next() == (EOF, "\nouters")
    cf = Lexer("a;", "t.conf", Diagnostics())
    cf.next(), cf.next()
    assert cf.next() == (EOF, ";")


def test_a_dot_is_not_part_of_a_name_and_hash_starts_a_comment() -> None:
    assert lex("ns1.example.org#x\n;") == [
        ("NAME", "ns1"),
        (".", "."),
        ("NAME", "example"),
        (".", "."),
        ("NAME", "org"),
        (";", ";"),
    ]


def test_string_escapes() -> None:
    assert lex(r'"a\tb\"c\\d\101\x41\q"') == [("STRING", 'a\tb"c\\dAAq')]


def test_hash_inside_a_string_is_text() -> None:
    assert lex('"a # b"') == [("STRING", "a # b")]


def test_unterminated_string_is_reported() -> None:
    d = Diagnostics()
    cf = Lexer('option domain-name "example.org;\n}\n', "e11.conf", d)
    while cf.next().kind != EOF:
        pass
    assert d.reports[0].first_line == "e11.conf line 1: eof in string constant"


def test_is_identifier_matches_isc_macro() -> None:
    assert is_identifier("NAME")
    assert is_identifier("NUMBER_OR_NAME")
    assert is_identifier("SUBNET")
    assert not is_identifier("NUMBER")
    assert not is_identifier("STRING")
    assert not is_identifier(EOF)
    assert not is_identifier(";")


def test_missing_semicolon_shows_the_next_line_as_read_so_far() -> None:
    # e03: `default-lease-time 600` with no `;`, then `max-lease-time 7200;`
    d = Diagnostics()
    cf = Lexer("default-lease-time 600\nmax-lease-time 7200;\n", "e03.conf", d)
    cf.next(), cf.next()
    assert cf.next().kind == "MAX_LEASE_TIME"
    cf.warn("semicolon expected.")
    assert d.reports[0].lines == ("e03.conf line 2: semicolon expected.", "max-lease-time ", " ^")


def test_caret_pads_tabs_to_eight_columns() -> None:
    d = Diagnostics()
    cf = Lexer("\trange\t10.0.0.10 10.0.0.20 junk;\n", "e19.conf", d)
    while cf.next().text != "junk":
        pass
    cf.warn("semicolon expected.")
    assert d.reports[0].lines == (
        "e19.conf line 1: semicolon expected.",
        "\trange\t10.0.0.10 10.0.0.20 junk;",
        " " * 37 + "^",
    )


def test_peek_keeps_the_position_of_the_last_consumed_token() -> None:
    d = Diagnostics()
    cf = Lexer("a\nb", "t.conf", d)
    cf.next()
    assert cf.peek().text == "b"
    cf.warn("here")
    assert d.reports[0].first_line == "t.conf line 1: here"
    cf.next()
    cf.warn("there")
    assert d.reports[1].first_line == "t.conf line 2: there"


def test_save_and_restore_state_rewinds_the_lexer() -> None:
    cf = Lexer("10.0.0.1;", "t.conf", Diagnostics())
    state = cf.save_state()
    assert [cf.next().text for _ in range(3)] == ["10", ".", "0"]
    cf.restore_state(state)
    assert cf.next().text == "10"


def test_non_ascii_bytes_are_single_character_tokens() -> None:
    assert lex("\xe9") == [("\xe9", "\xe9")]
