"""History: audit timelines and the lease table at a past moment."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Acked, Carried, Freed, LeaseEvent, Released
from projections.history import Subject, leases_at, timeline

T0 = datetime(2026, 11, 24, 14, 0, tzinfo=UTC)
MAC_A = Hardware(1, bytes.fromhex("020000000001"))
MAC_B = Hardware(1, bytes.fromhex("020000000002"))


def event(cls: type[LeaseEvent], version: int, minutes: int, lease: Lease, cause: str):
    return cls(
        originator_id=lease.ip,
        originator_version=version,
        timestamp=T0 + timedelta(minutes=minutes),
        lease=lease,
        cause=cause,
    )


def log() -> list[tuple[str, int, LeaseEvent]]:
    ip = "10.0.0.111"
    active, released, free = BindingState.ACTIVE, BindingState.RELEASED, BindingState.FREE
    events = [
        event(Acked, 1, 0, Lease(ip, binding_state=active, hardware=MAC_A), "DHCPACK"),
        event(Released, 2, 30, Lease(ip, binding_state=released, hardware=MAC_A), "rel"),
        event(Freed, 3, 31, Lease(ip, binding_state=free, hardware=MAC_A), "freed"),
        event(Acked, 4, 60, Lease(ip, binding_state=active, hardware=MAC_B), "DHCPACK"),
        event(Acked, 1, 61, Lease("10.0.0.112", binding_state=BindingState.ACTIVE), "other"),
    ]
    return [("dhcpd.leases", i, e) for i, e in enumerate(events, 1)]


def test_subject_parsing() -> None:
    assert Subject.parse("10.0.0.111") == Subject("ip", ip="10.0.0.111")
    assert Subject.parse("02:00:00:00:00:01").hardware == MAC_A.address
    assert Subject.parse("1:2:0:0:0:0:71").client_id == bytes([1, 2, 0, 0, 0, 0, 0x71])
    assert Subject.parse("laptop").client_id == b"laptop"


def test_an_address_timeline_tells_the_whole_story_in_order() -> None:
    entries = list(timeline(log(), Subject.parse("10.0.0.111")))
    assert [(e.event, e.previous_state, e.state) for e in entries] == [
        ("Acked", None, BindingState.ACTIVE),
        ("Released", BindingState.ACTIVE, BindingState.RELEASED),
        ("Freed", BindingState.RELEASED, BindingState.FREE),
        ("Acked", BindingState.FREE, BindingState.ACTIVE),
    ]
    assert entries[-1].hardware == MAC_B


def test_a_client_timeline_includes_the_moment_it_lost_the_address() -> None:
    entries = list(timeline(log(), Subject("hardware", hardware=MAC_B.address)))
    assert [e.event for e in entries] == ["Acked"]
    mac_a = list(timeline(log(), Subject("hardware", hardware=MAC_A.address)))
    # the re-ACK to client B ends client A's history with that address
    assert [e.event for e in mac_a] == ["Acked", "Released", "Freed", "Acked"]


def test_since_and_until_bound_the_timeline() -> None:
    entries = list(
        timeline(
            log(), Subject.parse("10.0.0.111"),
            since=T0 + timedelta(minutes=30), until=T0 + timedelta(minutes=31),
        )
    )
    assert [e.event for e in entries] == ["Released", "Freed"]


def test_who_had_the_address_at_a_moment() -> None:
    at_1405 = {lease.ip: lease for lease in leases_at(log(), T0 + timedelta(minutes=5))}
    assert at_1405["10.0.0.111"].hardware == MAC_A
    assert "10.0.0.112" not in at_1405
    at_1505 = {lease.ip: lease for lease in leases_at(log(), T0 + timedelta(minutes=65))}
    assert at_1505["10.0.0.111"].hardware == MAC_B
    assert at_1505["10.0.0.112"].binding_state is BindingState.ACTIVE


def test_checkpoint_copies_are_not_events_of_the_timeline() -> None:
    events = log()
    copy = event(Carried, 4, 62, events[3][2].lease, "carried into a new segment")
    entries = list(timeline([*events, ("dhcpd.leases", 1, copy)], Subject.parse("10.0.0.111")))
    assert [e.event for e in entries] == ["Acked", "Released", "Freed", "Acked"]
