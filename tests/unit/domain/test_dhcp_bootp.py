"""BOOTP: fixed hosts answered from their scopes, dynamic BOOTP leases (spec §4.9)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, Opt
from domain.lease import NEVER, BindingState
from domain.lease_events import Acked

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
authoritative;
ping-check false;
next-server 10.0.0.9;
filename "pxelinux.0";
host fixed1 { hardware ethernet 02:00:00:00:00:aa; fixed-address 10.0.0.50; }
subnet 10.0.0.0 netmask 255.255.255.0 {
  option routers 10.0.0.1;
  range dynamic-bootp 10.0.0.100 10.0.0.101;
}
subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.11; }
"""
COOKIE_ONLY = {Opt.MAX_MESSAGE_SIZE: (1000).to_bytes(2, "big")}


def test_a_fixed_host_is_answered_from_its_scopes_without_a_lease(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    answer = server.send(packet(None, hw(0xAA), extra=COOKIE_ONLY))
    assert lines(answer) == [
        "BOOTREQUEST from 02:00:00:00:00:aa via eth0",
        "BOOTREPLY for 10.0.0.50 to fixed1 (02:00:00:00:00:aa) via eth0",
    ]
    reply = answer.reply
    assert (reply.yiaddr, reply.siaddr, reply.file) == ("10.0.0.50", "10.0.0.9", b"pxelinux.0")
    assert list(reply.options) == [Opt.SUBNET_MASK, Opt.ROUTERS]
    assert answer.changes == () and answer.holds == ()


def test_a_request_without_the_cookie_gets_no_options_back(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server(CONF)
    reply = server.send(packet(None, hw(0xAA))).reply
    assert not reply.has_cookie and reply.options == {}


def test_a_dynamic_bootp_client_gets_an_infinite_lease(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    answer = server.send(packet(None, hw(1), extra=COOKIE_ONLY))
    assert lines(answer) == [
        "BOOTREQUEST from 02:00:00:00:00:01 via eth0",
        "BOOTREPLY on 10.0.0.100 to 02:00:00:00:00:01 via eth0",
    ]
    assert [c.event for c in answer.changes] == [Acked]
    record = server.lease("10.0.0.100")
    assert (record.binding_state, record.ends, record.dynamic_bootp) == (
        BindingState.ACTIVE, NEVER, True
    )
    assert Opt.MESSAGE_TYPE not in answer.reply.options
    assert Opt.LEASE_TIME not in answer.reply.options


def test_bootp_refusals(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    lost = server.send(packet(None, hw(2), giaddr="192.0.2.1"))
    assert lines(lost) == ["BOOTREQUEST from 02:00:00:00:00:02 via 192.0.2.1: network unknown"]
    plain = server.send(packet(None, hw(2), giaddr="10.1.0.1"))
    assert lines(plain) == [
        "BOOTREQUEST from 02:00:00:00:00:02 via 10.1.0.1: BOOTP from dynamic client and no"
        " dynamic leases"
    ]
    strict = make_server("deny bootp;\n" + CONF)
    assert lines(strict.send(packet(None, hw(0xAA)))) == [
        "BOOTREQUEST from 02:00:00:00:00:aa via eth0: bootp disallowed"
    ]
    assert lines(strict.send(packet(None, hw(3)))) == [
        "BOOTREQUEST from 02:00:00:00:00:03 via eth0: bootp disallowed"
    ]
