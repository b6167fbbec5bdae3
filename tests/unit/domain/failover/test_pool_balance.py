"""Pool balancing: which free leases a server hands its peer, ISC's two log lines, when it
asks the peer for a rebalance and when it looks again (spec failover §8.4, §9)."""

from __future__ import annotations

import pytest

from domain.failover.pool_balance import (
    BalancePlan,
    affinity_move,
    balance_pool,
    leases_to_send,
    negative_poolreq_line,
    next_balance_check,
    pool_label,
    secondary_not_hoarding,
)
from domain.failover.rules import hba_from_split, load_balance_hash
from domain.failover.states import Role
from domain.lease import BindingState, Hardware, Lease

B = BindingState
NOW = 1_800_000_000
HBA = hba_from_split(128)
LABEL = "pool 5613a4cdddd0 192.0.2.0/24"


def virgin(n: int, state: BindingState = B.FREE) -> Lease:
    return Lease(ip=f"192.0.2.{n}", binding_state=state, next_binding_state=state)


def uid_for(primary_bucket: bool, skip: int = 0) -> bytes:
    """The `skip`-th client-identifier whose bucket is (or is not) the primary's."""
    found = 0
    for n in range(256):
        uid = bytes((1, n))
        bucket = load_balance_hash(uid)
        if bool(HBA[bucket >> 3] & (1 << (bucket & 7))) is primary_bucket:
            if found == skip:
                return uid
            found += 1
    raise AssertionError("no such uid")


def used(n: int, *, peers: bool, state: BindingState = B.FREE, skip: int = 0) -> Lease:
    """A lease a client had; `peers` says whether the hash gives that client to the
    secondary (the peer, seen from the primary)."""
    return virgin(n, state).replace(uid=uid_for(not peers, skip), ends=NOW - 1000 - n,
                   starts=NOW - 2000, tstp=NOW - 1000, atsfp=NOW - 1000,
                   client_hostname="pc")


def run(queue: list[Lease], free: int, backup: int, **overrides: object) -> BalancePlan:
    arguments: dict[str, object] = {
        "label": LABEL, "lease_count": free + backup, "own_queue": queue,
        "free_leases": free, "backup_leases": backup, "role": Role.PRIMARY, "hba": HBA,
        "max_lease_misbalance": 15, "max_lease_ownership": 10, "now": NOW, "timer": False,
    }
    arguments.update(overrides)
    return balance_pool(**arguments)  # type: ignore[arg-type]


def test_the_observed_new_ten_lease_pool_balances_to_five_and_five() -> None:
    plan = run([virgin(n) for n in range(10, 20)], free=10, backup=0)
    assert plan.balancing_line == (
        "balancing pool 5613a4cdddd0 192.0.2.0/24  total 10  free 10  backup 0  lts 5"
        "  max-own (+/-)1"
    )
    assert plan.balanced_line == (
        "balanced pool 5613a4cdddd0 192.0.2.0/24  total 10  free 5  backup 5  lts 0"
        "  max-misbal 2"
    )
    assert [lease.ip for lease in plan.moved] == [f"192.0.2.{n}" for n in range(10, 15)]
    assert not plan.imbalanced and not plan.send_poolreq


def test_a_moved_lease_becomes_the_peers_with_new_times_and_no_hostname() -> None:
    plan = run([used(1, peers=False)], free=2, backup=0, max_lease_ownership=0)
    (moved,) = plan.moved
    assert (moved.binding_state, moved.next_binding_state) == (B.BACKUP, B.BACKUP)
    assert (moved.tstp, moved.starts, moved.atsfp, moved.client_hostname) == (
        NOW, NOW, None, None
    )
    assert moved.uid == used(1, peers=False).uid and moved.ends == NOW - 1001


def test_the_secondary_gives_backup_leases_to_the_primary_as_free() -> None:
    plan = run([virgin(n, B.BACKUP) for n in range(4)], free=0, backup=4,
               role=Role.SECONDARY)
    assert [lease.binding_state for lease in plan.moved] == [B.FREE, B.FREE]
    assert "free 2  backup 2  lts 0" in plan.balanced_line


def test_the_first_pass_prefers_the_peers_clients_then_the_oldest_go() -> None:
    queue = [used(1, peers=False), used(2, peers=True), used(3, peers=False),
             used(4, peers=True)]
    plan = run(queue, free=10, backup=0, max_lease_ownership=0)
    # lts 5, hold 0: the peer's two clients first, then the oldest of the rest.
    assert [lease.ip for lease in plan.moved] == [
        "192.0.2.2", "192.0.2.4", "192.0.2.1", "192.0.2.3"
    ]


def test_the_first_pass_stops_the_run_once_the_peer_holds_its_share_plus_hold() -> None:
    queue = [used(n, peers=True, skip=n) for n in range(1, 9)]
    # total 20, hold 10% = 2, lts (12 - 8) / 2 = 2: the peer's clients go until lts
    # reaches -2, and nothing else runs.
    plan = run(queue, free=12, backup=8)
    assert len(plan.moved) == 4
    assert "free 8  backup 12  lts -2" in plan.balanced_line


def test_the_second_pass_keeps_hold_used_leases_but_no_extra_virgin_ones() -> None:
    used_queue = [used(n, peers=False, skip=n) for n in range(1, 11)]
    plan = run(used_queue, free=20, backup=0)
    # total 20: hold 2, lts 10 → stops when lts reaches hold.
    assert len(plan.moved) == 8
    virgin_queue = [virgin(n) for n in range(1, 21)]
    assert len(run(virgin_queue, free=20, backup=0).moved) == 10


def test_a_used_lease_stops_the_second_pass_where_a_virgin_one_would_not() -> None:
    queue = [virgin(1), virgin(2), used(3, peers=False), virgin(4)]
    plan = run(queue, free=26, backup=20)  # lts 3, hold 5
    # The used lease at lts 1 <= hold ends the run, though a virgin lease follows.
    assert [lease.ip for lease in plan.moved] == ["192.0.2.1", "192.0.2.2"]


def test_an_empty_queue_moves_nothing_and_reports_imbalance() -> None:
    plan = run([], free=30, backup=0)
    assert plan.moved == ()
    assert plan.imbalanced
    assert plan.balanced_line.startswith("IMBALANCED pool 5613a4cdddd0 192.0.2.0/24  total 30")
    assert plan.balanced_line.endswith("lts 15  max-misbal 5")


def test_the_timer_asks_for_a_rebalance_when_short_by_more_than_twice_the_misbalance() -> None:
    plan = run([], free=2, backup=18, timer=True)  # lts -8, thresh 3, panic -6
    assert plan.send_poolreq
    assert plan.balancing_line == (
        f"balancing {LABEL}  total 20  free 2  backup 18  lts -8  max-own (+/-)2"
        "  (requesting peer rebalance!)"
    )
    assert not run([], free=2, backup=18, timer=False).send_poolreq
    assert not run([], free=4, backup=16, timer=True).send_poolreq  # lts -6 is not < -6


def test_with_a_zero_threshold_the_panic_point_is_minus_one() -> None:
    # max-lease-misbalance 0 gives thresh 0 and panic -1: lts -1 does not ask, -2 does.
    assert not run([], free=0, backup=3, timer=True, max_lease_misbalance=0).send_poolreq
    assert run([], free=0, backup=4, timer=True, max_lease_misbalance=0).send_poolreq
    assert run([], free=4, backup=0, timer=True, role=Role.SECONDARY,
               max_lease_misbalance=0).send_poolreq


def test_lease_count_is_printed_as_total_but_shares_use_free_plus_backup() -> None:
    plan = run([virgin(n) for n in range(10)], free=10, backup=0, lease_count=250)
    assert "total 250  free 10  backup 0  lts 5  max-own (+/-)1" in plan.balancing_line
    assert len(plan.moved) == 5


@pytest.mark.parametrize(
    ("free", "backup", "role", "lts"),
    [(10, 0, Role.PRIMARY, 5), (0, 3, Role.PRIMARY, -1), (1, 4, Role.PRIMARY, -1),
     (1, 4, Role.SECONDARY, 1), (7, 0, Role.SECONDARY, -3)],
)
def test_leases_to_send_truncates_toward_zero(free: int, backup: int, role: Role,
                                              lts: int) -> None:
    assert leases_to_send(free, backup, role) == lts


@pytest.mark.parametrize(
    ("free", "backup", "ownership", "not_hoarding"),
    [(10, 10, 10, True), (9, 11, 10, True), (8, 12, 10, False), (6, 14, 10, False),
     (7, 13, 25, True)],
)
def test_the_secondary_hoards_once_it_holds_its_half_plus_hold_less_one(
    free: int, backup: int, ownership: int, not_hoarding: bool
) -> None:
    # hold = round(total * ownership%); not hoarding while (free - backup) / 2 > -hold.
    assert secondary_not_hoarding(free, backup, ownership) is not_hoarding


def test_pool_label_and_negative_poolreq_line_read_like_iscs() -> None:
    assert pool_label(0x5613A4CDDDD0, "192.0.2.0/24") == LABEL
    assert negative_poolreq_line("fo") == (
        "peer fo: Got POOLREQ, answering negatively!  "
        "Peer may be out of leases or database inconsistent."
    )


# --- scheduling --------------------------------------------------------------------------


def check(**overrides: object) -> int | None:
    arguments: dict[str, object] = {
        "oldest_free": None, "oldest_backup": None, "role": Role.PRIMARY,
        "max_lease_misbalance": 15, "min_balance": 60, "max_balance": 3600,
        "last_balance": None, "scheduled": None, "now": NOW, "jitter": 0,
    }
    arguments.update(overrides)
    return next_balance_check(**arguments)  # type: ignore[arg-type]


def ended(ago: int) -> Lease:
    return Lease(ip="192.0.2.1", binding_state=B.FREE, ends=NOW - ago)


def test_the_next_check_scales_the_oldest_free_age_by_the_misbalance() -> None:
    # free aged 1000 s → 150, doubled for the primary's own queue → 300; backup 2000 → 300.
    assert check(oldest_free=ended(1000), oldest_backup=ended(2000)) == NOW + 300
    # For the secondary the backup figure doubles instead: min(150, 600).
    assert check(oldest_free=ended(1000), oldest_backup=ended(2000),
                 role=Role.SECONDARY) == NOW + 150


def test_an_empty_queue_or_a_future_end_counts_as_zero() -> None:
    assert check(oldest_free=ended(1000)) == NOW
    assert check(oldest_free=ended(-50), oldest_backup=ended(1000)) == NOW


def test_virgin_leases_are_capped_at_max_balance_and_jitter_is_added() -> None:
    virgin_lease = Lease(ip="192.0.2.1", binding_state=B.FREE)
    assert check(oldest_free=virgin_lease, oldest_backup=virgin_lease, jitter=3) == (
        NOW + 3600 + 3
    )


def test_no_check_sooner_than_min_balance_after_the_last_run() -> None:
    assert check(last_balance=NOW - 10, jitter=4) == NOW + 50 + 4
    assert check(last_balance=NOW - 100) == NOW


def test_a_scheduled_check_is_only_brought_forward() -> None:
    aged = {"oldest_free": ended(1000), "oldest_backup": ended(2000)}
    assert check(scheduled=NOW + 300, **aged) is None
    assert check(scheduled=NOW + 299, **aged) is None
    assert check(scheduled=NOW + 301, **aged) == NOW + 300


def test_moved_leases_keep_their_hardware() -> None:
    lease = virgin(1).replace(hardware=Hardware(1, b"\x02\x00\x00\x00\x00\x09"))
    (moved,) = run([lease], free=4, backup=0).moved[:1]
    assert moved.hardware == lease.hardware


def test_a_balanced_lease_keeps_its_old_rewind_state_until_it_is_sent() -> None:
    # ISC stores the move uncommitted: "rewind binding state free;" stays in the record.
    plan = run([virgin(1), used(2, peers=True)], free=10, backup=0)
    assert [lease.rewind_binding_state for lease in plan.moved] == [B.FREE, B.FREE]
    plan = run([virgin(1, B.BACKUP)], free=0, backup=2, role=Role.SECONDARY)
    assert [lease.rewind_binding_state for lease in plan.moved] == [B.BACKUP]


# --- MAC address affinity ----------------------------------------------------------------


def freed(primary_bucket: bool, **fields: object) -> Lease:
    """An address an EXPIRED update just returned to FREE, last held by a client the hash
    gives to the primary (or not)."""
    lease = Lease(ip="192.0.2.7", binding_state=B.FREE, next_binding_state=B.FREE,
                  rewind_binding_state=B.FREE, uid=uid_for(primary_bucket),
                  hardware=Hardware(1, bytes(6)), starts=NOW - 600, ends=NOW - 60,
                  tstp=NOW - 60, tsfp=NOW - 60, atsfp=NOW - 60)
    return lease.replace(**fields)


def move(lease: Lease, **overrides: object) -> Lease | None:
    arguments: dict[str, object] = {
        "role": Role.PRIMARY, "hba": HBA, "free_leases": 6, "backup_leases": 4,
        "max_lease_ownership": 10, "now": NOW,
    }
    arguments.update(overrides)
    returned_from = arguments.pop("returned_from", B.EXPIRED)
    return affinity_move(lease, returned_from, **arguments)  # type: ignore[arg-type]


@pytest.mark.parametrize("returned_from", [B.EXPIRED, B.RELEASED, B.RESET])
def test_a_primary_hands_a_returned_address_to_the_secondarys_client(
    returned_from: BindingState,
) -> None:
    lease = freed(primary_bucket=False)
    assert move(lease, returned_from=returned_from) == lease.replace(
        binding_state=B.BACKUP, next_binding_state=B.BACKUP,
        rewind_binding_state=B.FREE, tstp=NOW, starts=NOW, atsfp=None,
    )


def test_the_moved_record_keeps_free_as_its_rewind_state_when_none_was_written() -> None:
    moved = move(freed(primary_bucket=False, rewind_binding_state=None))
    assert moved is not None and moved.rewind_binding_state is B.FREE


@pytest.mark.parametrize(
    ("lease_fields", "overrides"),
    [
        ({}, {"role": Role.SECONDARY}),
        ({}, {"returned_from": B.ACTIVE}),
        ({}, {"returned_from": B.ABANDONED}),
        ({"binding_state": B.BACKUP}, {}),
        ({"reserved": True}, {}),
        ({"dynamic_bootp": True}, {}),
        ({}, {"hba": None}),
        ({"uid": None, "hardware": None}, {}),
        # the secondary holds its half plus max-lease-ownership % already
        ({}, {"free_leases": 2, "backup_leases": 8}),
    ],
)
def test_no_affinity_move_when_a_condition_fails(
    lease_fields: dict[str, object], overrides: dict[str, object]
) -> None:
    assert move(freed(primary_bucket=False, **lease_fields), **overrides) is None


def test_no_affinity_move_for_the_primarys_own_client() -> None:
    assert move(freed(primary_bucket=True)) is None
