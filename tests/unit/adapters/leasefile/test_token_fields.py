"""Field readers that mirror ISC's parse_hardware_param, parse_X, atoi and the
brace-balanced passes the lease reader uses for `on` blocks and host statements."""

from __future__ import annotations

from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.token_fields import (
    c_atoi,
    read_block_body,
    read_date,
    read_hardware,
    read_hex_or_string,
    read_statement_text,
)
from domain.lease import NEVER, Hardware


def _lexer(text: str) -> tuple[LeaseLexer, list]:
    lexer = LeaseLexer(text, "f")
    return lexer, lexer.begin_record(0).reports


def test_atoi_takes_sign_and_leading_digits_and_saturates_at_64_bits() -> None:
    assert c_atoi("42abc") == 42
    assert c_atoi("-17") == -17
    assert c_atoi("+5") == 5
    assert c_atoi("x1") == 0
    assert c_atoi("") == 0
    assert c_atoi("99999999999999999999") == 2**63 - 1
    assert c_atoi("-99999999999999999999") == -(2**63)
    assert c_atoi("1\u00b2") == 1  # a superscript digit is not an ASCII digit


def test_dates_read_as_isc_stores_them() -> None:
    assert read_date(_lexer("5 2026/11/27 17:00:00;")[0]) == 1795798800
    assert read_date(_lexer("never;")[0]) == NEVER
    assert read_date(_lexer("epoch 1795798800; # Fri")[0]) == 1795798800
    assert read_date(_lexer("4 1970/01/01 00:00:00;")[0]) is None  # ISC's 0: no date
    lexer, reports = _lexer("5 2026/11/27;")
    assert read_date(lexer) is None
    assert reports[0].lines[0] == "f line 1: numeric hour expected."


def test_hardware_of_every_kind() -> None:
    assert read_hardware(_lexer("ethernet 00:01:0a;")[0], None) == Hardware(1, b"\x00\x01\x0a")
    assert read_hardware(_lexer("infiniband ;")[0], None) == Hardware(32, b"")
    assert read_hardware(_lexer("unknown-300 aa;")[0], None) == Hardware(300 & 0xFF, b"\xaa")


def test_hardware_quirks_of_isc() -> None:
    old = Hardware(1, b"\x01\x02")
    # An unknown type word: reported, the old value stays.
    lexer, reports = _lexer("wifi 00:01;")
    assert read_hardware(lexer, old) == old
    assert reports[0].lines[0] == "f line 1: expecting a network hardware type"
    # An unreadable address: the type without octets, and no `;` is looked for.
    lexer, reports = _lexer("ethernet zz;")
    assert read_hardware(lexer, old) == Hardware(1, b"")
    assert reports[0].lines[0] == "f line 1: expecting numeric value."
    # Too long: refused, but the type octet is overwritten.
    too_long = "token-ring " + ":".join(["00"] * 21) + ";"
    lexer, reports = _lexer(too_long)
    assert read_hardware(lexer, old) == Hardware(6, b"\x01\x02")
    assert reports[0].lines[0] == "f line 1: hardware address too long"
    assert read_hardware(_lexer(too_long)[0], None) is None


def test_hardware_without_semicolon_is_reported() -> None:
    lexer, reports = _lexer("ethernet 00:01 x;")
    assert read_hardware(lexer, None) == Hardware(1, b"\x00\x01")
    assert reports[0].lines[0] == "f line 1: expecting semicolon."


def test_hex_or_string() -> None:
    assert read_hex_or_string(_lexer('"ab\\001";')[0], 10) == b"ab\x01"
    assert read_hex_or_string(_lexer("1:a:ff;")[0], 10) == b"\x01\x0a\xff"
    lexer, reports = _lexer("1:2:3;")
    assert read_hex_or_string(lexer, 2) == b""
    assert reports[0].lines[0] == "f line 1: hexadecimal constant too long."
    lexer, reports = _lexer("uid %;")
    lexer.next()
    assert read_hex_or_string(lexer, 2) == b""
    assert reports[0].lines[0] == "f line 1: expecting string or hexadecimal data"


def test_block_body_is_the_text_between_the_braces() -> None:
    text = '{ if x { set a = "}"; } else { } }\nrest'
    lexer, _ = _lexer(text)
    lexer.next()
    block = read_block_body(lexer)
    assert block is not None
    assert block.body == ' if x { set a = "}"; } else { } '
    assert block.has_tokens
    assert text[lexer.last_end :] == "\nrest"


def test_an_empty_block_has_no_tokens_even_with_a_comment() -> None:
    lexer, _ = _lexer("{\n  # nothing\n}")
    lexer.next()
    block = read_block_body(lexer)
    assert block is not None
    assert not block.has_tokens


def test_a_block_cut_by_the_end_of_the_file_is_reported() -> None:
    lexer, reports = _lexer("{ set a = 1;")
    lexer.next()
    assert read_block_body(lexer) is None
    assert reports[0].lines[0] == "f line 1: right brace expected."


def test_statement_text_keeps_its_leading_white_space() -> None:
    text = 'host h {\n        supersede host-name = "h";\n  if a { b; }\n}'
    lexer, _ = _lexer(text)
    for _ in range(3):
        lexer.next()
    assert read_statement_text(lexer) == '\n        supersede host-name = "h";'
    assert read_statement_text(lexer) == "\n  if a { b; }"
