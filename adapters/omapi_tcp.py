"""The OMAPI port over TCP (trio): sockets only; `omapi_session` decides everything.

dhcpd listens on `omapi-port` on every address; so does this, unless `serve --listen`
names one address.  Each connection gets its own `OmapiConnection` (its keys in use),
all share the server's handle table.  At most `MAX_CONNECTIONS` at once: a client
past that is closed at once, so OMAPI can never starve the DHCP service; a request
that makes the session fail ends its connection (logged), never the server.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable

import trio

from adapters.omapi_session import OmapiConnection

MAX_CONNECTIONS = 16
_READ_SIZE = 65536

log = logging.getLogger(__name__)


class OmapiListener:
    """Serves OMAPI connections until cancelled."""

    def __init__(self, listeners: list[trio.SocketListener],
                 new_connection: Callable[[], OmapiConnection],
                 settle: Callable[[], Awaitable[None]] | None = None) -> None:
        self._listeners = listeners
        self._new_connection = new_connection
        self._settle = settle
        self._open = 0

    @classmethod
    async def open(cls, address: str, port: int,
                   new_connection: Callable[[], OmapiConnection],
                   settle: Callable[[], Awaitable[None]] | None = None) -> OmapiListener:
        """Bind now (an error is the caller's to report); serve with `serve`.
        `settle`: awaited before each answer, so what a request changed is durable
        before the client hears it was done."""
        return cls(await trio.open_tcp_listeners(port, host=address), new_connection,
                   settle)

    async def serve(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED
                    ) -> None:
        await trio.serve_listeners(self._converse, self._listeners, task_status=task_status)

    async def _converse(self, stream: trio.SocketStream) -> None:
        async with stream:
            if self._open >= MAX_CONNECTIONS:
                log.info("OMAPI: too many connections; one refused")
                return
            self._open += 1
            try:
                connection = self._new_connection()
                await stream.send_all(connection.opened())
                while True:
                    data = await stream.receive_some(_READ_SIZE)
                    if not data:
                        return
                    try:
                        answer, closing = connection.received(data)
                    except Exception:
                        # A fault of ours on some input: this connection ends, the
                        # server serves on (nothing a client sends may stop it).
                        log.exception("OMAPI: a request could not be handled")
                        return
                    if self._settle is not None:
                        await self._settle()
                    if answer:
                        await stream.send_all(answer)
                    if closing is not None:
                        log.info("OMAPI connection closed: %s", closing.reason)
                        return
            except (trio.BrokenResourceError, trio.ClosedResourceError, OSError):
                return
            finally:
                self._open -= 1
