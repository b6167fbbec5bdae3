"""DHCPREQUEST: selecting, renewing, rebinding, init-reboot and the NAK rules (§4.5)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision, LogLevel, LogLine
from domain.dhcp_packet import BROADCAST_FLAG, DhcpPacket, MessageType, Opt
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Acked

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
ping-check false;
default-lease-time 600;
subnet 10.0.0.0 netmask 255.255.255.0 {
  authoritative;
  range 10.0.0.100 10.0.0.104;
}
subnet 10.7.0.0 netmask 255.255.255.0 { range 10.7.0.10 10.7.0.20; }
subnet 10.8.0.0 netmask 255.255.255.0 { authoritative; range 10.8.0.10 10.8.0.20; }
"""


def lease_time(decision: Decision) -> int:
    return int.from_bytes(decision.reply.options[Opt.LEASE_TIME], "big")


def test_selecting_client_is_acked_and_the_lease_written(
    make_server: MakeServer, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    ack = server.dora(hw(1))
    assert lines(ack) == [
        "DHCPREQUEST for 10.0.0.100 (10.0.0.2) from 02:00:00:00:00:01 via eth0",
        "DHCPACK on 10.0.0.100 to 02:00:00:00:00:01 via eth0",
    ]
    assert ack.reply.message_type is MessageType.DHCPACK and lease_time(ack) == 600
    [change] = ack.changes
    assert change.event is Acked and change.cause == lines(ack)[-1]
    record = server.lease("10.0.0.100")
    assert (record.binding_state, record.starts, record.ends) == (
        BindingState.ACTIVE, now, now + 600
    )
    assert not server.view.is_held("10.0.0.100")


def test_another_servers_identifier_is_not_checked(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server(CONF)
    asked = server.send(packet(MessageType.DHCPREQUEST, hw(2), requested="10.0.0.103",
                               server_id="10.0.0.99"))
    assert asked.reply.message_type is MessageType.DHCPACK


def test_renewal_is_unicast_and_a_young_lease_is_answered_unchanged(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    server.dora(hw(3))
    early = server.send(packet(MessageType.DHCPREQUEST, hw(3), ciaddr="10.0.0.100"), now + 100)
    assert early.unicast_to_ciaddr and early.changes == ()
    assert lease_time(early) == 500
    assert early.log[0] == LogLine(
        LogLevel.DEBUG,
        "reuse_lease: lease age 100 (secs) under 25% threshold, reply with unaltered,"
        " existing lease for 10.0.0.100",
    )
    later = server.send(packet(MessageType.DHCPREQUEST, hw(3), ciaddr="10.0.0.100"), now + 200)
    assert lease_time(later) == 600 and server.lease("10.0.0.100").ends == now + 800
    assert lines(later)[0] == "DHCPREQUEST for 10.0.0.100 from 02:00:00:00:00:03 via eth0"


def test_a_broadcast_renewal_from_the_local_network_is_not_unicast(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(CONF)
    server.dora(hw(4))
    asked = packet(MessageType.DHCPREQUEST, hw(4), ciaddr="10.0.0.100", flags=BROADCAST_FLAG)
    assert not server.send(asked, now + 400).unicast_to_ciaddr


def test_init_reboot_on_the_wrong_network_is_nakked_where_authoritative(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    nak = server.send(packet(MessageType.DHCPREQUEST, hw(5), requested="10.8.0.12"))
    assert lines(nak) == [
        "DHCPREQUEST for 10.8.0.12 from 02:00:00:00:00:05 via eth0: wrong network.",
        "DHCPNAK on 10.8.0.12 to 02:00:00:00:00:05 via eth0",
    ]
    assert nak.reply.message_type is MessageType.DHCPNAK


def test_a_network_without_authority_ignores_what_it_cannot_judge(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF, interface_address="10.7.0.1")
    wrong = server.send(packet(MessageType.DHCPREQUEST, hw(6), requested="10.0.0.101"))
    assert lines(wrong) == [
        "DHCPREQUEST for 10.0.0.101 from 02:00:00:00:00:06 via eth0: ignored (not authoritative)."
    ]
    assert wrong.reply is None


def test_unknown_relay_networks(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    known_subnet = server.send(packet(MessageType.DHCPREQUEST, hw(7), requested="10.0.0.100",
                                      giaddr="10.99.0.1"))
    assert lines(known_subnet)[0].endswith("via 10.99.0.1: wrong network.")
    assert known_subnet.reply.giaddr == "10.99.0.1"
    lost = server.send(packet(MessageType.DHCPREQUEST, hw(7), requested="10.99.0.5",
                              giaddr="10.99.0.1"))
    assert lines(lost) == [
        "DHCPREQUEST for 10.99.0.5 from 02:00:00:00:00:07 via 10.99.0.1: ignored (unknown subnet)."
    ]
    lazy = server.send(packet(MessageType.DHCPREQUEST, hw(7), requested="10.7.0.10",
                              giaddr="10.99.0.1"))
    assert lines(lazy)[0].endswith(": ignored (not authoritative).")


def test_an_address_held_by_another_client_is_nakked_even_without_authority(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF, interface_address="10.7.0.1")
    server.view.apply(Lease("10.7.0.10", starts=now, ends=now + 600,
                            binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(8))))
    nak = server.send(packet(MessageType.DHCPREQUEST, hw(9), requested="10.7.0.10"))
    assert lines(nak)[0].endswith(": lease 10.7.0.10 unavailable.")
    assert nak.reply.options[Opt.MESSAGE] == b"requested address not available"


def test_an_address_outside_every_range_is_an_unknown_lease(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    renewing = server.send(packet(MessageType.DHCPREQUEST, hw(0x10), ciaddr="10.0.0.20"))
    assert lines(renewing) == [
        "DHCPREQUEST for 10.0.0.20 from 02:00:00:00:00:10 via eth0: unknown lease 10.0.0.20."
    ]
    assert renewing.reply is None
