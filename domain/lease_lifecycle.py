"""How a lease record changes when nobody asks: release, abandonment and the timer.

Without failover these are ISC dhcpd 4.4's rules (server/mdb.c `release_lease`,
`abandon_lease`, `make_binding_state_transition`, `pool_timer`): an active lease whose
`ends` passes becomes free (hardware, uid and bindings stay, so the client gets it back;
its hostname, relay options and billing go), a released lease is free at once, an
abandoned one is free again when its `ends` passes.  Each function returns the whole new
record; the timer returns them as `LeaseChange`s to persist.

Pools with a failover peer follow the peer's rules (spec failover §7.4, §7.8): an active
lease expires to EXPIRED and a release leaves RELEASED, both waiting for the peer's
acknowledgement (which the failover link turns into FREE), except in partner-down, where
the timer frees them at max(tsfp, ends), and in communications-interrupted, where a lease
the peer never saw allocated goes straight back to this server's free state.  The
secondary leaves active leases to the primary while both are normal.  Without a
`failover` mapping the timer leaves failover pools alone, as before failover existed.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping

from domain.config.model import DhcpConfig
from domain.dhcp_decision import LeaseChange
from domain.failover.service_view import FailoverService, service_for_pool
from domain.failover.states import Role, ServerState, ServiceState
from domain.lease import NEVER, PEER_PENDING_STATES, BindingState, Lease
from domain.lease_events import Expired, Freed
from domain.lease_reader import LeaseReader

Services = Mapping[str, FailoverService]

# States release_lease leaves alone: the address is not bound to anybody.
_UNBOUND = frozenset(
    {
        BindingState.FREE,
        BindingState.BACKUP,
        BindingState.RELEASED,
        BindingState.EXPIRED,
        BindingState.RESET,
    }
)
# States that pool_timer moves to free when `ends` passes (non-failover pools).
_TIMED_TO_FREE = frozenset(
    {
        BindingState.ACTIVE,
        BindingState.EXPIRED,
        BindingState.RELEASED,
        BindingState.RESET,
        BindingState.ABANDONED,
    }
)


def _unbind_client(lease: Lease) -> Lease:
    """What dhcpd drops when an active lease stops being active: the hostname, relay
    options, billing and `on` statements (they only make sense while bound).  The
    time sent to a peer becomes the lease's end."""
    return lease.replace(
        client_hostname=None,
        agent_options=(),
        billing=None,
        on_expiry=None,
        on_release=None,
        on_expiry_or_release=False,
        tstp=lease.ends,
    )


def is_bound(lease: Lease) -> bool:
    """Whether `release_lease` would change this lease (it is bound to a client)."""
    return lease.binding_state not in _UNBOUND


def released(lease: Lease, now: int) -> Lease:
    """The record after dhcpd's `release_lease` in a pool without failover: free at
    once, ending now; bindings are blown away, hardware and uid stay."""
    if not is_bound(lease):
        return lease
    was_active = lease.binding_state is BindingState.ACTIVE
    lease = lease.replace(bindings=(), ends=now, tstp=now)
    if was_active:
        lease = _unbind_client(lease)
    return lease.replace(
        binding_state=BindingState.FREE, next_binding_state=BindingState.FREE
    )


def _abandon_ends(now: int, abandon_lease_time: int) -> int:
    ends = now + abandon_lease_time
    return NEVER if ends < now or ends > NEVER else ends


def abandoned(lease: Lease, now: int, abandon_lease_time: int) -> Lease:
    """The record after dhcpd's `abandon_lease` (DHCPDECLINE, or an echo reply to the
    ping before an offer): nobody's, unusable until now + abandon-lease-time."""
    was_active = lease.binding_state is BindingState.ACTIVE
    lease = lease.replace(
        ends=_abandon_ends(now, abandon_lease_time), bindings=(), hardware=None,
        uid=None, agent_options=(),
    )
    if was_active:
        lease = _unbind_client(lease)
    return lease.replace(
        binding_state=BindingState.ABANDONED,
        next_binding_state=BindingState.FREE,
    )


def timed_out(lease: Lease) -> Lease:
    """The record after its `ends` passed in a pool without failover: free.  Coming
    from active this is dhcpd's expiry (client-specific parts dropped, tstp = ends)."""
    if lease.binding_state is BindingState.ACTIVE:
        lease = _unbind_client(lease)
    return lease.replace(
        binding_state=BindingState.FREE, next_binding_state=BindingState.FREE
    )


def _timer_change(lease: Lease) -> LeaseChange:
    new = timed_out(lease)
    if lease.binding_state is BindingState.ACTIVE:
        return LeaseChange(Expired, new, f"lease {lease.ip} expired")
    return _freed(lease, new)


def _freed(lease: Lease, new: Lease) -> LeaseChange:
    return LeaseChange(
        Freed, new, f"{lease.binding_state} lease {lease.ip} returned to the free pool"
    )


# ---- failover pools ---------------------------------------------------------------------

_PARTNER_DOWN_STAMPED = frozenset({*PEER_PENDING_STATES, BindingState.ABANDONED})
# The states `settle_after_load` may move besides the timer's: the table hands out only
# the leases in them (after a startup, a few among 100,000 active ones).
_SETTLED_AT_LOAD = frozenset({*PEER_PENDING_STATES, BindingState.BACKUP})
_FREE_STATES = (BindingState.FREE, BindingState.BACKUP)


def failover_transition(lease: Lease, target: BindingState, service: FailoverService) -> Lease:
    """dhcpd's `make_binding_state_transition` in a failover pool.  The client's parts
    go only when the lease reaches a free state (active→expired keeps them: the peer
    may still renew the client); in partner-down a lease entering a waiting state may
    be reused at stos + MCLT, which becomes its tsfp."""
    state = lease.binding_state
    if target in _FREE_STATES and state in (
        BindingState.ACTIVE, BindingState.EXPIRED, BindingState.RELEASED
    ):
        lease = _unbind_client(lease)
    if target is BindingState.ACTIVE:
        following = BindingState.EXPIRED
    elif target in _FREE_STATES:
        following = target
    else:
        following = BindingState.FREE
    lease = lease.replace(binding_state=target, next_binding_state=following)
    if target in _PARTNER_DOWN_STAMPED and service.partner_down:
        lease = lease.replace(tsfp=service.stos + service.mclt)
    return lease


def failover_committed(lease: Lease, service: FailoverService) -> Lease:
    """What dhcpd's `supersede_lease` adds when it writes and propagates a change in a
    failover pool: atsfp is zeroed (the peer has not acknowledged this yet), and when
    the link is up (cooperating) or the peer is not being answered anyway, the rewind
    state steps forward to the new state, since the update goes out at once."""
    rewind = lease.rewind_binding_state
    if service.service in (ServiceState.COOPERATING, ServiceState.NOT_RESPONDING):
        rewind = lease.binding_state
    return lease.replace(atsfp=None, rewind_binding_state=rewind)


def _rewinds(lease: Lease, service: FailoverService) -> bool:
    """Communications-interrupted: a lease whose last state known to the peer is my
    own free state may go straight back to it (the peer never saw it allocated)."""
    return (
        service.service is ServiceState.NOT_COOPERATING
        and lease.rewind_binding_state is service.own_free_state
    )


def failover_released(lease: Lease, now: int, service: FailoverService) -> Lease:
    """The record after dhcpd's `release_lease` in a failover pool: RELEASED, ending
    now, until the peer acknowledges (or back to my free state, see `_rewinds`)."""
    if not is_bound(lease):
        return lease
    lease = lease.replace(
        bindings=(), ends=now, tstp=now, on_expiry=None, on_release=None,
        on_expiry_or_release=False,
    )
    target = service.own_free_state if _rewinds(lease, service) else BindingState.RELEASED
    return failover_committed(failover_transition(lease, target, service), service)


def failover_abandoned(
    lease: Lease, now: int, abandon_lease_time: int, service: FailoverService
) -> Lease:
    """`abandoned` in a failover pool: the owner goes, but (as for any move that does
    not reach a free state) the rest of an active lease's client parts stay."""
    lease = lease.replace(
        ends=_abandon_ends(now, abandon_lease_time), bindings=(), hardware=None,
        uid=None, agent_options=(),
    )
    return failover_committed(failover_transition(lease, BindingState.ABANDONED, service), service)


def set_by_operator(lease: Lease, target: BindingState, service: FailoverService | None) -> Lease:
    """The record after an operator sets its binding state through OMAPI (`set state`:
    dhcpd's omapi.c `dhcp_lease_set_value` makes `target` the next state and calls
    `supersede_lease` to commit and propagate it).  The move is dhcpd's
    `make_binding_state_transition`: in a pool without failover an active lease that
    leaves ACTIVE drops its client's parts (expiry, or release when it becomes
    RELEASED); in a failover pool the peer's rules apply (`failover_transition`) and the
    change goes to the peer (`failover_committed`).  A propagated change always clears
    atsfp.  `service` is None for a pool without a failover peer."""
    if service is not None:
        return failover_committed(failover_transition(lease, target, service), service)
    if lease.binding_state is BindingState.ACTIVE and target is not BindingState.ACTIVE:
        lease = _unbind_client(lease)
    following = target if target in _FREE_STATES else BindingState.FREE
    return lease.replace(binding_state=target, next_binding_state=following, atsfp=None)


def _failover_target(lease: Lease, service: FailoverService, now: int) -> BindingState | None:
    """Where dhcpd's `pool_timer` moves a due lease of a failover pool, or None."""
    state = lease.binding_state
    if state is BindingState.ACTIVE:
        if service.role is Role.SECONDARY and service.my_state is ServerState.NORMAL:
            return None  # the primary's EXPIRED update will come
        return service.own_free_state if _rewinds(lease, service) else BindingState.EXPIRED
    if state is BindingState.ABANDONED:
        return BindingState.FREE
    if state in PEER_PENDING_STATES and service.partner_down:
        return BindingState.FREE if max(lease.tsfp or 0, lease.ends or 0) <= now else None
    return None


def _failover_timer_change(
    lease: Lease, service: FailoverService, now: int
) -> LeaseChange | None:
    target = _failover_target(lease, service, now)
    if target is None:
        return None
    new = failover_committed(failover_transition(lease, target, service), service)
    if lease.binding_state is BindingState.ACTIVE:
        return LeaseChange(Expired, new, f"lease {lease.ip} expired")
    return _freed(lease, new)


def _pool_peer(config: DhcpConfig, ip: str) -> tuple[bool, str | None]:
    """(the address is in a pool, that pool's failover peer)."""
    pool = config.pool_for_address(ipaddress.IPv4Address(ip))
    return (pool is not None, pool.failover_peer if pool is not None else None)


def next_deadline(view: LeaseReader) -> int | None:
    """When `handle_timer` next has something to do (seconds since the epoch)."""
    return view.expiry.next_deadline()


def _due_change(
    lease: Lease, config: DhcpConfig, now: int, failover: Services | None
) -> LeaseChange | None:
    pool = config.pool_for_address(ipaddress.IPv4Address(lease.ip))
    if pool is None:
        return None
    if pool.failover_peer is None:
        return _timer_change(lease)
    service = service_for_pool(pool, failover, config)
    return _failover_timer_change(lease, service, now) if service is not None else None


def _partner_down_frees(
    view: LeaseReader, config: DhcpConfig, now: int, failover: Services, moved: set[str]
) -> list[LeaseChange]:
    """Partner-down: expired, released and reset leases whose max(tsfp, ends) has
    passed go free.  The expiry queue does not hold them, so the table is walked,
    and only while some relationship is in partner-down."""
    if not any(service.partner_down for service in failover.values()):
        return []
    changes: list[LeaseChange] = []
    for lease in view.table.in_states(PEER_PENDING_STATES):
        if lease.ip in moved:
            continue
        pool = config.pool_for_address(ipaddress.IPv4Address(lease.ip))
        service = service_for_pool(pool, failover, config)
        if service is not None and service.partner_down:
            change = _failover_timer_change(lease, service, now)
            if change is not None:
                changes.append(change)
    return changes


def handle_timer(
    view: LeaseReader, config: DhcpConfig, now: int, failover: Services | None = None
) -> list[LeaseChange]:
    """Every lease whose time has come, moved on (dhcpd's `pool_timer`).

    `failover` maps peer names to what each relationship allows now; None leaves the
    leases of failover pools untouched (no failover rules at all)."""
    changes: list[LeaseChange] = []
    for ip in view.expiry.due(now):
        lease = view.table.get(ip)
        if lease is None or lease.binding_state not in _TIMED_TO_FREE:
            continue
        change = _due_change(lease, config, now, failover)
        if change is not None:
            changes.append(change)
    if failover is not None:
        moved = {change.lease.ip for change in changes}
        changes += _partner_down_frees(view, config, now, failover, moved)
    return changes


def settle_after_load(
    view: LeaseReader, config: DhcpConfig, now: int, failover: Services | None = None
) -> list[LeaseChange]:
    """What dhcpd's `expire_all_pools` does after reading the lease file: every due
    transition, including expired/released/reset leases of pools without a peer (an ISC
    file written under failover holds them) and backup leases of pools that no longer
    have a peer.  Failover pools get exactly the timer's rules."""
    changes = handle_timer(view, config, now, failover)
    moved = {change.lease.ip for change in changes}
    for lease in view.table.in_states(_SETTLED_AT_LOAD):
        in_pool, peer = _pool_peer(config, lease.ip)
        if lease.ip in moved or not in_pool or peer is not None:
            continue
        state = lease.binding_state
        if state in PEER_PENDING_STATES and (lease.ends or 0) <= now:
            changes.append(_timer_change(lease))
        elif state is BindingState.BACKUP:
            new = lease.replace(
                binding_state=BindingState.FREE, next_binding_state=BindingState.FREE,
                rewind_binding_state=BindingState.FREE,
            )
            changes.append(LeaseChange(Freed, new, f"backup lease {lease.ip} has no peer"))
    return changes
