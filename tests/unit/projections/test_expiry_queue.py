"""The expiry queue: the lease timer's view."""

from __future__ import annotations

from domain.lease import NEVER, BindingState, Lease
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
