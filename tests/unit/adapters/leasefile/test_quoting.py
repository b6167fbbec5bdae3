"""ISC's three ways of writing octets, and the names it quotes."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from adapters.dhcpdconf.diagnostics import Diagnostics
from adapters.dhcpdconf.lexer import Lexer
from adapters.leasefile.quoting import (
    agent_text_or_hex,
    colon_hex,
    db_printable,
    format_lease_id,
    quote_name,
    quotify,
    subclass_key,
    unquote_canonical,
)


def _lexed(text: str) -> str:
    """What ISC's lexer makes of a quoted string."""
    token = Lexer(text, "t", Diagnostics()).next()
    assert token.kind == "STRING"
    return token.text


def test_quotify_matches_what_dhcpd_wrote_for_odd_uids() -> None:
    # From fixtures/isc/fields.leases (input uid " \"\\ \177\200\377 plain text ~").
    assert quotify(b' "\\ \x7f\x80\xff plain text ~') == r'" \"\\ \177\200\377 plain text ~"'
    assert quotify(b"\x01\x02\x00\x00\x00\x00\x02") == r'"\001\002\000\000\000\000\002"'


@given(st.binary(max_size=64))
def test_the_lexer_reads_back_exactly_the_quoted_octets(data: bytes) -> None:
    quoted = quotify(data)
    assert _lexed(quoted).encode("latin-1") == data
    assert unquote_canonical(quoted[1:-1]).encode("latin-1") == data


def test_hex_ids_are_zero_padded_lower_case() -> None:
    assert colon_hex(b"\x00\x01\xab") == "00:01:ab"
    assert format_lease_id(b"\x01\xfe", hex_ids=True) == "01:fe"
    assert format_lease_id(b"\x01\xfe", hex_ids=False) == r'"\001\376"'


def test_an_empty_id_is_quoted_even_in_hex_format() -> None:
    assert format_lease_id(b"", hex_ids=True) == '""'


def test_db_printable_refuses_quotes_backslashes_and_control_characters() -> None:
    assert db_printable("host-1.example.org ~")
    assert not db_printable('bad"name')
    assert not db_printable("back\\slash")
    assert not db_printable("tab\there")
    assert not db_printable("caf\xe9")


def test_agent_text_is_quoted_with_shell_characters_escaped() -> None:
    # From fixtures/isc/fields.leases: option agent.unknown-99.
    assert agent_text_or_hex(b"odd\"text' $`|&\\") == r'"odd\"text\' \$\`\|\&\\"'


def test_agent_text_drops_one_trailing_nul() -> None:
    assert agent_text_or_hex(b"trailing-nul\x00") == '"trailing-nul"'
    assert agent_text_or_hex(b"\x00") == '""'


def test_agent_octets_are_unpadded_colon_hex() -> None:
    assert agent_text_or_hex(b"\x01\x02\x03\xab\xcd") == "1:2:3:ab:cd"
    assert agent_text_or_hex(b"ab\x00\x00") == "61:62:0:0"


def test_names_are_quoted_raw_except_quote_and_backslash() -> None:
    assert quote_name("perrelay") == '"perrelay"'
    assert _lexed(quote_name('a"b\\c')) == 'a"b\\c'


def test_subclass_keys_are_text_when_printable_else_padded_hex() -> None:
    assert subclass_key(b"circ-1") == '"circ-1"'
    assert subclass_key(b"\x00\x01\xff") == "00:01:ff"
    assert subclass_key(b"") == '""'


def test_unquote_reads_the_three_escapes_isc_writes() -> None:
    assert unquote_canonical(r"a\"b\\c\101\000") == 'a"b\\cA\x00'
    assert unquote_canonical("plain") == "plain"


def _unescape_each(body: str) -> str:
    """The reading of ISC's lexer, one escape at a time: what unquote must equal."""
    out, at = [], 0
    while at < len(body):
        if body[at] == "\\" and body[at + 1 : at + 2].isdigit():
            out.append(chr(int(body[at + 1 : at + 4], 8)))
            at += 4
        elif body[at] == "\\":
            out.append(body[at + 1])
            at += 2
        else:
            out.append(body[at])
            at += 1
    return "".join(out)


_CANONICAL_PIECES = st.one_of(
    st.characters(min_codepoint=0, max_codepoint=0xFF, exclude_characters='"\\\n'),
    st.integers(0, 0o377).map(lambda code: f"\\{code:03o}"),
    st.sampled_from(["\\\"", "\\\\", "\\'", "\\$", "\\`", "\\|", "\\&"]),
)


@given(st.lists(_CANONICAL_PIECES, max_size=20))
def test_unquote_reads_every_canonical_body_as_the_lexer_does(pieces: list[str]) -> None:
    body = "".join(pieces)
    assert unquote_canonical(body) == _unescape_each(body)


def test_unquote_reads_shell_escapes_and_octal_together() -> None:
    assert unquote_canonical(r"\001\$a\&\0011") == "\x01$a&\x011"
