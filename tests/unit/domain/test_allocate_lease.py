"""allocate_lease: which free address a new client gets (spec §4.3)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType
from domain.failover.states import Role, ServerState
from domain.lease import BindingState, Hardware, Lease
from tests.unit.domain.failover_lab import PairServer, mac_hashed_to, pair_config, service

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


# ---- failover pools (spec failover §7.7) -----------------------------------------------

ALLOCATION = [
    # role, my state, expected address: the primary gives FREE, the secondary BACKUP;
    # in partner-down (stos + MCLT long past) the peer's head wins when it is older
    (Role.PRIMARY, ServerState.NORMAL, "10.0.0.102"),
    (Role.SECONDARY, ServerState.NORMAL, "10.0.0.100"),
    (Role.PRIMARY, ServerState.COMMUNICATIONS_INTERRUPTED, "10.0.0.102"),
    (Role.SECONDARY, ServerState.COMMUNICATIONS_INTERRUPTED, "10.0.0.100"),
    (Role.PRIMARY, ServerState.PARTNER_DOWN, "10.0.0.100"),
    (Role.SECONDARY, ServerState.PARTNER_DOWN, "10.0.0.100"),
]


@pytest.mark.parametrize(("role", "mine", "expected"), ALLOCATION)
def test_a_failover_server_allocates_from_its_own_queue(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, now: int,
    role: Role, mine: ServerState, expected: str,
) -> None:
    server = PairServer(make_config(pair_config(role)), {"fo": service(role, mine)})
    # .100 and .101 are backup (freed longest ago), .102 and .103 free
    for ip, ends in (("10.0.0.100", 10), ("10.0.0.101", 20)):
        server.view.apply(Lease(ip, ends=ends, binding_state=BindingState.BACKUP))
    for ip, ends in (("10.0.0.102", 30), ("10.0.0.103", 40)):
        server.view.apply(Lease(ip, ends=ends, binding_state=BindingState.FREE))
    client = mac_hashed_to(role)
    decision = server.send(packet(MessageType.DHCPDISCOVER, client, secs=60))
    assert decision.reply is not None and decision.reply.yiaddr == expected


@pytest.mark.parametrize("role", [Role.PRIMARY, Role.SECONDARY])
def test_partner_down_waits_mclt_before_taking_the_peers_leases(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, now: int, role: Role,
) -> None:
    peer_state = BindingState.BACKUP if role is Role.PRIMARY else BindingState.FREE
    services = {"fo": service(role, ServerState.PARTNER_DOWN, stos=now - 100)}
    server = PairServer(make_config(pair_config(role)), services)
    for ip in ("10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103"):
        server.view.apply(Lease(ip, ends=10, binding_state=peer_state))
    client = mac_hashed_to(role)
    decision = server.send(packet(MessageType.DHCPDISCOVER, client))
    assert decision.reply is None
    assert [line.text for line in decision.log] == [
        f"DHCPDISCOVER from {':'.join(f'{b:02x}' for b in client)} via eth0:"
        " peer holds all free leases"
    ]
    later = server.send(packet(MessageType.DHCPDISCOVER, client), now + 600)
    assert later.reply is not None and later.reply.yiaddr == "10.0.0.100"


def test_a_failover_server_reclaims_abandoned_only_when_it_may(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, now: int,
) -> None:
    def reclaimed(role: Role) -> str | None:
        server = PairServer(make_config(pair_config(role)), {"fo": service(role)})
        for ip in ("10.0.0.100", "10.0.0.101", "10.0.0.102", "10.0.0.103"):
            server.view.apply(Lease(ip, ends=now - 10, binding_state=BindingState.ABANDONED))
        decision = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(role)))
        return decision.reply.yiaddr if decision.reply is not None else None

    # abandoned leases count as FREE: the primary's to reclaim, never the secondary's
    assert reclaimed(Role.PRIMARY) == "10.0.0.100"
    assert reclaimed(Role.SECONDARY) is None


def test_without_a_failover_mapping_a_failover_pool_allocates_as_before(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    server = PairServer(make_config(pair_config(Role.SECONDARY)), None)
    server.view.apply(Lease("10.0.0.100", binding_state=BindingState.BACKUP))
    decision = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(Role.SECONDARY)))
    assert decision.reply is not None and decision.reply.yiaddr == "10.0.0.101"
