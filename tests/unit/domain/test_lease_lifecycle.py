"""Release, abandonment and the lease timer, without failover (server/mdb.c)."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.lease import NEVER, AgentOption, BindingState, Hardware, Lease
from domain.lease_events import Expired, Freed
from domain.lease_lifecycle import (
    abandoned,
    handle_timer,
    next_deadline,
    released,
    settle_after_load,
    timed_out,
)
from projections.lease_view import LeaseView

MAC = Hardware(1, bytes.fromhex("020000000001"))
ACTIVE = Lease(
    "10.0.0.100", starts=100, ends=1000, cltt=100, binding_state=BindingState.ACTIVE,
    next_binding_state=BindingState.FREE, hardware=MAC, uid=b"\x01id",
    client_hostname="pc", agent_options=(AgentOption("circuit-id", b"c1"),),
    bindings=(("vendor-class-identifier", b"MSFT 5.0"),),
)
CONF = """
failover peer "fo" {
  primary; address 10.9.0.1; peer address 10.9.0.2; mclt 60; split 128;
}
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.110; }
subnet 10.1.0.0 netmask 255.255.255.0 {
  pool { failover peer "fo"; deny dynamic bootp clients; range 10.1.0.10 10.1.0.20; }
}
"""


def test_release_frees_at_once_and_forgets_the_client_specific_parts() -> None:
    new = released(ACTIVE, 500)
    assert (new.binding_state, new.next_binding_state) == (BindingState.FREE, BindingState.FREE)
    assert (new.ends, new.tstp) == (500, 500)
    assert new.hardware == MAC and new.uid == b"\x01id"
    assert new.bindings == () and new.agent_options == () and new.client_hostname is None


def test_release_leaves_an_unbound_lease_alone() -> None:
    free = Lease("10.0.0.101", ends=50, binding_state=BindingState.FREE)
    assert released(free, 500) is free


def test_abandon_clears_the_owner_and_waits_abandon_lease_time() -> None:
    new = abandoned(ACTIVE, 500, 86400)
    assert new.binding_state is BindingState.ABANDONED
    assert new.next_binding_state is BindingState.FREE
    assert (new.ends, new.tstp) == (500 + 86400, 500 + 86400)
    assert new.hardware is None and new.uid is None and new.client_hostname is None


def test_abandoning_an_offered_free_lease_keeps_its_tstp() -> None:
    offered = Lease("10.0.0.102", ends=620, tstp=300, cltt=500,
                    binding_state=BindingState.FREE, hardware=MAC)
    new = abandoned(offered, 500, 86400)
    assert new.tstp == 300 and new.cltt == 500


def test_abandon_time_is_capped_at_never() -> None:
    assert abandoned(ACTIVE, NEVER - 10, 86400).ends == NEVER


def test_expiry_keeps_hardware_uid_and_bindings() -> None:
    new = timed_out(ACTIVE)
    assert new.binding_state is BindingState.FREE and new.tstp == 1000
    assert new.hardware == MAC and new.uid == b"\x01id" and new.bindings
    assert new.client_hostname is None and new.agent_options == ()


def test_timer_expires_active_and_frees_abandoned(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(ACTIVE)
    view.apply(abandoned(Lease("10.0.0.103", binding_state=BindingState.FREE), 0, 1500))
    assert next_deadline(view) == 1000
    assert handle_timer(view, config, 999) == []
    changes = handle_timer(view, config, 1500)
    assert [(c.event, c.lease.ip) for c in changes] == [
        (Expired, "10.0.0.100"),
        (Freed, "10.0.0.103"),
    ]
    assert all(c.lease.binding_state is BindingState.FREE for c in changes)


def test_timer_leaves_failover_pools_to_the_failover_machinery(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.apply(Lease("10.1.0.10", ends=1000, binding_state=BindingState.ACTIVE, hardware=MAC))
    assert handle_timer(view, config, 2000) == []


def test_settling_after_load_frees_transitional_and_orphaned_backup_leases(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(CONF)
    view = LeaseView(config)
    view.load([
        Lease("10.0.0.104", ends=400, binding_state=BindingState.RELEASED),
        Lease("10.0.0.105", ends=9000, binding_state=BindingState.EXPIRED),
        Lease("10.0.0.106", binding_state=BindingState.BACKUP),
        Lease("10.0.0.107", ends=400, binding_state=BindingState.ACTIVE),
    ])
    changes = settle_after_load(view, config, 1000)
    assert sorted(c.lease.ip for c in changes) == ["10.0.0.104", "10.0.0.106", "10.0.0.107"]
    assert {c.lease.binding_state for c in changes} == {BindingState.FREE}
