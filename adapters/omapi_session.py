"""One OMAPI connection, sans-IO: bytes in, bytes out, ISC's message rules.

The rules are dhcpd's (omapip/message.c `omapi_message_process`, omapip/protocol.c):
an OPEN names a type and the attributes to find the object by (`create`, `update`,
`exclusive` flags as message values), a REFRESH/UPDATE/DELETE names an object by the
handle an earlier answer gave; every answer is an UPDATE carrying the object's values
or a STATUS carrying `result` (an isc_result_t) and a `message`.  The texts of those
messages are ISC's, so omshell prints what it prints against dhcpd.

Authentication: when the server has an `omapi-key`, the client first OPENs an
`authenticator` object naming a key (name and algorithm); the answer's handle is the
`authid` its later messages carry, signed with that key.  A message without one (other
than that OPEN) is refused with "No authenticator on message"; a bad signature with
"invalid key".  Answers to a signed message are signed with the same key.  Without an
`omapi-key` anyone who reaches the port may act, as with dhcpd.

Handles are server-wide (`HandleTable`): an object keeps its handle for the server's
life, so a client can REFRESH a lease it opened on another connection, as with dhcpd.
The objects themselves are behind the `OmapiObjects` port.
"""

from __future__ import annotations

import itertools
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

from adapters.omapi_objects_port import (
    EXISTS,
    INVALID_ARG,
    INVALID_KEY,
    KEY_CONFLICT,
    NO_KEYS,
    NOT_FOUND,
    NOT_IMPLEMENTED,
    SUCCESS,
    ObjectRef,
    OmapiObjects,
    Value,
)
from adapters.omapi_wire import (
    MalformedOmapiMessage,
    OmapiKey,
    OmapiMessage,
    OmapiReader,
    Op,
    encode,
    int_value,
    intro,
    read_int,
)

AUTHENTICATOR = "authenticator"
KEY_UNKNOWN = (6 << 16) + 10  # DHCP_R_KEY_UNKNOWN: an authid no OPEN gave


class HandleTable:
    """Handles for objects, shared by every connection of one server."""

    def __init__(self) -> None:
        self._numbers = itertools.count(1)
        self._by_ref: dict[ObjectRef, int] = {}
        self._by_handle: dict[int, ObjectRef] = {}

    def handle_of(self, ref: ObjectRef) -> int:
        handle = self._by_ref.get(ref)
        if handle is None:
            handle = self._by_ref[ref] = next(self._numbers)
            self._by_handle[handle] = ref
        return handle

    def ref_of(self, handle: int) -> ObjectRef | None:
        return self._by_handle.get(handle)


@dataclass(frozen=True, slots=True)
class Closing:
    """The connection must end (after what is returned with it is sent): a malformed
    stream, or a message dhcpd answers by disconnecting.  `reason` is for the log."""

    reason: str


class OmapiConnection:
    """The server side of one connection.  `opened()` is what to send first;
    `received(data)` returns what to send back and whether to close afterwards."""

    def __init__(self, objects: OmapiObjects, handles: HandleTable, *,
                 keys: Mapping[str, OmapiKey], required: OmapiKey | None) -> None:
        self._objects = objects
        self._handles = handles
        self._keys = {name.lower(): key for name, key in keys.items()}
        self._required = required
        self._reader = OmapiReader()
        self._auth: dict[int, OmapiKey] = {}  # authid -> key, this connection's
        self._next_id = itertools.count(1)

    def opened(self) -> bytes:
        """The server's introduction (dhcpd sends it at once)."""
        return intro()

    def received(self, data: bytes) -> tuple[bytes, Closing | None]:
        out: list[bytes] = []
        try:
            for message, signed in self._reader.feed(data):
                answer = self._process(message, signed)
                if isinstance(answer, Closing):
                    return b"".join(out), answer
                out.append(answer)
        except MalformedOmapiMessage as error:
            return b"".join(out), Closing(error.reason)
        return b"".join(out), None

    # -- one message (omapi_message_process) ---------------------------------------

    def _process(self, message: OmapiMessage, signed: bytes) -> bytes | Closing:
        key: OmapiKey | None = None
        if message.authid:
            key = self._auth.get(message.authid)
            if key is None:
                return self._status(message, None, KEY_UNKNOWN, None)
            if not key.verify(signed, message.signature):
                return self._status(message, None, INVALID_KEY, None)
        if message.rid:
            # An answer to a message of ours: the server sends none, so dhcpd finds no
            # matching message and drops the connection.
            return Closing("an answer to no message")
        if self._required is not None and key is None and message.op != Op.OPEN:
            return self._status(message, key, NO_KEYS, "No authenticator on message")
        if message.op == Op.OPEN:
            return self._open(message, key)
        if message.op == Op.REFRESH:
            return self._refresh(message, key)
        if message.op == Op.UPDATE:
            return self._update(message, key)
        if message.op == Op.NOTIFY:
            return self._status(message, key, NOT_IMPLEMENTED, "notify not implemented yet")
        if message.op == Op.DELETE:
            return self._delete(message, key)
        return Closing(f"unexpected message op {message.op}")

    def _open(self, message: OmapiMessage, key: OmapiKey | None) -> bytes | Closing:
        values = _named(message.message_values)
        type_name = _text(values.get("type"))
        if type_name not in self._objects.types() and type_name != AUTHENTICATOR:
            type_name = None
        if self._required is not None and key is None and type_name != AUTHENTICATOR:
            return self._status(message, key, NO_KEYS, "No authenticator on message")
        flags: dict[str, int] = {}
        for flag in ("create", "update", "exclusive"):
            raw = values.get(flag)
            number = 0 if raw is None else read_int(raw)
            if number is None:
                return self._status(message, key, INVALID_ARG, f"invalid {flag} flag value")
            flags[flag] = number
        if type_name is None:
            if flags["create"]:
                return self._status(message, key, INVALID_ARG, "type required on create")
            return self._refresh(message, key)
        found = self._lookup(type_name, _named(message.object_values))
        if isinstance(found, int) and found not in (NOT_FOUND, NO_KEYS):
            return self._status(message, key, found, "object lookup failed")
        if found == NOT_FOUND and not flags["create"]:
            return self._status(message, key, NOT_FOUND, "no object matches specification")
        if isinstance(found, ObjectRef) and flags["create"] and flags["exclusive"]:
            return self._status(message, key, EXISTS, "specified object already exists")
        created = False
        if not isinstance(found, ObjectRef):
            # (Without `create`, dhcpd makes an empty object it never keeps; no type
            # here keeps one either, so that answers "not implemented" too.)
            made = (self._objects.create(type_name, _pairs(message.object_values))
                    if flags["create"] and type_name != AUTHENTICATOR else NOT_IMPLEMENTED)
            if isinstance(made, int):
                # dhcpd makes an empty object, then sets the values: its refusal of a
                # value ("can't update object") or of the object ("can't create").
                text = "can't create new object" if made == NOT_IMPLEMENTED else (
                    "can't update object")
                return self._status(message, key, made, text)
            found, created = made, True
        if (flags["create"] or flags["update"]) and not created:
            if found.type == AUTHENTICATOR:
                return self._status(message, key, SUCCESS, "can't update object")
            status = self._objects.update(found, _pairs(message.object_values))
            if status != SUCCESS:
                return self._status(message, key, status, "can't update object")
        if found.type == AUTHENTICATOR:
            chosen = self._keys[found.key]
            if self._required is not None and chosen != self._required:
                return self._status(message, key, INVALID_KEY, "can't select authenticator")
            self._auth[self._handles.handle_of(found)] = chosen
        return self._send_update(message, key, found)

    def _refresh(self, message: OmapiMessage, key: OmapiKey | None) -> bytes:
        ref = self._handles.ref_of(message.handle)
        if ref is None:
            return self._status(message, key, NOT_FOUND, "no matching handle")
        return self._send_update(message, key, ref)

    def _update(self, message: OmapiMessage, key: OmapiKey | None) -> bytes:
        ref = self._handles.ref_of(message.handle)
        if ref is None:
            return self._status(message, key, NOT_FOUND, "no matching handle")
        if ref.type == AUTHENTICATOR:
            return self._status(message, key, SUCCESS, "cannot update authenticator")
        status = self._objects.update(ref, _pairs(message.object_values))
        if status != SUCCESS:
            return self._status(message, key, status, "can't update object")
        return self._status(message, key, SUCCESS, None)

    def _delete(self, message: OmapiMessage, key: OmapiKey | None) -> bytes:
        ref = self._handles.ref_of(message.handle)
        if ref is None:
            return self._status(message, key, NOT_FOUND, "no matching handle")
        if ref.type == AUTHENTICATOR:
            return self._status(message, key, NOT_IMPLEMENTED, "no remove method for object")
        return self._status(message, key, self._objects.remove(ref), None)

    # -- objects and answers -------------------------------------------------------

    def _lookup(self, type_name: str, values: Mapping[str, bytes]) -> ObjectRef | int:
        """The object the OPEN's values select.  A `handle` value names one directly
        (dhcpd's lookups take it first; the other keys given must then agree)."""
        by_handle: ObjectRef | None = None
        if "handle" in values:
            number = read_int(values["handle"])
            by_handle = None if number is None else self._handles.ref_of(number)
            if by_handle is None:
                return NOT_FOUND
            if by_handle.type != type_name:
                return INVALID_ARG
            values = {name: value for name, value in values.items() if name != "handle"}
        found = self._lookup_by_values(type_name, values)
        if by_handle is None:
            return found
        if found in (NO_KEYS, by_handle):
            return by_handle
        return KEY_CONFLICT if isinstance(found, ObjectRef) else found

    def _lookup_by_values(self, type_name: str, values: Mapping[str, bytes]) -> ObjectRef | int:
        if type_name != AUTHENTICATOR:
            return self._objects.lookup(type_name, values)
        # omapi_auth_key_lookup: the name of a declared key and its algorithm.
        name, algorithm = _text(values.get("name")), _text(values.get("algorithm"))
        if name is None or algorithm is None:
            return NOT_FOUND
        chosen = self._keys.get(name.lower())
        if chosen is None or chosen.algorithm.lower() != algorithm.lower():
            return NOT_FOUND
        return ObjectRef(AUTHENTICATOR, name.lower())

    def _published(self, ref: ObjectRef) -> Sequence[tuple[str, Value]] | None:
        if ref.type == AUTHENTICATOR:
            chosen = self._keys[ref.key]
            return [("name", chosen.name.encode()), ("algorithm", chosen.algorithm.encode())]
        return self._objects.published(ref)

    def _send_update(self, request: OmapiMessage, key: OmapiKey | None,
                     ref: ObjectRef) -> bytes:
        values = self._published(ref)
        if values is None:
            return self._status(request, key, NOT_FOUND, "no matching handle")
        handle = self._handles.handle_of(ref)  # before the values' own, as in dhcpd
        wire = tuple((name.encode(), self._wire(value)) for name, value in values)
        return self._send(request, key, Op.UPDATE, handle, (), wire)

    def _status(self, request: OmapiMessage, key: OmapiKey | None, result: int,
                text: str | None) -> bytes:
        values: list[tuple[bytes, bytes]] = [(b"result", int_value(result))]
        if text is not None:
            values.append((b"message", text.encode()))
        return self._send(request, key, Op.STATUS, 0, tuple(values), ())

    def _send(self, request: OmapiMessage, key: OmapiKey | None, op: int, handle: int,
              message_values: tuple[tuple[bytes, bytes], ...],
              object_values: tuple[tuple[bytes, bytes], ...]) -> bytes:
        """An answer to `request`, signed with the key it came with (and naming the
        same authenticator), as omapi_protocol_send_message does."""
        message = OmapiMessage(authid=request.authid if key is not None else 0, op=op,
                               handle=handle, id=next(self._next_id), rid=request.id,
                               message_values=message_values,
                               object_values=object_values, signature=b"")
        return encode(message, key)

    def _wire(self, value: Value) -> bytes:
        if isinstance(value, ObjectRef):
            return int_value(self._handles.handle_of(value))
        return value


def _named(pairs: Sequence[tuple[bytes, bytes]]) -> dict[str, bytes]:
    """Name -> value; a name sent twice keeps its last value (ISC's set_value)."""
    return {name.decode("latin-1"): value for name, value in pairs}


def _pairs(pairs: Sequence[tuple[bytes, bytes]]) -> list[tuple[str, bytes]]:
    return [(name.decode("latin-1"), value) for name, value in pairs]


def _text(value: bytes | None) -> str | None:
    """A string value as omshell sends it (no terminating NUL; one tolerated)."""
    if value is None:
        return None
    return value.rstrip(b"\0").decode("latin-1")
