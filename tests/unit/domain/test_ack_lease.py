"""ack_lease: the admission checks, one-lease-per-client, pool windows and ping rules,
and the failover lease-time rule (spec failover §7.2)."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType, Opt
from domain.failover.states import Role, ServerState
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Acked, Released
from tests.unit.domain.failover_lab import (
    MCLT,
    NOW,
    PEER,
    PairServer,
    mac_hashed_to,
    pair_config,
    service,
)

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

BASE = """
authoritative;
ping-check false;
host known1 { hardware ethernet 02:00:00:00:00:0a; option host-name "kn1"; }
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
subnet 10.1.0.0 netmask 255.255.255.0 { range 10.1.0.10 10.1.0.14; }
"""


def test_min_secs_drops_an_impatient_discover(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("min-secs 5;\n" + BASE)
    early = server.send(packet(MessageType.DHCPDISCOVER, hw(1), secs=2))
    assert early.reply is None and early.holds == ()
    assert lines(early) == [
        "DHCPDISCOVER from 02:00:00:00:00:01 via eth0: configured min-secs value (5) is greater"
        " than secs field (2).  message dropped."
    ]
    assert server.send(packet(MessageType.DHCPDISCOVER, hw(1), secs=5)).reply is not None


def test_deny_unknown_clients_outside_pools_refuses_after_choosing(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("deny unknown-clients;\n" + BASE)
    refused = server.send(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert lines(refused) == ["DHCPDISCOVER from 02:00:00:00:00:01 via eth0: unknown client"]
    welcome = server.send(packet(MessageType.DHCPDISCOVER, hw(0x0A)))
    assert welcome.reply.options[Opt.HOST_NAME] == b"kn1"
    quiet = make_server("ignore unknown-clients;\n" + BASE)
    silent = quiet.send(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert silent.reply is None and lines(silent) == []


def test_deny_booting_refuses_everybody(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server("deny booting;\n" + BASE)
    assert lines(server.send(packet(MessageType.DHCPDISCOVER, hw(0x0A)))) == [
        "DHCPDISCOVER from 02:00:00:00:00:0a via eth0: booting disallowed"
    ]


def test_one_lease_per_client_releases_the_clients_lease_elsewhere(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    def elsewhere(server: Any) -> Lease:
        server.view.apply(Lease("10.1.0.10", starts=now, ends=now + 900, cltt=now,
                                binding_state=BindingState.ACTIVE, uid=b"\x01me",
                                hardware=Hardware(1, hw(2))))
        # the offer puts the client's identity on the lease; the REQUEST acts on it
        assert server.dora(hw(2), client_id=b"\x01me").changes[-1].event is Acked
        return server.lease("10.1.0.10")

    assert elsewhere(make_server(BASE)).binding_state is BindingState.ACTIVE
    strict = make_server("one-lease-per-client true;\n" + BASE)
    assert elsewhere(strict).binding_state is BindingState.FREE


def test_one_lease_per_client_event_order(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server("one-lease-per-client true;\n" + BASE)
    server.view.apply(Lease("10.1.0.11", starts=now, ends=now + 900, cltt=now,
                            binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(3))))
    cold = server.send(packet(MessageType.DHCPREQUEST, hw(3), requested="10.0.0.101"))
    # a never-offered lease carries nobody's identity, so nothing is found to release
    assert [(c.event, c.lease.ip) for c in cold.changes] == [(Acked, "10.0.0.101")]
    server.view.apply(Lease("10.1.0.11", starts=now, ends=now + 900, cltt=now,
                            binding_state=BindingState.ACTIVE, hardware=Hardware(1, hw(3))))
    renewed = server.send(packet(MessageType.DHCPREQUEST, hw(3), requested="10.0.0.101"),
                          now + 20000)
    assert [(c.event, c.lease.ip) for c in renewed.changes] == [
        (Released, "10.1.0.11"), (Acked, "10.0.0.101"),
    ]


def test_deny_after_caps_the_lease_at_the_pool_end(
    make_server: MakeServer, hw: Hw, now: int,
) -> None:
    closing = f"""
    authoritative; ping-check false; min-lease-time 30;
    subnet 10.0.0.0 netmask 255.255.255.0 {{
      pool {{ deny after epoch {now + 1000}; range 10.0.0.100 10.0.0.104; }}
    }}
    """
    ack = make_server(closing).dora(hw(4))
    assert int.from_bytes(ack.reply.options[Opt.LEASE_TIME], "big") == 1000


def test_ping_rules_follow_the_last_client_transaction(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server(BASE.replace("ping-check false;", ""))
    first = server.send(packet(MessageType.DHCPDISCOVER, hw(5)))
    assert first.ping is not None
    soon = server.send(packet(MessageType.DHCPDISCOVER, hw(5)), now + 30)
    assert soon.reply.yiaddr == "10.0.0.100" and soon.ping is None
    later = server.send(packet(MessageType.DHCPDISCOVER, hw(5)), now + 200)
    assert later.ping is not None
    server.send(packet(MessageType.DHCPREQUEST, hw(5), requested="10.0.0.100"), now + 200)
    bound = server.send(packet(MessageType.DHCPDISCOVER, hw(5)), now + 300)
    assert bound.reply.yiaddr == "10.0.0.100" and bound.ping is None


# ---- failover: the MCLT rule (spec failover §7.2) --------------------------------------

DESIRED = 3600  # default-lease-time of the pair's configuration

MCLT_RULE = [
    # tsfp of the lease before the ACK, lease time granted
    (None, MCLT),  # never acknowledged by the peer: MCLT only
    (NOW - 1, MCLT),  # acknowledged, but that potential expiry has passed
    (NOW + 1000, 1000 + MCLT),  # up to tsfp + MCLT
    (NOW + DESIRED - MCLT, DESIRED),  # exactly reaches the desired time
    (NOW + 100_000, DESIRED),
]


@pytest.mark.parametrize("role", [Role.PRIMARY, Role.SECONDARY])
@pytest.mark.parametrize(("tsfp", "granted"), MCLT_RULE)
def test_an_ack_is_capped_by_the_mclt_and_tells_the_peer_its_potential_expiry(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, role: Role,
    tsfp: int | None, granted: int,
) -> None:
    server = PairServer(make_config(pair_config(role)), {PEER: service(role)})
    client = mac_hashed_to(role)
    own = BindingState.FREE if role is Role.PRIMARY else BindingState.BACKUP
    server.view.apply(Lease("10.0.0.101", ends=NOW - 50, tstp=NOW - 50, tsfp=tsfp,
                            atsfp=tsfp, binding_state=own, hardware=Hardware(1, client)))
    ack = server.send(packet(MessageType.DHCPREQUEST, client, requested="10.0.0.101"))
    assert ack.reply is not None and ack.reply.option(Opt.LEASE_TIME) == granted.to_bytes(4, "big")
    new = ack.changes[-1].lease
    tstp = NOW + DESIRED + granted // 2
    assert (new.ends, new.tstp, new.atsfp) == (NOW + granted, tstp, None)
    # a tsfp beyond the new potential expiry is pulled back to it
    assert new.tsfp == (None if tsfp is None else min(tsfp, tstp))
    assert (new.binding_state, new.next_binding_state, new.rewind_binding_state) == (
        BindingState.ACTIVE, BindingState.EXPIRED, BindingState.ACTIVE
    )


def test_an_offer_is_capped_but_keeps_the_old_peer_times(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    server = PairServer(make_config(pair_config(Role.PRIMARY)), {PEER: service(Role.PRIMARY)})
    server.view.apply(Lease("10.0.0.100", tstp=NOW - 50, tsfp=NOW - 40, atsfp=NOW - 40,
                            binding_state=BindingState.FREE))
    offer = server.send(packet(MessageType.DHCPDISCOVER, mac_hashed_to(Role.PRIMARY)))
    assert offer.reply is not None and offer.reply.option(Opt.LEASE_TIME) == MCLT.to_bytes(4, "big")
    [hold] = offer.holds
    assert (hold.ends, hold.tstp) == (NOW + 120, NOW - 50)
    assert (hold.tsfp, hold.atsfp) == (NOW - 40, NOW - 40)


def test_an_ack_while_not_cooperating_keeps_the_rewind_state(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    services = {PEER: service(Role.PRIMARY, ServerState.COMMUNICATIONS_INTERRUPTED)}
    server = PairServer(make_config(pair_config(Role.PRIMARY)), services)
    client = mac_hashed_to(Role.SECONDARY)  # no load balancing while not cooperating
    server.view.apply(Lease("10.0.0.101", ends=NOW - 50, binding_state=BindingState.FREE,
                            rewind_binding_state=BindingState.FREE))
    offer = server.send(packet(MessageType.DHCPDISCOVER, client))
    assert offer.reply is not None and offer.reply.yiaddr == "10.0.0.100"
    ack = server.send(packet(MessageType.DHCPREQUEST, client, requested="10.0.0.101"))
    assert ack.changes[-1].lease.rewind_binding_state is BindingState.FREE


def test_one_lease_per_client_releases_the_old_failover_lease_as_released(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket,
) -> None:
    text = pair_config(Role.PRIMARY, pool_extra="one-lease-per-client true;")
    server = PairServer(make_config(text), {PEER: service(Role.PRIMARY)})
    client = mac_hashed_to(Role.PRIMARY)
    server.view.apply(Lease("10.0.0.103", ends=NOW + 500, binding_state=BindingState.ACTIVE,
                            hardware=Hardware(1, client)))
    server.view.apply(Lease("10.0.0.101", ends=NOW - 500, binding_state=BindingState.FREE,
                            hardware=Hardware(1, client)))
    ack = server.send(packet(MessageType.DHCPREQUEST, client, requested="10.0.0.101"))
    old = next(c.lease for c in ack.changes if c.lease.ip == "10.0.0.103")
    assert (old.binding_state, old.next_binding_state) == (BindingState.RELEASED, BindingState.FREE)
