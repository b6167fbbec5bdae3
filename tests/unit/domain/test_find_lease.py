"""find_lease: hosts, the client's own leases, the requested address (spec §4.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.config.model import DhcpConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, Inbound, MessageType
from domain.find_lease import INCORRECT, NOT_AVAILABLE, find_lease
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Reclaimed, Released
from projections.lease_view import LeaseView

MakeServer = Callable[..., Any]
MakeConfig = Callable[[str], DhcpConfig]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
authoritative;
ping-check false;
host fixed1 { hardware ethernet 02:00:00:00:00:aa; fixed-address 10.0.0.50; }
host elsewhere { hardware ethernet 02:00:00:00:00:bb; fixed-address 192.168.1.5; }
host byid { option dhcp-client-identifier "id-1"; }
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool { deny unknown-clients; range 10.0.0.10 10.0.0.19; }
  pool { range 10.0.0.100 10.0.0.109; }
}
subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.19; }
subnet 192.168.1.0 netmask 255.255.255.0 { }
"""


def active(ip: str, chaddr: bytes, now: int, *, uid: bytes | None = None, ends: int = 600) -> Lease:
    return Lease(ip, starts=now - 10, ends=now + ends, cltt=now - 10,
                 binding_state=BindingState.ACTIVE, next_binding_state=BindingState.FREE,
                 hardware=Hardware(1, chaddr), uid=uid)


def context(config: DhcpConfig, view: LeaseView, message: DhcpPacket, now: int) -> RequestContext:
    network = config.shared_network("10.0.0.0/24")
    inbound = Inbound(message, "eth0", "0.0.0.0", 68, "10.0.0.2")
    return RequestContext(inbound=inbound, config=config, view=view, now=now,
                          network=network, interface_network=network)


def test_a_fixed_address_on_the_network_wins_and_makes_the_client_known(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    ctx = context(config, LeaseView(config), packet(MessageType.DHCPDISCOVER, hw(0xAA)), now)
    found = find_lease(ctx, ctx.network)
    assert found.fixed is not None and found.lease is found.fixed.lease
    assert found.lease.ip == "10.0.0.50" and ctx.known


def test_a_fixed_address_elsewhere_only_makes_the_client_known(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    ctx = context(config, LeaseView(config), packet(MessageType.DHCPDISCOVER, hw(0xBB)), now)
    assert find_lease(ctx, ctx.network).lease is None and ctx.known
    by_id = packet(MessageType.DHCPDISCOVER, hw(0x01), client_id=b"id-1")
    ctx = context(config, LeaseView(config), by_id, now)
    find_lease(ctx, ctx.network)
    assert ctx.known
    stranger = context(config, LeaseView(config), packet(MessageType.DHCPDISCOVER, hw(2)), now)
    find_lease(stranger, stranger.network)
    assert not stranger.known


def test_a_fixed_client_requesting_another_address_is_refused(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    wrong = packet(MessageType.DHCPREQUEST, hw(0xAA), requested="10.0.0.60")
    ctx = context(config, LeaseView(config), wrong, now)
    found = find_lease(ctx, ctx.network)
    assert (found.lease, found.ours, found.message) == (None, True, INCORRECT)


def test_the_active_lease_of_a_client_id_beats_an_older_free_one(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(active("10.0.0.104", hw(3), now, uid=b"me"))
    view.apply(Lease("10.0.0.101", ends=now - 500, cltt=now - 900, uid=b"me",
                     binding_state=BindingState.FREE, hardware=Hardware(1, hw(3))))
    ctx = context(config, view, packet(MessageType.DHCPDISCOVER, hw(9), client_id=b"me"), now)
    assert find_lease(ctx, ctx.network).lease.ip == "10.0.0.104"


def test_a_discover_for_a_free_address_gets_it_despite_an_active_lease(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(active("10.0.0.100", hw(3), now))
    asking = packet(MessageType.DHCPDISCOVER, hw(3), requested="10.0.0.105")
    ctx = context(config, view, asking, now)
    assert find_lease(ctx, ctx.network).lease.ip == "10.0.0.105"
    assert ctx.log == [] and ctx.changes() == ()


def test_another_clients_address_is_ours_to_refuse_only_while_active(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(active("10.0.0.102", hw(4), now))
    request = packet(MessageType.DHCPREQUEST, hw(5), requested="10.0.0.102")
    ctx = context(config, view, request, now)
    found = find_lease(ctx, ctx.network)
    assert (found.lease, found.ours, found.message) == (None, True, NOT_AVAILABLE)
    view.apply(Lease("10.0.0.102", binding_state=BindingState.EXPIRED, hardware=Hardware(1, hw(4))))
    found = find_lease(context(config, view, request, now), ctx.network)
    assert (found.lease, found.ours) == (None, False)


def test_an_address_on_another_network_is_not_handed_out(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    asking = packet(MessageType.DHCPDISCOVER, hw(6), requested="10.1.0.10")
    ctx = context(config, LeaseView(config), asking, now)
    assert find_lease(ctx, ctx.network).lease is None


def test_a_lease_in_a_pool_the_client_may_not_use_is_released(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(CONF)
    server.view.apply(active("10.0.0.10", hw(7), now))
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(7)))
    assert offer.reply.yiaddr == "10.0.0.100"
    assert [(c.event, c.lease.ip) for c in offer.changes] == [(Released, "10.0.0.10")]
    assert server.lease("10.0.0.10").binding_state is BindingState.FREE


def test_duplicate_active_leases_of_one_client_are_reported_and_the_old_one_freed(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    server.view.apply(active("10.0.0.100", hw(8), now, uid=b"dup", ends=900))
    server.view.apply(active("10.0.0.101", hw(8), now, uid=b"dup", ends=300))
    asked = server.send(packet(MessageType.DHCPREQUEST, hw(8), client_id=b"dup",
                               requested="10.0.0.101"))
    assert "client 02:00:00:00:00:08 has duplicate leases on 10.0.0.0/24" in lines(asked)
    assert asked.reply.yiaddr == "10.0.0.101"
    assert server.lease("10.0.0.100").binding_state is BindingState.FREE


def test_an_offered_abandoned_lease_is_reclaimed_by_the_request(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    for last in range(100, 110):
        server.view.apply(active(f"10.0.0.{last}", bytes([2, 9, 0, 0, 0, last]), now))
    server.view.apply(Lease("10.0.0.105", ends=now + 9000, binding_state=BindingState.ABANDONED,
                            next_binding_state=BindingState.FREE))
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(9)))
    assert lines(offer)[0] == "Reclaiming abandoned lease 10.0.0.105."
    assert offer.reply.yiaddr == "10.0.0.105"
    ack = server.send(packet(MessageType.DHCPREQUEST, hw(9), requested="10.0.0.105"))
    assert lines(ack)[0] == "Reclaiming REQUESTed abandoned IP address 10.0.0.105."
    assert [c.event for c in ack.changes] == [Reclaimed]
    assert server.lease("10.0.0.105").binding_state is BindingState.ACTIVE


def test_an_abandoned_lease_is_only_given_back_to_a_request(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(Lease("10.0.0.103", ends=now + 10, binding_state=BindingState.ABANDONED,
                     hardware=Hardware(1, hw(10))))
    # found by hardware alone it is not the client's to extend
    ctx = context(config, view, packet(MessageType.DHCPDISCOVER, hw(10)), now)
    assert find_lease(ctx, ctx.network).lease is None
    # asked for by a DISCOVER it is refused, and the address counts as ours
    asking = packet(MessageType.DHCPDISCOVER, hw(10), requested="10.0.0.103")
    ctx = context(config, view, asking, now)
    found = find_lease(ctx, ctx.network)
    assert (found.lease, found.ours) == (None, True)
