"""The machine's network interfaces, as the server's start-up check needs them.

For each interface the kernel lists (in its index order, the order dhcpd walks them
in): its first IPv4 address and whether it is up, can broadcast, is loopback or is
point-to-point.  Two ioctls on an ordinary UDP socket answer that, SIOCGIFFLAGS and
SIOCGIFADDR, so no netlink library is needed.  SIOCGIFADDR gives the interface's
primary address only; dhcpd also matches secondary addresses to subnets, which this
does not see.
"""

from __future__ import annotations

import errno
import fcntl
import ipaddress
import socket
import struct

from domain.interface_check import NetworkInterface

SIOCGIFFLAGS = 0x8913
SIOCGIFADDR = 0x8915
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
# struct ifreq: a 16-byte name, then a union of at most 24 bytes (a sockaddr here).
_IFREQ = struct.Struct("16s24x")
_NAME_BYTES = 16
# in the union's sockaddr_in: family (2 bytes), port (2 bytes), then the address
_ADDRESS_AT = _NAME_BYTES + 4


def list_interfaces() -> tuple[NetworkInterface, ...]:
    """Every interface of this network namespace, in index order.  An interface that
    vanishes while it is being read is left out; OSError when the kernel will not
    list them or tell an interface's flags."""
    found = []
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            flags = _flags(sock, name)
            if flags is None:
                continue
            found.append(NetworkInterface(
                name=name,
                address=_first_ipv4_address(sock, name),
                up=bool(flags & IFF_UP),
                broadcast=bool(flags & IFF_BROADCAST),
                loopback=bool(flags & IFF_LOOPBACK),
                point_to_point=bool(flags & IFF_POINTOPOINT),
            ))
    return tuple(found)


def _request(name: str) -> bytes:
    return _IFREQ.pack(name.encode()[:_NAME_BYTES - 1])


def _flags(sock: socket.socket, name: str) -> int | None:
    try:
        answer = fcntl.ioctl(sock.fileno(), SIOCGIFFLAGS, _request(name))
    except OSError as exc:
        if exc.errno == errno.ENODEV:
            return None
        raise
    (flags,) = struct.unpack_from("H", answer, _NAME_BYTES)
    return int(flags)


def _first_ipv4_address(sock: socket.socket, name: str) -> ipaddress.IPv4Address | None:
    """The interface's primary IPv4 address; None when it has none (EADDRNOTAVAIL) or
    is gone (ENODEV) — having no address is an answer, not an error."""
    try:
        answer = fcntl.ioctl(sock.fileno(), SIOCGIFADDR, _request(name))
    except OSError:
        return None
    return ipaddress.IPv4Address(answer[_ADDRESS_AT:_ADDRESS_AT + 4])
