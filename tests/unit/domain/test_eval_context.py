"""Variable scopes and the evaluation context (dhcpd's binding scopes)."""

from __future__ import annotations

from domain.config.expressions import Function
from domain.dhcp_packet import DhcpPacket
from domain.eval_context import BindingScope, EvalContext, no_addresses


def _packet(options: dict[int, bytes]) -> DhcpPacket:
    return DhcpPacket(
        op=1, htype=1, hlen=6, hops=0, xid=7, secs=0, flags=0, ciaddr="0.0.0.0",
        yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
        chaddr=bytes.fromhex("001a2b0c0d0e"), options=options,
    )


def test_names_are_found_ignoring_ascii_case_and_keep_their_first_spelling() -> None:
    scope = BindingScope([("Res", b"one")])
    assert scope.value("RES") == b"one"
    scope.assign("res", b"two")
    assert scope.items() == (("Res", b"two"),)


def test_set_rebinds_an_outer_binding_and_creates_new_ones_innermost() -> None:
    lease = BindingScope([("shared", 1)])
    arguments = BindingScope([("word", b"x")], outer=lease)
    arguments.assign("shared", 2)
    arguments.assign("fresh", True)
    assert lease.items() == (("shared", 2),)
    assert arguments.items() == (("word", b"x"), ("fresh", True))
    assert arguments.value("shared") == 2


def test_unset_keeps_the_binding_but_drops_its_value() -> None:
    scope = BindingScope([("v", b"val")])
    scope.unset("V")
    assert scope.exists("v")
    assert scope.value("v") is None
    assert scope.items() == ()


def test_a_binding_can_hold_a_function() -> None:
    function = Function(parameters=("a",), body=())
    scope = BindingScope([("f", function)])
    assert scope.value("F") is function


def test_the_context_derives_the_packets_option_view() -> None:
    ctx = EvalContext(packet=_packet({60: b"PXEClient"}))
    assert ctx.incoming is not None
    assert ctx.incoming.get("dhcp", 60) == b"PXEClient"
    assert EvalContext().incoming is None


def test_the_default_resolver_knows_no_names() -> None:
    assert no_addresses("tftp.example.com") == ()
