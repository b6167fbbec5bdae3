"""Typed failover messages to bytes, laid out as ISC dhcpd 4.4 lays them out.

The header always has payload offset 12 (never the draft's 8, spec §2) and options
follow in the order of the message's fields, which is ISC's sending order, so a message
decoded from ISC's bytes encodes back to the same bytes.  Absent options are left out;
nothing is batched or repeated (either would make ISC drop the link, spec §4.3).
"""

from __future__ import annotations

import struct
from dataclasses import fields
from ipaddress import IPv4Address

from domain.failover_messages import (
    HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    OPTION_FIELDS,
    OPTION_KINDS,
    OPTION_NAMES,
    FailoverMessage,
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
    payload = b"".join([
        _option(code, kind, value)
        for name, code, kind in layout
        if (value := getattr(message, name)) is not None and value is not False
    ])
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
# Per message class, its options in field order (ISC's sending order): field name,
# option code and layout, worked out once rather than per message.
_Layout = list[tuple[str, OptionCode, OptionKind]]
_LAYOUTS: dict[type, _Layout] = {}


def _layout(message_class: type) -> _Layout:
    codes = {name: code for code, name in OPTION_FIELDS[message_class.message_type].items()}
    return [(spec.name, codes[spec.name], OPTION_KINDS[codes[spec.name]])
            for spec in fields(message_class) if spec.name in codes]


def _option(code: OptionCode, kind: OptionKind, value: object) -> bytes:
    if kind is OptionKind.DDNS:
        data = b""
    elif kind is OptionKind.IP and isinstance(value, IPv4Address):
        data = value.packed
    elif kind is OptionKind.BYTES and isinstance(value, bytes):
        data = value
    elif kind.size is not None and isinstance(value, int):
        data = _unsigned(value, kind.size, OPTION_NAMES[code])
    else:
        raise ValueError(f"{OPTION_NAMES[code]} cannot carry {value!r}")
    return code.to_bytes(2, "big") + _unsigned(len(data), 2, "option length") + data


def _unsigned(value: int, size: int, what: str) -> bytes:
    try:
        return value.to_bytes(size, "big")
    except OverflowError:
        raise ValueError(f"{what} {value} does not fit in {size} bytes") from None
