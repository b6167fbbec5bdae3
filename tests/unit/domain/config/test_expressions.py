"""Expression nodes: their ISC context, operator table and constant folding."""

import dataclasses

import pytest

from domain.config import expressions as e


@pytest.mark.parametrize(
    ("node", "context"),
    [
        (e.ConstData(b"x"), e.Context.DATA),
        (e.HostLookup("h"), e.Context.DATA),
        (e.OptionValue("dhcp", "host-name", 12), e.Context.DATA),
        (e.Hardware(), e.Context.DATA),
        (e.EncodeInt(e.ConstInt(1), 8), e.Context.DATA),
        (e.ConstInt(5), e.Context.NUMERIC),
        (e.ExtractInt(e.Hardware(), 8), e.Context.NUMERIC),
        (e.ClientState(), e.Context.NUMERIC),
        (e.Known(), e.Context.BOOLEAN),
        (e.Exists("dhcp", "routers", 3), e.Context.BOOLEAN),
        (e.Not(e.Known()), e.Context.BOOLEAN),
        (e.VariableReference("v"), e.Context.ANY),
        (e.FunCall("f", ()), e.Context.ANY),
    ],
)
def test_contexts(node, context):
    assert node.context is context


def test_binary_context_comes_from_the_operator():
    equal = e.Binary(e.BinaryOp.EQUAL, e.Hardware(), e.ConstData(b""))
    total = e.Binary(e.BinaryOp.ADD, e.ConstInt(1), e.ConstInt(2))
    assert equal.context is e.Context.BOOLEAN
    assert total.context is e.Context.NUMERIC
    assert e.is_boolean(equal) and e.is_numeric(total) and not e.is_data(total)


def test_isc_precedence_makes_addition_bind_tighter_than_multiplication():
    ops = e.BinaryOp
    assert ops.ADD.precedence > ops.MULTIPLY.precedence
    assert ops.EQUAL.precedence > ops.AND.precedence
    assert ops.BINARY_AND.precedence > ops.EQUAL.precedence


def test_operand_contexts():
    assert e.BinaryOp.REGEX_MATCH.operand_context is e.Context.DATA
    assert e.BinaryOp.OR.operand_context is e.Context.BOOLEAN
    assert e.BinaryOp.BINARY_XOR.operand_context is e.Context.NUMERIC


def test_constant_bytes_folds_literal_concatenations_only():
    tail = e.Concat(e.ConstData(b"\x00"), e.ConstData(b"\x01"))
    literal = e.Concat(e.ConstData(b"\x0a\x00"), tail)
    assert e.constant_bytes(literal) == b"\x0a\x00\x00\x01"
    looked_up = e.Concat(e.ConstData(b"\x0a\x00\x00\x01"), e.HostLookup("gw"))
    assert e.constant_bytes(looked_up) is None
    assert e.constant_bytes(None) is None


def test_nodes_are_frozen_values():
    node = e.Substring(e.Hardware(), e.ConstInt(1), e.ConstInt(6))
    assert node == e.Substring(e.Hardware(), e.ConstInt(1), e.ConstInt(6))
    with pytest.raises(dataclasses.FrozenInstanceError):
        node.offset = e.ConstInt(0)  # type: ignore[misc]
