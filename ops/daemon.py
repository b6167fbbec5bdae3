"""The running server: one trio program around the pure decision core.

Per datagram: decode → `decide()` → log lines → offer holds and lease changes applied
to the view at once (so the next request, decided before this one's write finishes,
already sees the address as taken) → the changes made durable by the group committer
→ the optional ping-check → the reply.  No reply leaves before its lease is on disk;
if a write fails the server stops (the log is consistent and a restart replays it).

Requests are taken in bursts (what the socket holds when the server gets to it): each
is decided and staged in turn, the replies that need no disk (offers) leave at once,
and the burst's lease changes go to the committer as one write whose replies a task
sends when it is durable, while the next burst is decided.  Under load a burst costs
one trip through trio's scheduler instead of one per request; a lone request is a
burst of one.  A request that pings first (ping-check) is carried out on its own; one
whose statements `execute` a command is staged at once, but the rest of its log and
its reply wait for the commands (ops/statement_commands.py).

A second task runs the lease timers (expiry, release and abandon timeouts) from the
expiry queue.  Time comes from one injected clock so tests can drive it.

Each `failover peer` runs as a `FailoverRunner` (ops/failover_runner.py): its state
decides what `decide()` may do for the relationship's pools, and every change of ours
to one of its leases is sent to the peer once it is durable.
"""

from __future__ import annotations

import gc
import ipaddress
import logging
import math
import time
from collections.abc import Awaitable, Callable, Mapping, MutableMapping, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import trio

from adapters.commit import GroupCommitter
from adapters.dhcp_udp import Datagram, DhcpUdpEndpoint
from adapters.dhcp_wire import MalformedPacket, decode
from adapters.icmp_ping import Pinger
from adapters.leasefile.lease_log import LeaseLog, LeaseLogStore
from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision, LeaseChange
from domain.dhcp_discover import ping_answered
from domain.dhcp_packet import Inbound
from domain.dhcp_server import decide as decide_reply
from domain.failover.service_view import FailoverServices
from domain.failover_events import StateChanged as FailoverStateChanged
from domain.failover_events import failover_id
from domain.lease import FailoverStateRecord, Lease
from domain.lease_lifecycle import handle_timer, settle_after_load
from ops.dhcpd_log import emit, lines_batched
from ops.failover_runner import FailoverRunner
from ops.lease_bodies import LeaseBodies
from ops.reply_sender import ReplySender, ServerStats
from ops.statement_commands import StatementCommands
from projections.lease_view import LeaseView

MAX_BURST = 32  # datagrams taken from the socket at once
MAX_IN_FLIGHT = 64  # bursts (or pinging requests) waiting for the disk; more wait in the socket
TIMER_POLL = 1.0  # seconds between lease-timer checks at most
STAMP_SHARED_SECONDS = 0.001  # changes staged this close share their events' time


class Daemon:
    """Holds what one running server needs; `run()` serves until cancelled."""

    def __init__(
        self,
        config: DhcpConfig,
        lease_log: LeaseLog,
        endpoint: DhcpUdpEndpoint,
        logger: logging.Logger,
        *,
        interfaces: Sequence[str] = (),
        interface_networks: Mapping[str, str] | None = None,
        interface_addresses: Mapping[str, str] | None = None,
        clock: Callable[[], float] = time.time,
        pinger: Pinger | None = None,
    ) -> None:
        self.config = config
        self.log = lease_log
        self.endpoint = endpoint
        self.logger = logger
        self.interfaces = frozenset(interfaces)
        # interface -> the shared network the start-up check attached it to, and its
        # first address (dhcpd's server identifier there; the kernel's pick for a
        # broadcast, IP_PKTINFO's spec_dst, may be another interface's address)
        self.interface_networks = dict(interface_networks or {})
        self.interface_addresses = dict(interface_addresses or {})
        self.clock = clock
        self._stamped_at, self._stamped = -1.0, datetime.fromtimestamp(0, UTC)
        self.pinger = pinger
        self.commands = StatementCommands(logger)
        self.lease_bodies = LeaseBodies(config)
        self.view = LeaseView(config)
        # Unbounded queue: DHCP requests in flight are bounded by MAX_IN_FLIGHT, and a
        # failover bulk change (a pool balance, an UPDREQALL answer) by the pool's size;
        # such a change is queued synchronously and must never find the queue full.
        self.committer: GroupCommitter = GroupCommitter(LeaseLogStore(lease_log), _ignore,
                                                        queue_size=math.inf)
        self.stats = ServerStats()
        self.replies = ReplySender(endpoint, self.stats, logger,
                                   client_port=config.global_parameters.remote_port)
        # The version of each address's newest event, durable or queued: the event
        # numbers are ours to give, so the trio thread never asks the store (whose
        # lock is held through every fsync).
        self._versions: MutableMapping[str, int] = {}
        self._limit = trio.Semaphore(MAX_IN_FLIGHT)
        self.runners: dict[str, FailoverRunner] = {}
        self._nursery: trio.Nursery | None = None  # run()'s, for replies sent late

    def now(self) -> int:
        return int(self.clock())

    # -- start-up -----------------------------------------------------------------------

    def load(self) -> list[LeaseChange]:
        """Build the projections from the log; return the transitions due meanwhile
        (dhcpd expires what ran out while it was down before it serves)."""
        latest = self.log.load_latest_state()
        self.view.load_packed(latest.leases)
        # Every aggregate of the live segment, failover relationships too; one absent
        # is at 0 (`get(id, 0)`), as a relationship that never wrote a state.
        self._versions = latest.versions
        for peer in self.config.failover_peers:
            self.runners[peer.name] = FailoverRunner(
                self, peer, latest.failover_states.get(peer.name), wall_clock=self.clock)
        return settle_after_load(self.view, self.config, self.now(), self.failover_services())

    def failover_services(self) -> FailoverServices | None:
        """What each relationship lets the DHCP core do now (None: no failover)."""
        if not self.runners:
            return None
        return {name: runner.service() for name, runner in self.runners.items()}

    # -- the tasks ------------------------------------------------------------------------

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        async with trio.open_nursery() as nursery:
            self._nursery = nursery
            await nursery.start(self.committer.run)
            settled = self.load()
            # What start-up built (configuration, view, indexes) lives as long as the
            # server: out of the cyclic collector's sight, its passes stay short.
            gc.freeze()
            if settled:
                await self.persist(settled)
            for runner in self.runners.values():
                await nursery.start(runner.run)
            nursery.start_soon(self._timers)
            task_status.started()
            while True:
                burst = await self.endpoint.receive_burst(MAX_BURST)
                with lines_batched(self.logger):
                    durable, pinging = self._serve_burst(burst)
                if durable is not None:
                    # It must wait for the disk: let the next burst in meanwhile.
                    await self._limit.acquire()
                    nursery.start_soon(self._reply_when_durable, durable)
                for inbound, decision in pinging:
                    await self._limit.acquire()
                    nursery.start_soon(self._carry_out_then_release, inbound, decision)

    def _serve_burst(self, burst: Sequence[Datagram]) -> tuple[_Durable | None,
                                                               list[tuple[Inbound, Decision]]]:
        """Decide and stage each request of `burst` in turn, sending what needs no disk.
        Returns the burst's staged changes with the replies waiting on them, and the
        requests that ping before they are carried out."""
        self.stats.bursts += 1
        durable = _Durable()
        pinging: list[tuple[Inbound, Decision]] = []
        services = self.failover_services()  # no failover state changes within a burst
        for datagram in burst:
            if self.interfaces and datagram.interface not in self.interfaces:
                continue
            request = self.decide(datagram, services)
            if request is None:
                continue
            inbound, decision = request
            if decision.ping is not None:
                pinging.append(request)
                continue
            commands_done = None
            if decision.commands:
                assert self._nursery is not None, "requests are decided while run() runs"
                commands_done = self.commands.start(self._nursery, decision)
            else:
                emit(self.logger, decision.log)
            for hold in decision.holds:
                self.view.hold(hold)
            if decision.changes:
                durable.events += self.stage(decision.changes, bodies_run=True)
                durable.owners += self._storing(decision.changes)
                durable.replies.append((inbound, decision, commands_done))
            elif commands_done is not None:
                assert self._nursery is not None
                self._nursery.start_soon(self._reply_after, commands_done, inbound, decision)
            else:
                self.replies.send_now(inbound, decision, self._nursery)
        return (durable if durable.events else None), pinging

    async def _reply_when_durable(self, durable: _Durable) -> None:
        try:
            await self.commit(durable.events)
            self._stored(durable.owners)
            for _inbound, _decision, commands_done in durable.replies:
                if commands_done is not None:
                    await commands_done.wait()
            with lines_batched(self.logger):
                for inbound, decision, _done in durable.replies:
                    self.replies.send_now(inbound, decision, self._nursery)
        finally:
            self._limit.release()

    async def _reply_after(self, commands_done: trio.Event, inbound: Inbound,
                           decision: Decision) -> None:
        """The reply of a decision whose `execute` commands still run (an offer)."""
        await commands_done.wait()
        self.replies.send_now(inbound, decision, self._nursery)

    async def _carry_out_then_release(self, inbound: Inbound, decision: Decision) -> None:
        try:
            await self.carry_out(inbound, decision)
        finally:
            self._limit.release()

    async def handle(self, datagram: Datagram) -> None:
        """One request, end to end (see the module docstring)."""
        request = self.decide(datagram)
        if request is not None:
            await self.carry_out(*request)

    def decide(self, datagram: Datagram, services: FailoverServices | None = None,
               ) -> tuple[Inbound, Decision] | None:
        """Decode and decide, synchronously: no other request can change the view
        between the two, so two clients are never given the same free address.
        `services`: the relationships' `failover_services()` when the caller has them."""
        self.stats.received += 1
        try:
            packet = decode(datagram.data)
        except MalformedPacket as exc:
            self.stats.malformed += 1
            self.logger.info("%s (from %s:%d via %s)", exc.log_line, datagram.source_address,
                             datagram.source_port, datagram.interface or "?")
            return None
        interface = datagram.interface
        inbound = Inbound(packet, interface, datagram.source_address, datagram.source_port,
                          self.interface_addresses.get(interface, datagram.interface_address),
                          self.interface_networks.get(interface))
        if services is None:
            services = self.failover_services()
        now = self.now()
        decision = decide_reply(inbound, self.view, self.config, now, services)
        return inbound, self.lease_bodies.merged(decision, self.view.table.get, now)

    async def carry_out(self, inbound: Inbound, decision: Decision) -> None:
        await self.commands.run(decision)  # its log, with any commands at their places
        for hold in decision.holds:
            self.view.hold(hold)
        if decision.changes:
            await self.persist(decision.changes, bodies_run=True)
        ping = decision.ping
        if (
            ping is not None
            and self.pinger is not None
            and await self.pinger.answered(ping.address, ping.timeout)
        ):
            now = self.now()
            verdict = ping_answered(ping, self.view, self.config, now, self.failover_services())
            verdict = self.lease_bodies.merged(verdict, self.view.table.get, now)
            await self.commands.run(verdict)
            if verdict.changes:
                await self.persist(verdict.changes, bodies_run=True)
            return
        if decision.reply is not None:
            await self.replies.send(inbound, decision)

    async def persist(self, changes: Sequence[LeaseChange], *, bodies_run: bool = False) -> None:
        """Apply `changes` to the view now, wait until they are durable, then tell
        the failover peer of those in its pools (`bodies_run`: see `stage`)."""
        events = self.stage(changes, bodies_run=bodies_run)
        owners = self._storing(changes)
        await self.commit(events)
        self._stored(owners)

    def stage_now(self, changes: Sequence[LeaseChange]) -> Callable[[], Awaitable[None]]:
        """`persist` from synchronous code: applied and queued now, in order; what it
        returns waits until they are durable, then tells the failover peer."""
        durable = self.committer.submit(self.stage(changes))
        owners = self._storing(changes)

        async def stored() -> None:
            await durable()
            self._stored(owners)
        return stored

    def _storing(self, changes: Sequence[LeaseChange]) -> list[tuple[Lease, FailoverRunner]]:
        """Tell each relationship of its leases now being written (held from the peer
        until durable); return them for `_stored`."""
        owners = []
        for change in changes:
            runner = self._runner_for(change.lease.ip)
            if runner is not None:
                runner.partner.lease_storing(change.lease.ip)
                owners.append((change.lease, runner))
        return owners

    def _stored(self, owners: Sequence[tuple[Lease, FailoverRunner]]) -> None:
        """They are durable: each relationship may now send them to its peer."""
        for lease, runner in owners:
            runner.lease_stored(lease)

    def stage(self, changes: Sequence[LeaseChange], *, bodies_run: bool = False) -> list[object]:
        """Apply `changes` to the view and number their events, synchronously, so that
        the order of changes is the order of decisions whatever the writes do.  A
        change that ends a lease with an `on expiry`/`on release` body runs it here,
        unless `bodies_run` (a request's decision has its bodies' output already)."""
        stamp = self._stamp()
        events: list[object] = []
        for change in changes:
            replaced = self.view.apply(change.lease)
            if not bodies_run and replaced is not None and (
                replaced.on_expiry is not None or replaced.on_release is not None
            ):
                self._run_body(replaced, change)
            version = self._next_version(change.lease.ip)
            events.append(change.event(originator_id=change.lease.ip,
                                       originator_version=version, timestamp=stamp,
                                       lease=change.lease, cause=change.cause))
        return events

    def _stamp(self) -> datetime:
        """The events' time: one time object for the changes staged within a
        millisecond (a burst's), so the lease file's writer formats it once."""
        now = self.clock()
        if abs(now - self._stamped_at) >= STAMP_SHARED_SECONDS:
            self._stamped_at, self._stamped = now, datetime.fromtimestamp(now, UTC)
        return self._stamped

    def _run_body(self, old: Lease, change: LeaseChange) -> None:
        output = self.lease_bodies.for_change(old, change, self.now())
        if output is None:
            return
        if output.commands and self._nursery is not None:
            self.commands.start(self._nursery, output)
        else:
            emit(self.logger, output.log)

    def stage_failover(self, record: FailoverStateRecord, cause: str) -> list[object]:
        """The event recording a relationship's new state record (ISC writes one on
        every state change of either side)."""
        stamp = self._stamp()
        aggregate_id = failover_id(record.peer)
        version = self._next_version(aggregate_id)
        return [FailoverStateChanged(originator_id=aggregate_id, originator_version=version,
                                     timestamp=stamp, state=record, cause=cause)]

    async def commit(self, events: Sequence[object]) -> None:
        """Wait until `events` are durable (group commit)."""
        await self.committer.commit(list(events))

    async def shutdown(self) -> None:
        """Before the tasks are cancelled: every failover link says DISCONNECT."""
        for runner in self.runners.values():
            await runner.stop()

    def _runner_for(self, ip: str) -> FailoverRunner | None:
        if not self.runners:
            return None
        pool = self.config.pool_for_address(ipaddress.IPv4Address(ip))
        if pool is None or pool.failover_peer is None:
            return None
        return self.runners.get(pool.failover_peer)

    def _next_version(self, aggregate_id: str) -> int:
        """The next event number of an address (or relationship): after the durable
        ones and any still queued.  (A rotation keeps versions, so the numbers stay
        valid across segments.)"""
        version = self._versions.get(aggregate_id, 0) + 1
        self._versions[aggregate_id] = version
        return version

    async def _timers(self) -> None:
        while True:
            now = self.now()
            changes = handle_timer(self.view, self.config, now, self.failover_services())
            if changes:
                await self.persist(changes)
            deadline = self.view.expiry.next_deadline()
            if deadline is None or (deadline <= now and not changes):
                # Nothing due, or only what waits on the failover peer (a secondary
                # in normal leaves expiry to the primary): look again in a while.
                wait = TIMER_POLL
            else:
                wait = min(max(deadline - now, 0.05), TIMER_POLL)
            await trio.sleep(wait)


@dataclass
class _Durable:
    """A burst's staged events, the relationships told of them, and the replies that
    leave once they are durable."""

    events: list[object] = field(default_factory=list)
    owners: list[tuple[Lease, FailoverRunner]] = field(default_factory=list)
    # with, for a decision whose `execute` commands run, the event they end with
    replies: list[tuple[Inbound, Decision, trio.Event | None]] = field(default_factory=list)


def _ignore(_recordings: list) -> None:
    """The view is updated when a decision is taken (see `Daemon.persist`)."""

