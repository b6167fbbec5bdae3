"""A DHCP client that speaks to the server as a relay agent on loopback.

The demo and the daemon's integration tests need real DHCP exchanges without root,
network namespaces or a free port 67.  A relay agent needs none of those: it sends
from its own address with `giaddr` set to it, and the server answers it there on the
server port.  Option 82's link-selection sub-option names the subnet the "client" is
on, as real relays in front of many subnets do (RFC 3527), so the bundled example
configuration works unchanged.  A relay may also name the client's circuit (option
82's circuit-id), as per-port relays do; `lease limit` classes spawned on it key on that.
"""

from __future__ import annotations

import os
import socket
from dataclasses import dataclass, replace

import trio

from adapters.dhcp_wire import MalformedPacket, decode, encode
from domain.dhcp_packet import BOOTREQUEST, ZERO, DhcpPacket, MessageType, Opt

PRL = bytes([1, 3, 6, 15, 51, 54, 58, 59])


@dataclass(frozen=True)
class Exchange:
    """What a DORA gave: the offer and the ACK (or NAK), None when nothing came."""

    offer: DhcpPacket | None
    answer: DhcpPacket | None

    @property
    def address(self) -> str | None:
        if self.answer is not None and self.answer.message_type is MessageType.DHCPACK:
            return self.answer.yiaddr
        return None


class RelayClient:
    """Sends requests for many MACs as one relay on `relay_address`, all from one
    circuit (`circuit_id`, sent before the link selection) when one is given."""

    def __init__(
        self, server: tuple[str, int], relay_address: str, link: str,
        circuit_id: bytes | None = None,
    ) -> None:
        self.server = server
        self.relay_address = relay_address
        self.link = link
        self.circuit_id = circuit_id
        self._sock = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        self._xid = int.from_bytes(os.urandom(4), "big")

    async def open(self) -> RelayClient:
        await self._sock.bind((self.relay_address, self.server[1]))
        return self

    def close(self) -> None:
        self._sock.close()

    def _request(
        self, kind: MessageType, mac: bytes, options: dict[int, bytes] | None = None,
        secs: int = 0,
    ) -> DhcpPacket:
        self._xid = (self._xid + 1) & 0xFFFFFFFF
        agent = bytes([5, 4]) + socket.inet_aton(self.link)  # link-selection
        if self.circuit_id is not None:
            agent = bytes([1, len(self.circuit_id)]) + self.circuit_id + agent
        opts = {Opt.MESSAGE_TYPE: bytes([kind]), Opt.PARAMETER_REQUEST_LIST: PRL}
        opts.update(options or {})
        opts[Opt.RELAY_AGENT_INFORMATION] = agent
        return DhcpPacket(
            op=BOOTREQUEST, htype=1, hlen=6, hops=1, xid=self._xid, secs=secs, flags=0,
            ciaddr=ZERO, yiaddr=ZERO, siaddr=ZERO, giaddr=self.relay_address, chaddr=mac,
            options=opts,
        )

    async def _ask(
        self, packet: DhcpPacket, expect: frozenset[MessageType], wait: float, tries: int = 3
    ) -> DhcpPacket | None:
        """Send and wait `wait` seconds for an answer of an `expect`ed type with this
        xid, retransmitting as real clients do (a datagram lost in a full socket buffer
        must not end the exchange; a late answer to an earlier try is still taken)."""
        data = encode(packet, max_size=1500)
        for _ in range(tries):
            await self._sock.sendto(data, self.server)
            with trio.move_on_after(wait):
                while True:
                    raw, _ = await self._sock.recvfrom(4096)
                    try:
                        reply = decode(raw)
                    except MalformedPacket:
                        continue
                    if reply.xid == packet.xid and reply.message_type in expect:
                        return reply
        return None

    async def dora(self, mac: bytes, *, hostname: str | None = None,
                   wait: float = 2.0, secs: int = 0) -> Exchange:
        """DISCOVER, OFFER, REQUEST, ACK for `mac`; `wait` seconds per try (more than
        the server's ping-check timeout, which delays every offer).  `secs` is the
        client's seconds-since-start: past a failover pair's `load balance max
        seconds`, either server answers it."""
        extra: dict[int, bytes] = {Opt.HOST_NAME: hostname.encode()} if hostname else {}
        discover = self._request(MessageType.DHCPDISCOVER, mac, extra, secs)
        offer = await self._ask(discover, frozenset({MessageType.DHCPOFFER}), wait)
        if offer is None:
            return Exchange(offer, None)
        server_id = offer.option(Opt.SERVER_IDENTIFIER) or b""
        request = self._request(
            MessageType.DHCPREQUEST, mac,
            {Opt.REQUESTED_ADDRESS: socket.inet_aton(offer.yiaddr),
             Opt.SERVER_IDENTIFIER: server_id, **extra},
        )
        request = replace(request, xid=offer.xid)
        answers = frozenset({MessageType.DHCPACK, MessageType.DHCPNAK})
        return Exchange(offer, await self._ask(request, answers, wait))

    async def release(self, mac: bytes, address: str, server_id: bytes) -> None:
        """DHCPRELEASE (no answer comes)."""
        packet = replace(
            self._request(MessageType.DHCPRELEASE, mac, {Opt.SERVER_IDENTIFIER: server_id}),
            ciaddr=address,
        )
        await self._sock.sendto(encode(packet, max_size=1500), self.server)

