"""The failover link over TCP (trio): sockets, framing and one timer, nothing else.

`PeerLink` listens on the relationship's `address`/`port`, connects to `peer address`/
`peer port` whenever no link is up (every `RECONNECT_SECONDS`, as ISC does), keeps only
inbound connections whose source is the configured peer address, frames the stream with
the 2-byte length of the 12-byte header, and hands every decoded message to the
`FailoverSession`.  Each connection has one writer task fed by a memory channel, since
trio lets only one task at a time into `send_all`.  All protocol decisions — CONNECT,
CONTACT, the receive timeout, state changes — are the session's; this module only runs
its actions and calls `handle_timer` at `next_deadline()`.

Time: the session counts whole seconds since the epoch.  The link reads them as the
wall clock at start plus the trio clock since, so a test's `MockClock` drives the
session's timers as well as trio's.
"""

from __future__ import annotations

import contextlib
import itertools
import math
import time
from collections.abc import Callable

import trio

from adapters.failover_wire import MalformedFailoverMessage, decode, encode, message_length
from domain.failover.session import Action, DropLink, FailoverSession, Transmit
from domain.failover.states import LogLine

RECONNECT_SECONDS = 5
DRAIN_SECONDS = 1.0
_READ_SIZE = 4096


class _Connection:
    """One TCP connection: its stream, its outgoing queue and the scope that ends it."""

    def __init__(self, stream: trio.SocketStream) -> None:
        self.stream = stream
        self.outgoing, self.queued = trio.open_memory_channel[bytes](math.inf)
        self.scope = trio.CancelScope()


class PeerLink:
    """Runs one `FailoverSession` over TCP; `on_action` receives every action that is
    not a transmission or a close (log lines, state records, BNDUPDs received).  Build
    it inside `trio.run`: it reads the trio clock to anchor its own."""

    def __init__(
        self,
        session: FailoverSession,
        on_action: Callable[[PeerLink, Action], None],
        *,
        wall_clock: Callable[[], float] = time.time,
    ) -> None:
        self.session = session
        self._on_action = on_action
        self._epoch_offset = wall_clock() - trio.current_time()
        self._connections: dict[int, _Connection] = {}
        self._link_ids = itertools.count(1)
        self._wakeup = trio.Event()
        self._stopping = trio.Event()

    def now(self) -> int:
        """The session's clock: whole seconds since the epoch."""
        return int(self._epoch_offset + trio.current_time())

    def carry_out(self, actions: list[Action]) -> None:
        """Run the session's actions; callers use it for answers such as `acknowledge`."""
        for action in actions:
            if isinstance(action, Transmit):
                connection = self._connections.get(action.link)
                # A connection being closed takes nothing more.
                with contextlib.suppress(trio.ClosedResourceError):
                    if connection is not None:
                        connection.outgoing.send_nowait(encode(action.message))
            elif isinstance(action, DropLink):
                connection = self._connections.get(action.link)
                if connection is not None:
                    connection.outgoing.close()
            else:
                self._on_action(self, action)
        self._wakeup.set()

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
                self._on_action(self, LogLine("info", "failover: listener: no matching state"))
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
            deadline = self.session.next_deadline()
            at = math.inf if deadline is None else deadline - self._epoch_offset + 0.001
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
                connection.outgoing.close()
        finally:
            del self._connections[link]
            with trio.CancelScope(shield=True):
                await stream.aclose()
            self.carry_out(self.session.connection_lost(link, self.now()))

    async def _read(self, link: int, stream: trio.SocketStream) -> None:
        buffer = bytearray()
        try:
            while True:
                while len(buffer) >= 2 and len(buffer) >= message_length(bytes(buffer[:2])):
                    size = message_length(bytes(buffer[:2]))
                    frame, buffer = bytes(buffer[:size]), buffer[size:]
                    self.carry_out(self.session.message_received(link, decode(frame), self.now()))
                data = await stream.receive_some(_READ_SIZE)
                if not data:
                    return
                buffer += data
        except MalformedFailoverMessage as error:
            self._on_action(self, LogLine("error", error.reason))
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
        except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
            pass
        connection.scope.cancel()
