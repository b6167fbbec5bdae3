"""The ICMP echo dhcpd sends before offering an address (ping-check, on by default).

An address that answers is in use by someone the server does not know about, so it
must not be offered.  Linux lets an unprivileged process send echoes on an ICMP
datagram socket when `net.ipv4.ping_group_range` allows it, and root always has the
raw socket; when neither is possible the check cannot be made and the offer goes out,
which is what dhcpd does when its echo cannot be sent.
"""

from __future__ import annotations

import os
import socket
import struct

import trio

_ECHO_REQUEST = 8
_ECHO_REPLY = 0


def _checksum(data: bytes) -> int:
    if len(data) % 2:
        data += b"\0"
    total = sum(struct.unpack(f"!{len(data) // 2}H", data))
    total = (total >> 16) + (total & 0xFFFF)
    total += total >> 16
    return ~total & 0xFFFF


def echo_request(ident: int, sequence: int) -> bytes:
    header = struct.pack("!BBHHH", _ECHO_REQUEST, 0, 0, ident, sequence)
    payload = b"leaseledger ping-check"
    checksum = _checksum(header + payload)
    return struct.pack("!BBHHH", _ECHO_REQUEST, 0, checksum, ident, sequence) + payload


class Pinger:
    """Sends one echo and waits for its reply; `available` is False when this process
    may not send ICMP at all."""

    def __init__(self) -> None:
        self._sequence = 0
        self._raw = False
        self._sock: trio.socket.SocketType | None = None
        for kind, raw in ((socket.SOCK_DGRAM, False), (socket.SOCK_RAW, True)):
            try:
                self._sock = trio.socket.socket(socket.AF_INET, kind, socket.IPPROTO_ICMP)
                self._raw = raw
                break
            except OSError:
                continue

    @property
    def available(self) -> bool:
        return self._sock is not None

    async def answered(self, address: str, timeout: float) -> bool:
        """Whether `address` answers an echo within `timeout` seconds."""
        if self._sock is None:
            return False
        self._sequence = (self._sequence + 1) & 0xFFFF
        ident = os.getpid() & 0xFFFF
        try:
            await self._sock.sendto(echo_request(ident, self._sequence), (address, 0))
        except OSError:
            return False  # no route: nobody can answer
        with trio.move_on_after(timeout):
            while True:
                data, (source, _port) = await self._sock.recvfrom(2048)
                if self._raw:
                    data = data[(data[0] & 0x0F) * 4 :]
                if source == address and len(data) >= 8 and data[0] == _ECHO_REPLY:
                    return True
        return False

    def close(self) -> None:
        if self._sock is not None:
            self._sock.close()
