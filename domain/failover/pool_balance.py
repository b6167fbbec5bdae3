"""Pool balancing: how many free leases one server hands the other, and when to look again.

ISC dhcpd 4.4 keeps the free addresses of a failover pool split between the servers: the
primary allocates FREE leases, the secondary BACKUP ones.  In normal state each server
periodically gives the peer half the difference (`dhcp_failover_pool_dobalance`,
server/failover.c; spec failover §9), preferring leases whose client the load-balancing
hash gives to the peer, and schedules its next look from the age of the oldest free
lease (`dhcp_failover_pool_check`).  This module makes those decisions for one pool and
returns them as values: the moved leases, ISC's two log lines, whether to ask the peer
for a rebalance (POOLREQ), and the next check time.  The daemon persists the moved
leases and queues a BNDUPD for each, exactly as ISC queues them.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from domain.failover.rules import peer_wants_lease
from domain.failover.states import Role
from domain.lease import PEER_PENDING_STATES, BindingState, Lease

__all__ = [
    "BalancePlan",
    "affinity_move",
    "balance_pool",
    "leases_to_send",
    "negative_poolreq_line",
    "next_balance_check",
    "pool_label",
    "secondary_not_hoarding",
]

_REQUEST_SUFFIX = "  (requesting peer rebalance!)"


def pool_label(pool_id: int, network: str) -> str:
    """How ISC names a pool in its balance lines: the pool's address in hex and the
    shared network's name (the same form as `PoolCounts.isc_line`)."""
    return f"pool {pool_id:x} {network}"


def _half(difference: int) -> int:
    # C integer division truncates toward zero; Python's // floors.
    return difference // 2 if difference >= 0 else -(-difference // 2)


def _percent(total: int, percent: int) -> int:
    """`percent`% of `total`, rounded half up as ISC computes it ((t*p + 50) / 100)."""
    return (total * percent + 50) // 100


def leases_to_send(free_leases: int, backup_leases: int, role: Role) -> int:
    """ISC's `lts`: how many leases this server owes the peer (negative: is owed).  Each
    side gives half the difference between its own free count and the peer's."""
    if role is Role.PRIMARY:
        return _half(free_leases - backup_leases)
    return _half(backup_leases - free_leases)


def secondary_not_hoarding(free_leases: int, backup_leases: int, max_lease_ownership: int) -> bool:
    """Whether the primary may give the secondary one more lease for MAC affinity: only
    while the secondary holds less than its share plus max-lease-ownership % (spec §8.4)."""
    hold = _percent(free_leases + backup_leases, max_lease_ownership)
    return _half(free_leases - backup_leases) > -hold


@dataclass(frozen=True)
class BalancePlan:
    """What one balancing run over one pool decided.

    `moved` are the new records of the leases handed to the peer, oldest first, each to
    be persisted and sent in a BNDUPD.  `balancing_line` is logged at info level before
    the moves, `balanced_line` after them, at error level when `imbalanced`.
    `send_poolreq` asks the daemon to send a POOLREQ (only ever on the timer path)."""

    moved: tuple[Lease, ...]
    balancing_line: str
    balanced_line: str
    imbalanced: bool
    send_poolreq: bool


def _peer_wants(lease: Lease, hba: bytes | None, role: Role) -> bool:
    hardware = lease.hardware
    chaddr = bytes((hardware.htype,)) + hardware.address if hardware is not None else None
    return peer_wants_lease(lease.uid, chaddr, hba, role)


def _given_away(lease: Lease, peer_state: BindingState, now: int) -> Lease:
    # The new state's time is now; the hostname belongs to the last client, not the peer.
    # atsfp is cleared because this change has to be propagated to the peer.  ISC stores
    # the move without committing it (`supersede_lease(lp, NULL, 0, 1, 0, 0)`), so the
    # rewind state stays the old one until the BNDUPD goes out.
    return lease.replace(
        binding_state=peer_state,
        next_binding_state=peer_state,
        rewind_binding_state=lease.rewind_binding_state or lease.binding_state,
        tstp=now,
        starts=now,
        atsfp=None,
        client_hostname=None,
    )


def affinity_move(
    lease: Lease,
    returned_from: BindingState,
    *,
    role: Role,
    hba: bytes | None,
    free_leases: int,
    backup_leases: int,
    max_lease_ownership: int,
    now: int,
) -> Lease | None:
    """MAC address affinity: the BACKUP record an ISC primary stores (and then sends in
    a BNDUPD) for `lease`, just made FREE from `returned_from`, or None to leave it free.

    When an update the peer sent (server/failover.c `dhcp_failover_process_bind_update`,
    4.4.3-P1 lines 5442-5454 and 5480-5491) or acknowledged
    (`dhcp_failover_process_bind_ack`, lines 5614-5624 and 5662-5673) returns an
    address from EXPIRED, RELEASED or RESET, and the hash gives its last client to the
    secondary, the primary hands the address over, so that the client finds it there
    next time, unless it is reserved or BOOTP, or the secondary already holds its share
    plus max-lease-ownership %.  `free_leases` and `backup_leases` are the pool's counts
    with the lease counted FREE.  The move is stored uncommitted with propagation
    (`supersede_lease(lease, NULL, 0, 1, 0, 0)`): starts and tstp become now, atsfp is
    cleared, and the rewind state stays FREE until the BNDUPD is sent."""
    if (
        role is not Role.PRIMARY
        or returned_from not in PEER_PENDING_STATES
        or lease.binding_state is not BindingState.FREE
        or lease.reserved
        or lease.dynamic_bootp
        or not _peer_wants(lease, hba, role)
        or not secondary_not_hoarding(free_leases, backup_leases, max_lease_ownership)
    ):
        return None
    return lease.replace(
        binding_state=BindingState.BACKUP,
        next_binding_state=BindingState.BACKUP,
        rewind_binding_state=lease.rewind_binding_state or BindingState.FREE,
        tstp=now,
        starts=now,
        atsfp=None,
    )


def balance_pool(
    *,
    label: str,
    lease_count: int,
    own_queue: Sequence[Lease],
    free_leases: int,
    backup_leases: int,
    role: Role,
    hba: bytes | None,
    max_lease_misbalance: int,
    max_lease_ownership: int,
    now: int,
    timer: bool,
) -> BalancePlan:
    """One pool's run of ISC's `dhcp_failover_pool_dobalance` (only ever in normal state;
    the caller checks that).

    `own_queue` is this server's allocatable queue, oldest first: FREE leases for the
    primary, BACKUP leases for the secondary (reserved leases are not on it).
    `lease_count` is every lease of the pool, for the log lines only.  First pass: give
    away only leases whose client the hash assigns to the peer, and stop for good once
    the peer holds max-lease-ownership % more than its half.  Second pass: give away
    the oldest leases, keeping max-lease-ownership % extra of the used ones but no
    extra never-used ones.  `timer` is the periodic path, the only one that may ask the
    peer for a rebalance, when this server is short by more than twice the
    max-lease-misbalance %."""
    primary = role is Role.PRIMARY
    peer_state = BindingState.BACKUP if primary else BindingState.FREE
    lts = leases_to_send(free_leases, backup_leases, role)
    total = free_leases + backup_leases
    thresh = _percent(total, max_lease_misbalance)
    hold = _percent(total, max_lease_ownership)
    panic = -2 * thresh or -1
    send_poolreq = timer and lts < panic
    balancing_line = (
        f"balancing {label}  total {lease_count}  free {free_leases}  backup {backup_leases}"
        f"  lts {lts}  max-own (+/-){hold}{_REQUEST_SUFFIX if send_poolreq else ''}"
    )

    moved: list[Lease] = []
    passed_over: list[Lease] = []
    for lease in own_queue:
        if lts <= -hold:
            break
        if _peer_wants(lease, hba, role):
            moved.append(_given_away(lease, peer_state, now))
            lts -= 1
        else:
            passed_over.append(lease)
    else:
        # The first pass went through the whole queue without the peer reaching its
        # share: the second starts again from the head, over what the first left.
        for lease in passed_over:
            if lts <= (hold if lease.ends else 0):
                break
            moved.append(_given_away(lease, peer_state, now))
            lts -= 1

    given = len(moved)
    if primary:
        free_after, backup_after = free_leases - given, backup_leases + given
    else:
        free_after, backup_after = free_leases + given, backup_leases - given
    imbalanced = lts > thresh
    balanced_line = (
        f"{'IMBALANCED' if imbalanced else 'balanced'} {label}  total {lease_count}"
        f"  free {free_after}  backup {backup_after}  lts {lts}  max-misbal {thresh}"
    )
    return BalancePlan(
        moved=tuple(moved),
        balancing_line=balancing_line,
        balanced_line=balanced_line,
        imbalanced=imbalanced,
        send_poolreq=send_poolreq,
    )


def negative_poolreq_line(peer_name: str) -> str:
    """What ISC logs when a POOLREQ moved no lease in any pool (it still answers with a
    POOLRESP of 0)."""
    return (
        f"peer {peer_name}: Got POOLREQ, answering negatively!  "
        "Peer may be out of leases or database inconsistent."
    )


def _age_estimate(oldest: Lease | None, max_lease_misbalance: int, now: int) -> int:
    # How long the oldest free lease has been free, scaled by the misbalance %.  A
    # never-used lease (ends 0) counts as free since the epoch, so max-balance caps it.
    if oldest is None or (oldest.ends or 0) >= now:
        return 0
    return _percent(now - (oldest.ends or 0), max_lease_misbalance)


def next_balance_check(
    *,
    oldest_free: Lease | None,
    oldest_backup: Lease | None,
    role: Role,
    max_lease_misbalance: int,
    min_balance: int,
    max_balance: int,
    last_balance: int | None,
    scheduled: int | None,
    now: int,
    jitter: int,
) -> int | None:
    """When the next balancing run should happen, or None to keep `scheduled` (ISC's
    `dhcp_failover_pool_check`, run in normal state whenever a FREE or BACKUP count of
    the pool changes; the caller checks the state).

    The guess is that the pool will drift out of balance in about the time its oldest
    free lease has been free (scaled by max-lease-misbalance %, and doubled for this
    server's own queue), at most max-balance from now and no sooner than min-balance
    after the last run.  `jitter` is ISC's `random() % 5` (0-4 s), passed in so this
    stays pure.  A scheduled run is only ever brought forward."""
    free_age = _age_estimate(oldest_free, max_lease_misbalance, now)
    backup_age = _age_estimate(oldest_backup, max_lease_misbalance, now)
    if role is Role.PRIMARY:
        free_age *= 2
    else:
        backup_age *= 2
    when = now + min(free_age, backup_age, max_balance)
    if last_balance:
        when = max(when, last_balance + min_balance)
    when += jitter
    if scheduled and when >= scheduled:
        return None
    return when
