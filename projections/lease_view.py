"""Every read model the server answers from, kept in step by one `apply`.

The daemon applies each lease change here on the trio thread when it decides it (so
the next request, decided before the write finishes, already sees it); the reply waits
until the group committer has made it durable.  Startup builds the view from the log.
Keeping the projections behind one object means no caller can update one index and
forget another.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.config.model import DhcpConfig
from domain.lease import Lease
from projections.addresses import ip_number
from projections.expiry_queue import ExpiryQueue
from projections.lease_table import LeaseTable
from projections.peer_backlog import PeerBacklog
from projections.pool_lists import PoolCounts, PoolLists


class LeaseView:
    """The lease table, free/backup lists, expiry queue and peer backlog together."""

    def __init__(self, config: DhcpConfig) -> None:
        self.config = config
        self.table = LeaseTable()
        self.pools = PoolLists(config)
        self.expiry = ExpiryQueue(told_replaced=True)
        self.backlog = PeerBacklog()
        self._held: set[str] = set()
        self._peer_of_pool = [pool.failover_peer for pool in config.pools]

    def apply(self, lease: Lease) -> None:
        self._held.discard(lease.ip)
        replaced = self.table.apply(lease)
        self.pools.apply(lease)
        self.expiry.apply(lease, replaced)
        pool_id = self.pools.pool_of(ip_number(lease.ip))
        peer = self._peer_of_pool[pool_id] if pool_id is not None else None
        self.backlog.apply(lease, peer)

    def hold(self, lease: Lease) -> None:
        """An offer held in memory only (dhcpd supersedes the lease without writing
        it): the client's indexes and the free-list order see it, the peer backlog
        does not, and the next committed record for the address replaces it."""
        replaced = self.table.apply(lease)
        self.pools.apply(lease)
        self.expiry.apply(lease, replaced)
        self._held.add(lease.ip)

    def is_held(self, ip: str) -> bool:
        """Whether the current record of `ip` is an offer hold, not a durable record."""
        return ip in self._held

    def load(self, leases: Iterable[Lease]) -> None:
        """Startup: only the last record of each address matters, so collapse first
        (ISC's rule) and build each index once per address instead of once per record."""
        newest: dict[str, Lease] = {}
        for lease in leases:
            newest[lease.ip] = lease
        for lease in newest.values():
            self.apply(lease)
        self.pools.compact()

    def pool_counts(self) -> list[PoolCounts]:
        return self.pools.counts()
