"""The failover link over TCP (trio): sockets, framing and one timer, nothing else.

`PeerLink` listens on the relationship's `address`/`port`, connects to `peer address`/
`peer port` whenever no link is up (every `RECONNECT_SECONDS`, as ISC does), keeps only
inbound connections whose source is the configured peer address, frames the stream with
the 2-byte length of the 12-byte header, and hands every decoded message to the
`FailoverSession`: all the messages one read brought, then all the session's answers
at once (so a burst of BNDUPDs can be stored with one write).  What is to be sent is
written at once when nothing waits before it, else queued for the connection's one
writer task (trio lets only one task at a time into `send_all`).  All protocol
decisions — CONNECT, CONTACT, the receive timeout, state changes — are the session's;
this module only runs its actions and calls `handle_timer` at `next_deadline()`.

Time: the session counts whole seconds since the epoch.  The link reads them as the
wall clock at start plus the trio clock since, so a test's `MockClock` drives the
session's timers as well as trio's.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import os
import time
from collections.abc import Callable

import trio

from adapters.failover_wire import MalformedFailoverMessage, decode, encode, message_length
from domain.failover.session import Action, DropLink, FailoverSession, Transmit
from domain.failover.states import LogLine

RECONNECT_SECONDS = 5
DRAIN_SECONDS = 1.0
_READ_SIZE = 65536


class _Connection:
    """One TCP connection: its stream, its outgoing queue and the scope that ends it."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.outgoing, self.queued = trio.open_memory_channel[bytes](math.inf)
        self.scope = trio.CancelScope()
        self.backlog = 0  # messages queued for the writer and not yet sent
        self.closing = False

    def send(self, data: bytes) -> None:
        """Send `data` after everything sent before.  When nothing waits for the writer,
        it is written at once, without yielding (a burst of BNDACKs leaves as soon as
        it is durable, not a trip through the scheduler later); what the socket does
        not take, or any error, is left to the writer task."""
        if self.closing:
            return
        if not self.backlog:
            try:
                written = os.write(self.stream.socket.fileno(), data)
            except OSError:
                written = 0
            data = data[written:]
            if not data:
                return
        self.backlog += 1
        with contextlib.suppress(trio.ClosedResourceError):
            self.outgoing.send_nowait(data)

    def close(self) -> None:
        """Close once what is queued has gone out."""
        self.closing = True
        self.outgoing.close()


class PeerLink:
    """Runs one `FailoverSession` over TCP.  Every action that is not a transmission or
    a close (log lines, state records, BNDUPDs received) goes to `on_action` one by
    one, or to `on_burst` all together for each batch of actions — every message of
    one read — so its caller can store a burst of BNDUPDs with one write.  Build it
    inside `trio.run`: it reads the trio clock to anchor its own."""

    def __init__(
        self,
        session: FailoverSession,
        on_action: Callable[[PeerLink, Action], None] | None = None,
        *,
        on_burst: Callable[[PeerLink, list[Action]], None] | None = None,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        if (on_action is None) == (on_burst is None):
            raise ValueError("PeerLink takes either on_action or on_burst")
        self.session = session
        self._on_action = on_action
        self._on_burst = on_burst
        self._epoch_offset = wall_clock() - trio.current_time()
        self._connections: dict[int, _Connection] = {}
        self._link_ids = itertools.count(1)
        self._wakeup = trio.Event()
        self._timer_at = math.inf  # what the timer task waits for (trio clock)
        self._stopping = trio.Event()

    def now(self) -> int:
        """The session's clock: whole seconds since the epoch."""
        return int(self._epoch_offset + trio.current_time())

    def carry_out(self, actions: list[Action]) -> None:
        """Run the session's actions; callers use it for answers such as `acknowledge`.
        Transmissions queue at once, those of one call for one connection as one
        write; the other actions go to `on_burst` (or `on_action`), in order."""
        others: list[Action] = []
        outgoing: dict[int, list[bytes]] = {}
        for action in actions:
            if isinstance(action, Transmit):
                outgoing.setdefault(action.link, []).append(encode(action.message))
            elif isinstance(action, DropLink):
                self._queue(outgoing)
                outgoing.clear()
                connection = self._connections.get(action.link)
                if connection is not None:
                    connection.close()
            else:
                others.append(action)
        self._queue(outgoing)
        if self._trio_deadline() < self._timer_at:
            self._wakeup.set()
        if not others:
            return
        if self._on_burst is not None:
            self._on_burst(self, others)
        elif self._on_action is not None:
            for action in others:
                self._on_action(self, action)

    def _queue(self, outgoing: dict[int, list[bytes]]) -> None:
        for link, messages in outgoing.items():
            connection = self._connections.get(link)
            # A connection being closed takes nothing more.
            if connection is not None:
                connection.send(b"".join(messages))

    def _trio_deadline(self) -> float:
        """When the timer task must next call `handle_timer`, on the trio clock.  It is
        woken only when this moved earlier than what it waits for: a later deadline
        just makes it fire early and find nothing due."""
        deadline = self.session.next_deadline()
        return math.inf if deadline is None else deadline - self._epoch_offset + 0.001

    def stop(self) -> None:
        """Ask `run` to say DISCONNECT, close every connection and return."""
        self._stopping.set()

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """Listen, connect and keep the timers until `stop()`; started once listening."""
        config = self.session.config
        listeners = await trio.open_tcp_listeners(config.port, host=config.address)
        async with trio.open_nursery() as nursery:
            for listener in listeners:
                nursery.start_soon(self._accept_loop, listener, nursery)
            self.carry_out(self.session.start(self.now()))
            nursery.start_soon(self._connect_loop, nursery)
            nursery.start_soon(self._timer_loop)
            task_status.started()
            await self._stopping.wait()
            self.carry_out(self.session.shutdown(self.now()))
            with trio.move_on_after(DRAIN_SECONDS):
                while self._connections:
                    await trio.sleep(0.01)
            nursery.cancel_scope.cancel()
        for listener in listeners:
            await listener.aclose()

    async def _accept_loop(self, listener: trio.SocketListener, nursery: trio.Nursery) -> None:
        while True:
            stream = await listener.accept()
            if self._stopping.is_set():
                await stream.aclose()
                continue
            source = stream.socket.getpeername()[0]
            if source != self.session.config.peer_address:
                self.carry_out([LogLine("info", "failover: listener: no matching state")])
                await stream.aclose()
                continue
            nursery.start_soon(self._serve, stream)

    async def _connect_loop(self, nursery: trio.Nursery) -> None:
        config = self.session.config
        while True:
            wanted = self.session.wants_connection() and not self._stopping.is_set()
            if wanted and config.peer_address is not None:
                try:
                    stream = await trio.open_tcp_stream(
                        config.peer_address, config.peer_port, local_address=config.address
                    )
                except OSError:
                    pass
                else:
                    nursery.start_soon(self._serve, stream)
            await trio.sleep(RECONNECT_SECONDS)

    async def _timer_loop(self) -> None:
        while True:
            self._wakeup = trio.Event()
            self._timer_at = self._trio_deadline()
            at = self._timer_at
            with trio.move_on_at(at):
                await self._wakeup.wait()
            if trio.current_time() >= at:
                self.carry_out(self.session.handle_timer(self.now()))

    async def _serve(self, stream: trio.SocketStream) -> None:
        """Read, frame and decode one connection until it ends, whoever ends it."""
        link = next(self._link_ids)
        connection = _Connection(stream)
        self._connections[link] = connection
        try:
            async with trio.open_nursery() as nursery:
                nursery.start_soon(self._write, connection)
                with connection.scope:
                    self.carry_out(self.session.connection_made(link, self.now()))
                    await self._read(link, stream)
                connection.close()
        finally:
            del self._connections[link]
            with trio.CancelScope(shield=True):
                await stream.aclose()
            self.carry_out(self.session.connection_lost(link, self.now()))

    async def _read(self, link: int, stream: trio.SocketStream) -> None:
        """Frame and decode everything each read brought and carry out the session's
        answers to all of it at once.  A malformed message ends the connection; the
        messages before it still count, as when ISC reads them one by one."""
        buffer = b""
        try:
            while True:
                actions: list[Action] = []
                start = 0
                try:
                    while len(buffer) - start >= 2:
                        end = start + message_length(buffer[start : start + 2])
                        if end > len(buffer):
                            break
                        message = decode(buffer[start:end])
                        start = end
                        actions += self.session.message_received(link, message, self.now())
                except MalformedFailoverMessage as error:
                    self.carry_out(actions)
                    self.carry_out([LogLine("error", error.reason)])
                    return
                self.carry_out(actions)
                data = await stream.receive_some(_READ_SIZE)
                if not data:
                    return
                buffer = buffer[start:] + data
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            return

    async def _write(self, connection: _Connection) -> None:
        """The connection's only sender: everything queued goes out in order, then the
        connection ends (a DropLink closes the queue).  Messages queued meanwhile go
        out in one send (a burst of BNDUPDs or BNDACKs costs one system call)."""
        try:
            async for data in connection.queued:
                burst = [data]
                while True:
                    try:
                        burst.append(connection.queued.receive_nowait())
                    except (trio.WouldBlock, trio.EndOfChannel):
                        break
                await connection.stream.send_all(b"".join(burst))
                connection.backlog -= len(burst)
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            pass
        finally:
            connection.closing = True
        connection.scope.cancel()
