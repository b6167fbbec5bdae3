"""The byte-level parts of dhcp-eval that need no context: `binary-to-ascii`'s digits,
exactly as dhcpd prints them, and the request as raw bytes for `packet(…)`."""

from __future__ import annotations

import ipaddress

from domain.dhcp_packet import DhcpPacket

_HEX_DIGITS = b"0123456789abcdef"
_MAGIC_COOKIE = bytes([99, 130, 83, 99])


def binary_to_ascii(base: int, width: int, separator: bytes, buffer: bytes) -> bytes | None:
    """`binary-to-ascii(base, width, separator, buffer)` (omapip/convert.c digits).

    `width` is in bits (8, 16 or 32) and must divide the buffer; the base is taken
    as a C `unsigned int`.  Bases over 16 print nothing for each number; base 0
    would crash dhcpd and has no value here.
    """
    if width not in (8, 16, 32):
        return None
    size = width // 8
    if len(buffer) % size:
        return None
    base &= 0xFFFFFFFF
    if base == 0 and buffer:
        return None
    numbers = (int.from_bytes(buffer[i : i + size], "big") for i in range(0, len(buffer), size))
    return separator.join(_digits(number, base) for number in numbers)


def _converted_length(number: int, base: int) -> int:
    """How many digits dhcpd prints for `number`, with its 32-bit column arithmetic
    (so a 32-bit number above the last column that fits gets one digit too many)."""
    power = 1
    column_next = base
    while True:
        column = column_next
        if number < column:
            return power
        power += 1
        column_next = (column * base) & 0xFFFFFFFF
        if column_next <= column:
            return power


def _digits(number: int, base: int) -> bytes:
    if base > len(_HEX_DIGITS):
        return b""
    out = bytearray(_converted_length(number, base))
    for position in range(len(out) - 1, -1, -1):
        out[position] = _HEX_DIGITS[number % base]
        number //= base
    return bytes(out)


def packed_address(address: str) -> bytes:
    """A dotted quad as 4 bytes; anything else as 0.0.0.0, as an unset field is."""
    try:
        return ipaddress.IPv4Address(address).packed
    except ValueError:
        return bytes(4)


def encoded_packet(packet: DhcpPacket) -> bytes:
    """The request as bytes when the datagram itself was not kept: the BOOTP header
    exactly, then the cookie and the options in arrival order (long ones split
    into 255-byte instances), then END.  Used by `packet(offset, length)`."""
    header = bytearray()
    header += bytes([packet.op & 0xFF, packet.htype & 0xFF, packet.hlen & 0xFF, packet.hops & 0xFF])
    header += (packet.xid & 0xFFFFFFFF).to_bytes(4, "big")
    header += (packet.secs & 0xFFFF).to_bytes(2, "big")
    header += (packet.flags & 0xFFFF).to_bytes(2, "big")
    for address in (packet.ciaddr, packet.yiaddr, packet.siaddr, packet.giaddr):
        header += packed_address(address)
    header += packet.chaddr[:16].ljust(16, b"\0")
    header += packet.sname[:64].ljust(64, b"\0")
    header += packet.file[:128].ljust(128, b"\0")
    if not packet.has_cookie:
        return bytes(header)
    header += _MAGIC_COOKIE
    for code, value in packet.options.items():
        chunks = [value[i : i + 255] for i in range(0, len(value), 255)] or [b""]
        for chunk in chunks:
            header += bytes([code & 0xFF, len(chunk)]) + chunk
    header.append(255)
    return bytes(header)
