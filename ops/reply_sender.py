"""The daemon's replies on their way out: encoded, routed as dhcpd routes them, sent
without yielding when the socket has room (a task waits for room otherwise), and
counted; a send that fails is logged and the server goes on."""

from __future__ import annotations

import logging
from dataclasses import dataclass

import trio

from adapters.dhcp_udp import DhcpUdpEndpoint
from adapters.dhcp_wire import encode
from domain.dhcp_decision import Decision
from domain.dhcp_packet import Inbound
from domain.reply_route import Route, route_reply
from ops.dhcpd_log import emit


@dataclass
class ServerStats:
    received: int = 0
    malformed: int = 0
    replies: int = 0
    bursts: int = 0  # reads from the socket; `received` / `bursts` is the mean burst


class ReplySender:
    """Sends decisions' replies through one endpoint."""

    def __init__(self, endpoint: DhcpUdpEndpoint, stats: ServerStats,
                 logger: logging.Logger, *, client_port: int | None = None) -> None:
        self.endpoint = endpoint
        self.stats = stats
        self.logger = logger
        self.client_port = client_port  # dhcpd.conf's remote-port (None: server port + 1)

    def send_now(self, inbound: Inbound, decision: Decision,
                 nursery: trio.Nursery | None) -> None:
        """Send the reply without yielding; a full socket buffer leaves it to a task in
        `nursery`."""
        if decision.reply is None:
            return
        data, route = self._outgoing(inbound, decision)
        try:
            if not self.endpoint.try_send(data, route):
                assert nursery is not None, "replies are sent while the daemon runs"
                nursery.start_soon(self._send, data, route, decision)
                return
        except OSError as exc:
            self._failed(route, exc)
            return
        self._sent(decision)

    async def send(self, inbound: Inbound, decision: Decision) -> None:
        """Send the reply, waiting for room in the socket if need be."""
        if decision.reply is not None:
            await self._send(*self._outgoing(inbound, decision), decision)

    async def _send(self, data: bytes, route: Route, decision: Decision) -> None:
        try:
            await self.endpoint.send(data, route)
        except OSError as exc:
            self._failed(route, exc)
            return
        self._sent(decision)

    def _outgoing(self, inbound: Inbound, decision: Decision) -> tuple[bytes, Route]:
        assert decision.reply is not None
        data = encode(decision.reply, max_size=decision.max_message_size or 576)
        route = route_reply(inbound, decision.reply, server_port=self.endpoint.port,
                            client_port=self.client_port,
                            unicast_to_ciaddr=decision.unicast_to_ciaddr)
        return data, route

    def _failed(self, route: Route, exc: OSError) -> None:
        self.logger.error("send to %s:%d failed: %s", route.address, route.port, exc.strerror)

    def _sent(self, decision: Decision) -> None:
        self.stats.replies += 1
        emit(self.logger, decision.reply_log)
