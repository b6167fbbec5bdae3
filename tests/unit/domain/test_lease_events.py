"""Lease events and the per-address aggregate: whole records, explicit topics, no clock."""

from __future__ import annotations

import dataclasses
from datetime import UTC, datetime
from functools import reduce

import pytest
from eventsourcing.domain import OriginatorVersionError
from eventsourcing.utils import get_topic, resolve_topic

from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import (
    ADDRESS_LEASE_TOPIC,
    LEASE_EVENT_CLASSES,
    Acked,
    AddressLease,
    Declined,
    Imported,
    LeaseEvent,
    LeaseEventError,
    Released,
)

NOW = datetime(2026, 11, 27, 17, 44, 30, tzinfo=UTC)
LATER = datetime(2026, 11, 27, 17, 50, 0, tzinfo=UTC)


def lease(state: BindingState, ip: str = "10.0.0.111") -> Lease:
    return Lease(
        ip=ip,
        starts=1795801470,
        ends=1795802070,
        cltt=1795801470,
        binding_state=state,
        hardware=Hardware(1, bytes.fromhex("0004acd65896")),
    )


def test_the_first_event_creates_the_address_aggregate() -> None:
    address = AddressLease.begin(Acked, lease(BindingState.ACTIVE), "DHCPREQUEST", NOW)
    assert address.id == "10.0.0.111"
    assert address.version == 1
    assert address.lease == lease(BindingState.ACTIVE)
    assert address.cause == "DHCPREQUEST"
    assert address.created_on == NOW
    [event] = address.collect_events()
    assert type(event) is Acked
    assert event.originator_topic == ADDRESS_LEASE_TOPIC


def test_later_events_carry_the_whole_new_record() -> None:
    address = AddressLease.begin(Acked, lease(BindingState.ACTIVE), "DHCPREQUEST", NOW)
    address.record(Released, lease(BindingState.RELEASED), "DHCPRELEASE", LATER)
    assert address.version == 2
    assert address.lease.binding_state is BindingState.RELEASED
    assert address.cause == "DHCPRELEASE"
    assert address.modified_on == LATER
    assert [type(e) for e in address.collect_events()] == [Acked, Released]


@pytest.mark.parametrize("event_class", LEASE_EVENT_CLASSES, ids=lambda c: c.__name__)
def test_any_event_can_be_an_address_first(event_class: type[LeaseEvent]) -> None:
    address = AddressLease.begin(event_class, lease(BindingState.FREE), "first", NOW)
    assert isinstance(address, AddressLease) and address.version == 1


def test_replaying_the_events_rebuilds_the_aggregate() -> None:
    address = AddressLease.begin(Imported, lease(BindingState.FREE), "imported", NOW)
    address.record(Acked, lease(BindingState.ACTIVE), "ack", LATER)
    address.record(Declined, lease(BindingState.ABANDONED), "decline", LATER)
    events = address.collect_events()
    rebuilt = reduce(lambda aggregate, event: event.mutate(aggregate), events, None)
    assert rebuilt == address


def test_an_event_out_of_sequence_is_refused() -> None:
    address = AddressLease.begin(Acked, lease(BindingState.ACTIVE), "ack", NOW)
    stale = Released(originator_id="10.0.0.111", originator_version=3, timestamp=LATER,
                     lease=lease(BindingState.RELEASED), cause="release")
    with pytest.raises(OriginatorVersionError):
        stale.mutate(address)


def test_an_event_must_carry_the_lease_of_its_own_address() -> None:
    with pytest.raises(LeaseEventError, match=r"10\.0\.0\.5"):
        Acked(originator_id="10.0.0.5", originator_version=1, timestamp=NOW,
              lease=lease(BindingState.ACTIVE), cause="ack")


def test_events_are_immutable() -> None:
    event = Acked(originator_id="10.0.0.111", originator_version=1, timestamp=NOW,
                  lease=lease(BindingState.ACTIVE), cause="ack")
    with pytest.raises(dataclasses.FrozenInstanceError):
        event.cause = "changed"  # type: ignore[misc]


def test_every_class_has_its_own_registered_topic_without_module_paths() -> None:
    classes = [*LEASE_EVENT_CLASSES, AddressLease]
    topics = [get_topic(cls) for cls in classes]
    assert len(set(topics)) == len(classes)
    for cls, topic in zip(classes, topics, strict=True):
        assert resolve_topic(topic) is cls
        assert cls.__module__ not in topic
