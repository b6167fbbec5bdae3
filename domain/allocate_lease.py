"""A free address for a client that has none: dhcpd's `allocate_lease` (spec §4.3).

Each pool the client may use offers one candidate, the head of its free queue (or of
its abandoned queue when nothing is free); an address offered within the last two
minutes is still "in the future" and skipped.  Among the candidates free beats
abandoned, never-used beats used, and the one free longest wins — so a fresh range is
handed out lowest address first, and a returning client's old address is kept for it
as long as possible.

In a failover pool (spec failover §7.7) the candidate is the head of this server's own
queue (primary: free, secondary: backup); the head of the peer's queue replaces it only
when it is older and the partner-down rules let this server take it, and abandoned
addresses only when the server may reallocate them.  When the peer's queue was passed
over the caller learns it (`peer_has_leases`), to log `peer holds all free leases`.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.config.checks import dotted
from domain.config.declarations import PoolConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import error
from domain.failover.service_view import FailoverService
from domain.failover.states import Role
from domain.failover_dhcp import mine_to_reallocate
from domain.find_lease import lease_at
from domain.lease import BindingState, Lease


@dataclass(frozen=True, slots=True)
class Allocation:
    """The address chosen (None: nothing to give) and whether some failover pool's
    peer queue held free addresses this server could not take."""

    lease: Lease | None
    peer_has_leases: bool = False


def allocate(ctx: RequestContext, pools: Sequence[PoolConfig]) -> Allocation:
    """A free address for the client from the first suitable pools (dhcpd's
    `allocate_lease`); logs `Reclaiming abandoned lease A.` when it falls back to an
    abandoned one."""
    best: Lease | None = None
    peer_has_leases = False
    for pool in pools:
        if not ctx.permitted(pool):
            continue
        service = ctx.service_for(pool)
        if service is None:
            candidate = _plain_candidate(ctx, pool)
        else:
            candidate, peer_held = _failover_candidate(ctx, pool, service)
            peer_has_leases = peer_has_leases or peer_held
        if candidate is None:
            continue
        abandoned = candidate.binding_state is BindingState.ABANDONED
        if not abandoned and (candidate.ends or 0) > ctx.now:
            continue
        if best is None or _better(candidate, best):
            best = candidate
    if best is not None and best.binding_state is BindingState.ABANDONED:
        ctx.log.append(error(f"Reclaiming abandoned lease {best.ip}."))
    return Allocation(best, peer_has_leases)


def _lease_of(ctx: RequestContext, head: int | None) -> Lease | None:
    return lease_at(ctx, dotted(head)) if head is not None else None


def _plain_candidate(ctx: RequestContext, pool: PoolConfig) -> Lease | None:
    """Without failover: the head of the free queue, else of the abandoned one."""
    head = ctx.view.pools.oldest_free(pool.id)
    if head is None:
        head = ctx.view.pools.oldest_abandoned(pool.id)
    return _lease_of(ctx, head)


def _failover_candidate(
    ctx: RequestContext, pool: PoolConfig, service: FailoverService
) -> tuple[Lease | None, bool]:
    """The head of my own queue, or the peer's when older and mine to take; abandoned
    as a last resort.  The flag says the peer's queue was passed over."""
    queues = ctx.view.pools
    own, theirs = queues.oldest_free, queues.oldest_backup
    if service.role is Role.SECONDARY:
        own, theirs = theirs, own
    candidate = _lease_of(ctx, own(pool.id))
    peer_lease = _lease_of(ctx, theirs(pool.id))
    peer_held = False
    if peer_lease is not None:
        older = candidate is None or (candidate.ends or 0) > (peer_lease.ends or 0)
        if older and mine_to_reallocate(peer_lease, service, ctx.now):
            candidate = peer_lease
        else:
            peer_held = True
    if candidate is None:
        abandoned = _lease_of(ctx, queues.oldest_abandoned(pool.id))
        if abandoned is not None and mine_to_reallocate(abandoned, service, ctx.now):
            candidate = abandoned
    return candidate, peer_held


def _used(lease: Lease) -> bool:
    return bool(lease.uid) or lease.hardware is not None


def _better(candidate: Lease, best: Lease) -> bool:
    """dhcpd's tiers: free beats abandoned, never-used beats used, then older `ends`."""
    cand_abandoned = candidate.binding_state is BindingState.ABANDONED
    if best.binding_state is BindingState.ABANDONED:
        return not cand_abandoned or (candidate.ends or 0) < (best.ends or 0)
    if cand_abandoned:
        return False
    if _used(best):
        return not _used(candidate) or (candidate.ends or 0) < (best.ends or 0)
    if _used(candidate):
        return False
    return (candidate.ends or 0) < (best.ends or 0)
