"""allocate_lease: which free address a new client gets (spec §4.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType
from domain.lease import BindingState, Hardware, Lease

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

TWO_POOLS = """
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool { deny unknown-clients; range 10.0.0.10 10.0.0.11; }
  pool { range 10.0.0.100 10.0.0.101; }
}
"""


def offered(server: Any, packet: MakePacket, chaddr: bytes) -> str | None:
    decision = server.send(packet(MessageType.DHCPDISCOVER, chaddr))
    return decision.reply.yiaddr if decision.reply is not None else None


def test_a_fresh_range_goes_out_lowest_first_and_offers_are_held(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server()
    assert [offered(server, packet, hw(n)) for n in (1, 2, 3)] == [
        "10.0.0.100", "10.0.0.101", "10.0.0.102",
    ]
    # the first client asks again: its held offer is found for it, not a new address
    assert offered(server, packet, hw(1)) == "10.0.0.100"


def test_an_offer_hold_blocks_its_address_for_two_minutes(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(TWO_POOLS)
    assert offered(server, packet, hw(1)) == "10.0.0.100"
    assert offered(server, packet, hw(2)) == "10.0.0.101"
    late = server.send(packet(MessageType.DHCPDISCOVER, hw(3)), now + 60)
    assert late.reply is None
    again = server.send(packet(MessageType.DHCPDISCOVER, hw(3)), now + 121)
    assert again.reply.yiaddr == "10.0.0.100"


def test_used_leases_wait_behind_never_used_ones(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server()
    server.view.apply(Lease("10.0.0.100", ends=now - 5000, binding_state=BindingState.FREE,
                            hardware=Hardware(1, hw(40))))
    assert offered(server, packet, hw(41)) == "10.0.0.101"


def test_an_exhausted_pool_falls_back_to_its_oldest_abandoned_lease(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(TWO_POOLS)
    for last, ends in ((100, now + 900), (101, now + 50)):
        server.view.apply(Lease(f"10.0.0.{last}", ends=ends,
                                binding_state=BindingState.ABANDONED))
    decision = server.send(packet(MessageType.DHCPDISCOVER, hw(5)))
    assert decision.reply.yiaddr == "10.0.0.101"
    assert lines(decision)[0] == "Reclaiming abandoned lease 10.0.0.101."


def test_pools_the_client_may_not_use_are_skipped(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(TWO_POOLS)
    assert offered(server, packet, hw(1)) == "10.0.0.100"
    assert offered(server, packet, hw(2)) == "10.0.0.101"
    refused = server.send(packet(MessageType.DHCPDISCOVER, hw(3)))
    assert lines(refused) == [
        "DHCPDISCOVER from 02:00:00:00:00:03 via eth0: network 10.0.0.0/24: no free leases"
    ]
