"""DHCP over UDP with trio: datagrams in with their arrival interface, replies out by route.

Thin on purpose (model: hypercorn's trio UDP server): this module holds the socket,
learns which interface a broadcast arrived on (IP_PKTINFO), and carries out a
`domain.reply_route.Route`.  Decoding, deciding and logging happen elsewhere.

Under load the server takes a burst at a time: `receive_burst` waits for one datagram
and then takes what else is already queued without waiting, and `try_send` sends
without yielding to trio (a UDP send almost never blocks).  Each `await` on a trio
socket is a trip through the scheduler, which costs more than the datagram's own
system call; a burst of requests pays it once.

Linux facts used: `IP_PKTINFO` is 8 (Python 3.11 lacks the constant) and its
`struct in_pktinfo` is (ifindex, spec_dst, addr); sending with an IP_PKTINFO control
message picks the outgoing interface, which is how a broadcast reply leaves on the
interface the request came in on.  A reply to a client with no address yet needs an
ARP entry for it (SIOCSARP, root only); without one it is broadcast instead, as
RFC 2131 allows.
"""

from __future__ import annotations

import fcntl
import socket
import struct
from dataclasses import dataclass

import trio

from domain.reply_route import BROADCAST, Route

IP_PKTINFO = 8
SO_BINDTODEVICE = 25
SIOCSARP = 0x8955
ATF_COM = 0x02
ARPHRD_ETHER = 1
_PKTINFO = struct.Struct("=I4s4s")
_MAX_DATAGRAM = 65535
RECEIVE_BUFFER = 4 * 1024 * 1024


@dataclass(frozen=True, slots=True)
class Datagram:
    """A received datagram: bytes, the sender, and where it arrived."""

    data: bytes
    source_address: str
    source_port: int
    interface: str
    interface_address: str | None


class DhcpUdpEndpoint:
    """One UDP socket on the DHCP server port."""

    def __init__(self, raw: socket.socket, port: int) -> None:
        raw.setblocking(False)
        self._raw = raw  # the same socket: for the calls that must not yield
        self._sock = trio.socket.from_stdlib_socket(raw)
        self.port = port
        self._names: dict[int, str] = {}

    @classmethod
    async def open(
        cls, address: str = "0.0.0.0", port: int = 67, device: str | None = None
    ) -> DhcpUdpEndpoint:
        raw = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        try:
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
            raw.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
            # Room for bursts (many clients booting at once); the kernel caps it at rmem_max.
            raw.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
            if device is not None:
                raw.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, device.encode() + b"\0")
            endpoint = cls(raw, port)
            await endpoint._sock.bind((address, port))
        except BaseException:
            raw.close()
            raise
        endpoint.port = raw.getsockname()[1]
        return endpoint

    def close(self) -> None:
        self._sock.close()

    async def receive(self) -> Datagram:
        return self._datagram(*await self._sock.recvmsg(
            _MAX_DATAGRAM, socket.CMSG_SPACE(_PKTINFO.size)
        ))

    async def receive_burst(self, limit: int) -> list[Datagram]:
        """Wait for a datagram, then take up to `limit` in all of those already queued."""
        burst = [await self.receive()]
        while len(burst) < limit:
            try:
                received = self._raw.recvmsg(_MAX_DATAGRAM, socket.CMSG_SPACE(_PKTINFO.size))
            except (BlockingIOError, InterruptedError):
                break
            burst.append(self._datagram(*received))
        return burst

    def _datagram(self, data: bytes, ancdata: list[tuple[int, int, bytes]], _flags: int,
                  source: tuple[str, int]) -> Datagram:
        src, sport = source
        interface, local = "", None
        for level, kind, payload in ancdata:
            if level == socket.IPPROTO_IP and kind == IP_PKTINFO and len(payload) >= 12:
                ifindex, spec_dst, _addr = _PKTINFO.unpack_from(payload)
                interface = self._name(ifindex)
                local = socket.inet_ntoa(spec_dst)
        return Datagram(data, src, sport, interface, local)

    def _name(self, ifindex: int) -> str:
        name = self._names.get(ifindex)
        if name is None:
            try:
                name = socket.if_indextoname(ifindex)
            except OSError:
                name = f"if{ifindex}"
            self._names[ifindex] = name
        return name

    async def send(self, data: bytes, route: Route) -> None:
        """Send `data` as `route` says; a send error is the caller's to log."""
        await self._sock.sendmsg(*self._message(data, route))

    def try_send(self, data: bytes, route: Route) -> bool:
        """`send` without yielding: False if the socket's buffer is full (then `send`
        waits for room); a send error is the caller's to log."""
        try:
            self._raw.sendmsg(*self._message(data, route))
        except (BlockingIOError, InterruptedError):
            return False
        return True

    def _message(self, data: bytes, route: Route) -> tuple[
            list[bytes], list[tuple[int, int, bytes]], int, tuple[str, int]]:
        address = route.address
        if route.link_address is not None and not self.add_arp_entry(route):
            address = BROADCAST
        control = []
        if address == BROADCAST and route.interface:
            try:
                ifindex = socket.if_nametoindex(route.interface)
            except OSError:
                ifindex = 0
            if ifindex:
                info = _PKTINFO.pack(ifindex, bytes(4), bytes(4))
                control.append((socket.IPPROTO_IP, IP_PKTINFO, info))
        return [data], control, 0, (address, route.port)

    def add_arp_entry(self, route: Route) -> bool:
        """Teach the kernel the client's MAC so a unicast reply can reach it."""
        mac = route.link_address or b""
        if len(mac) != 6 or not route.interface:
            return False
        # struct arpreq: protocol address, hardware address, flags, netmask, device
        request = struct.pack(
            "=H2s4s8sH6s8siH2s4s8s16s",
            socket.AF_INET, b"", socket.inet_aton(route.address), b"",
            ARPHRD_ETHER, mac, b"",
            ATF_COM,
            socket.AF_INET, b"", b"", b"",
            route.interface.encode()[:15],
        )
        try:
            fcntl.ioctl(self._sock.fileno(), SIOCSARP, request)
        except OSError:
            return False
        return True
