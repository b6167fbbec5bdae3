"""Per-pool free and backup lists, and the counts dhcpd logs for a pool.

Allocation needs "the free address that has been free longest" in O(log n), and the
failover balancer needs "how many free, how many backup" at every change; ISC keeps
per-pool queues sorted by `ends` for exactly these reasons.  Each pool here keeps
SortedLists ordered by `(ends, ip)`, each entry one number `ends << 32 | ip` (a pool of
100,000 addresses would otherwise hold 100,000 tuples): a never-used address has ends 0
and so sorts first, lowest address first — which is the order dhcpd hands out a fresh
range in (spec §4.3).

Every address of every range starts FREE (as ISC's `new_address_range` makes it) until
a lease record says otherwise.
"""

from __future__ import annotations

import bisect
from collections.abc import Sequence
from dataclasses import dataclass, field

from sortedcontainers import SortedList

from domain.config.model import DhcpConfig
from domain.failover.pool_balance import pool_label
from domain.lease import BindingState, Lease
from projections.addresses import ip_number

_IP_BITS = 0xFFFFFFFF
_LISTED = frozenset({BindingState.FREE, BindingState.BACKUP, BindingState.ABANDONED})


@dataclass(frozen=True)
class PoolCounts:
    """What `leaseledger pools` and dhcpd's balancing log line report for a pool.

    `lts` is ISC's leases-to-send (primary: (free - backup) / 2, secondary:
    (backup - free) / 2, truncated toward zero) and `max_own` its hold figure
    (total x max-lease-ownership %); both 0 for a pool without a failover peer."""

    pool_id: int
    network: str
    failover_peer: str | None
    total: int
    free: int
    backup: int
    lts: int
    max_own: int

    def isc_line(self) -> str:
        """The counts as dhcpd prints them (fields separated by two spaces)."""
        return (
            f"{pool_label(self.pool_id, self.network)}  total {self.total}  free {self.free}"
            f"  backup {self.backup}  lts {self.lts}  max-own (+/-){self.max_own}"
        )


@dataclass
class _Pool:
    pool_id: int
    network: str
    total: int
    failover_peer: str | None
    role: str | None
    ownership_percent: int
    free: SortedList = field(default_factory=SortedList)
    backup: SortedList = field(default_factory=SortedList)
    abandoned: SortedList = field(default_factory=SortedList)


def listed_state(state: BindingState | None, reserved: bool) -> BindingState | None:
    """The list a record goes on, by its state: none for a reserved FREE or BACKUP
    lease, which dhcpd keeps on the pool's reserved queue (mdb.c `lease_enqueue`), so
    it is neither allocated to other clients, nor counted, nor balanced."""
    if reserved and state in (BindingState.FREE, BindingState.BACKUP):
        return None
    return state


class PoolLists:
    """Free and backup lists for every pool of a configuration."""

    def __init__(self, config: DhcpConfig) -> None:
        self._pools: list[_Pool] = []
        bounds: list[tuple[int, int, int]] = []
        for pool in config.pools:
            peer = config.failover_peer(pool.failover_peer) if pool.failover_peer else None
            network = str(pool.ranges[0].subnet) if pool.ranges else "-"
            self._pools.append(
                _Pool(
                    pool_id=pool.id,
                    network=network,
                    total=pool.size,
                    failover_peer=pool.failover_peer,
                    role=peer.role if peer else None,
                    ownership_percent=peer.max_lease_ownership if peer else 0,
                )
            )
            for r in pool.ranges:
                bounds.append((int(r.low), int(r.high), pool.id))
        bounds.sort()
        self._lows = [b[0] for b in bounds]
        self._bounds = bounds
        # ip -> its entry in the pool's free, backup or abandoned list
        self._free_key: dict[int, int] = {}
        self._backup_key: dict[int, int] = {}
        self._abandoned_key: dict[int, int] = {}
        for low, high, pool_id in bounds:
            ips = list(range(low, high + 1))  # never used: ends 0, so the entry is the ip
            self._pools[pool_id].free.update(ips)
            self._free_key.update(zip(ips, ips, strict=True))

    def compact(self) -> None:
        """Give back the room of entries gone since the lists were built: every address
        starts free, so after loading a busy log the free map is mostly empty room."""
        self._free_key = dict(self._free_key)
        self._backup_key = dict(self._backup_key)
        self._abandoned_key = dict(self._abandoned_key)

    def load(
        self,
        ips: Sequence[int],
        states: Sequence[BindingState | None],
        ends: Sequence[int | None],
    ) -> None:
        """Startup: file every address (number, binding state and ends in three columns,
        one row per address) as `apply` would one by one, but sorting each list once.
        `states` are the ones `listed_state` gives.  No `apply` may have come before."""
        lists: dict[tuple[int, BindingState], list[int]] = {}
        recorded = set()
        for ip, state, end in zip(ips, states, ends, strict=True):
            pool_id = self.pool_of(ip)
            if pool_id is None:
                continue
            recorded.add(ip)
            if state in _LISTED:
                lists.setdefault((pool_id, state), []).append((end or 0) << 32 | ip)
        self._free_key = {ip: key for ip, key in self._free_key.items() if ip not in recorded}
        for pool in self._pools:
            free = [key for key in pool.free if key & _IP_BITS not in recorded]
            pool.free = SortedList(free + lists.get((pool.pool_id, BindingState.FREE), []))
            pool.backup = SortedList(lists.get((pool.pool_id, BindingState.BACKUP), []))
            pool.abandoned = SortedList(lists.get((pool.pool_id, BindingState.ABANDONED), []))
            for keys, listed in ((self._free_key, pool.free), (self._backup_key, pool.backup),
                                 (self._abandoned_key, pool.abandoned)):
                keys.update((key & _IP_BITS, key) for key in listed)

    def pool_of(self, ip: int) -> int | None:
        """The id of the pool whose ranges hold `ip` (ISC: each lease has one pool)."""
        i = bisect.bisect_right(self._lows, ip) - 1
        if i >= 0:
            low, high, pool_id = self._bounds[i]
            if low <= ip <= high:
                return pool_id
        return None

    def apply(self, lease: Lease) -> None:
        """Move the lease's address to the list its new binding state belongs in."""
        ip = ip_number(lease.ip)
        pool_id = self.pool_of(ip)
        if pool_id is None:
            return  # dhcpd drops leases outside every range ("no subnet")
        pool = self._pools[pool_id]
        for keys, entries in ((self._free_key, pool.free), (self._backup_key, pool.backup),
                              (self._abandoned_key, pool.abandoned)):
            old = keys.pop(ip, None)
            if old is not None:
                entries.discard(old)
        state = listed_state(lease.binding_state, lease.reserved)
        if state is BindingState.ABANDONED:
            keys, entries = self._abandoned_key, pool.abandoned
        elif state is BindingState.FREE:
            keys, entries = self._free_key, pool.free
        elif state is BindingState.BACKUP:
            keys, entries = self._backup_key, pool.backup
        else:
            return
        key = (lease.ends or 0) << 32 | ip
        entries.add(key)
        keys[ip] = key

    def oldest_free(self, pool_id: int) -> int | None:
        """The address that has been free longest (never-used addresses first)."""
        return _first_ip(self._pools[pool_id].free)

    def oldest_backup(self, pool_id: int) -> int | None:
        return _first_ip(self._pools[pool_id].backup)

    def oldest_abandoned(self, pool_id: int) -> int | None:
        """The abandoned address whose `ends` comes first: dhcpd's last resort when a
        pool has no free address left (server/dhcp.c `allocate_lease`)."""
        return _first_ip(self._pools[pool_id].abandoned)

    def counts(self) -> list[PoolCounts]:
        return [self._counts(pool) for pool in self._pools]

    def fill_of(self, pool_id: int) -> tuple[int, int, int]:
        """One pool's total, free and backup counts: what a request's decision asks
        (several times per request: no `PoolCounts` made for it)."""
        pool = self._pools[pool_id]
        return pool.total, len(pool.free), len(pool.backup)

    def _counts(self, pool: _Pool) -> PoolCounts:
        free, backup = len(pool.free), len(pool.backup)
        if pool.role == "primary":
            lts = int((free - backup) / 2)
        elif pool.role == "secondary":
            lts = int((backup - free) / 2)
        else:
            lts = 0
        max_own = (pool.total * pool.ownership_percent + 50) // 100 if pool.role else 0
        return PoolCounts(
            pool_id=pool.pool_id,
            network=pool.network,
            failover_peer=pool.failover_peer,
            total=pool.total,
            free=free,
            backup=backup,
            lts=lts,
            max_own=max_own,
        )


def _first_ip(entries: SortedList) -> int | None:
    return entries[0] & _IP_BITS if entries else None
