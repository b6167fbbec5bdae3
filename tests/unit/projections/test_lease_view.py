"""The composite view: one apply keeps every index in step; load collapses a replay."""

from __future__ import annotations

import ipaddress

from domain.config.model import DhcpConfig
from domain.lease import NEVER, BillingClass, BindingState, Hardware, Lease
from projections.addresses import ip_number
from projections.lease_view import LeaseView
from projections.packed_lease import pack

MAC = Hardware(1, bytes.fromhex("020000000001"))


def test_apply_updates_every_projection(failover_config: DhcpConfig) -> None:
    view = LeaseView(failover_config)
    view.apply(
        Lease("10.0.0.100", ends=500, tstp=500, binding_state=BindingState.ACTIVE, hardware=MAC)
    )
    assert view.table.get("10.0.0.100") is not None
    assert view.pool_counts()[0].free == 9
    assert view.expiry.next_deadline() == 500
    assert view.backlog.pending("fo") == {"10.0.0.100"}


def test_apply_returns_the_record_it_replaced(failover_config: DhcpConfig) -> None:
    view = LeaseView(failover_config)
    first = Lease("10.0.0.100", ends=500, binding_state=BindingState.ACTIVE, hardware=MAC,
                  on_expiry='\n    log (info, "x");\n  ')
    assert view.apply(first) is None
    assert view.apply(first.replace(binding_state=BindingState.FREE)) == first


def test_load_keeps_only_the_newest_record_per_address(failover_config: DhcpConfig) -> None:
    view = LeaseView(failover_config)
    view.load(
        [
            Lease("10.1.0.10", ends=100, binding_state=BindingState.ACTIVE, hardware=MAC),
            Lease("10.1.0.11", ends=100, binding_state=BindingState.ACTIVE),
            Lease("10.1.0.10", ends=100, binding_state=BindingState.FREE, hardware=MAC),
        ]
    )
    assert view.table.get("10.1.0.10").binding_state is BindingState.FREE
    assert view.pool_counts()[1].free == 4
    assert view.expiry.due(100) == ["10.1.0.11"]


def test_an_offer_hold_is_seen_until_a_committed_record_replaces_it(
    failover_config: DhcpConfig,
) -> None:
    view = LeaseView(failover_config)
    held = Lease("10.1.0.10", ends=620, binding_state=BindingState.FREE, hardware=MAC)
    view.hold(held)
    assert view.is_held("10.1.0.10") and view.table.by_hardware(MAC) == [held]
    assert view.pools.oldest_free(1) != int(ipaddress.IPv4Address("10.1.0.10"))
    assert view.backlog.pending("fo") == set()
    view.apply(Lease("10.1.0.10", ends=900, binding_state=BindingState.ACTIVE, hardware=MAC))
    assert not view.is_held("10.1.0.10")


def test_a_renewal_or_hold_moves_the_addresss_deadline(failover_config: DhcpConfig) -> None:
    view = LeaseView(failover_config)
    view.load([Lease("10.1.0.10", ends=100, binding_state=BindingState.ACTIVE)])
    view.apply(Lease("10.1.0.10", ends=700, binding_state=BindingState.ACTIVE))
    assert view.expiry.due(699) == [] and view.expiry.next_deadline() == 700
    view.hold(Lease("10.1.0.10", ends=650, binding_state=BindingState.ABANDONED))
    assert view.expiry.due(650) == ["10.1.0.10"] and len(view.expiry) == 1
    view.apply(Lease("10.1.0.10", ends=800, binding_state=BindingState.FREE))
    assert view.expiry.next_deadline() is None


def test_a_packed_load_builds_what_applying_each_newest_record_builds(
    failover_config: DhcpConfig,
) -> None:
    records = [
        Lease("10.0.0.100", ends=500, tstp=500, binding_state=BindingState.ACTIVE,
              hardware=MAC),
        Lease("10.0.0.101", ends=400, tstp=300, tsfp=300, binding_state=BindingState.BACKUP),
        Lease("10.1.0.10", ends=100, binding_state=BindingState.ACTIVE, hardware=MAC),
        Lease("10.1.0.11", ends=200, binding_state=BindingState.ABANDONED,
              bindings=(("x", 1),)),
        Lease("10.1.0.10", ends=300, binding_state=BindingState.FREE, hardware=MAC),
        Lease("10.9.9.9", ends=50, binding_state=BindingState.ACTIVE),
        # reserved: on no list, packed or kept as a Lease
        Lease("10.0.0.102", ends=100, binding_state=BindingState.FREE, reserved=True),
        Lease("10.0.0.103", binding_state=BindingState.BACKUP, reserved=True,
              bindings=(("y", 2),)),
    ]
    applied, loaded = LeaseView(failover_config), LeaseView(failover_config)
    for record in records:
        applied.apply(record)
    loaded.load_packed((ip_number(r.ip), pack(r)) for r in records)

    def state(view: LeaseView) -> tuple[object, ...]:
        return (sorted(view.table, key=lambda r: ip_number(r.ip)), view.pool_counts(),
                view.pools.oldest_free(1), view.expiry.due(NEVER),
                view.backlog.pending("fo"), view.table.by_hardware(MAC))

    assert state(loaded) == state(applied)
    assert loaded.table.get("10.1.0.10").binding_state is BindingState.FREE
    assert loaded.backlog.pending("fo") == {"10.0.0.100"}
    assert (loaded.pool_counts()[0].free, loaded.pool_counts()[0].backup) == (6, 1)
    assert view_after_a_change(loaded) == view_after_a_change(applied)


def view_after_a_change(view: LeaseView) -> tuple[object, ...]:
    view.apply(Lease("10.1.0.10", ends=900, binding_state=BindingState.ACTIVE, hardware=MAC))
    return view.pool_counts(), view.expiry.due(NEVER), view.table.by_hardware(MAC)


def test_loading_nothing_leaves_every_address_free(failover_config: DhcpConfig) -> None:
    view = LeaseView(failover_config)
    view.load([])
    assert [c.free for c in view.pool_counts()] == [10, 5]


def test_loading_into_a_view_that_holds_records_applies_them(
    failover_config: DhcpConfig,
) -> None:
    view = LeaseView(failover_config)
    view.apply(Lease("10.1.0.10", ends=100, binding_state=BindingState.ACTIVE, hardware=MAC))
    view.load([Lease("10.1.0.11", ends=200, binding_state=BindingState.ACTIVE),
               Lease("10.1.0.10", ends=300, binding_state=BindingState.FREE, hardware=MAC)])
    assert view.table.get("10.1.0.10").binding_state is BindingState.FREE
    assert view.expiry.due(NEVER) == ["10.1.0.11"]
    assert view.pool_counts()[1].free == 4


CIRCUIT = BillingClass("perrelay", b"circ-1")


def test_billing_counts_follow_apply_hold_and_load(failover_config: DhcpConfig) -> None:
    view = LeaseView(failover_config)
    records = [
        Lease("10.1.0.10", ends=900, binding_state=BindingState.ACTIVE, billing=CIRCUIT),
        Lease("10.1.0.11", ends=900, binding_state=BindingState.ACTIVE, billing=CIRCUIT),
        Lease("10.1.0.12", ends=900, binding_state=BindingState.ACTIVE, hardware=MAC),
    ]
    view.load_packed((ip_number(lease.ip), pack(lease)) for lease in records)
    assert view.billing.count(CIRCUIT) == 2
    view.apply(Lease("10.1.0.10", ends=900, binding_state=BindingState.FREE))
    assert view.billing.count(CIRCUIT) == 1
    # an offer of a free lease carries no billing; of an active one, its own
    view.hold(Lease("10.1.0.13", ends=650, binding_state=BindingState.FREE))
    view.hold(Lease("10.1.0.12", ends=650, binding_state=BindingState.ACTIVE, billing=CIRCUIT))
    assert view.billing.count(CIRCUIT) == 2 and view.billing.billed_to("10.1.0.12") == CIRCUIT
    # a second load (records already held) goes record by record
    view.load([Lease("10.1.0.11", ends=900, binding_state=BindingState.RELEASED)])
    assert view.billing.count(CIRCUIT) == 1
