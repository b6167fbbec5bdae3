"""Every read model the server answers from, kept in step by one `apply`.

The daemon applies each lease change here on the trio thread when it decides it (so
the next request, decided before the write finishes, already sees it); the reply waits
until the group committer has made it durable.  Startup builds the view from the log.
Keeping the projections behind one object means no caller can update one index and
forget another.
"""

from __future__ import annotations

import gc
from collections.abc import Iterable

from domain.config.model import DhcpConfig
from domain.lease import Lease
from projections.addresses import ip_number, ip_text
from projections.billing_counts import BillingCounts
from projections.expiry_queue import ExpiryQueue
from projections.lease_table import LeaseTable
from projections.packed_lease import PackedLease, is_reserved, pack, summary, unpack
from projections.peer_backlog import PeerBacklog
from projections.pool_lists import PoolCounts, PoolLists, listed_state


class LeaseView:
    """The lease table, free/backup lists, expiry queue, billing counts and peer
    backlog together."""

    def __init__(self, config: DhcpConfig) -> None:
        self.config = config
        self.table = LeaseTable()
        self.pools = PoolLists(config)
        self.expiry = ExpiryQueue(told_replaced=True)
        self.backlog = PeerBacklog()
        self.billing = BillingCounts()
        self._held: set[str] = set()
        self._peer_of_pool = [pool.failover_peer for pool in config.pools]
        self._peer_of_pool_any = any(self._peer_of_pool)

    def apply(self, lease: Lease) -> Lease | None:
        """Make `lease` the record of its address everywhere; return the one it
        replaced (None: the address had none)."""
        self._held.discard(lease.ip)
        replaced = self.table.apply(lease)
        self.pools.apply(lease)
        self.expiry.apply(lease, replaced)
        self.billing.apply(lease)
        pool_id = self.pools.pool_of(ip_number(lease.ip))
        peer = self._peer_of_pool[pool_id] if pool_id is not None else None
        self.backlog.apply(lease, peer)
        return replaced

    def hold(self, lease: Lease) -> None:
        """An offer held in memory only (dhcpd supersedes the lease without writing
        it): the client's indexes and the free-list order see it, the peer backlog
        does not, and the next committed record for the address replaces it.  The
        billing counts see it as well: an offer of a lease that is not active carries
        no billing (dhcpd unbills it at once), an offer of an active one keeps its own."""
        replaced = self.table.apply(lease)
        self.pools.apply(lease)
        self.expiry.apply(lease, replaced)
        self.billing.apply(lease)
        self._held.add(lease.ip)

    def is_held(self, ip: str) -> bool:
        """Whether the current record of `ip` is an offer hold, not a durable record."""
        return ip in self._held

    def load(self, leases: Iterable[Lease]) -> None:
        """Startup: only the last record of each address matters (ISC's rule)."""
        self.load_packed((ip_number(lease.ip), pack(lease)) for lease in leases)

    def load_packed(self, leases: Iterable[tuple[int, PackedLease]]) -> None:
        """Startup from (address number, packed record) pairs, as the lease log gives
        them: collapse to the last record of each address, then build each index in one
        go from the packed records, without a Lease object per address.  A view that
        holds records already takes them one by one, as `apply` does."""
        # 100,000 records and more, none of them garbage: the cyclic collector would
        # only walk the growing heap again and again (half the time) meanwhile.
        collecting = gc.isenabled()
        gc.disable()
        try:
            newest = dict(leases)
            if not newest:
                return
            if len(self.table):
                for number, packed in newest.items():
                    self.apply(unpack(ip_text(number), packed))
                return
            numbers = list(newest)
            states, ends, uids, keys = zip(*map(summary, newest.values()), strict=True)
            self.table.load(newest, uids, keys)
            # only a record with a billing line stays a Lease object (see packed_lease)
            self.billing.load(p for p in newest.values() if isinstance(p, Lease))
            if self._peer_of_pool_any:
                for number, packed in newest.items():
                    self._backlog_load(number, packed)
            self.pools.load(numbers, [listed_state(state, is_reserved(packed)) for state, packed
                                      in zip(states, newest.values(), strict=True)], ends)
            self.expiry.load(numbers, states, ends)
            self.pools.compact()
        finally:
            if collecting:
                gc.enable()

    def _backlog_load(self, number: int, packed: PackedLease) -> None:
        pool_id = self.pools.pool_of(number)
        peer = self._peer_of_pool[pool_id] if pool_id is not None else None
        if peer is not None:
            self.backlog.apply(unpack(ip_text(number), packed), peer)

    def pool_counts(self) -> list[PoolCounts]:
        return self.pools.counts()
