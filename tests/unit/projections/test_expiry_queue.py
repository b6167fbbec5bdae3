"""The expiry queue: the lease timer's view."""

from __future__ import annotations

import pytest

from domain.lease import NEVER, BindingState, Lease
from projections.addresses import ip_number
from projections.expiry_queue import ExpiryQueue


def test_due_leases_come_out_earliest_first() -> None:
    q = ExpiryQueue()
    q.apply(Lease("10.0.0.2", ends=200, binding_state=BindingState.ACTIVE))
    q.apply(Lease("10.0.0.1", ends=100, binding_state=BindingState.ABANDONED))
    q.apply(Lease("10.0.0.3", ends=300, binding_state=BindingState.ACTIVE))
    assert q.next_deadline() == 100
    assert q.due(200) == ["10.0.0.1", "10.0.0.2"]


def test_a_renewal_moves_and_a_release_removes() -> None:
    q = ExpiryQueue()
    q.apply(Lease("10.0.0.1", ends=100, binding_state=BindingState.ACTIVE))
    q.apply(Lease("10.0.0.1", ends=400, binding_state=BindingState.ACTIVE))
    assert q.due(399) == []
    q.apply(Lease("10.0.0.1", ends=150, binding_state=BindingState.RELEASED))
    assert len(q) == 0 and q.next_deadline() is None


def test_infinite_leases_never_fall_due() -> None:
    q = ExpiryQueue()
    q.apply(Lease("10.0.0.9", ends=NEVER, binding_state=BindingState.ACTIVE))
    assert q.next_deadline() is None


def test_an_end_of_0_is_the_epoch_and_due_at_once_and_no_end_is_never_due() -> None:
    """omshell's `set ends = 00:00:00:00` expires a lease now, as in dhcpd."""
    q = ExpiryQueue()
    q.apply(Lease("10.0.0.7", ends=0, binding_state=BindingState.ACTIVE))
    q.apply(Lease("10.0.0.8", ends=None, binding_state=BindingState.ACTIVE))
    assert q.next_deadline() == 0 and q.due(1) == ["10.0.0.7"]
    loaded = ExpiryQueue()
    loaded.load([ip_number("10.0.0.7"), ip_number("10.0.0.8")],
                [BindingState.ACTIVE, BindingState.ACTIVE], [0, None])
    assert loaded.due(1) == ["10.0.0.7"]


def test_a_queue_told_what_each_record_replaces_keeps_no_map() -> None:
    q = ExpiryQueue(told_replaced=True)
    first = Lease("10.0.0.1", ends=100, binding_state=BindingState.ACTIVE)
    renewed = Lease("10.0.0.1", ends=400, binding_state=BindingState.ACTIVE)
    q.apply(first)
    q.apply(Lease("10.0.0.2", ends=300, binding_state=BindingState.ABANDONED))
    q.apply(renewed, first)
    assert q.due(399) == ["10.0.0.2"]
    q.apply(Lease("10.0.0.1", ends=150, binding_state=BindingState.RELEASED), renewed)
    assert len(q) == 1 and q.next_deadline() == 300


def test_a_startup_load_queues_exactly_what_applies_would() -> None:
    records = [
        Lease("10.0.0.2", ends=200, binding_state=BindingState.ACTIVE),
        Lease("10.0.0.1", ends=100, binding_state=BindingState.ABANDONED),
        Lease("10.0.0.3", ends=300, binding_state=BindingState.FREE),
        Lease("10.0.0.4", ends=NEVER, binding_state=BindingState.ACTIVE),
        Lease("10.0.0.5", binding_state=BindingState.ACTIVE),
    ]
    for told_replaced in (True, False):
        applied, loaded = ExpiryQueue(told_replaced=told_replaced), ExpiryQueue(
            told_replaced=told_replaced)
        for record in records:
            applied.apply(record)
        loaded.load([ip_number(r.ip) for r in records], [r.binding_state for r in records],
                    [r.ends for r in records])
        assert loaded.due(NEVER) == applied.due(NEVER) == ["10.0.0.1", "10.0.0.2"]
        assert len(loaded) == 2
        loaded.apply(Lease("10.0.0.2", ends=900, binding_state=BindingState.FREE),
                     records[0])
        assert loaded.due(NEVER) == ["10.0.0.1"]
        with pytest.raises(ValueError):
            loaded.load([1], [BindingState.ACTIVE], [5])
