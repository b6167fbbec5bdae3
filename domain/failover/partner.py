"""One failover relationship as the daemon runs it: the link protocol plus the leases.

`FailoverSession` speaks the protocol; this class adds what ISC's failover.c does with
leases around it (spec failover §7.3–§7.6, §9): the update and ack queues, BNDUPDs
built from the lease as it is when sent and bounded by the peer's max-unacked-updates,
received BNDUPDs checked and turned into lease records to store, BNDACKs turned into
tsfp, UPDREQ/UPDREQALL answered with the leases and then UPDDONE, pool balancing on
entering normal and on POOLREQ.

Everything it decides to write comes out as `StoreLease`: the daemon makes it durable,
applies it to its view, and only then carries out `then` (the BNDACK that tells the
peer it is stored) and, for `propagate`, queues the lease for a BNDUPD.  Sans I/O:
time comes in as `now`, the leases are read through `RelationshipLeases`.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Protocol

from domain.dhcp_decision import LeaseChange
from domain.failover.ack_lines import (
    ack_rejected_line,
    ack_unknown_lease_line,
    ack_xid_mismatch_line,
)
from domain.failover.binding_updates import (
    UpdateRejected,
    accept_binding_update,
    acknowledged,
    binding_update,
    rejected_ack,
    transmitted,
)
from domain.failover.pool_balance import (
    BalancePlan,
    affinity_move,
    balance_pool,
    negative_poolreq_line,
    next_balance_check,
)
from domain.failover.session import (
    Action,
    BindAckReceived,
    BindUpdateReceived,
    FailoverSession,
    PoolRequested,
    UpdatesRequested,
)
from domain.failover.states import (
    BalancePools,
    CheckPoolBalance,
    LogLine,
    RescheduleExpired,
    RescindUpdates,
    Role,
    SendQueuedUpdates,
    ServerState,
)
from domain.failover.update_queue import AckOutcome, UpdateQueue
from domain.failover_messages import BindingStatus, BndAck, PoolReq, PoolResp, UpdDone
from domain.lease import PEER_PENDING_STATES, BindingState, Lease
from domain.lease_events import (
    HeldForPeer,
    PeerAcked,
    PeerUpdateReceived,
    Rebalanced,
    UpdateSent,
)
from domain.lease_records import lease_conflict


@dataclass(frozen=True, slots=True)
class BalancePool:
    """One pool of the relationship as balancing needs it."""

    label: str  # "pool 1 10.0.0.0/24", as `leaseledger pools` and dhcpd print it
    total: int
    free: int
    backup: int
    own_free: Sequence[Lease]  # my free queue, oldest first (primary FREE, secondary BACKUP)


class RelationshipLeases(Protocol):
    """The leases of one relationship's pools, as the daemon's view holds them."""

    def get(self, ip: str) -> Lease | None: ...

    def in_relationship(self, ip: str) -> bool: ...

    def addresses(self) -> Iterable[str]:
        """Every address of the relationship's pools."""
        ...

    def owed(self) -> Iterable[str]:
        """Addresses the peer has not acknowledged (tstp > atsfp) or that are expired."""
        ...

    def pools(self) -> Sequence[BalancePool]:
        """Every pool with its whole free queue (for a balancing run: may be slow)."""
        ...

    def free_and_backup(self, ip: str) -> tuple[int, int]:
        """The FREE and BACKUP counts of the pool holding `ip` (cheap: MAC affinity
        asks after every returned address)."""
        ...

    def queue_heads(self) -> Sequence[tuple[Lease | None, Lease | None]]:
        """Per pool, the oldest FREE and the oldest BACKUP lease (cheap: scheduling
        runs after every change)."""
        ...


@dataclass(frozen=True, slots=True)
class StoreLease:
    """Make `change` durable and apply it; then carry out `then`, and when `propagate`
    call `FailoverPartner.lease_stored` so the peer hears of it."""

    change: LeaseChange
    then: tuple[Action, ...] = ()
    propagate: bool = False


PartnerAction = Action | StoreLease
# A peer's update in one of these states makes the address FREE (MAC affinity may follow).
_RETURNING = {int(BindingStatus[state.name]): state for state in PEER_PENDING_STATES}


@dataclass(slots=True)
class FailoverPartner:
    """The session of one relationship and its lease update queues."""

    session: FailoverSession
    leases: RelationshipLeases
    queue: UpdateQueue = field(default_factory=UpdateQueue)
    balance_at: int | None = None  # when the pool-balance timer fires (normal only)
    last_balance: int | None = None

    @property
    def name(self) -> str:
        return self.session.name

    @property
    def role(self) -> Role:
        return self.session.machine.settings.role

    def carry(self, actions: Sequence[Action], now: int) -> list[PartnerAction]:
        """Take the session's actions; the lease-level ones are answered here, the rest
        (transmissions, drops, log lines, state records) pass through in order."""
        out: list[PartnerAction] = []
        for action in actions:
            out += self._one(action, now)
        return out

    def lease_storing(self, ip: str) -> None:
        """A change of ours to `ip` is being written: nothing goes out for it until
        `lease_stored` (a queued-updates sweep meanwhile must not send it early)."""
        if self.leases.in_relationship(ip):
            self.queue.hold(ip)

    def lease_stored(self, lease: Lease, now: int) -> list[PartnerAction]:
        """A change of ours to `lease` is durable: tell the peer (ISC sends the BNDUPD
        after the write and before the DHCPACK, and does not wait for the BNDACK)."""
        if not self.leases.in_relationship(lease.ip):
            return []
        if lease.ip in self.queue.held:
            self.queue.release(lease.ip)
        else:
            self.queue.queue(lease.ip)
        return self._send_updates(now)

    def schedule_balance(self, now: int, jitter: int) -> None:
        """ISC's `dhcp_failover_pool_check`, run whenever free or backup counts may
        have changed: while both servers are normal, bring the balance timer forward
        to when the pools are expected to drift out of balance."""
        machine = self.session.machine
        if not (machine.state is ServerState.NORMAL and machine.partner is ServerState.NORMAL):
            self.balance_at = None
            return
        config = self.session.config
        for oldest_free, oldest_backup in self.leases.queue_heads():
            when = next_balance_check(
                oldest_free=oldest_free, oldest_backup=oldest_backup,
                role=self.role, max_lease_misbalance=config.max_lease_misbalance,
                min_balance=config.min_balance, max_balance=config.max_balance,
                last_balance=self.last_balance, scheduled=self.balance_at, now=now,
                jitter=jitter,
            )
            if when is not None:
                self.balance_at = when

    def balance_due(self, now: int) -> list[PartnerAction]:
        """The pool-balance timer: balance every pool, and send POOLREQ if one of them
        is so short of leases that the peer must give some back."""
        if self.balance_at is None or now < self.balance_at:
            return []
        self.balance_at = None
        machine = self.session.machine
        if machine.state is not ServerState.NORMAL:
            return []
        out, _moved, poolreq = self._balance(now, timer=True)
        if poolreq:
            out += self.session.transmit(lambda xid: PoolReq(time=now, xid=xid), now)
        return out

    def _one(self, action: Action, now: int) -> list[PartnerAction]:
        match action:
            case BindUpdateReceived():
                return self._update_received(action, now)
            case BindAckReceived(ack):
                return self._ack_received(ack, now)
            case UpdatesRequested(everything, xid):
                return self._updates_requested(everything, xid, now)
            case PoolRequested(xid):
                return self._pool_requested(xid, now)
            case SendQueuedUpdates():
                self.queue.queue_all(self.leases.owed())
                if not self.queue.pending:
                    return []
                return [*self._send_updates(now),
                        LogLine("info", f"Sending updates to {self.name}.")]
            case RescindUpdates():
                self.queue.rescind()
                return []
            case BalancePools():
                # Entering normal balances now and cancels any pending timer (ISC's
                # `dhcp_failover_pool_balance`); the next check waits min-balance.
                self.balance_at = None
                return self._balance(now, timer=False)[0]
            case CheckPoolBalance():
                return []  # the runner calls `schedule_balance` after every change
            case RescheduleExpired(free_at):
                return self._hold_for_peer(free_at)
        return [action]

    def _send_updates(self, now: int) -> list[PartnerAction]:
        """ISC's `dhcp_failover_send_updates`: as many BNDUPDs as the peer allows."""
        if self.session.active is None:
            return []
        out: list[PartnerAction] = []
        for ip in self.queue.take(self.session.peer.max_unacked):
            lease = self.leases.get(ip)
            if lease is None:
                continue
            # `transmit` calls the builder at once, so the loop's `lease` is the one sent.
            sent = self.session.transmit(
                lambda xid: binding_update(lease, xid, now),  # noqa: B023
                now)
            if not sent:
                continue
            self.queue.sent(ip, sent[0].message.xid)
            rewound = transmitted(lease)
            if rewound is None:
                out += sent
                continue
            # ISC writes and commits the rewind state before the BNDUPD leaves.
            cause = f"BNDUPD to {self.name}: rewind binding state {_state_word(rewound)}"
            out.append(StoreLease(LeaseChange(UpdateSent, rewound, cause), then=tuple(sent)))
        return out

    def _affinity(self, before: Lease, freed: Lease, returned_from: BindingState | None,
                  now: int) -> list[PartnerAction]:
        """MAC address affinity once `before` became `freed` (FREE) from `returned_from`:
        the primary may hand the address to the secondary's client (`affinity_move`)."""
        if (returned_from is None or self.role is not Role.PRIMARY
                or freed.binding_state is not BindingState.FREE):
            return []
        free, backup = self.leases.free_and_backup(freed.ip)
        if before.binding_state is not BindingState.FREE:
            free += 1  # the counts are the view's, before `freed` is stored
            backup -= before.binding_state is BindingState.BACKUP
        config = self.session.config
        moved = affinity_move(
            freed, returned_from, role=self.role, hba=config.hba, free_leases=free,
            backup_leases=backup, max_lease_ownership=config.max_lease_ownership, now=now,
        )
        if moved is None:
            return []
        self.lease_storing(moved.ip)
        cause = f"MAC address affinity with {self.name}: {_state_word(moved)}"
        return [StoreLease(LeaseChange(Rebalanced, moved, cause), propagate=True)]

    def _hold_for_peer(self, free_at: int) -> list[PartnerAction]:
        """Entering partner-down (ISC `dhcp_failover_set_state`, §7.8): every expired,
        released or reset lease waits until the peer can no longer be using it."""
        out: list[PartnerAction] = []
        for ip in self.leases.addresses():
            lease = self.leases.get(ip)
            if (lease is None or lease.binding_state not in PEER_PENDING_STATES
                    or (lease.tsfp or 0) >= free_at):
                continue
            held = lease.replace(tsfp=free_at)
            cause = f"partner-down with {self.name}: free after {free_at}"
            out.append(StoreLease(LeaseChange(HeldForPeer, held, cause)))
        return out

    def _update_received(self, received: BindUpdateReceived, now: int) -> list[PartnerAction]:
        update = received.update
        ip = str(update.assigned_address) if update.assigned_address is not None else ""
        local = self.leases.get(ip) if ip else None
        machine = self.session.machine
        verdict = accept_binding_update(
            update, local, in_relationship=bool(ip) and self.leases.in_relationship(ip),
            role=self.role, my_state=machine.state,
            own_unacked=local if ip in self.queue.unacked else None, now=now,
            held_until=machine.stos + machine.mclt,
        )
        if isinstance(verdict, UpdateRejected):
            if verdict.own_update_dropped:
                self.queue.unacked.pop(ip, None)
            return list(self.session.reply(rejected_ack(update, verdict, now), now))
        # Theirs won against an update of ours still in flight: forget ours (a late
        # BNDACK for it is then ignored).  One merely waiting to be sent stays queued
        # and goes out with the record as it now is, as in ISC.
        self.queue.unacked.pop(ip, None)
        cause = f"BNDUPD from {self.name}: {_state_word(verdict)}"
        change = LeaseChange(PeerUpdateReceived, verdict, cause)
        stored = StoreLease(change, then=tuple(self.session.acknowledge(received, now)))
        assert local is not None  # an accepted update names one of our leases
        returned_from = _RETURNING.get(int(update.binding_status or 0))
        conflict = ([LogLine("error", f"Lease conflict at {ip}")]
                    if lease_conflict(local, verdict) else [])
        return [*conflict, stored, *self._affinity(local, verdict, returned_from, now)]

    def _ack_received(self, ack: BndAck, now: int) -> list[PartnerAction]:
        ip = str(ack.assigned_address) if ack.assigned_address is not None else "?"
        lease = self.leases.get(ip)
        if lease is None:
            return [LogLine("info", ack_unknown_lease_line(ip, self.name))]
        rejected = ack.reject_reason is not None
        result = self.queue.acknowledged(ip, ack.xid, rejected=rejected)
        out: list[PartnerAction] = []
        if ack.reject_reason is not None:
            out.append(LogLine("error", ack_rejected_line(ip, self.name, ack.reject_reason,
                                                          ack.message)))
        elif result.outcome is AckOutcome.XID_MISMATCH:
            return [LogLine("info", ack_xid_mismatch_line(ip, self.name))]
        elif result.outcome is AckOutcome.ACCEPTED:
            stored = acknowledged(lease, role=self.role, ack=ack)
            if stored != lease:
                cause = f"BNDACK from {self.name}: {_state_word(stored)}"
                out.append(StoreLease(LeaseChange(PeerAcked, stored, cause)))
                out += self._affinity(lease, stored, lease.binding_state, now)
        if result.update_done_xid is not None:
            out += self._update_done(result.update_done_xid, now)
        return out + self._send_updates(now)

    def _updates_requested(self, everything: bool, xid: int, now: int) -> list[PartnerAction]:
        """UPDREQALL queues every lease of the relationship, UPDREQ those the peer has
        not acknowledged; UPDDONE follows the last one's ack."""
        self.queue.queue_all(self.leases.addresses() if everything else self.leases.owed())
        kind = "Update request all" if everything else "Update request"
        if self.queue.answer_request(xid):
            sent = self._send_updates(now)
            return [*sent, LogLine("info", f"{kind} from {self.name}: sending update")]
        return [*self._update_done(xid, now),
                LogLine("info", f"{kind} from {self.name}: nothing pending")]

    def _update_done(self, xid: int, now: int) -> list[PartnerAction]:
        return [*self.session.reply(UpdDone(time=now, xid=xid), now),
                LogLine("info", f"Sent update done message to {self.name}")]

    def _pool_requested(self, xid: int, now: int) -> list[PartnerAction]:
        out, moved, _poolreq = self._balance(now, timer=False)
        out += self.session.reply(PoolResp(time=now, xid=xid, addresses_transferred=moved), now)
        if not moved:
            out.append(LogLine("info", negative_poolreq_line(self.name)))
        return out

    def _balance(self, now: int, *, timer: bool) -> tuple[list[PartnerAction], int, bool]:
        """ISC's `dhcp_failover_pool_dobalance` over every pool of the relationship:
        the moved leases are stored and then sent to the peer.  Also says whether a
        POOLREQ is due (timer path only)."""
        config = self.session.config
        out: list[PartnerAction] = []
        moved = 0
        poolreq = False
        self.last_balance = now
        for pool in self.leases.pools():
            plan: BalancePlan = balance_pool(
                label=pool.label, lease_count=pool.total, own_queue=pool.own_free,
                free_leases=pool.free, backup_leases=pool.backup, role=self.role,
                hba=config.hba if self.role is Role.PRIMARY else self.session.peer.hba,
                max_lease_misbalance=config.max_lease_misbalance,
                max_lease_ownership=config.max_lease_ownership, now=now, timer=timer,
            )
            out.append(LogLine("info", plan.balancing_line))
            for lease in plan.moved:
                cause = f"pool balance with {self.name}: {_state_word(lease)}"
                self.lease_storing(lease.ip)
                out.append(StoreLease(LeaseChange(Rebalanced, lease, cause), propagate=True))
            out.append(LogLine("error" if plan.imbalanced else "info", plan.balanced_line))
            moved += len(plan.moved)
            poolreq = poolreq or plan.send_poolreq
        return out, moved, poolreq


def _state_word(lease: Lease) -> str:
    return (lease.binding_state or BindingState.FREE).value
