"""DHCP over UDP with trio: datagrams in with their arrival interface, replies out by route.

Thin on purpose (model: hypercorn's trio UDP server): this module holds the socket,
learns which interface a broadcast arrived on (IP_PKTINFO), and carries out a
`domain.reply_route.Route`.  Decoding, deciding and logging happen elsewhere.

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

    def __init__(self, sock: trio.socket.SocketType, port: int) -> None:
        self._sock = sock
        self.port = port
        self._names: dict[int, str] = {}

    @classmethod
    async def open(
        cls, address: str = "0.0.0.0", port: int = 67, device: str | None = None
    ) -> DhcpUdpEndpoint:
        sock = trio.socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_BROADCAST, 1)
        sock.setsockopt(socket.IPPROTO_IP, IP_PKTINFO, 1)
        # Room for bursts (many clients booting at once); the kernel caps it at rmem_max.
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, RECEIVE_BUFFER)
        if device is not None:
            sock.setsockopt(socket.SOL_SOCKET, SO_BINDTODEVICE, device.encode() + b"\0")
        await sock.bind((address, port))
        return cls(sock, sock.getsockname()[1])

    def close(self) -> None:
        self._sock.close()

    async def receive(self) -> Datagram:
        data, ancdata, _flags, (src, sport) = await self._sock.recvmsg(
            _MAX_DATAGRAM, socket.CMSG_SPACE(_PKTINFO.size)
        )
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
        await self._sock.sendmsg([data], control, 0, (address, route.port))

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
