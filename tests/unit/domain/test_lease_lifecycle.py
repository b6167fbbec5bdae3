"""Release, abandonment and the lease timer, without and with failover (server/mdb.c;
spec failover §7.4, §7.8)."""

from __future__ import annotations

from collections.abc import Callable

import pytest

from domain.config.model import DhcpConfig
from domain.failover.states import Role, ServerState
from domain.lease import NEVER, AgentOption, BindingState, Hardware, Lease
from domain.lease_events import Expired, Freed
from domain.lease_lifecycle import (
    abandoned,
    failover_abandoned,
    failover_released,
    handle_timer,
    next_deadline,
    released,
    set_by_operator,
    settle_after_load,
    timed_out,
)
from projections.lease_view import LeaseView
from tests.unit.domain.failover_lab import MCLT, PEER, pair_config, service

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


def test_timer_without_a_failover_mapping_leaves_failover_pools_alone(
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


# ---- failover pools ---------------------------------------------------------------------

B = BindingState
S = ServerState
P, SEC = Role.PRIMARY, Role.SECONDARY
STOS = 500
FO_ACTIVE = Lease(
    "10.0.0.100", starts=100, ends=1000, tstp=1900, tsfp=1900, atsfp=1900, cltt=100,
    binding_state=B.ACTIVE, next_binding_state=B.EXPIRED, hardware=MAC,
    client_hostname="pc", agent_options=(AgentOption("circuit-id", b"c1"),),
)

TIMER = [
    # role, my state, lease state, rewind state, tsfp, state after the timer at 2000
    (P, S.NORMAL, B.ACTIVE, B.ACTIVE, None, B.EXPIRED),
    (SEC, S.NORMAL, B.ACTIVE, B.ACTIVE, None, None),
    (P, S.NORMAL, B.ACTIVE, B.FREE, None, B.EXPIRED),
    (P, S.COMMUNICATIONS_INTERRUPTED, B.ACTIVE, B.ACTIVE, None, B.EXPIRED),
    (P, S.COMMUNICATIONS_INTERRUPTED, B.ACTIVE, B.FREE, None, B.FREE),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, B.ACTIVE, B.BACKUP, None, B.BACKUP),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, B.ACTIVE, B.FREE, None, B.EXPIRED),
    (SEC, S.PARTNER_DOWN, B.ACTIVE, B.ACTIVE, None, B.EXPIRED),
    (P, S.STARTUP, B.ACTIVE, B.ACTIVE, None, B.EXPIRED),
    (SEC, S.RECOVER, B.ACTIVE, B.ACTIVE, None, B.EXPIRED),
    (P, S.NORMAL, B.ABANDONED, None, None, B.FREE),
    (SEC, S.NORMAL, B.ABANDONED, None, None, B.FREE),
    (P, S.NORMAL, B.EXPIRED, B.EXPIRED, 1500, None),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, B.RELEASED, B.RELEASED, 1500, None),
    (P, S.RECOVER_WAIT, B.RESET, B.RESET, 1500, None),
    (P, S.PARTNER_DOWN, B.EXPIRED, B.EXPIRED, 1500, B.FREE),
    (SEC, S.PARTNER_DOWN, B.RELEASED, B.RELEASED, 1500, B.FREE),
    (P, S.PARTNER_DOWN, B.RESET, B.RESET, 1500, B.FREE),
    (P, S.PARTNER_DOWN, B.EXPIRED, B.EXPIRED, 5000, None),
    (SEC, S.PARTNER_DOWN, B.RELEASED, B.RELEASED, 5000, None),
]


@pytest.mark.parametrize(("role", "mine", "state", "rewind", "tsfp", "after"), TIMER)
def test_the_failover_timer_moves_a_due_lease(
    make_config: Callable[[str], DhcpConfig], role: Role, mine: ServerState,
    state: BindingState, rewind: BindingState | None, tsfp: int | None,
    after: BindingState | None,
) -> None:
    config = make_config(pair_config(role))
    view = LeaseView(config)
    view.apply(Lease("10.0.0.101", ends=1000, tsfp=tsfp, binding_state=state,
                     rewind_binding_state=rewind, hardware=MAC))
    services = {PEER: service(role, mine, stos=STOS)}
    changes = handle_timer(view, config, 2000, services)
    assert [c.lease.binding_state for c in changes] == ([] if after is None else [after])
    # the same rules run once more after the lease file is read
    settled = settle_after_load(view, config, 2000, services)
    assert [c.lease.binding_state for c in settled] == ([] if after is None else [after])


def test_failover_expiry_keeps_the_client_and_waits_for_the_peer(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(pair_config(P))
    view = LeaseView(config)
    view.apply(FO_ACTIVE)
    [change] = handle_timer(view, config, 2000, {PEER: service(P, stos=STOS)})
    new = change.lease
    assert change.event is Expired
    assert (new.binding_state, new.next_binding_state, new.rewind_binding_state) == (
        B.EXPIRED, B.FREE, B.EXPIRED
    )
    # active -> expired is no step to a free state: the client's parts and tstp stay
    assert (new.client_hostname, new.hardware, new.tstp, new.tsfp, new.atsfp) == (
        "pc", MAC, 1900, 1900, None
    )


def test_failover_expiry_in_partner_down_may_be_reused_after_mclt(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(pair_config(SEC))
    view = LeaseView(config)
    view.apply(FO_ACTIVE)
    services = {PEER: service(SEC, S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED, stos=STOS)}
    [expired] = handle_timer(view, config, 1000, services)
    # the peer is down: the rewind state stays what the peer last knew
    assert expired.lease.tsfp == STOS + MCLT and expired.lease.rewind_binding_state is None
    view.apply(expired.lease)
    # free at max(tsfp, ends) = max(1100, 1000)
    assert handle_timer(view, config, 1099, services) == []
    [freed] = handle_timer(view, config, 1100, services)
    assert freed.event is Freed
    assert (freed.lease.binding_state, freed.lease.client_hostname) == (B.FREE, None)
    assert freed.lease.tstp == 1000


def test_a_rewound_expiry_returns_the_lease_unbound_to_my_free_state(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(pair_config(SEC))
    view = LeaseView(config)
    view.apply(Lease("10.0.0.100", ends=1000, tstp=1900, binding_state=B.ACTIVE,
                     rewind_binding_state=B.BACKUP, hardware=MAC, client_hostname="pc"))
    services = {PEER: service(SEC, S.COMMUNICATIONS_INTERRUPTED)}
    [change] = handle_timer(view, config, 1000, services)
    new = change.lease
    assert change.event is Expired
    assert (new.binding_state, new.next_binding_state) == (B.BACKUP, B.BACKUP)
    # not cooperating: the peer has not heard of this, so the rewind state stays
    assert (new.rewind_binding_state, new.client_hostname, new.tstp) == (B.BACKUP, None, 1000)


RELEASES = [
    # role, my state, rewind state, state after the release, rewind after
    (P, S.NORMAL, B.ACTIVE, B.RELEASED, B.RELEASED),
    (SEC, S.NORMAL, B.ACTIVE, B.RELEASED, B.RELEASED),
    (P, S.COMMUNICATIONS_INTERRUPTED, B.ACTIVE, B.RELEASED, B.ACTIVE),
    (P, S.COMMUNICATIONS_INTERRUPTED, B.FREE, B.FREE, B.FREE),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, B.BACKUP, B.BACKUP, B.BACKUP),
    (SEC, S.COMMUNICATIONS_INTERRUPTED, B.FREE, B.RELEASED, B.FREE),
    (P, S.PARTNER_DOWN, B.FREE, B.RELEASED, B.FREE),
]


@pytest.mark.parametrize(("role", "mine", "rewind", "after", "rewind_after"), RELEASES)
def test_a_failover_release_waits_for_the_peer(
    role: Role, mine: ServerState, rewind: BindingState, after: BindingState,
    rewind_after: BindingState,
) -> None:
    lease = Lease("10.0.0.100", ends=1000, binding_state=B.ACTIVE, rewind_binding_state=rewind,
                  hardware=MAC, client_hostname="pc", bindings=(("x", b"1"),), atsfp=900)
    new = failover_released(lease, 500, service(role, mine, stos=STOS))
    assert (new.binding_state, new.rewind_binding_state) == (after, rewind_after)
    assert (new.ends, new.tstp, new.bindings, new.atsfp) == (500, 500, (), None)
    assert new.next_binding_state is (B.FREE if after is B.RELEASED else after)
    # only a step to a free state forgets the client's parts
    assert (new.client_hostname is None) is (after is not B.RELEASED)
    assert new.tsfp == (STOS + MCLT if mine is S.PARTNER_DOWN else None)


def test_a_failover_release_leaves_an_unbound_lease_alone() -> None:
    expired = Lease("10.0.0.100", ends=100, binding_state=B.EXPIRED)
    assert failover_released(expired, 500, service(P)) is expired


def test_a_failover_abandon_stamps_the_change_for_the_peer() -> None:
    lease = Lease("10.0.0.100", ends=1000, binding_state=B.ACTIVE, hardware=MAC,
                  client_hostname="pc", atsfp=900)
    new = failover_abandoned(lease, 500, 86400, service(P, S.PARTNER_DOWN, stos=STOS))
    assert (new.binding_state, new.next_binding_state, new.ends) == (
        B.ABANDONED, B.FREE, 500 + 86400
    )
    assert (new.hardware, new.atsfp, new.tsfp) == (None, None, STOS + MCLT)


def test_a_missing_peer_is_my_state_unknown_for_the_timer(
    make_config: Callable[[str], DhcpConfig],
) -> None:
    config = make_config(pair_config(SEC))
    view = LeaseView(config)
    view.apply(FO_ACTIVE)
    [change] = handle_timer(view, config, 2000, {})
    # unknown-state is not normal, so even the secondary expires; no rewind step
    assert (change.lease.binding_state, change.lease.rewind_binding_state) == (
        B.EXPIRED, B.EXPIRED
    )


# ---- the operator's `set state` (OMAPI) ---------------------------------------------------


def test_an_operator_freeing_an_active_lease_is_its_expiry_without_a_peer() -> None:
    new = set_by_operator(ACTIVE.replace(atsfp=900), BindingState.FREE, None)
    assert (new.binding_state, new.next_binding_state) == (BindingState.FREE, BindingState.FREE)
    assert new.client_hostname is None and new.agent_options == () and new.tstp == 1000
    # make_binding_state_transition keeps the owner and bindings; the commit clears atsfp.
    assert new.hardware == MAC and new.uid == b"\x01id" and new.bindings == ACTIVE.bindings
    assert new.ends == 1000 and new.atsfp is None


@pytest.mark.parametrize(("target", "following"), [
    (BindingState.RELEASED, BindingState.FREE), (BindingState.ABANDONED, BindingState.FREE),
    (BindingState.RESET, BindingState.FREE), (BindingState.BACKUP, BindingState.BACKUP),
])
def test_an_operator_moving_a_free_lease_keeps_what_it_has(
    target: BindingState, following: BindingState,
) -> None:
    free = Lease("10.0.0.101", ends=50, tstp=40, binding_state=BindingState.FREE,
                 next_binding_state=BindingState.FREE, hardware=MAC)
    new = set_by_operator(free, target, None)
    assert (new.binding_state, new.next_binding_state) == (target, following)
    assert new.hardware == MAC and new.tstp == 40 and new.ends == 50


def test_an_operator_activating_a_lease_without_a_peer_lets_it_expire_to_free() -> None:
    free = Lease("10.0.0.101", ends=50, binding_state=BindingState.FREE)
    new = set_by_operator(free, BindingState.ACTIVE, None)
    assert (new.binding_state, new.next_binding_state) == (BindingState.ACTIVE, BindingState.FREE)


def test_an_operator_freeing_a_lease_of_a_failover_pool_follows_the_peer_rules() -> None:
    lease = ACTIVE.replace(ip="10.1.0.10", next_binding_state=BindingState.EXPIRED,
                           rewind_binding_state=BindingState.ACTIVE, atsfp=900)
    new = set_by_operator(lease, BindingState.FREE, service(Role.PRIMARY))
    assert (new.binding_state, new.next_binding_state) == (BindingState.FREE, BindingState.FREE)
    assert new.client_hostname is None and new.tstp == 1000 and new.atsfp is None
    # Cooperating: the update goes out at once, so the rewind state steps forward.
    assert new.rewind_binding_state is BindingState.FREE
    # Expired, in partner-down: reusable only MCLT after partner-down began.
    down = service(Role.PRIMARY, ServerState.PARTNER_DOWN, ServerState.COMMUNICATIONS_INTERRUPTED,
                   stos=5000)
    expired = set_by_operator(lease, BindingState.EXPIRED, down)
    assert expired.binding_state is BindingState.EXPIRED and expired.tsfp == 5000 + MCLT
    assert expired.client_hostname == "pc"  # not free yet: the client's parts stay
