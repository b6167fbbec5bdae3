"""DHCPINFORM: options without a lease, authoritative subnets only (spec §4.8)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import BROADCAST_FLAG, ZERO, DhcpPacket, MessageType, Opt

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
option dhcp-renewal-time 100;
host printer { hardware ethernet 02:00:00:00:00:0f; option domain-name "print.example"; }
subnet 10.0.0.0 netmask 255.255.255.0 {
  authoritative;
  option routers 10.0.0.1;
  range 10.0.0.100 10.0.0.104;
}
subnet 10.7.0.0 netmask 255.255.255.0 { }
"""


def test_inform_gets_options_but_no_lease_times(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    answer = server.send(packet(MessageType.DHCPINFORM, hw(1), ciaddr="10.0.0.50"))
    assert lines(answer) == [
        "DHCPINFORM from 10.0.0.50 via eth0",
        "DHCPACK to 10.0.0.50 (02:00:00:00:00:01) via eth0",
    ]
    reply = answer.reply
    assert reply.message_type is MessageType.DHCPACK and reply.yiaddr == ZERO
    assert reply.ciaddr == "10.0.0.50" and answer.unicast_to_ciaddr
    assert Opt.LEASE_TIME not in reply.options and Opt.RENEWAL_TIME not in reply.options
    assert reply.options[Opt.ROUTERS] == bytes([10, 0, 0, 1])
    assert reply.options[Opt.SERVER_IDENTIFIER] == bytes([10, 0, 0, 2])
    assert answer.changes == () and answer.holds == ()


def test_the_source_address_stands_in_for_a_missing_ciaddr(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    answer = server.send(packet(MessageType.DHCPINFORM, hw(0x0F)), source="10.0.0.60")
    assert lines(answer)[0] == "DHCPINFORM from 10.0.0.60 via eth0"
    assert answer.reply.options[Opt.DOMAIN_NAME] == b"print.example"
    assert not answer.unicast_to_ciaddr


def test_a_relayed_inform_goes_back_through_the_relay_with_broadcast_set(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    answer = server.send(packet(MessageType.DHCPINFORM, hw(2), giaddr="10.0.0.1"),
                         source="10.0.0.1")
    assert lines(answer) == [
        "DHCPINFORM from 10.0.0.1 via 10.0.0.1",
        "DHCPACK to 10.0.0.1 (02:00:00:00:00:02) via 10.0.0.1",
    ]
    assert answer.reply.flags & BROADCAST_FLAG


def test_refusals(make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines) -> None:
    server = make_server(CONF)
    assert lines(server.send(packet(MessageType.DHCPINFORM, hw(3)))) == [
        "DHCPINFORM from 0.0.0.0 via eth0: ignored (null source address)."
    ]
    assert lines(server.send(packet(MessageType.DHCPINFORM, hw(3), ciaddr="10.99.0.5"))) == [
        "DHCPINFORM from 10.99.0.5 via eth0: unknown subnet for client address 10.99.0.5"
    ]
    refused = server.send(packet(MessageType.DHCPINFORM, hw(3), ciaddr="10.7.0.5"))
    assert refused.reply is None
    assert lines(refused)[0] == (
        "DHCPINFORM from 10.7.0.5 via eth0: not authoritative for subnet 10.7.0.0"
    )
    assert lines(refused)[1:] == [
        "If this DHCP server is authoritative for that subnet,",
        "please write an `authoritative;' directive either in the",
        "subnet declaration or in some scope that encloses the",
        "subnet declaration - for example, write it at the top",
        "of the dhcpd.conf file.",
    ]
    selected = packet(MessageType.DHCPINFORM, hw(3), ciaddr="10.0.0.5",
                      extra={Opt.SUBNET_SELECTION: b"\x01"})
    assert lines(server.send(selected)) == [
        "DHCPINFORM from 10.0.0.5 via eth0: ignored (invalid subnet selection option)."
    ]
