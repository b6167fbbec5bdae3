"""A free address for a client that has none: dhcpd's `allocate_lease` (spec §4.3).

Each pool the client may use offers one candidate, the head of its free queue (or of
its abandoned queue when nothing is free); an address offered within the last two
minutes is still "in the future" and skipped.  Among the candidates free beats
abandoned, never-used beats used, and the one free longest wins — so a fresh range is
handed out lowest address first, and a returning client's old address is kept for it
as long as possible.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.config.declarations import PoolConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import error
from domain.dhcp_packet import ipv4
from domain.find_lease import lease_at
from domain.lease import BindingState, Lease


def allocate(ctx: RequestContext, pools: Sequence[PoolConfig]) -> Lease | None:
    """A free address for the client from the first suitable pools (dhcpd's
    `allocate_lease`); logs `Reclaiming abandoned lease A.` when it falls back to an
    abandoned one."""
    best: Lease | None = None
    for pool in pools:
        if not ctx.permitted(pool):
            continue
        head = ctx.view.pools.oldest_free(pool.id)
        if head is None:
            head = ctx.view.pools.oldest_abandoned(pool.id)
        if head is None:
            continue
        candidate = lease_at(ctx, str(ipv4(head)))
        if candidate is None:
            continue
        abandoned = candidate.binding_state is BindingState.ABANDONED
        if not abandoned and (candidate.ends or 0) > ctx.now:
            continue
        if best is None or _better(candidate, best):
            best = candidate
    if best is not None and best.binding_state is BindingState.ABANDONED:
        ctx.log.append(error(f"Reclaiming abandoned lease {best.ip}."))
    return best


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
