"""How a lease record changes when nobody asks: release, abandonment and the timer.

These are ISC dhcpd 4.4's rules without failover (server/mdb.c `release_lease`,
`abandon_lease`, `make_binding_state_transition`, `pool_timer`): an active lease whose
`ends` passes becomes free (hardware, uid and bindings stay, so the client gets it back;
its hostname, relay options and billing go), a released lease is free at once, an
abandoned one is free again when its `ends` passes.  Each function returns the whole new
record; the timer returns them as `LeaseChange`s to persist.

Pools with a failover peer follow other rules (expired and released wait for the
peer's acknowledgement); the `failover` parameter is the seam issue 5 fills in.  Until
then their leases are left to that machinery and never moved here.
"""

from __future__ import annotations

import ipaddress
from dataclasses import replace

from domain.config.model import DhcpConfig
from domain.dhcp_decision import LeaseChange
from domain.lease import NEVER, BindingState, Lease
from domain.lease_events import Expired, Freed
from domain.lease_reader import LeaseReader

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
    return replace(
        lease,
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
    lease = replace(lease, bindings=(), ends=now, tstp=now)
    if was_active:
        lease = _unbind_client(lease)
    return replace(
        lease, binding_state=BindingState.FREE, next_binding_state=BindingState.FREE
    )


def abandoned(lease: Lease, now: int, abandon_lease_time: int) -> Lease:
    """The record after dhcpd's `abandon_lease` (DHCPDECLINE, or an echo reply to the
    ping before an offer): nobody's, unusable until now + abandon-lease-time."""
    ends = now + abandon_lease_time
    if ends < now or ends > NEVER:
        ends = NEVER
    was_active = lease.binding_state is BindingState.ACTIVE
    lease = replace(
        lease, ends=ends, bindings=(), hardware=None, uid=None, agent_options=()
    )
    if was_active:
        lease = _unbind_client(lease)
    return replace(
        lease,
        binding_state=BindingState.ABANDONED,
        next_binding_state=BindingState.FREE,
    )


def timed_out(lease: Lease) -> Lease:
    """The record after its `ends` passed in a pool without failover: free.  Coming
    from active this is dhcpd's expiry (client-specific parts dropped, tstp = ends)."""
    if lease.binding_state is BindingState.ACTIVE:
        lease = _unbind_client(lease)
    return replace(
        lease, binding_state=BindingState.FREE, next_binding_state=BindingState.FREE
    )


def _timer_change(lease: Lease) -> LeaseChange:
    new = timed_out(lease)
    if lease.binding_state is BindingState.ACTIVE:
        return LeaseChange(Expired, new, f"lease {lease.ip} expired")
    return LeaseChange(
        Freed, new, f"{lease.binding_state.value} lease {lease.ip} returned to the free pool"
    )


def _pool_peer(config: DhcpConfig, ip: str) -> tuple[bool, str | None]:
    """(the address is in a pool, that pool's failover peer)."""
    pool = config.pool_for_address(ipaddress.IPv4Address(ip))
    return (pool is not None, pool.failover_peer if pool is not None else None)


def _managed_here(config: DhcpConfig, ip: str, failover: object | None) -> bool:
    """Leases of failover pools move only through the failover machinery (issue 5)."""
    in_pool, peer = _pool_peer(config, ip)
    return in_pool and (peer is None or failover is not None)


def next_deadline(view: LeaseReader) -> int | None:
    """When `handle_timer` next has something to do (seconds since the epoch)."""
    return view.expiry.next_deadline()


def handle_timer(
    view: LeaseReader, config: DhcpConfig, now: int, failover: object | None = None
) -> list[LeaseChange]:
    """Every lease whose `ends` has passed, moved on (dhcpd's `pool_timer`)."""
    changes: list[LeaseChange] = []
    for ip in view.expiry.due(now):
        lease = view.table.get(ip)
        if lease is None or lease.binding_state not in _TIMED_TO_FREE:
            continue
        if not _managed_here(config, ip, failover):
            continue
        changes.append(_timer_change(lease))
    return changes


def settle_after_load(
    view: LeaseReader, config: DhcpConfig, now: int, failover: object | None = None
) -> list[LeaseChange]:
    """What dhcpd's `expire_all_pools` does after reading the lease file: every due
    transition, including expired/released/reset leases (which only an ISC file written
    under failover holds) and backup leases of pools that no longer have a peer."""
    changes = handle_timer(view, config, now, failover)
    moved = {change.lease.ip for change in changes}
    for lease in view.table:
        if lease.ip in moved or not _managed_here(config, lease.ip, failover):
            continue
        state = lease.binding_state
        waiting = state in (BindingState.EXPIRED, BindingState.RELEASED, BindingState.RESET)
        if waiting and (lease.ends or 0) <= now:
            changes.append(_timer_change(lease))
        elif state is BindingState.BACKUP and _pool_peer(config, lease.ip)[1] is None:
            new = replace(
                lease, binding_state=BindingState.FREE, next_binding_state=BindingState.FREE,
                rewind_binding_state=BindingState.FREE,
            )
            changes.append(LeaseChange(Freed, new, f"backup lease {lease.ip} has no peer"))
    return changes
