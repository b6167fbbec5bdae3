"""Leases billed per class: counted while the record is billed and in a billed state."""

from __future__ import annotations

from domain.lease import BillingClass, BindingState, Lease
from projections.billing_counts import BillingCounts

CIRCUIT_1 = BillingClass("perrelay", b"circ-1")
CIRCUIT_2 = BillingClass("perrelay", b"circ-2")


def billed(ip: str, billing: BillingClass | None, state: BindingState) -> Lease:
    return Lease(ip, ends=900, binding_state=state, billing=billing)


def test_each_active_billed_lease_counts_once_for_its_class() -> None:
    counts = BillingCounts()
    counts.apply(billed("10.0.0.1", CIRCUIT_1, BindingState.ACTIVE))
    counts.apply(billed("10.0.0.2", CIRCUIT_1, BindingState.ACTIVE))
    counts.apply(billed("10.0.0.3", CIRCUIT_2, BindingState.ACTIVE))
    # a renewal of the same lease to the same class is not a second lease
    counts.apply(billed("10.0.0.1", CIRCUIT_1, BindingState.ACTIVE))
    assert counts.counts() == {CIRCUIT_1: 2, CIRCUIT_2: 1}
    assert counts.count(CIRCUIT_1) == 2 and counts.count(BillingClass("other")) == 0
    assert counts.billed_to("10.0.0.3") == CIRCUIT_2


def test_a_lease_leaving_the_billed_states_or_its_billing_stops_counting() -> None:
    counts = BillingCounts()
    for ip in ("10.0.0.1", "10.0.0.2", "10.0.0.3"):
        counts.apply(billed(ip, CIRCUIT_1, BindingState.ACTIVE))
    counts.apply(billed("10.0.0.1", None, BindingState.FREE))  # released or expired
    counts.apply(billed("10.0.0.2", None, BindingState.ABANDONED))
    assert counts.counts() == {CIRCUIT_1: 1}
    # a record in a free state never counts, even with a billing line on it
    counts.apply(billed("10.0.0.3", CIRCUIT_1, BindingState.FREE))
    assert counts.counts() == {} and counts.billed_to("10.0.0.3") is None


def test_failover_waiting_states_keep_the_billing() -> None:
    counts = BillingCounts()
    counts.apply(billed("10.0.0.1", CIRCUIT_1, BindingState.ACTIVE))
    counts.apply(billed("10.0.0.1", CIRCUIT_1, BindingState.EXPIRED))
    counts.apply(billed("10.0.0.2", CIRCUIT_1, BindingState.RELEASED))
    assert counts.count(CIRCUIT_1) == 2


def test_moving_a_lease_to_another_class_moves_its_count() -> None:
    counts = BillingCounts()
    counts.apply(billed("10.0.0.1", CIRCUIT_1, BindingState.ACTIVE))
    counts.apply(billed("10.0.0.1", CIRCUIT_2, BindingState.ACTIVE))
    assert counts.counts() == {CIRCUIT_2: 1}


def test_load_counts_the_records_given() -> None:
    counts = BillingCounts()
    counts.load([
        billed("10.0.0.1", CIRCUIT_1, BindingState.ACTIVE),
        billed("10.0.0.2", None, BindingState.ACTIVE),
        billed("10.0.0.3", CIRCUIT_1, BindingState.FREE),
    ])
    assert counts.counts() == {CIRCUIT_1: 1}
