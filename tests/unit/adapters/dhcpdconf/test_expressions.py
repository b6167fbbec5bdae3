"""Expression parsing: ISC's operator handling and type checks, checked against dhcpd."""

import pytest

from adapters.dhcpdconf.expressions import (
    parse_boolean_expression,
    parse_data_expression,
    parse_numeric_expression,
)
from domain.config.expressions import (
    Binary,
    BinaryOp,
    ConstData,
    ConstInt,
    ExtractInt,
    Hardware,
    Known,
    OptionValue,
    Static,
    VariableReference,
)

ACCEPTED = [
    'if option host-name = "x" { }\n',
    "if substring(option vendor-class-identifier, 0, 9) = \"PXEClient\" { } else { }\n",
    "if (option host-name = \"a\" and (known or static)) { }\n",
    "if option host-name ~= \"^ab\" or option host-name ~~ \"cd\" { }\n",
    "if exists routers and defined(x) { }\n",
    "if myvar { }\n",
    "if \"a\" = 5 { }\n",
    "if option host-name ~= 5 { }\n",
    "if not known { }\n",
    "if check \"default\" { }\n",
    "if config-option domain-name = \"x\" { }\n",
    "if client-state = bound { }\n",
    "if encode-int(5, 16) = 00:05 { }\n",
]

REJECTED = [
    "if option host-name { }\n",
    "if foo and { }\n",
    "if known and not option host-name = \"a\" { }\n",
    "set x = 1 + ;\n",
    "if option host-name = \"a\" = \"b\" { }\n",
    "if 1 + \"a\" = 9 { }\n",
    "if known and 5 { }\n",
    "if known or option host-name { }\n",
    "if not 5 { }\n",
    "if option host-name ! \"x\" { }\n",
    "if option host-name ~ \"x\" { }\n",
    "if foo() { }\n",
    "if foo(1 2) { }\n",
    "if ( ) { }\n",
    "if (known { }\n",
    "if 1:2:zz = hardware { }\n",
    "if (option host-name = \"a\") and (known or static) { }\n",
    "if 1 + 2 * 3 = 9 { }\n",
    "if 5 | 3 = 7 { }\n",
    "if x { }\n",
]


@pytest.mark.isc
@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_like_dhcpd(same_as_dhcpd, text):
    assert same_as_dhcpd(text).errors == []


@pytest.mark.isc
@pytest.mark.parametrize("text", REJECTED)
def test_rejected_with_dhcpds_messages(same_as_dhcpd, text):
    assert same_as_dhcpd(text).errors


def test_equality_binds_tighter_than_and(ctx, lexer):
    expr, lose = parse_boolean_expression(lexer('known and option host-name = "a" {'), ctx)
    assert not lose
    assert expr == Binary(
        BinaryOp.AND, Known(),
        Binary(BinaryOp.EQUAL, OptionValue("dhcp", "host-name", 12), ConstData(b"a")),
    )


def test_same_precedence_groups_to_the_left(ctx, lexer):
    expr, _ = parse_boolean_expression(lexer("known or static and myvar {"), ctx)
    assert expr == Binary(BinaryOp.AND, Binary(BinaryOp.OR, Known(), Static()),
                          VariableReference("myvar"))


def test_dhcpd_binds_addition_tighter_than_multiplication(ctx, lexer):
    expr, _ = parse_numeric_expression(lexer("2 * 3 + 4;"), ctx)
    assert expr == Binary(BinaryOp.MULTIPLY, ConstInt(2),
                          Binary(BinaryOp.ADD, ConstInt(3), ConstInt(4)))


def test_a_number_is_data_in_data_context_and_numeric_after_a_number(ctx, lexer):
    data, _ = parse_data_expression(lexer("5;"), ctx)
    assert data == ConstData(b"\x05")
    compare, _ = parse_boolean_expression(lexer("extract-int(hardware, 8) = 5 {"), ctx)
    assert compare == Binary(BinaryOp.EQUAL, ExtractInt(Hardware(), 8), ConstInt(5))


def test_wrong_kind_is_reported_and_lose_set(ctx, lexer):
    cf = lexer('"x" {')
    expr, lose = parse_boolean_expression(cf, ctx)
    assert expr is None and lose
    assert cf.diagnostics.reports[0].first_line == (
        "t.conf line 1: Expecting a boolean expression."
    )


def test_nothing_there_is_not_reported(ctx, lexer):
    cf = lexer("}")
    assert parse_data_expression(cf, ctx) == (None, False)
    assert cf.diagnostics.reports == []
