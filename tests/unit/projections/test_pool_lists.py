"""Free and backup lists: what allocation and pool balancing read."""

from __future__ import annotations

import ipaddress

from domain.config.model import DhcpConfig
from domain.lease import BindingState, Lease
from projections.pool_lists import PoolLists, listed_state


def ip(text: str) -> int:
    return int(ipaddress.IPv4Address(text))


def test_every_range_address_starts_free_lowest_first(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    counts = lists.counts()
    assert [(c.total, c.free, c.backup) for c in counts] == [(10, 10, 0), (5, 5, 0)]
    assert lists.oldest_free(0) == ip("10.0.0.100")


def test_states_move_addresses_between_lists(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    lists.apply(Lease("10.0.0.100", ends=1000, binding_state=BindingState.ACTIVE))
    lists.apply(Lease("10.0.0.101", ends=500, binding_state=BindingState.BACKUP))
    lists.apply(Lease("10.0.0.102", ends=900, binding_state=BindingState.FREE))
    counts = lists.counts()[0]
    assert (counts.free, counts.backup) == (8, 1)
    assert lists.oldest_backup(0) == ip("10.0.0.101")
    # never-used addresses (ends 0) come before the one freed at 900
    assert lists.oldest_free(0) == ip("10.0.0.103")
    lists.apply(Lease("10.0.0.100", ends=1000, binding_state=BindingState.FREE))
    assert lists.counts()[0].free == 9


def test_leases_outside_every_range_are_ignored(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    lists.apply(Lease("192.0.2.1", binding_state=BindingState.ACTIVE))
    assert lists.pool_of(ip("192.0.2.1")) is None
    assert [c.free for c in lists.counts()] == [10, 5]


def test_failover_counts_follow_isc(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    primary = lists.counts()[0]
    # spec failover.md §9: a new 10-lease pool shows lts 5, max-own (+/-)1
    assert (primary.lts, primary.max_own) == (5, 1)
    assert primary.isc_line() == (
        "pool 0 10.0.0.0/24  total 10  free 10  backup 0  lts 5  max-own (+/-)1"
    )
    plain = lists.counts()[1]
    assert (plain.failover_peer, plain.lts, plain.max_own) == (None, 0, 0)


def test_abandoned_addresses_queue_by_ends_for_reclaiming(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    assert lists.oldest_abandoned(1) is None
    lists.apply(Lease("10.1.0.10", ends=900, binding_state=BindingState.ABANDONED))
    lists.apply(Lease("10.1.0.11", ends=300, binding_state=BindingState.ABANDONED))
    assert lists.oldest_abandoned(1) == ip("10.1.0.11")
    assert lists.counts()[1].free == 3  # abandoned addresses are not free
    lists.apply(Lease("10.1.0.11", ends=300, binding_state=BindingState.FREE))
    assert lists.oldest_abandoned(1) == ip("10.1.0.10")


def test_compacting_keeps_every_list_and_later_moves(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    lists.apply(Lease("10.0.0.100", ends=1000, binding_state=BindingState.ACTIVE))
    lists.apply(Lease("10.0.0.101", ends=500, binding_state=BindingState.BACKUP))
    lists.compact()
    assert (lists.counts()[0].free, lists.counts()[0].backup) == (8, 1)
    lists.apply(Lease("10.0.0.101", ends=600, binding_state=BindingState.FREE))
    lists.apply(Lease("10.0.0.102", ends=700, binding_state=BindingState.ACTIVE))
    assert (lists.counts()[0].free, lists.counts()[0].backup) == (8, 0)
    assert lists.oldest_free(0) == ip("10.0.0.103")


def test_a_startup_load_files_addresses_as_applies_would(failover_config: DhcpConfig) -> None:
    records = [
        Lease("10.0.0.100", ends=1000, binding_state=BindingState.ACTIVE),
        Lease("10.0.0.101", ends=500, binding_state=BindingState.BACKUP),
        Lease("10.0.0.102", ends=900, binding_state=BindingState.FREE),
        Lease("10.0.0.103", ends=700, binding_state=BindingState.ABANDONED),
        Lease("10.1.0.12", ends=300, binding_state=BindingState.FREE),
        Lease("10.9.0.1", ends=300, binding_state=BindingState.FREE),
    ]
    applied, loaded = PoolLists(failover_config), PoolLists(failover_config)
    for record in records:
        applied.apply(record)
    loaded.load([ip(r.ip) for r in records], [r.binding_state for r in records],
                [r.ends for r in records])

    def lists(pools: PoolLists) -> list[object]:
        return [pools.counts(), *((pools.oldest_free(n), pools.oldest_backup(n),
                                   pools.oldest_abandoned(n)) for n in (0, 1))]

    assert lists(loaded) == lists(applied)
    for pools in (applied, loaded):
        pools.apply(Lease("10.0.0.101", ends=50, binding_state=BindingState.FREE))
        pools.apply(Lease("10.0.0.104", ends=60, binding_state=BindingState.ACTIVE))
    assert lists(loaded) == lists(applied)
    assert loaded.oldest_free(0) == ip("10.0.0.105")


def test_one_pools_counts_are_those_of_the_whole_list(failover_config: DhcpConfig) -> None:
    lists = PoolLists(failover_config)
    lists.apply(Lease("10.0.0.100", binding_state=BindingState.ACTIVE))
    lists.apply(Lease("10.0.0.101", binding_state=BindingState.BACKUP))
    assert [lists.fill_of(pool_id) for pool_id in (0, 1)] == [
        (count.total, count.free, count.backup) for count in lists.counts()
    ]


def test_a_reserved_free_or_backup_lease_is_on_no_list_and_not_counted(
    failover_config: DhcpConfig,
) -> None:
    lists = PoolLists(failover_config)
    lists.apply(Lease("10.0.0.100", binding_state=BindingState.FREE, reserved=True))
    lists.apply(Lease("10.0.0.101", binding_state=BindingState.BACKUP, reserved=True))
    lists.apply(Lease("10.0.0.102", binding_state=BindingState.BACKUP))
    counts = lists.counts()[0]
    assert (counts.total, counts.free, counts.backup) == (10, 7, 1)
    assert lists.oldest_free(0) == ip("10.0.0.103")  # never handed to another client
    assert lists.oldest_backup(0) == ip("10.0.0.102")
    # A reserved lease that is abandoned is on the abandoned list, as in dhcpd.
    lists.apply(Lease("10.0.0.100", binding_state=BindingState.ABANDONED, reserved=True))
    assert lists.oldest_abandoned(0) == ip("10.0.0.100")
    assert listed_state(BindingState.FREE, reserved=False) is BindingState.FREE
    assert listed_state(BindingState.ACTIVE, reserved=True) is BindingState.ACTIVE
