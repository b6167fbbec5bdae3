"""DHCPRELEASE and DHCPDECLINE (spec §4.8): no replies, lease changes and log lines."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import DhcpPacket, MessageType
from domain.lease import BindingState
from domain.lease_events import Declined, Released

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
