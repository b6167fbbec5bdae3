"""The parse.c basics: values, messages and the tokens they leave behind.

Message texts and carets are the real dhcpd outputs from spec/dhcpd.md §2.
"""

from __future__ import annotations

import ipaddress

import pytest

from adapters.dhcpdconf import primitives as p
from adapters.dhcpdconf.diagnostics import Diagnostics
from adapters.dhcpdconf.lexer import Lexer


def lexer(text: str, name: str = "t.conf") -> tuple[Lexer, Diagnostics]:
    d = Diagnostics()
    return Lexer(text, name, d), d


def test_ip_address_and_octet_overflow() -> None:
    cf, d = lexer("  range 10.0.0.10 10.0.0.300;\n", "e13.conf")
    cf.next()
    assert p.parse_ip_addr(cf) == ipaddress.IPv4Address("10.0.0.10")
    p.parse_ip_addr(cf)
    assert d.reports[0].lines == (
        "e13.conf line 1: 300 exceeds max (255) for precision.",
        "  range 10.0.0.10 10.0.0.300;",
        "                         ^",
    )


def test_ip_or_hostname_rejects_a_string() -> None:
    cf, d = lexer('option routers "gw";', "e23.conf")
    cf.next(), cf.next()
    assert p.parse_ip_addr_or_hostname(cf) is None
    assert d.reports[0].lines == (
        "e23.conf line 1: gw (262): expecting IP address or hostname",
        'option routers "gw"',
        "                ^",
    )


@pytest.mark.parametrize(
    ("text", "value"),
    [("10.1.2.3;", "10.1.2.3"), ("ns1.example.org;", "ns1.example.org"), ("gw.;", "gw.")],
)
def test_ip_or_hostname_values(text: str, value: str) -> None:
    cf, d = lexer(text)
    assert p.parse_ip_addr_or_hostname(cf) == value
    assert cf.next().kind == ";"
    assert not d.reports


@pytest.mark.parametrize(
    ("text", "base", "size", "value", "message"),
    [
        ("0x1f", 0, 32, 31, None),
        ("017", 0, 32, 15, None),
        ("-5", 10, 32, -5, None),
        ("abc", 10, 32, 0, "Bogus number abc: digit 10 not in base 10"),
        ("2255", 10, 8, 2255 & 0xFF, "2255 exceeds max (255) for precision."),
        ("70000", 10, 16, 70000 & 0xFFFF, "70000 exceeds max (65535) for precision."),
        ("4294967295", 10, 32, 4294967295, None),
    ],
)
def test_convert_num(text: str, base: int, size: int, value: int, message: str | None) -> None:
    cf, d = lexer("x")
    assert p.convert_num(cf, text, base, size) == value
    got = [r.first_line.split(": ", 1)[1] for r in d.reports]
    assert got == ([message] if message else [])


def test_hardware_param() -> None:
    cf, d = lexer("ethernet 00:04:ac:d6:58:96;")
    assert p.parse_hardware_param(cf) == (1, bytes.fromhex("0004acd65896"))
    assert not d.reports


def test_hardware_param_unknown_type_name() -> None:
    cf, d = lexer("ether 00:04:ac:d6:58:96;")
    assert p.parse_hardware_param(cf) is None
    assert d.reports[0].first_line == "t.conf line 1: expecting a network hardware type"


def test_colon_hex_list() -> None:
    cf, _ = lexer("1:2:ab;")
    assert p.parse_cshl(cf) == b"\x01\x02\xab"


def test_date_formats() -> None:
    cf, d = lexer("5 2026/11/27 17:44:30;")
    assert p.parse_date(cf) == 1795801470
    cf, _ = lexer("epoch 1795801782;")
    assert p.parse_date(cf) == 1795801782
    cf, _ = lexer("never;")
    assert p.parse_date(cf) == p.MAX_TIME
    cf, _ = lexer("1 2040/01/01 00:00:00;")
    assert p.parse_date(cf) == p.MAX_TIME
    assert not d.reports


def test_date_with_a_missing_field_is_reported() -> None:
    cf, d = lexer("5 2026/11 17:44:30;")
    assert p.parse_date(cf) == 0
    assert d.reports[0].first_line == "t.conf line 1: expected slash separating month from day."


def test_semicolon_expected_skips_the_rest_of_the_statement() -> None:
    cf, d = lexer("junk more; next")
    assert not p.parse_semi(cf)
    assert cf.next().text == "next"
    assert d.reports[0].first_line == "t.conf line 1: semicolon expected."


def test_skip_to_rbrace_balances_braces() -> None:
    # called inside one open brace: inner blocks and `;` do not stop it
    cf, _ = lexer("a; { b; } } d")
    p.skip_to_rbrace(cf, 1)
    assert cf.next().text == "d"


def test_boolean_values() -> None:
    for word, value in (("true", True), ("on", True), ("off", False), ("FALSE", False)):
        cf, _ = lexer(f"{word};")
        assert p.parse_boolean(cf) is value
    cf, d = lexer("maybe;")
    assert p.parse_boolean(cf) is None
    assert d.reports[0].first_line.endswith("boolean value (true/false/on/off) expected")


def test_ip_or_hostname_lists() -> None:
    cf, d = lexer("10.0.0.1, gw.example.org, 12;")
    assert p.parse_ip_addr_or_hostname(cf) == "10.0.0.1"
    cf.next()
    assert p.parse_ip_addr_or_hostname(cf) == "gw.example.org"
    cf.next()
    assert p.parse_ip_addr_or_hostname(cf) == "12"
    assert not d.reports


def test_a_broken_address_is_read_again_as_a_name() -> None:
    """dhcpd reports the short address, then reads the next statement's first word
    as a host name (checked against dhcpd -t)."""
    cf, d = lexer("10.0.0;\n option domain-name")
    assert p.parse_ip_addr_or_hostname(cf) == "option"
    assert [r.first_line for r in d.reports] == ["t.conf line 1: too few numbers."]
    assert cf.next().text == "domain-name"
