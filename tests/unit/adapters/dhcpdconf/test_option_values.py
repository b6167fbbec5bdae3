"""Option values: wire bytes and display text for each ISC format letter."""

import pytest

from adapters.dhcpdconf.option_definitions import parse_option_name
from adapters.dhcpdconf.option_values import parse_ip6_addr, parse_option_statement
from domain.config.expressions import HostLookup, Substring


def _statement(ctx, lexer, name, value, universe="dhcp"):
    cf = lexer(f"{universe}.{name} {value}")
    option, _ = parse_option_name(cf, ctx, False)
    statement = parse_option_statement(cf, ctx, option, "supersede")
    return statement, cf


@pytest.mark.parametrize(
    ("name", "value", "wire", "text"),
    [
        ("subnet-mask", "255.255.255.0;", b"\xff\xff\xff\x00", "255.255.255.0"),
        ("routers", "10.0.0.1, 10.0.0.2;", b"\x0a\x00\x00\x01\x0a\x00\x00\x02",
         "10.0.0.1, 10.0.0.2"),
        ("time-offset", "-3600;", (-3600 & 0xFFFFFFFF).to_bytes(4, "big"), "-3600"),
        ("interface-mtu", "0x5dc;", b"\x05\xdc", "1500"),
        ("default-ip-ttl", "010;", b"\x08", "8"),
        ("ip-forwarding", "on;", b"\x01", "true"),
        ("host-name", '"h1";', b"h1", '"h1"'),
        ("domain-name", "example;", b"example", '"example"'),
        ("dhcp-client-identifier", "1:2:ab;", b"\x01\x02\xab", "01:02:ab"),
        ("vendor-encapsulated-options", '"x";', b"x", '"x"'),
        ("dhcp-parameter-request-list", "1, 3, 6;", b"\x01\x03\x06", "1, 3, 6"),
        ("domain-search", '"a.com", "b.a.com";', b"\x01a\x03com\x00\x01b\xc0\x00",
         '"a.com", "b.a.com"'),
        ("static-routes", "10.0.0.0 10.0.0.1;", b"\x0a\x00\x00\x00\x0a\x00\x00\x01",
         "10.0.0.0 10.0.0.1"),
        ("slp-service-scope", "true;", b"\x01", "true"),
        ("slp-service-scope", 'false "scope";', b"\x00scope", 'false "scope"'),
        ("slp-directory-agent", "true 1.2.3.4, 5.6.7.8;", b"\x01\x01\x02\x03\x04\x05\x06\x07\x08",
         "true 1.2.3.4, 5.6.7.8"),
        ("v4-access-domain", "example.com;", b"\x07example\x03com\x00", "example.com"),
    ],
)
def test_dhcp_option_values(ctx, lexer, name, value, wire, text):
    statement, cf = _statement(ctx, lexer, name, value)
    assert cf.diagnostics.reports == []
    assert statement.constant_value() == wire
    assert statement.display_value() == text


@pytest.mark.parametrize(
    ("name", "value", "wire", "text"),
    [
        ("default-lease-time", "infinite;", b"\xff\xff\xff\xff", "infinite"),
        ("ddns-update-style", "interim;", b"\x02", "interim"),
        ("log-facility", "local7;", b"\xb8", "local7"),
        ("ping-check", "ignore;", b"\x02", "ignore"),
        ("vendor-option-space", "isc;", b"isc", "isc"),
        ("omapi-key", "key.example;", b"key.example", "key.example"),
        ("local-address6", "2001:db8::1;", bytes.fromhex("20010db8" + "0" * 23 + "1"),
         "2001:db8::1"),
    ],
)
def test_server_parameter_values(ctx, lexer, name, value, wire, text):
    statement, cf = _statement(ctx, lexer, name, value, universe="server")
    assert cf.diagnostics.reports == []
    assert (statement.universe, statement.name) == ("server", name)
    assert statement.constant_value() == wire
    assert statement.display_value() == text


def test_host_names_are_looked_up_later_and_limited_outside_arrays(ctx, lexer):
    routers, _ = _statement(ctx, lexer, "routers", "gw.example.com;")
    assert routers.value == HostLookup("gw.example.com")
    mask, _ = _statement(ctx, lexer, "subnet-mask", "mask.example.com;")
    assert isinstance(mask.value, Substring) and mask.value.expr == HostLookup("mask.example.com")
    assert routers.constant_value() is None


def test_bare_option_has_no_value_and_wants_a_second_semicolon(ctx, lexer):
    statement, cf = _statement(ctx, lexer, "routers", ";;")
    assert statement.value is None and cf.diagnostics.reports == []


def test_computed_value(ctx, lexer):
    statement, _ = _statement(ctx, lexer, "host-name", '= concat("h-", "1");')
    assert statement.constant_value() == b"h-1"
    assert statement.display_value() == '= concat("h-", "1")'


def test_zero_length_option_accepts_after_complaining(ctx, lexer):
    statement, cf = _statement(ctx, lexer, "relay-port", "5;", universe="agent")
    assert statement is None
    assert [r.first_line for r in cf.diagnostics.reports] == [
        "t.conf line 1: semicolon expected.", "t.conf line 1: semicolon expected."
    ]


def test_ipv6_words_must_touch(lexer):
    cf = lexer("2001:db8::1 ;")
    assert parse_ip6_addr(cf) == bytes.fromhex("20010db8000000000000000000000001")
    cf = lexer("x 2001: db8::1;")
    cf.skip()
    assert parse_ip6_addr(cf) is None
    assert cf.diagnostics.reports[0].first_line == "t.conf line 1: Invalid IPv6 address."
