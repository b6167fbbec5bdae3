"""Failover message bytes to typed messages, refusing exactly what ISC dhcpd 4.4 refuses.

ISC reads options one at a time (`do_a_failover_option`, server/failover.c; spec §4.3)
and drops the connection on the first framing error, a repeated option, or a
fixed-size option of the wrong length, logging a line such as
`FAILOVER: duplicate option binding-status`.  Our reasons use the same wording, so the
log of a leaseledger peer reads like ISC's.  Everything ISC merely skips — unknown
option codes, options not meant for the message type — is skipped here too.
"""

from __future__ import annotations

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
    type_code, payload_offset = data[2], data[3]
    time = int.from_bytes(data[4:8], "big")
    xid = int.from_bytes(data[8:12], "big")
    # An offset below 12 would make ISC re-read header bytes as options; nobody sends one.
    if not HEADER_SIZE <= payload_offset <= length:
        raise MalformedFailoverMessage(
            f"message wait: payload offset {payload_offset} outside {HEADER_SIZE} to {length}"
        )
    if type_code not in MESSAGE_CLASSES:
        _read_options(data, payload_offset, type_code, {})
        return UnknownMessage(type_code=type_code, time=time, xid=xid)
    message_type = MessageType(type_code)
    values = _read_options(data, payload_offset, type_code, OPTION_FIELDS[message_type])
    return cast(FailoverMessage, MESSAGE_CLASSES[message_type](time=time, xid=xid, **values))


def _read_options(
    data: bytes, position: int, type_code: int, accepted: dict[OptionCode, str]
) -> dict[str, Any]:
    """The accepted options' values by field name, checking each option in the order ISC
    does, so that a message with several faults is refused for the one ISC would name."""
    values: dict[str, Any] = {}
    while position < len(data):
        if position + 2 > len(data):
            raise MalformedFailoverMessage("FAILOVER: message overflow at option code.")
        if type_code > max(MessageType):
            raise MalformedFailoverMessage(f"FAILOVER: invalid message type: {type_code}")
        code = int.from_bytes(data[position : position + 2], "big")
        if position + 4 > len(data):
            raise MalformedFailoverMessage("FAILOVER: message overflow at length.")
        size = int.from_bytes(data[position + 2 : position + 4], "big")
        start, position = position + 4, position + 4 + size
        if position > len(data):
            raise MalformedFailoverMessage("FAILOVER: message overflow at data.")
        if code not in accepted:
            continue
        option = OptionCode(code)
        name = accepted[option]
        if name in values:
            raise MalformedFailoverMessage(f"FAILOVER: duplicate option {OPTION_NAMES[option]}")
        values[name] = _option_value(option, data[start:position])
    return values


def _option_value(option: OptionCode, raw: bytes) -> Any:
    kind = OPTION_KINDS[option]
    if kind.size is not None and len(raw) != kind.size:
        raise MalformedFailoverMessage(
            f"FAILOVER: option size ({len(raw)}:{kind.size}), option {OPTION_NAMES[option]}"
        )
    if kind is OptionKind.BYTES:
        return raw
    if kind is OptionKind.DDNS:
        return True
    if kind is OptionKind.IP:
        return IPv4Address(raw)
    number = int.from_bytes(raw, "big")
    enum_type = OPTION_ENUMS.get(option)
    if enum_type is None:
        return number
    try:
        return enum_type(number)
    except ValueError:
        return number
