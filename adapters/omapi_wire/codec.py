"""OMAPI messages to bytes and back, laid out as ISC omapip 4.4 lays them out.

After the 8-byte introduction each message is:

    header   authid, authlen, op, handle, id, rid: 32-bit big-endian words (24 bytes;
             a peer that announced a longer header sends extra bytes, skipped here)
    message  (u16 name length, name, u32 value length, value)*, then u16 0
    object   (u16 name length, name, u32 value length, value)*, then u16 0
    signature  authlen bytes

(omapi_protocol_send_message and omapi_protocol_signal_handler, omapip/protocol.c;
the value layout is omapi_connection_write_typed_data and the generic object's
stuff_values, omapip/buffer.c and omapip/generic.c.)

What the signature covers — everything after the authid word up to the signature, with
the header's extra bytes left out:

* Sending (omapi_protocol_send_message): the authid is written before
  "output-authenticator" is set on the connection; from then on every
  omapi_connection_copyin (omapip/buffer.c) feeds the connection's signing context
  (omapi_connection_sign_data, omapip/connection.c).  "output-signature" finishes it
  after the object's terminator, so authlen, op, handle, id, rid, both pair lists and
  both terminators are signed; the authid and the signature itself are not.
* Receiving (the header_wait state): the authid is read, then "input-authenticator"
  is set, and every omapi_connection_copyout into a buffer feeds the context.  The
  extra header bytes are skipped with a NULL buffer, which copyout does not sign, so
  they are not covered.  "input-signature" is taken before the signature is read.

`Received.signed` is exactly those bytes; `OmapiKey.verify(signed, signature)` checks
them.  Beware: ISC processes a message whose authid names a key but whose authlen is 0
without checking anything (protocol.c jumps to message_done); the caller decides
whether to be as lenient — `verify(signed, b"")` is False.

ISC bounds nothing but the widths of the length fields.  This reader refuses, as
malformed: a header longer than MAX_HEADER_SIZE, a name longer than MAX_NAME_SIZE, a
value longer than MAX_VALUE_SIZE, an authlen above MAX_SIGNATURE_SIZE (no ISC HMAC is
longer than 64 bytes), and a message above MAX_MESSAGE_SIZE in all, so a peer cannot
make a connection hold unbounded memory.
"""

from __future__ import annotations

import struct
from collections.abc import Iterable
from typing import NamedTuple

from adapters.omapi_wire.auth import OmapiKey
from adapters.omapi_wire.message import (
    HEADER_SIZE,
    INTRO_SIZE,
    Intro,
    MalformedOmapiMessage,
    NameValue,
    OmapiMessage,
    int_value,
    read_intro,
)

MAX_HEADER_SIZE = 1024
MAX_NAME_SIZE = 1024
MAX_VALUE_SIZE = 1 << 20
MAX_SIGNATURE_SIZE = 1024
MAX_MESSAGE_SIZE = 4 << 20

_HEADER = struct.Struct(">6I")  # authid, authlen, op, handle, id, rid
_SIGNED_HEADER = struct.Struct(">5I")  # the same after the authid
_NAME_SIZE = struct.Struct(">H")
_VALUE_SIZE = struct.Struct(">I")
_UINT16_LIMIT = 1 << 16
_UINT32_LIMIT = 1 << 32
_TERMINATOR = b"\0\0"


class Received(NamedTuple):
    """A message read off the wire and the bytes its signature covers (see the module
    docstring); unpacks as `message, signed`."""

    message: OmapiMessage
    signed: bytes


def encode(message: OmapiMessage, key: OmapiKey | None = None) -> bytes:
    """The message's bytes as omapi_protocol_send_message writes them.

    With `key`, the signature is computed over the signed bytes and authlen is its
    length; `message.authid` should then be the number the peer gave the key.  Without
    one, `message.authid` and `message.signature` are written as they are, so a
    received message re-encodes to the bytes it came in (24-byte header assumed).
    Raises ValueError for what cannot be put on the wire (a field outside 32 bits, an
    empty or over-long name, an over-long value).
    """
    for field in ("authid", "op", "handle", "id", "rid"):
        if not 0 <= getattr(message, field) < _UINT32_LIMIT:
            raise ValueError(f"OMAPI {field} outside 32 bits: {getattr(message, field)}")
    authlen = key.signature_size if key is not None else len(message.signature)
    signed = bytearray(_SIGNED_HEADER.pack(authlen, message.op, message.handle,
                                           message.id, message.rid))
    _put_pairs(signed, message.message_values)
    _put_pairs(signed, message.object_values)
    signature = key.sign(bytes(signed)) if key is not None else message.signature
    return int_value(message.authid) + bytes(signed) + signature


def _put_pairs(out: bytearray, pairs: Iterable[NameValue]) -> None:
    for name, value in pairs:
        # A zero-length name would end the list early; ISC's stuff_values skips one.
        if not 0 < len(name) < _UINT16_LIMIT:
            raise ValueError(f"OMAPI name of {len(name)} bytes cannot be sent")
        if len(value) >= _UINT32_LIMIT:
            raise ValueError(f"OMAPI value {name!r} of {len(value)} bytes cannot be sent")
        out += _NAME_SIZE.pack(len(name)) + name + _VALUE_SIZE.pack(len(value)) + value
    out += _TERMINATOR


class OmapiReader:
    """Frames one connection's incoming bytes: the peer's introduction, then messages.

    `feed` takes whatever the socket gave and returns the messages it completed (none
    until the 8-byte introduction is in; `intro` then shows it).  Partial data is kept
    and read on from where it stopped, so a byte-at-a-time peer costs no rescanning.
    A fault raises MalformedOmapiMessage, and every later `feed` raises it again: the
    caller is to close the connection.
    """

    def __init__(self) -> None:
        self._buffer = bytearray()
        self._intro: Intro | None = None
        self._failure: str | None = None
        # The message being read, which starts at the buffer's first byte:
        self._header: tuple[int, ...] | None = None
        self._sections: tuple[list[NameValue], list[NameValue]] = ([], [])
        self._section = 0  # 0: reading message values, 1: object values, 2: done
        self._cursor = 0  # where the next unread item starts

    @property
    def intro(self) -> Intro | None:
        """The peer's introduction, once received."""
        return self._intro

    def feed(self, data: bytes) -> list[Received]:
        """The messages `data` completed, in order.  On a fault the exception is raised
        instead, and messages completed earlier in the same `data` are not returned
        (ISC would have answered them before disconnecting)."""
        if self._failure is not None:
            raise MalformedOmapiMessage(self._failure)
        self._buffer += data
        received: list[Received] = []
        try:
            if self._intro is None:
                if len(self._buffer) < INTRO_SIZE:
                    return received
                self._intro = read_intro(bytes(self._buffer[:INTRO_SIZE]),
                                         max_header_size=MAX_HEADER_SIZE)
                del self._buffer[:INTRO_SIZE]
            while (message := self._next_message(self._intro.header_size)) is not None:
                received.append(message)
        except MalformedOmapiMessage as error:
            self._failure = error.reason
            raise
        return received

    def _reset(self) -> None:
        """Ready for the next message, which starts at the buffer's first byte."""
        self._header = None
        self._sections = ([], [])
        self._section = 0
        self._cursor = 0

    def _next_message(self, header_size: int) -> Received | None:
        buffer = self._buffer
        if self._header is None:
            if len(buffer) < header_size:
                return None
            self._header = _HEADER.unpack_from(buffer)
            if self._header[1] > MAX_SIGNATURE_SIZE:
                raise MalformedOmapiMessage(
                    f"OMAPI message: authlen {self._header[1]} above {MAX_SIGNATURE_SIZE}")
            self._cursor = header_size
        while self._section < 2:
            if not self._read_pair():
                return None
        authid, authlen, op, handle, xid, rid = self._header
        end = self._within_limit(self._cursor + authlen)
        if len(buffer) < end:
            return None
        message = OmapiMessage(
            authid=authid, op=op, handle=handle, id=xid, rid=rid,
            message_values=tuple(self._sections[0]), object_values=tuple(self._sections[1]),
            signature=bytes(buffer[self._cursor:end]))
        signed = bytes(buffer[4:HEADER_SIZE]) + bytes(buffer[header_size:self._cursor])
        del buffer[:end]
        self._reset()
        return Received(message, signed)

    def _read_pair(self) -> bool:
        """Read the next name/value pair or list terminator; False if more bytes are
        needed first."""
        buffer, cursor = self._buffer, self._cursor
        if len(buffer) < cursor + 2:
            return False
        (name_size,) = _NAME_SIZE.unpack_from(buffer, cursor)
        if name_size == 0:
            self._section += 1
            self._cursor = cursor + 2
            return True
        if name_size > MAX_NAME_SIZE:
            raise MalformedOmapiMessage(
                f"OMAPI message: name of {name_size} bytes, above {MAX_NAME_SIZE}")
        value_start = self._within_limit(cursor + 2 + name_size + 4)
        if len(buffer) < value_start:
            return False
        (value_size,) = _VALUE_SIZE.unpack_from(buffer, value_start - 4)
        name = bytes(buffer[cursor + 2:value_start - 4])
        if value_size > MAX_VALUE_SIZE:
            raise MalformedOmapiMessage(
                f"OMAPI message: value {name.decode('latin-1')!r} of {value_size} bytes, "
                f"above {MAX_VALUE_SIZE}")
        end = self._within_limit(value_start + value_size)
        if len(buffer) < end:
            return False
        self._sections[self._section].append((name, bytes(buffer[value_start:end])))
        self._cursor = end
        return True

    @staticmethod
    def _within_limit(size: int) -> int:
        if size > MAX_MESSAGE_SIZE:
            raise MalformedOmapiMessage(
                f"OMAPI message: longer than {MAX_MESSAGE_SIZE} bytes")
        return size
