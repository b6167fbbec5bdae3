"""`DhcpPacket` → datagram, laid out byte for byte as ISC dhcpd 4.4 lays out a reply.

Clients have lived for decades with ISC's replies, so ours copy its layout
(common/options.c `cons_options`, `store_options`; server/dhcp.c `dhcp_reply`):

Option order — the contract with the decision core:
  1. ISC's fixed head, those present: 53, 54, 51, 58, 59, 56, 50, 92;
  2. then the codes of `option_order`, in that order (the core passes its priority
     list: the client's parameter request list with ISC's additions, or ISC's list
     for clients without one);
  3. then any option of `packet.options` not named yet, in the mapping's order;
  4. option 82 is never placed by the order: it goes last, after 52, in room of its
     own, as ISC copies the relay's option back.
  Each code is written once; options with an empty value are not sent (ISC never
  sends one); when both 1 and 3 are sent, 1 comes first (RFC 2132 §3.3).
  Earlier means more important: when the reply runs out of room the options at the
  end of this order are the ones left out.

Room: `max_size` is the client's option 57 as ISC reads it (the whole IP datagram, so
236 + 28 bytes of it are not options), clamped to 576..1500 for a DHCP reply (one with
option 53) and to 328..1500 for a BOOTP reply, whose default is ISC's 64-byte vendor
area (`reply_size_limit` picks the right number from the request).  Options are
placed one by one, each where ISC's `store_options` would put it: in the options
field while it leaves room for option 52 and END; otherwise whole in `file`, then in
`sname`, when the packet leaves those empty; otherwise split over what room is left
(RFC 3396).  Only DHCP replies overload: a BOOTP client cannot read option 52 (ISC
does overload a dynamic BOOTP reply, built by the same code as an ACK, but not a
fixed-address one; we take the safe half).  An option that fits nowhere is left out and the next
one is tried.  Values longer than 255 bytes always go out as several instances.

Short replies are padded with zeros to 300 bytes (the BOOTP minimum).  A packet
without the magic cookie (`has_cookie=False`) is written as a plain BOOTP reply: the
fixed part and a zeroed 64-byte vendor area.

`encode` trusts its input (it is our own value): addresses are dotted quads and
integers fit their fields; sname/file longer than 64/128 bytes are cut.
"""

from __future__ import annotations

import socket
import struct
from collections.abc import Iterable, Mapping, Sequence

from adapters.dhcp_wire.layout import (
    BOOTP_MESSAGE_SIZE,
    BOOTP_MIN_SIZE,
    COOKIE,
    FILE_SIZE,
    HEADER,
    HEADER_SIZE,
    IP_UDP_OVERHEAD,
    MAX_MESSAGE_SIZE,
    MAX_OPTION_LENGTH,
    MIN_MESSAGE_SIZE,
    OVERLOAD_FILE,
    OVERLOAD_SNAME,
    SNAME_SIZE,
)
from domain.dhcp_packet import DhcpPacket, Opt

FIXED_HEAD = (
    Opt.MESSAGE_TYPE,
    Opt.SERVER_IDENTIFIER,
    Opt.LEASE_TIME,
    Opt.RENEWAL_TIME,
    Opt.REBINDING_TIME,
    Opt.MESSAGE,
    Opt.REQUESTED_ADDRESS,
    92,  # associated-ip (leasequery)
)
_HEAD = tuple(int(code) for code in FIXED_HEAD)
# Codes the order never places: framing, overload (ours to write) and the relay's 82.
_NOT_ORDERED = frozenset({Opt.PAD, Opt.OVERLOAD, Opt.RELAY_AGENT_INFORMATION, Opt.END})
_AGENT = Opt.RELAY_AGENT_INFORMATION.value
_MESSAGE_TYPE = Opt.MESSAGE_TYPE.value
_MASK = Opt.SUBNET_MASK.value
_ROUTERS = Opt.ROUTERS.value
_MAX_MAX_SIZE = struct.Struct("!H")
# Everything in a datagram that is not the options field.
_NOT_OPTIONS = HEADER_SIZE + IP_UDP_OVERHEAD
_MAX_OPTIONS_ROOM = MAX_MESSAGE_SIZE - _NOT_OPTIONS
_END = bytes((Opt.END,))
_MINIMUM_PADDING = bytes(BOOTP_MIN_SIZE - HEADER_SIZE)
_aton = socket.inet_aton


def reply_size_limit(request: DhcpPacket) -> int:
    """The `max_size` ISC would use for a reply to `request`.

    Option 57 when the client sent one (first two bytes), else 576 for DHCP and, for
    BOOTP, room for ISC's 64-byte vendor area; `encode` clamps whatever it is given."""
    raw = request.options.get(Opt.MAX_MESSAGE_SIZE)
    if raw is not None and len(raw) >= 2:
        return _MAX_MAX_SIZE.unpack_from(raw)[0]
    if _MESSAGE_TYPE in request.options:
        return MIN_MESSAGE_SIZE
    return BOOTP_MESSAGE_SIZE


def encode(
    packet: DhcpPacket, *, max_size: int = 576, option_order: Sequence[int] | None = None
) -> bytes:
    """The datagram for `packet`, never longer than ISC would make it (see the module)."""
    if not packet.has_cookie:
        return _header(packet, packet.sname, packet.file) + _MINIMUM_PADDING
    options = packet.options
    is_dhcp = _MESSAGE_TYPE in options
    floor = MIN_MESSAGE_SIZE if is_dhcp else BOOTP_MESSAGE_SIZE
    room = min(max(max_size, floor), MAX_MESSAGE_SIZE) - _NOT_OPTIONS
    agent = _instances(_AGENT, options.get(_AGENT, b""))
    if agent:
        room = min(room + len(agent), _MAX_OPTIONS_ROOM)
    order = _order(options, option_order)
    # Room for the other options after the cookie (ISC's `bufend`).
    bufend = room - len(agent) - len(COOKIE)

    chosen = [(code, options[code]) for code in order]
    if _fits_plainly(chosen, bufend):
        main = b"".join([bytes((code, len(value))) + value for code, value in chosen])
        used_file = used_sname = bytearray()
    else:
        file_room = FILE_SIZE if is_dhcp and not packet.file.partition(b"\0")[0] else 0
        sname_room = SNAME_SIZE if is_dhcp and not packet.sname.partition(b"\0")[0] else 0
        placed = _Placement(bufend, file_room, sname_room)
        for position, (code, value) in enumerate(chosen):
            placed.add(code, value, last=position == len(chosen) - 1)
        main, used_file, used_sname = bytes(placed.main), placed.file, placed.sname

    sname = bytes(used_sname) + _END if used_sname else packet.sname
    file = bytes(used_file) + _END if used_file else packet.file
    parts = [_header(packet, sname, file), COOKIE, main]
    index = len(COOKIE) + len(main)
    overload = (OVERLOAD_FILE if used_file else 0) | (OVERLOAD_SNAME if used_sname else 0)
    if overload:
        parts.append(bytes((Opt.OVERLOAD, 1, overload)))
        index += 3
    if agent and room - index >= len(agent):
        parts.append(agent)
        index += len(agent)
    if index < room:
        parts.append(_END)
        index += 1
    datagram = b"".join(parts)
    if len(datagram) < BOOTP_MIN_SIZE:
        datagram += bytes(BOOTP_MIN_SIZE - len(datagram))
    return datagram


def _header(packet: DhcpPacket, sname: bytes, file: bytes) -> bytes:
    return HEADER.pack(
        packet.op,
        packet.htype,
        packet.hlen,
        packet.hops,
        packet.xid,
        packet.secs,
        packet.flags,
        _aton(packet.ciaddr),
        _aton(packet.yiaddr),
        _aton(packet.siaddr),
        _aton(packet.giaddr),
        packet.chaddr,
        sname,
        file,
    )


def _fits_plainly(chosen: list[tuple[int, bytes]], bufend: int) -> bool:
    """True when ISC's placement would put every option whole into the options field.

    That is exactly when none is over 255 bytes and all of them end before `bufend`:
    every option but the last then still leaves the 3 bytes the placement wants
    (the last one, of at least 3 bytes, comes after it), and the last needs only
    to end before `bufend`.  The common reply takes this short cut."""
    lengths = [len(value) for _code, value in chosen]
    return sum(lengths) + 2 * len(lengths) < bufend and (
        not lengths or max(lengths) <= MAX_OPTION_LENGTH
    )


def _order(options: Mapping[int, bytes], option_order: Iterable[int] | None) -> list[int]:
    """The codes to write, in the order of the contract in the module docstring."""
    seen: set[int] = set(_NOT_ORDERED)
    order = []
    for source in (_HEAD, option_order or (), options):
        for code in source:
            if code not in seen and options.get(code):
                seen.add(code)
                order.append(code)
    if _ROUTERS in seen and _MASK in seen:
        routers, mask = order.index(_ROUTERS), order.index(_MASK)
        if routers < mask:
            order[routers], order[mask] = _MASK, _ROUTERS
    return order


def _instances(code: int, value: bytes) -> bytes:
    """`value` as instances of at most 255 bytes each (RFC 3396 §5)."""
    return b"".join(
        bytes((code, len(chunk))) + chunk
        for chunk in (
            value[i : i + MAX_OPTION_LENGTH] for i in range(0, len(value), MAX_OPTION_LENGTH)
        )
    )


class _Placement:
    """ISC's `store_options` placement over the three areas, one option at a time.

    The margins are ISC's: an option goes into the options field only while 3 bytes
    stay free for option 52 and END would still fit (`+ 5`), except the last option
    when nothing was overloaded (`+ 2`); into `file`/`sname` while END still fits."""

    def __init__(self, bufend: int, file_room: int, sname_room: int) -> None:
        self.main = bytearray()
        self.file = bytearray()
        self.sname = bytearray()
        self._bufend = bufend
        self._file_room = file_room
        self._sname_room = sname_room

    def add(self, code: int, value: bytes, *, last: bool) -> None:
        length = len(value)
        area = self._whole_area(length, last) if length <= MAX_OPTION_LENGTH else None
        if area is None:
            self._add_split(code, value)
        else:
            area += bytes((code, length))
            area += value

    def _whole_area(self, length: int, last: bool) -> bytearray | None:
        main = len(self.main) + length
        overloaded = self.file or self.sname
        if (last and not overloaded and main + 2 < self._bufend) or main + 5 < self._bufend:
            return self.main
        if len(self.file) + 3 + length < self._file_room:
            return self.file
        if len(self.sname) + 3 + length < self._sname_room:
            return self.sname
        return None

    def _add_split(self, code: int, value: bytes) -> None:
        """Fill what room is left, area after area; all or nothing."""
        used = [len(self.main), len(self.file), len(self.sname)]
        chunks: list[tuple[int, bytes]] = []
        position = 0
        while position < len(value):
            if used[0] + 6 < self._bufend:
                where, free = 0, self._bufend - used[0] - 5
            elif used[1] + 4 < self._file_room:
                where, free = 1, self._file_room - used[1] - 3
            elif used[2] + 4 < self._sname_room:
                where, free = 2, self._sname_room - used[2] - 3
            else:
                return
            size = min(free, len(value) - position, MAX_OPTION_LENGTH)
            chunks.append((where, value[position : position + size]))
            used[where] += 2 + size
            position += size
        areas = (self.main, self.file, self.sname)
        for where, chunk in chunks:
            area = areas[where]
            area += bytes((code, len(chunk)))
            area += chunk
