"""A failover relationship's view of the daemon's leases, as `FailoverPartner` reads it.

`FailoverPartner` asks for every BNDUPD whether the address is the relationship's and
what record it has (`RelationshipLeases` in domain/failover/partner.py); this is the
answer from the daemon's `LeaseView`.  It lives with the projections, compiled with
them: a resynchronisation asks tens of thousands of times.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator, Sequence

from domain.config.declarations import AddressRange
from domain.config.failover_peer import FailoverPeerConfig
from domain.config.model import DhcpConfig
from domain.failover.partner import BalancePool
from domain.failover.pool_balance import pool_label
from domain.lease import BindingState, Lease
from projections.addresses import ip_number, ip_text
from projections.lease_view import LeaseView


class ViewLeases:
    """The relationship's leases as `FailoverPartner` reads them from the daemon's
    view.  An address of a range that has no record yet is FREE, as ISC creates it."""

    def __init__(self, view: LeaseView, config: DhcpConfig, peer: FailoverPeerConfig) -> None:
        self.view = view
        self.peer = peer.name
        self._own_free = BindingState.FREE if peer.role == "primary" else BindingState.BACKUP
        self._pools = [pool for pool in config.pools if pool.failover_peer == peer.name]
        self._pool_ids = frozenset(pool.id for pool in self._pools)
        self._in_relationship: dict[str, bool] = {}

    def get(self, ip: str) -> Lease | None:
        lease = self.view.table.get(ip)
        if lease is not None:
            return lease
        return Lease(ip=ip, binding_state=BindingState.FREE) if self.in_relationship(ip) else None

    def in_relationship(self, ip: str) -> bool:
        """Asked for every message and change: remembered for the addresses of the
        configured ranges (so the memo is bounded by the configuration, whatever a
        peer names).  The address is read with `inet_aton` (the strict parser costs
        more than the rest of a lookup, and a resynchronisation asks for every
        address of the pools) and its pool found by the view's own range index."""
        known = self._in_relationship.get(ip)
        if known is None:
            try:
                number = ip_number(ip)
            except OSError:
                return False
            if ip_text(number) != ip:
                return False  # not a dotted quad as IPv4Address would write it
            pool_id = self.view.pools.pool_of(number)
            if pool_id is None:
                return False
            known = self._in_relationship[ip] = pool_id in self._pool_ids
        return known

    def addresses(self) -> Iterator[str]:
        for pool in self._pools:
            yield from _range_addresses(pool.ranges)

    def owed(self) -> Iterator[str]:
        """The peer backlog projection (tstp > tsfp) and the expired leases, in address
        order: no walk over the whole pool."""
        owed = self.view.backlog.pending(self.peer)
        owed.update(lease.ip for lease in self.view.table.in_states((BindingState.EXPIRED,))
                    if self.in_relationship(lease.ip))
        yield from sorted(owed, key=ip_number)

    def pools(self) -> Sequence[BalancePool]:
        counts = {count.pool_id: count for count in self.view.pool_counts()}
        out: list[BalancePool] = []
        for pool in self._pools:
            count = counts[pool.id]
            own = [lease for lease in self._pool_leases(pool.ranges)
                   if lease.binding_state is self._own_free and not lease.reserved]
            own.sort(key=lambda lease: (lease.ends or 0, ipaddress.IPv4Address(lease.ip)))
            out.append(BalancePool(
                label=pool_label(pool.id, count.network), total=count.total,
                free=count.free, backup=count.backup, own_free=own,
            ))
        return out

    def free_and_backup(self, ip: str) -> tuple[int, int]:
        pools = self.view.pools
        pool_id = pools.pool_of(ip_number(ip))
        if pool_id is None:
            return 0, 0
        _total, free, backup = pools.fill_of(pool_id)
        return free, backup

    def queue_heads(self) -> Sequence[tuple[Lease | None, Lease | None]]:
        pools = self.view.pools
        return [(self._lease_at(pools.oldest_free(pool.id)),
                 self._lease_at(pools.oldest_backup(pool.id))) for pool in self._pools]

    def _lease_at(self, number: int | None) -> Lease | None:
        return None if number is None else self.get(str(ipaddress.IPv4Address(number)))

    def _pool_leases(self, ranges: Iterable[AddressRange]) -> Iterator[Lease]:
        for ip in _range_addresses(ranges):
            lease = self.get(ip)
            if lease is not None:
                yield lease


def _range_addresses(ranges: Iterable[AddressRange]) -> Iterator[str]:
    """Every address of `ranges`, in order, as dotted quads."""
    for span in ranges:
        for number in range(int(span.low), int(span.high) + 1):
            yield str(ipaddress.IPv4Address(number))
