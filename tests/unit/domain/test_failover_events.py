"""Failover events and the per-relationship aggregate."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from eventsourcing.utils import get_topic, resolve_topic

from domain.failover_events import (
    FAILOVER_EVENT_CLASSES,
    FailoverEventError,
    FailoverRelationship,
    Imported,
    StateChanged,
    failover_id,
)
from domain.lease import FailoverState, FailoverStateRecord

NOW = datetime(2026, 11, 27, 17, 0, 0, tzinfo=UTC)


def record(mine: FailoverState, partner: FailoverState) -> FailoverStateRecord:
    return FailoverStateRecord(peer="fo", my_state=mine, my_time=1795798800,
                               partner_state=partner, partner_time=1795798800)


def test_the_relationship_is_named_after_the_peer() -> None:
    assert failover_id("fo") == "failover:fo"
    relationship = FailoverRelationship.begin(
        Imported, record(FailoverState.STARTUP, FailoverState.UNKNOWN_STATE), "imported", NOW
    )
    assert relationship.id == "failover:fo"
    assert relationship.state.my_state is FailoverState.STARTUP


def test_a_state_change_replaces_the_whole_record() -> None:
    relationship = FailoverRelationship.begin(
        Imported, record(FailoverState.STARTUP, FailoverState.UNKNOWN_STATE), "imported", NOW
    )
    relationship.record(
        StateChanged, record(FailoverState.NORMAL, FailoverState.NORMAL), "peer is normal", NOW
    )
    assert relationship.version == 2
    assert relationship.state == record(FailoverState.NORMAL, FailoverState.NORMAL)
    assert relationship.cause == "peer is normal"


def test_an_event_must_carry_its_own_relationship() -> None:
    with pytest.raises(FailoverEventError, match="failover:other"):
        StateChanged(originator_id="failover:other", originator_version=1, timestamp=NOW,
                     state=record(FailoverState.NORMAL, FailoverState.NORMAL), cause="x")


def test_topics_are_explicit_and_registered() -> None:
    classes = [*FAILOVER_EVENT_CLASSES, FailoverRelationship]
    topics = [get_topic(cls) for cls in classes]
    assert len(set(topics)) == len(classes)
    for cls, topic in zip(classes, topics, strict=True):
        assert resolve_topic(topic) is cls
        assert cls.__module__ not in topic
