"""The port between the OMAPI protocol and what it manages: the server's objects.

OMAPI (ISC's object management API, spoken by omshell and by provisioning tools) names
objects by type and attributes: `new lease; set ip-address = 10.0.0.5; open` looks one
up, `set local-state = 4; update` changes a failover relationship.  The protocol
session (`omapi_session`) knows handles, keys and message rules and nothing of leases;
an `OmapiObjects` implementation knows the server's objects and nothing of the wire.
Unit tests give the session a fake; the daemon gives it `ops/omapi_objects`.

Statuses are ISC's isc_result_t numbers (omshell prints their text), so an object
answers exactly what dhcpd would: `NOT_FOUND` for "not found" and so on.
"""

from __future__ import annotations

import abc
from collections.abc import Mapping, Sequence
from dataclasses import dataclass

# isc_result_t values dhcpd's OMAPI answers with (bind's lib/isc/include/isc/result.h
# and dhcp's includes/omapip/result.h, where the DHCP class starts at 6 << 16).
SUCCESS = 0
NO_PERMISSION = 6
EXISTS = 18
NOT_FOUND = 23
IO_ERROR = 26
NOT_IMPLEMENTED = 27
UNEXPECTED = 34
_DHCP = 6 << 16
INVALID_ARG = _DHCP + 3
MULTIPLE = _DHCP + 6
KEY_CONFLICT = _DHCP + 7
BAD_PARSE = _DHCP + 8
NO_KEYS = _DHCP + 9
INVALID_KEY = _DHCP + 11
UNKNOWN_ATTRIBUTE = _DHCP + 32


@dataclass(frozen=True, slots=True)
class ObjectRef:
    """One object as the session's handle table knows it: its OMAPI type name and a
    key the objects understand (an address, a relationship's name)."""

    type: str
    key: str


# A published value: raw bytes, or another object (sent as its handle).
Value = bytes | ObjectRef


class OmapiObjects(abc.ABC):
    """The server's objects as OMAPI sees them."""

    @abc.abstractmethod
    def types(self) -> frozenset[str]:
        """The object type names known (an OPEN of another type is looked up by handle,
        as dhcpd does with a type it does not know)."""

    @abc.abstractmethod
    def lookup(self, type_name: str, values: Mapping[str, bytes]) -> ObjectRef | int:
        """The object of `type_name` that `values` (the OPEN's object values) select,
        or the status to answer (NOT_FOUND, KEY_CONFLICT, MULTIPLE, NO_KEYS…)."""

    @abc.abstractmethod
    def published(self, ref: ObjectRef) -> Sequence[tuple[str, Value]] | None:
        """The object's values, in dhcpd's order; None when it no longer exists."""

    @abc.abstractmethod
    def update(self, ref: ObjectRef, values: Sequence[tuple[str, bytes]]) -> int:
        """Apply an UPDATE's (or an OPEN with `update`'s) values; the status."""

    @abc.abstractmethod
    def create(self, type_name: str, values: Sequence[tuple[str, bytes]]) -> ObjectRef | int:
        """A new object (OPEN with `create`) or the status refusing it."""

    @abc.abstractmethod
    def remove(self, ref: ObjectRef) -> int:
        """DELETE: the status."""
