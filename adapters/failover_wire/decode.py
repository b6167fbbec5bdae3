"""Failover message bytes to typed messages, refusing exactly what ISC dhcpd 4.4 refuses.

ISC reads options one at a time (`do_a_failover_option`, server/failover.c; spec §4.3)
and drops the connection on the first framing error, a repeated option, or a
fixed-size option of the wrong length, logging a line such as
`FAILOVER: duplicate option binding-status`.  Our reasons use the same wording, so the
log of a leaseledger peer reads like ISC's.  Everything ISC merely skips — unknown
option codes, options not meant for the message type — is skipped here too.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass
from ipaddress import IPv4Address
from typing import Any, cast

from domain.failover_messages import (
    HEADER_SIZE,
    MAX_MESSAGE_SIZE,
    MESSAGE_CLASSES,
    MIN_MESSAGE_SIZE,
    OPTION_ENUMS,
    OPTION_FIELDS,
    OPTION_KINDS,
    OPTION_NAMES,
    FailoverMessage,
    MessageType,
    OptionCode,
    OptionKind,
    UnknownMessage,
    construct,
)


class MalformedFailoverMessage(Exception):
    """A failover message ISC would not accept; the link carrying it must be dropped.

    `reason` is one log line, worded as ISC logs the same fault where ISC logs one.
    """

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def message_length(header_start: bytes) -> int:
    """The length of the message whose first two bytes are given, checked against ISC's
    limits (12 to 2048 bytes), so the link reader knows how much more to wait for."""
    if len(header_start) < 2:
        raise MalformedFailoverMessage("message length wait: message shorter than 2 bytes")
    length = int.from_bytes(header_start[:2], "big")
    if not MIN_MESSAGE_SIZE <= length <= MAX_MESSAGE_SIZE:
        raise MalformedFailoverMessage(
            f"message length wait: length {length} outside "
            f"{MIN_MESSAGE_SIZE} to {MAX_MESSAGE_SIZE}"
        )
    return length


def decode(data: bytes) -> FailoverMessage | UnknownMessage:
    """Read one whole message (header included) as ISC would read it.

    Returns `UnknownMessage` for the message types ISC passes over without closing the
    link; raises `MalformedFailoverMessage` for everything that makes ISC close it.
    """
    length = message_length(data)
    if len(data) != length:
        raise MalformedFailoverMessage(
            f"message length wait: length field says {length} bytes, got {len(data)}"
        )
    _length, type_code, payload_offset, time, xid = _HEADER.unpack_from(data)
    # An offset below 12 would make ISC re-read header bytes as options; nobody sends one.
    if not HEADER_SIZE <= payload_offset <= length:
        raise MalformedFailoverMessage(
            f"message wait: payload offset {payload_offset} outside {HEADER_SIZE} to {length}"
        )
    layout = _LAYOUTS.get(type_code)
    if layout is None:
        _read_options(data, payload_offset, type_code, {})
        return UnknownMessage(type_code=type_code, time=time, xid=xid)
    values = _read_options(data, payload_offset, type_code, layout.options)
    return cast(FailoverMessage, construct(layout.message_class, time=time, xid=xid, **values))


@dataclass(frozen=True, slots=True)
class _Option:
    """How one accepted option of a message type is read, worked out once rather than
    per message (a resynchronisation decodes tens of thousands of BNDUPDs)."""

    field: str  # the message's field name
    name: str  # ISC's option name, for the log line
    size: int | None  # the required length of a fixed-size option
    read: Callable[[bytes], Any]  # the option's data to its value


@dataclass(frozen=True, slots=True)
class _Layout:
    message_class: type
    options: dict[int, _Option]


def _reader(code: OptionCode) -> Callable[[bytes], Any]:
    kind = OPTION_KINDS[code]
    if kind is OptionKind.BYTES:
        return bytes
    if kind is OptionKind.DDNS:
        return lambda _raw: True
    if kind is OptionKind.IP:
        return IPv4Address
    enum_type = OPTION_ENUMS.get(code)
    if enum_type is None:
        return lambda raw: int.from_bytes(raw, "big")
    if issubclass(enum_type, enum.Flag):
        flag_type = enum_type

        def read_flags(raw: bytes) -> Any:
            return _member(flag_type, int.from_bytes(raw, "big"))

        return read_flags
    members: dict[int, Any] = {int(member): member for member in enum_type}  # type: ignore[attr-defined]

    def read_enum(raw: bytes) -> Any:
        # A value the enum does not name stays a plain int (the caller decides).
        number = int.from_bytes(raw, "big")
        return members.get(number, number)

    return read_enum


def _member(enum_type: type[int], number: int) -> Any:
    try:
        return enum_type(number)
    except ValueError:
        return number


def _layout(message_type: MessageType) -> _Layout:
    options = {
        int(code): _Option(field, OPTION_NAMES[code], OPTION_KINDS[code].size, _reader(code))
        for code, field in OPTION_FIELDS[message_type].items()
    }
    return _Layout(MESSAGE_CLASSES[message_type], options)


_HEADER = struct.Struct(">HBBII")
_OPTION_HEADER = struct.Struct(">HH")
_LAYOUTS = {int(message_type): _layout(message_type) for message_type in MESSAGE_CLASSES}
_HIGHEST_TYPE = max(MessageType)


def _read_options(
    data: bytes, position: int, type_code: int, accepted: dict[int, _Option]
) -> dict[str, Any]:
    """The accepted options' values by field name, checking each option in the order ISC
    does, so that a message with several faults is refused for the one ISC would name."""
    values: dict[str, Any] = {}
    end = len(data)
    while position < end:
        if position + 2 > end:
            raise MalformedFailoverMessage("FAILOVER: message overflow at option code.")
        if type_code > _HIGHEST_TYPE:
            raise MalformedFailoverMessage(f"FAILOVER: invalid message type: {type_code}")
        if position + 4 > end:
            raise MalformedFailoverMessage("FAILOVER: message overflow at length.")
        code, size = _OPTION_HEADER.unpack_from(data, position)
        start, position = position + 4, position + 4 + size
        if position > end:
            raise MalformedFailoverMessage("FAILOVER: message overflow at data.")
        option = accepted.get(code)
        if option is None:
            continue
        if option.field in values:
            raise MalformedFailoverMessage(f"FAILOVER: duplicate option {option.name}")
        if option.size is not None and size != option.size:
            raise MalformedFailoverMessage(
                f"FAILOVER: option size ({size}:{option.size}), option {option.name}"
            )
        values[option.field] = option.read(data[start:position])
    return values
