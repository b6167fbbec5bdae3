"""The machine's network interfaces, as the server's start-up check needs them.

For each interface the kernel lists (in its index order, the order dhcpd walks them
in): its IPv4 addresses and whether it is up, can broadcast, is loopback or is
point-to-point.  The flags come from an ioctl (SIOCGIFFLAGS) on an ordinary UDP
socket; the addresses, secondary ones included, from the C library's getifaddrs (through
ctypes), which is what dhcpd reads them with — the SIOCGIFADDR ioctl would give only
the primary one.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import fcntl
import ipaddress
import os
import socket
import struct

from domain.interface_check import NetworkInterface

SIOCGIFFLAGS = 0x8913
IFF_UP = 0x1
IFF_BROADCAST = 0x2
IFF_LOOPBACK = 0x8
IFF_POINTOPOINT = 0x10
# struct ifreq: a 16-byte name, then a union of at most 24 bytes (a sockaddr here).
_IFREQ = struct.Struct("16s24x")
_NAME_BYTES = 16



class _SockaddrIn(ctypes.Structure):
    _fields_ = [("family", ctypes.c_ushort), ("port", ctypes.c_ushort),
                ("address", ctypes.c_ubyte * 4)]


class _Ifaddrs(ctypes.Structure):
    """struct ifaddrs (getifaddrs(3)); the fields after the address are not read."""


_Ifaddrs._fields_ = [("next", ctypes.POINTER(_Ifaddrs)), ("name", ctypes.c_char_p),
                     ("flags", ctypes.c_uint), ("address", ctypes.POINTER(_SockaddrIn))]


def list_interfaces() -> tuple[NetworkInterface, ...]:
    """Every interface of this network namespace, in index order.  An interface that
    vanishes while it is being read is left out; OSError when the kernel will not
    list them or tell an interface's flags."""
    found = []
    addresses = ipv4_addresses()
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as sock:
        for _index, name in socket.if_nameindex():
            flags = _flags(sock, name)
            if flags is None:
                continue
            found.append(NetworkInterface(
                name=name,
                addresses=tuple(addresses.get(name, ())),
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


def ipv4_addresses() -> dict[str, list[ipaddress.IPv4Address]]:
    """Every IPv4 address of every interface, by interface name, in the kernel's order
    (primary first); OSError when the C library cannot list them."""
    libc = ctypes.CDLL(ctypes.util.find_library("c"), use_errno=True)
    head = ctypes.POINTER(_Ifaddrs)()
    if libc.getifaddrs(ctypes.byref(head)) != 0:
        code = ctypes.get_errno()
        raise OSError(code, os.strerror(code))
    found: dict[str, list[ipaddress.IPv4Address]] = {}
    try:
        entry = head
        while entry:
            record = entry.contents
            if record.address and record.address.contents.family == socket.AF_INET:
                name = (record.name or b"").decode(errors="replace")
                found.setdefault(name, []).append(
                    ipaddress.IPv4Address(bytes(record.address.contents.address)))
            entry = record.next
    finally:
        libc.freeifaddrs(head)
    return found
