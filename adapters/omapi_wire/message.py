"""What an OMAPI message is, and the value encodings both sides of the wire share.

The fields are those of ISC's `omapi_protocol_header_t` (includes/omapip/omapip_p.h):
six 32-bit big-endian words — authid, authlen, op, handle, id, rid — 24 bytes in all.
Values travel as untyped bytes: whoever reads one decides whether it is an integer, a
string or an address (omapi_get_int_value, omapip/support.c).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

PROTOCOL_VERSION = 100  # OMAPI_PROTOCOL_VERSION
HEADER_SIZE = 24  # sizeof (omapi_protocol_header_t)
INTRO_SIZE = 8  # version and header size, two 32-bit words (omapi_protocol_send_intro)

_UINT32_LIMIT = 1 << 32
_INT32_MIN = -(1 << 31)


class Op(enum.IntEnum):
    """The message operations (OMAPI_OP_*, includes/omapip/omapip_p.h)."""

    OPEN = 1
    REFRESH = 2
    UPDATE = 3
    NOTIFY = 4
    STATUS = 5
    DELETE = 6


OP_OPEN, OP_REFRESH, OP_UPDATE, OP_NOTIFY, OP_STATUS, OP_DELETE = (
    Op.OPEN, Op.REFRESH, Op.UPDATE, Op.NOTIFY, Op.STATUS, Op.DELETE)

NameValue = tuple[bytes, bytes]


class MalformedOmapiMessage(Exception):
    """Bytes that are no OMAPI stream; the connection carrying them must be closed.

    `reason` is one line for the log.  ISC (omapip/protocol.c) disconnects without
    logging on the same faults, so the wording is ours.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


@dataclass(frozen=True, slots=True)
class OmapiMessage:
    """One message as it is on the wire.

    `handle` is the object's handle (0 for none), `id` the sender's transaction number
    and `rid` the `id` of the message this one answers (0 if none).  `message_values`
    are the message's own pairs (`type`, `create`, `result`, `message`...),
    `object_values` the pairs of the object it carries, both in wire order.
    `signature` is the authenticator as received (b"" when authlen is 0); `encode`
    computes it instead when given a key.
    """

    authid: int
    op: int
    handle: int
    id: int
    rid: int
    message_values: tuple[NameValue, ...] = ()
    object_values: tuple[NameValue, ...] = ()
    signature: bytes = b""


@dataclass(frozen=True, slots=True)
class Intro:
    """The 8 bytes each side sends first: its protocol version and header size.  The
    header size is that of the headers the sender will send."""

    version: int
    header_size: int


def intro() -> bytes:
    """Our introduction, sent at once on connecting or accepting, as dhcpd and omshell
    do (omapi_protocol_send_intro with OMAPI_PROTOCOL_VERSION and a 24-byte header)."""
    return int_value(PROTOCOL_VERSION) + int_value(HEADER_SIZE)


def read_intro(data: bytes, *, max_header_size: int) -> Intro:
    """The peer's introduction, checked as omapi_protocol_signal_handler checks it in
    `omapi_protocol_intro_wait`: version exactly 100, header at least 24 bytes (a longer
    header's extra bytes are skipped on every message).  ISC sets no upper limit on the
    header size; we refuse one above `max_header_size`."""
    if len(data) != INTRO_SIZE:
        raise MalformedOmapiMessage(f"OMAPI intro: {len(data)} bytes, not {INTRO_SIZE}")
    version = int.from_bytes(data[:4], "big")
    header_size = int.from_bytes(data[4:], "big")
    if version != PROTOCOL_VERSION:
        raise MalformedOmapiMessage(
            f"OMAPI intro: protocol version {version}, not {PROTOCOL_VERSION} (version mismatch)")
    if header_size < HEADER_SIZE:
        raise MalformedOmapiMessage(
            f"OMAPI intro: header size {header_size} below {HEADER_SIZE} (protocol error)")
    if header_size > max_header_size:
        raise MalformedOmapiMessage(
            f"OMAPI intro: header size {header_size} above our limit {max_header_size}")
    return Intro(version, header_size)


def int_value(number: int) -> bytes:
    """An integer value as ISC writes one (omapi_connection_write_typed_data,
    omapip/buffer.c): 4 bytes, big-endian.  ISC's integers are C `int`s sent as
    `u_int32_t`, so a negative number goes as its two's complement."""
    if not _INT32_MIN <= number < _UINT32_LIMIT:
        raise ValueError(f"OMAPI integer out of 32-bit range: {number}")
    return (number % _UINT32_LIMIT).to_bytes(4, "big")


def read_int(value: bytes) -> int | None:
    """An integer value, unsigned, or None where omapi_get_int_value (omapip/support.c)
    answers DHCP_R_INVALIDARG: any value off the wire that is not exactly 4 bytes."""
    if len(value) != 4:
        return None
    return int.from_bytes(value, "big")


def handle_value(handle: int) -> bytes:
    """A value naming an object: its handle as an integer value (omapi_datatype_object
    and omapi_connection_put_handle write the 4-byte handle, 0 for no object)."""
    return int_value(handle)


def boolean_value(flag: bool) -> bytes:
    """A flag such as an OPEN's `create`, `update` or `exclusive`: omapi_set_boolean_value
    makes it an integer, 1 or 0."""
    return int_value(1 if flag else 0)
