"""Typed failover messages to bytes, laid out as ISC dhcpd 4.4 lays them out.

The header always has payload offset 12 (never the draft's 8, spec §2) and options
follow in the order of the message's fields, which is ISC's sending order, so a message
decoded from ISC's bytes encodes back to the same bytes.  Absent options are left out;
nothing is batched or repeated (either would make ISC drop the link, spec §4.3).
"""

from __future__ import annotations

import struct
from collections.abc import Callable
from dataclasses import fields
from ipaddress import IPv4Address

from domain.failover_messages import (
    HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    OPTION_FIELDS,
    OPTION_KINDS,
    OPTION_NAMES,
    FailoverMessage,
    MessageHeader,
    OptionCode,
    OptionKind,
)


def encode(message: FailoverMessage) -> bytes:
    """The wire bytes of `message`, header included.

    Raises ValueError for a message no peer could accept: a number that does not fit its
    option, or a message longer than ISC's 2048-byte limit.  Those are our own bugs,
    never the peer's input.
    """
    layout = _LAYOUTS.get(type(message))
    if layout is None:
        layout = _LAYOUTS[type(message)] = _layout(type(message))
    parts: list[bytes] = []
    for name, write in layout:
        value = getattr(message, name)
        if value is not None and value is not False:
            parts.append(write(value))
    payload = b"".join(parts)
    length = HEADER_SIZE + len(payload)
    if length > MAX_MESSAGE_SIZE:
        raise ValueError(f"failover message of {length} bytes exceeds {MAX_MESSAGE_SIZE}")
    header = (
        _HEADER_START.pack(length, message.message_type, HEADER_SIZE)
        + _unsigned(message.time, 4, "time")
        + _unsigned(message.xid, 4, "xid")
    )
    return header + payload


_HEADER_START = struct.Struct(">HBB")
# Per message class, its options in field order (ISC's sending order): the field's name
# and what writes the whole option (code, length, data), worked out once rather than per
# message — a resynchronisation encodes tens of thousands of BNDACKs.
_Layout = list[tuple[str, Callable[[object], bytes]]]
_LAYOUTS: dict[type[MessageHeader], _Layout] = {}


def _layout(message_class: type[MessageHeader]) -> _Layout:
    codes = {name: code for code, name in OPTION_FIELDS[message_class.message_type].items()}
    return [(spec.name, _writer(codes[spec.name]))
            for spec in fields(message_class) if spec.name in codes]


def _writer(code: OptionCode) -> Callable[[object], bytes]:
    """What writes option `code` with a value: the code and, for a fixed size, the
    length are bytes made here; a value of the wrong kind raises ValueError."""
    kind, name = OPTION_KINDS[code], OPTION_NAMES[code]
    prefix = code.to_bytes(2, "big")
    size = kind.size
    if kind is OptionKind.DDNS:
        whole = prefix + b"\0\0"
        return lambda _value: whole
    if kind is OptionKind.BYTES:
        def write_bytes(value: object) -> bytes:
            if not isinstance(value, bytes):
                raise ValueError(f"{name} cannot carry {value!r}")
            return prefix + _unsigned(len(value), 2, "option length") + value
        return write_bytes
    assert size is not None
    head = prefix + size.to_bytes(2, "big")
    if kind is OptionKind.IP:
        def write_ip(value: object) -> bytes:
            if isinstance(value, IPv4Address):
                return head + value.packed
            if isinstance(value, int):  # an address as its number
                return head + _unsigned(value, size, name)
            raise ValueError(f"{name} cannot carry {value!r}")
        return write_ip

    def write_int(value: object) -> bytes:
        if not isinstance(value, int):
            raise ValueError(f"{name} cannot carry {value!r}")
        return head + _unsigned(value, size, name)
    return write_int


def _unsigned(value: int, size: int, what: str) -> bytes:
    try:
        return value.to_bytes(size, "big")
    except OverflowError:
        raise ValueError(f"{what} {value} does not fit in {size} bytes") from None
