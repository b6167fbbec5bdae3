"""DHCPRELEASE and DHCPDECLINE (spec §4.8): no replies, lease changes and log lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType
from domain.failover.states import Role, ServerState
from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Declined, Released
from tests.unit.domain.failover_lab import PEER, PairServer, mac_hashed_to, pair_config, service

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
subnet 10.5.0.0 netmask 255.255.255.0 { deny declines; range 10.5.0.10 10.5.0.12; }
subnet 10.6.0.0 netmask 255.255.255.0 { ignore declines; range 10.6.0.10 10.6.0.12; }
"""


def test_a_release_frees_the_lease_of_its_own_client(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    server.dora(hw(1), hostname=b"pc1")
    gone = server.send(packet(MessageType.DHCPRELEASE, hw(1), ciaddr="10.0.0.100"), now + 30)
    assert gone.reply is None
    assert lines(gone) == [
        "DHCPRELEASE of 10.0.0.100 from 02:00:00:00:00:01 (pc1) via eth0 (found)"
    ]
    [change] = gone.changes
    assert change.event is Released
    record = server.lease("10.0.0.100")
    assert (record.binding_state, record.ends) == (BindingState.FREE, now + 30)


def test_a_release_from_another_machine_is_not_found(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    server.dora(hw(2))
    forged = server.send(packet(MessageType.DHCPRELEASE, hw(3), ciaddr="10.0.0.100",
                                requested="10.0.0.100"))
    assert lines(forged) == [
        "DHCPRELEASE from 02:00:00:00:00:03 specified requested-address.",
        "DHCPRELEASE of 10.0.0.100 from 02:00:00:00:00:03 via eth0 (not found)",
    ]
    assert forged.changes == ()
    assert server.lease("10.0.0.100").binding_state is BindingState.ACTIVE


def test_a_release_found_by_client_id_after_the_lease_ended_changes_nothing(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    server.dora(hw(4), client_id=b"\x01four")
    late = packet(MessageType.DHCPRELEASE, hw(4), ciaddr="10.0.0.100", client_id=b"\x01four")
    released = server.send(late, now + 43201)
    assert lines(released)[-1].endswith("(found)") and released.changes == ()


def test_a_decline_abandons_the_address(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines, now: int,
) -> None:
    server = make_server(CONF)
    server.dora(hw(5))
    declined = server.send(packet(MessageType.DHCPDECLINE, hw(5), requested="10.0.0.100"))
    assert lines(declined) == [
        "Abandoning IP address 10.0.0.100: declined.",
        "DHCPDECLINE of 10.0.0.100 from 02:00:00:00:00:05 via eth0: abandoned",
    ]
    assert [c.event for c in declined.changes] == [Declined]
    record = server.lease("10.0.0.100")
    assert record.binding_state is BindingState.ABANDONED and record.ends == now + 86400
    assert record.tstp == record.ends and record.uid is None


def test_declines_outside_ranges_denied_or_ignored(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    nowhere = server.send(packet(MessageType.DHCPDECLINE, hw(6), requested="10.0.0.5"))
    assert lines(nowhere) == ["DHCPDECLINE of 10.0.0.5 from 02:00:00:00:00:06 via eth0: not found"]
    denied = server.send(packet(MessageType.DHCPDECLINE, hw(6), requested="10.5.0.10"))
    assert lines(denied)[-1].endswith(": ignored") and denied.changes == ()
    ignored = server.send(packet(MessageType.DHCPDECLINE, hw(6), requested="10.6.0.10"))
    assert lines(ignored) == [] and ignored.changes == ()
    bare = server.send(packet(MessageType.DHCPDECLINE, hw(6)))
    assert lines(bare) == [] and bare.changes == ()


# ---- failover pools (spec failover §6.1, §7.4) -----------------------------------------

@pytest.mark.parametrize(
    ("mine", "after"),
    [(ServerState.NORMAL, BindingState.RELEASED),
     (ServerState.PARTNER_DOWN, BindingState.RELEASED),
     (ServerState.COMMUNICATIONS_INTERRUPTED, BindingState.FREE)],
)
def test_a_release_in_a_failover_pool_waits_for_the_peer(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, now: int,
    mine: ServerState, after: BindingState,
) -> None:
    server = PairServer(make_config(pair_config(Role.PRIMARY)), {PEER: service(Role.PRIMARY, mine)})
    client = mac_hashed_to(Role.PRIMARY)
    # allocated by this primary from its free state; the peer never heard of it
    server.view.apply(Lease("10.0.0.100", ends=now + 500, binding_state=BindingState.ACTIVE,
                            rewind_binding_state=BindingState.FREE, hardware=Hardware(1, client)))
    decision = server.send(packet(MessageType.DHCPRELEASE, client, ciaddr="10.0.0.100"))
    [change] = decision.changes
    assert change.event is Released and change.lease.binding_state is after
    assert [line.text for line in decision.log] == [
        f"DHCPRELEASE of 10.0.0.100 from {':'.join(f'{b:02x}' for b in client)} via eth0 (found)"
    ]


def test_a_decline_in_a_failover_pool_is_stamped_for_the_peer(
    make_config: Callable[[str], DhcpConfig], packet: MakePacket, now: int,
) -> None:
    server = PairServer(make_config(pair_config(Role.SECONDARY)),
                        {PEER: service(Role.SECONDARY)})
    server.view.apply(Lease("10.0.0.100", ends=now - 5, atsfp=now - 5,
                            binding_state=BindingState.BACKUP))
    decision = server.send(packet(MessageType.DHCPDECLINE, mac_hashed_to(Role.SECONDARY),
                                  requested="10.0.0.100"))
    [change] = decision.changes
    assert change.event is Declined
    assert (change.lease.binding_state, change.lease.atsfp, change.lease.rewind_binding_state) == (
        BindingState.ABANDONED, None, BindingState.ABANDONED
    )
