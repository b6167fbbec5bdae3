"""Each term form builds its node and reports ISC's message at ISC's token."""

import pytest

from adapters.dhcpdconf.expression_terms import parse_non_binary
from adapters.dhcpdconf.expressions import Lose
from domain.config import expressions as e


def _term(ctx, lexer, text, context=e.Context.DATA):
    cf = lexer(text)
    lose = Lose()
    return parse_non_binary(cf, ctx, lose, context), lose, cf


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ('"abc"', e.ConstData(b"abc")),
        ("01:02:ff", e.ConstData(b"\x01\x02\xff")),
        ("hardware", e.Hardware()),
        ("leased-address", e.LeasedAddress()),
        ("host-decl-name", e.HostDeclName()),
        ("null", e.Null()),
        ("substring(hardware, 1, 6)", e.Substring(e.Hardware(), e.ConstInt(1), e.ConstInt(6))),
        ("suffix(hardware, 2)", e.Suffix(e.Hardware(), e.ConstInt(2))),
        ('lcase("A")', e.Lcase(e.ConstData(b"A"))),
        ('ucase("a")', e.Ucase(e.ConstData(b"a"))),
        ('concat("a", "b", "c")',
         e.Concat(e.Concat(e.ConstData(b"a"), e.ConstData(b"b")), e.ConstData(b"c"))),
        ('binary-to-ascii(16, 8, ":", hardware)',
         e.BinaryToAscii(e.ConstInt(16), e.ConstInt(8), e.ConstData(b":"), e.Hardware())),
        ("reverse(1, hardware)", e.Reverse(e.ConstInt(1), e.Hardware())),
        ('pick-first-value(option host-name, "x")',
         e.PickFirstValue((e.OptionValue("dhcp", "host-name", 12), e.ConstData(b"x")))),
        ("option agent.circuit-id", e.OptionValue("agent", "circuit-id", 1)),
        ("config-option domain-name", e.ConfigOption("dhcp", "domain-name", 15)),
        ("packet(0, 4)", e.Packet(e.ConstInt(0), e.ConstInt(4))),
        ("encode-int(5, 16)", e.EncodeInt(e.ConstInt(5), 16)),
        ("gethostname()", e.GetHostName()),
        ('gethostbyname("h.example")', e.HostLookup("h.example")),
        ("v6relay(1, option dhcp6.interface-id)",
         e.V6Relay(e.ConstInt(1), e.OptionValue("dhcp6", "interface-id", 18))),
        ("myvar", e.VariableReference("myvar")),
        ('fn(1, "x")', e.FunCall("fn", (e.ConstData(b"\x01"), e.ConstData(b"x")))),
        ("f", e.ConstData(b"\x0f")),  # a lone hex letter lexes as a number
    ],
)
def test_data_terms(ctx, lexer, text, node):
    term, lose, cf = _term(ctx, lexer, text + ";")
    assert term == node
    assert not lose.value and cf.diagnostics.reports == []


@pytest.mark.parametrize(
    ("text", "node"),
    [
        ("known", e.Known()),
        ("static", e.Static()),
        ('check "default"', e.Check("default")),
        ("exists routers", e.Exists("dhcp", "routers", 3)),
        ("defined(v)", e.VariableExists("v")),
        ("not known", e.Not(e.Known())),
        ("extract-int(hardware, 16)", e.ExtractInt(e.Hardware(), 16)),
        ("lease-time", e.LeaseTime()),
        ("bound", e.ConstInt(5)),
        ("nxdomain", e.ConstInt(3)),
        ("42", e.ConstInt(42)),
    ],
)
def test_numeric_and_boolean_terms(ctx, lexer, text, node):
    term, _, cf = _term(ctx, lexer, text + ";", e.Context.NUMERIC)
    assert term == node and cf.diagnostics.reports == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("substring hardware", "left parenthesis expected."),
        ("substring(hardware 1", "comma expected."),
        ("substring(hardware, 1, 2", "right parenthesis expected."),
        ("substring(5 + 1, 1, 2)", "expecting numeric expressions"),
        ("substring(known, 1, 2)", "Expecting a data expression."),
        ("extract-int(hardware, x)", "number expected."),
        ("extract-int(hardware, 12)", "unsupported integer size 12"),
        ("check 5", "string expected."),
        ('check "mine"', "unknown collection."),
        ("not 5", "boolean expression expected"),
        ("defined(5)", "5 can't be a variable name"),
        ("gethostbyname(foo)", 'Expecting quoted literal: "foo.example.com"'),
        ("exists nosuch", "no option named nosuch in space dhcp"),
        ("fn(1 2)", "Right parenthesis expected."),
    ],
)
def test_term_errors(ctx, lexer, text, message):
    term, lose, cf = _term(ctx, lexer, text + ";")
    assert term is None and lose.value
    assert cf.diagnostics.reports[0].first_line == f"t.conf line 1: {message}"


def test_not_an_expression(ctx, lexer):
    term, lose, cf = _term(ctx, lexer, "}")
    assert term is None and not lose.value and cf.diagnostics.reports == []
