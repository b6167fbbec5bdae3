from domain.config import expressions as e
from domain.config.expression_text import expression_text


def test_class_match_expression():
    expr = e.Binary(
        e.BinaryOp.AND,
        e.Binary(
            e.BinaryOp.EQUAL,
            e.Substring(e.OptionValue("dhcp", "vendor-class-identifier", 60), e.ConstInt(0),
                        e.ConstInt(9)),
            e.ConstData(b"PXEClient"),
        ),
        e.Not(e.Exists("agent", "circuit-id", 1)),
    )
    assert expression_text(expr) == (
        '(substring(option vendor-class-identifier, 0, 9) = "PXEClient")'
        " and not exists agent.circuit-id"
    )


def test_binary_data_prints_as_hex_and_calls_as_written():
    assert expression_text(e.ConstData(b"\x01\x02")) == "01:02"
    assert expression_text(e.FunCall("f", (e.VariableReference("x"), e.Hardware()))) == (
        "f(x, hardware)"
    )
    assert expression_text(e.PickFirstValue((e.LeasedAddress(), e.ConstData(b"")))) == (
        'pick-first-value(leased-address, "")'
    )
