"""key / zone declarations and base64 secrets."""

import pytest

from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.dns_declarations import parse_base64, parse_key, parse_zone
from domain.config.expressions import Concat, ConstData, ConstInt, HostLookup, Substring


@pytest.mark.parametrize(
    ("text", "decoded"),
    [
        ('"c2VjcmV0"', b"secret"),
        ("c2VjcmV0", b"secret"),
        ("ab+c/d==", bytes.fromhex("69bf9cfd")),
        ('"YQ=="', b"a"),
    ],
)
def test_base64_joins_tokens_until_one_is_not_base64(lexer, text, decoded):
    cf = lexer(text + ";")
    assert parse_base64(cf) == decoded
    assert cf.next().kind == ";"


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ('"AA=A"', "stuff after base64 '=' terminator: A."),
        ('"A-AA"', "invalid base64 character 45."),
        # `algorithm` looks like base64 and is swallowed; the message quotes the
        # rest of the token the error is in
        ('"AA=A" algorithm', "stuff after base64 '=' terminator: A."),
    ],
)
def test_base64_errors(lexer, text, message):
    cf = lexer(text + ";")
    assert parse_base64(cf) is None
    assert cf.diagnostics.reports[0].first_line == f"t.conf line 1: {message}"


def test_partial_base64_is_reported_but_kept(lexer):
    cf = lexer('"AAAAB";')
    assert parse_base64(cf) == b"\x00\x00\x00"
    assert cf.diagnostics.reports[0].first_line == (
        "t.conf line 1: partial base64 value left over: 1."
    )


def test_key_with_unknown_algorithm_is_kept_with_a_warning(ctx, lexer):
    cf = lexer('k { algorithm hmac-foo; secret "AAAA"; }')
    key = parse_key(cf, ctx)
    assert key.algorithm == "hmac-foo.SIG-ALG.REG.INT."
    report = cf.diagnostics.reports[0]
    assert (report.lines, report.is_error) == (("Unable to create tsec structure for k",), False)


def test_key_without_secret_is_fatal(ctx, lexer):
    with pytest.raises(FatalConfigError):
        parse_key(lexer("k { algorithm hmac-md5; }"), ctx)


def test_zone_servers_are_concatenated_lookups_and_addresses(ctx, lexer):
    zone = parse_zone(lexer("{ primary 10.0.0.1, ns.example.com; }"), ctx, "example.com.")
    limited = Substring(HostLookup("ns.example.com"), ConstInt(0), ConstInt(4))
    assert zone.primary == Concat(ConstData(b"\x0a\x00\x00\x01"), limited)
    assert ctx.dns.zones["example.com."] == zone


def test_zone_with_unknown_key_is_an_error_but_parses_on(ctx, lexer):
    cf = lexer("{ key nokey; primary6 2001:db8::1; }")
    zone = parse_zone(cf, ctx, "example.com.")
    assert zone.key is None
    assert zone.primary6 == ConstData(bytes.fromhex("20010db8" + "0" * 23 + "1"))
    assert cf.diagnostics.reports[0].first_line == "t.conf line 1: unknown key nokey"


def test_second_key_in_a_zone_is_fatal(ctx, lexer):
    parse_key(lexer('k { algorithm hmac-md5; secret "AAAA"; }'), ctx)
    with pytest.raises(FatalConfigError, match=r"Multiple key definitions for zone z\."):
        parse_zone(lexer("{ key k; key k; }"), ctx, "z.")
