"""DHCPDISCOVER and its ping check (dhcpdiscover, lease_pinged)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision, LogLevel
from domain.dhcp_discover import ping_answered
from domain.dhcp_packet import DhcpPacket, MessageType
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Declined

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

PINGING = """
authoritative;
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
"""


def test_an_offer_is_held_in_memory_and_pinged_first(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(PINGING)
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(1), hostname=b"pc"))
    assert lines(offer) == [
        "DHCPDISCOVER from 02:00:00:00:00:01 via eth0",
        "DHCPOFFER on 10.0.0.100 to 02:00:00:00:00:01 (pc) via eth0",
    ]
    assert offer.changes == () and len(offer.holds) == 1
    hold = offer.holds[0]
    assert (hold.binding_state, hold.ends, hold.client_hostname) == (
        BindingState.FREE, now + 120, "pc"
    )
    assert offer.ping is not None and (offer.ping.address, offer.ping.timeout) == (
        "10.0.0.100", 1.0
    )
    assert server.view.is_held("10.0.0.100")


def test_an_echo_reply_abandons_the_address_and_nothing_is_offered(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(PINGING)
    echoed = server.send(packet(MessageType.DHCPDISCOVER, hw(2)), ping_reply=True)
    assert echoed.reply is None
    assert [(line.level, line.text) for line in echoed.log] == [
        (LogLevel.DEBUG, "ICMP Echo reply while lease 10.0.0.100 valid."),
        (LogLevel.ERROR, "Abandoning IP address 10.0.0.100: pinged before offer"),
    ]
    [change] = echoed.changes
    assert change.event is Declined
    abandoned = server.lease("10.0.0.100")
    assert abandoned.binding_state is BindingState.ABANDONED and abandoned.hardware is None
    assert abandoned.ends == now + 86400
    retry = server.send(packet(MessageType.DHCPDISCOVER, hw(2)))
    assert retry.reply.yiaddr == "10.0.0.101"


def test_a_late_echo_changes_nothing(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(PINGING)
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(3)))
    server.send(packet(MessageType.DHCPREQUEST, hw(3), requested="10.0.0.100"))
    late = ping_answered(offer.ping, server.view, server.config, now)
    assert late.changes == () and late.log[0].text == (
        "ICMP Echo Reply for 10.0.0.100 late or spurious."
    )


def test_ping_timeout_in_milliseconds_wins(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server("ping-timeout 3; ping-timeout-ms 250;\n" + PINGING)
    assert server.send(packet(MessageType.DHCPDISCOVER, hw(4))).ping.timeout == 0.25


def test_offering_an_expired_lease_drops_its_bindings_and_names_its_host(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(PINGING)
    server.view.apply(Lease(
        "10.0.0.103", starts=now - 900, ends=now - 300, cltt=now - 900,
        binding_state=BindingState.FREE, hardware=Hardware(1, hw(5)),
        client_hostname="old-pc", bindings=(("note", b"x"),),
    ))
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(5)))
    assert lines(offer)[0] == "DHCPDISCOVER from 02:00:00:00:00:05 (old-pc) via eth0"
    assert offer.reply.yiaddr == "10.0.0.103" and offer.holds[0].bindings == ()
