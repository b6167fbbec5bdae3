"""Datagram → `DhcpPacket`: every length checked, every encoding undone.

What arrives on port 67 is untrusted.  `decode` either returns a packet whose options
need no further parsing (RFC 3396 instances joined, option overload resolved) or raises
`MalformedPacket` with one short reason for the log; it raises nothing else, whatever
the bytes.

The rules are ISC dhcpd 4.4's, so that we drop exactly what it drops
(common/discover.c `got_one`, common/options.c `do_packet`, `parse_options`,
`parse_option_buffer`, `validate_packet`):

- fewer than 236 bytes: dropped;
- hlen > 16: dropped, logged as "Discarding packet with bogus hlen.";
- no magic cookie (or no room for one): a BOOTP message without options;
- options run to the end of the datagram or to END; PAD is skipped; a code without a
  length byte, or a length past the end of its area, drops the packet;
- option 52 moves parsing on into `file` (bit 1), then `sname` (bit 2); those fields
  then hold options, not names, and come out empty;
- several instances of a code are joined in order of appearance across the three
  areas (RFC 3396; ISC sets `concat_duplicates` for the DHCP option space);
- an empty host-name (12) is ignored, as ISC does for non-compliant clients;
- an empty client identifier (61) drops the packet.

Option 82 stays raw; `DhcpPacket.agent_suboptions()` reads it.
"""

from __future__ import annotations

import socket

from adapters.dhcp_wire.layout import (
    CHADDR_SIZE,
    COOKIE,
    FILE_OFFSET,
    FILE_SIZE,
    HEADER,
    HEADER_SIZE,
    OPTIONS_START,
    OVERLOAD_FILE,
    OVERLOAD_SNAME,
    SNAME_OFFSET,
    SNAME_SIZE,
)
from domain.dhcp_packet import DhcpPacket, Opt

BOGUS_HLEN_LINE = "Discarding packet with bogus hlen."
ZERO_LENGTH_CLIENT_ID_LINE = "Dropped DHCPv4 packet with zero-length client-id"

_END = Opt.END.value
_PAD = Opt.PAD.value
_HOST_NAME = Opt.HOST_NAME.value
_OVERLOAD = Opt.OVERLOAD.value
_CLIENT_ID = Opt.CLIENT_IDENTIFIER.value
_COOKIE_END = OPTIONS_START
_ntoa = socket.inet_ntoa


class MalformedPacket(Exception):
    """A datagram the server must drop.

    `reason` is one short line saying what is wrong ("option 53 overruns the options
    field").  `log_line` is the line the server logs for it: ISC dhcpd's own words
    where ISC logs this case (bogus hlen, empty client identifier), else `reason`."""

    def __init__(self, reason: str, log_line: str | None = None) -> None:
        super().__init__(reason)
        self.reason = reason
        self.log_line = reason if log_line is None else log_line


def decode(datagram: bytes | bytearray | memoryview) -> DhcpPacket:
    """Parse one UDP payload; raise only `MalformedPacket`."""
    if type(datagram) is not bytes:
        datagram = bytes(datagram)
    size = len(datagram)
    if size < HEADER_SIZE:
        raise MalformedPacket(f"packet too short ({size} bytes)")
    (
        op,
        htype,
        hlen,
        hops,
        xid,
        secs,
        flags,
        ciaddr,
        yiaddr,
        siaddr,
        giaddr,
        chaddr,
        sname,
        file,
    ) = HEADER.unpack_from(datagram)
    if hlen > CHADDR_SIZE:
        raise MalformedPacket(f"bogus hlen {hlen}", BOGUS_HLEN_LINE)
    has_cookie = size >= OPTIONS_START and datagram[HEADER_SIZE:_COOKIE_END] == COOKIE
    options: dict[int, bytes] = {}
    if has_cookie:
        _parse_area(datagram, OPTIONS_START, size, "options field", options)
        overload = options.pop(_OVERLOAD, None)
        if overload is not None:
            sname, file = _parse_overload(datagram, overload, options, sname, file)
        if options.get(_CLIENT_ID) == b"":
            raise MalformedPacket(
                "zero-length client identifier (option 61)", ZERO_LENGTH_CLIENT_ID_LINE
            )
    return DhcpPacket(
        op=op,
        htype=htype,
        hlen=hlen,
        hops=hops,
        xid=xid,
        secs=secs,
        flags=flags,
        ciaddr=_ntoa(ciaddr),
        yiaddr=_ntoa(yiaddr),
        siaddr=_ntoa(siaddr),
        giaddr=_ntoa(giaddr),
        chaddr=chaddr[:hlen],
        sname=sname.partition(b"\0")[0],
        file=file.partition(b"\0")[0],
        options=options,
        has_cookie=has_cookie,
    )


def _parse_overload(
    datagram: bytes, overload: bytes, options: dict[int, bytes], sname: bytes, file: bytes
) -> tuple[bytes, bytes]:
    """Continue into `file`, then `sname`, as option 52 says; return the fields as names.

    ISC reads only the first byte of option 52 and looks it up once, after the options
    field: a 52 met inside `file` or `sname` changes nothing, so it is dropped too."""
    if not overload:
        raise MalformedPacket("option 52 (overload) is empty")
    where = overload[0]
    if where & OVERLOAD_FILE:
        _parse_area(datagram, FILE_OFFSET, FILE_OFFSET + FILE_SIZE, "file field", options)
        file = b""
    if where & OVERLOAD_SNAME:
        _parse_area(datagram, SNAME_OFFSET, SNAME_OFFSET + SNAME_SIZE, "sname field", options)
        sname = b""
    options.pop(_OVERLOAD, None)
    return sname, file


def _parse_area(data: bytes, start: int, end: int, area: str, options: dict[int, bytes]) -> None:
    """Add the options in `data[start:end]` to `options`, joining repeated codes."""
    i = start
    while i < end:
        code = data[i]
        if code == _PAD:
            i += 1
            continue
        if code == _END:
            return
        if i + 1 >= end:
            raise MalformedPacket(f"option {code} has no length byte in the {area}")
        stop = i + 2 + data[i + 1]
        if stop > end:
            raise MalformedPacket(f"option {code} overruns the {area}")
        value = data[i + 2 : stop]
        i = stop
        if code in options:
            options[code] += value
        elif value or code != _HOST_NAME:
            options[code] = value
