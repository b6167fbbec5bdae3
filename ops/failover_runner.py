"""One failover relationship inside the running daemon.

The link (`adapters/peer_tcp.PeerLink`) runs the session; every action it does not
carry out itself comes here, goes through `FailoverPartner` (which answers the
lease-level ones) and is carried out: log lines to the dhcpd log, state records and
lease records made durable through the daemon's group committer, and — only once a
record is on disk — the BNDACK that tells the peer so, or the BNDUPD that tells it of
our change.  A record is applied to the daemon's view at once, in arrival order, so
the next message already sees it.  The link hands over all the messages of one read
together: their records are queued as one write, awaited in one task, and their
BNDACKs then leave in one send (a full resynchronisation is tens of thousands of
BNDUPDs, a peer's max-unacked-updates at a time).
"""

from __future__ import annotations

import logging
import math
import random
import time
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import trio

from adapters.peer_tcp import PeerLink
from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.partner import FailoverPartner, PartnerAction, StoreLease
from domain.failover.service_view import FailoverService
from domain.failover.session import Action, DropLink, FailoverSession, Transmit
from domain.failover.states import Fatal, LogLine, StateChanged
from domain.lease import FailoverStateRecord, Lease
from projections.relationship_view import ViewLeases

if TYPE_CHECKING:
    from ops.daemon import Daemon

STOP_SECONDS = 2.0  # how long a stopping link may take to say DISCONNECT


class FailoverRunner:
    """Runs one relationship's link for the daemon and keeps its `FailoverService`."""

    def __init__(
        self,
        daemon: Daemon,
        config: FailoverPeerConfig,
        record: FailoverStateRecord | None,
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.daemon = daemon
        self.config = config
        self.logger: logging.Logger = daemon.logger
        session = FailoverSession.resume(config, record, int(wall_clock()))
        self.partner = FailoverPartner(session, ViewLeases(daemon.view, daemon.config, config))
        self._wall_clock = wall_clock
        self._link: PeerLink | None = None
        self._nursery: trio.Nursery | None = None
        self._stopped = trio.Event()
        self._rescheduled = trio.Event()

    @property
    def name(self) -> str:
        return self.config.name

    def service(self) -> FailoverService:
        """What the DHCP core may do for this relationship's pools right now."""
        session = self.partner.session
        machine = session.machine
        hba = self.config.hba if session.is_primary else session.peer.hba
        return FailoverService(
            peer=self.name, role=machine.settings.role, my_state=machine.state,
            partner_state=machine.partner, service=machine.service,
            reason=machine.service_reason, mclt=machine.mclt, hba=hba,
            load_balance_max_seconds=self.config.load_balance_max_seconds, stos=machine.stos,
        )

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Listen and connect until `stop()`; started once listening."""
        try:
            async with trio.open_nursery() as nursery:
                self._nursery = nursery
                self._link = PeerLink(self.partner.session, on_burst=self._on_burst,
                                      wall_clock=self._wall_clock)
                await nursery.start(self._link.run)
                nursery.start_soon(self._balance_timer)
                task_status.started()
        finally:
            self._stopped.set()

    async def stop(self) -> None:
        """Say DISCONNECT and close (the saved state is kept, as ISC does on SIGTERM)."""
        if self._link is None:
            return
        self._link.stop()
        with trio.move_on_after(STOP_SECONDS):
            await self._stopped.wait()

    def status(self) -> dict[str, object]:
        """What `leaseledger ctl status` shows for this relationship (JSON-ready)."""
        session = self.partner.session
        machine = session.machine
        pools = [count for count in self.daemon.view.pool_counts()
                 if count.failover_peer == self.name]
        return {
            "peer": self.name,
            "role": machine.settings.role.value,
            "my_state": machine.effective_state.record_state.value,
            "my_state_since": machine.stos,
            "partner_state": machine.partner.record_state.value,
            "partner_state_since": machine.partner_stos,
            "service": machine.service.value,
            "connected": session.active is not None,
            "mclt": machine.mclt,
            "updates_unacked": len(self.partner.queue.unacked),
            "updates_queued": len(self.partner.queue.pending),
            "pools": [{"pool": count.pool_id, "network": count.network,
                       "total": count.total, "free": count.free, "backup": count.backup,
                       "lts": count.lts} for count in pools],
        }

    def partner_down(self) -> None:
        """The operator's `leaseledger ctl partner-down`: move to partner-down now."""
        if self._link is not None:
            now = self._link.now()
            self._carry_now(self.partner.carry(self.partner.session.partner_down(now), now))

    def lease_stored(self, lease: Lease) -> None:
        """A change of ours to a lease of this relationship is durable: send it."""
        if self._link is not None:
            self._carry_now(self.partner.lease_stored(lease, self._link.now()))
            self._reschedule()

    def _on_burst(self, link: PeerLink, actions: list[Action]) -> None:
        """Every action of one read: each is decided on the view as the ones before it
        left it, and their records go to disk together (one write, one wait)."""
        now = link.now()
        batch = _StoreBatch()
        for action in actions:
            self._carry(self.partner.carry([action], now), batch)
        self._flush(batch)
        self._reschedule()

    def _reschedule(self) -> None:
        """Counts or states may have changed: ISC re-checks when to balance next."""
        if self._link is None:
            return
        before = self.partner.balance_at
        self.partner.schedule_balance(self._link.now(), jitter=random.randint(0, 4))
        if self.partner.balance_at != before:
            self._rescheduled.set()

    async def _balance_timer(self) -> None:
        """Runs the pool-balance timer the partner schedules."""
        while True:
            self._rescheduled = trio.Event()
            due = self.partner.balance_at
            wait = math.inf if due is None else max(due - self._wall_clock(), 0)
            with trio.move_on_after(wait):
                await self._rescheduled.wait()
            if self._link is not None and due is not None and self._link.now() >= due:
                self._carry_now(self.partner.balance_due(self._link.now()))

    def _carry_now(self, actions: Sequence[PartnerAction]) -> None:
        batch = _StoreBatch()
        self._carry(actions, batch)
        self._flush(batch)

    def _carry(self, actions: Sequence[PartnerAction], batch: _StoreBatch) -> None:
        """Carry out the partner's actions; the records to store are applied to the
        view and numbered at once, in order, and join `batch` for one write."""
        assert self._link is not None
        for action in actions:
            if isinstance(action, StoreLease):
                batch.events += self.daemon.stage([action.change])
                batch.stores.append(action)
            elif isinstance(action, StateChanged):
                # Queued after the lease records decided before it.
                self._flush(batch)
                durable = self.daemon.committer.submit(
                    self.daemon.stage_failover(action.record, action.cause))
                assert self._nursery is not None
                self._nursery.start_soon(durable)
            elif isinstance(action, LogLine):
                log = self.logger.error if action.level == "error" else self.logger.info
                log("%s", action.text)
            elif isinstance(action, Fatal):
                self.logger.error("%s", action.text)
                self._link.stop()
            elif isinstance(action, Transmit | DropLink):
                self._link.carry_out([action])
            # ServiceChanged: `service()` reads the machine each time.  (The partner
            # answers CheckPoolBalance and RescheduleExpired itself: they never get
            # here.)

    def _flush(self, batch: _StoreBatch) -> None:
        """Make the batch's records durable with one write and empty it: at once when
        the committer is idle (the peer waits for these BNDACKs before it sends more,
        so there is nothing else to do meanwhile), else queued in order (numbered and
        queued here; only the wait is a task's)."""
        if not batch.stores:
            return
        events, stores = batch.events, batch.stores
        batch.events, batch.stores = [], []
        if self.daemon.committer.commit_now(events) is not None:
            self._stored(stores)
            return
        durable = self.daemon.committer.submit(events)
        assert self._nursery is not None
        self._nursery.start_soon(self._store_then, durable, stores)

    async def _store_then(self, durable: Callable[[], Awaitable[object]],
                          stores: list[StoreLease]) -> None:
        await durable()
        self._stored(stores)

    def _stored(self, stores: list[StoreLease]) -> None:
        """The records are durable: their BNDACKs in one send, then the peer is told
        of those of our own changes that must propagate."""
        if self._link is None:
            return
        self._link.carry_out([then for store in stores for then in store.then])
        batch = _StoreBatch()
        for store in stores:
            if store.propagate:
                self._carry(self.partner.lease_stored(store.change.lease, self._link.now()),
                            batch)
        self._flush(batch)
        self._reschedule()


@dataclass(slots=True)
class _StoreBatch:
    """Lease records decided together: their events and the stores they came from."""

    events: list[object] = field(default_factory=list)
    stores: list[StoreLease] = field(default_factory=list)
