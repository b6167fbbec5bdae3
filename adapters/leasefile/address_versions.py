"""The version of each aggregate's newest event, kept as the daemon numbers its events.

The daemon gives every event of an address the version after the last one, without
asking the store (whose lock is held through every fsync), so it keeps its own map from
aggregate id to version: 100,000 entries and more.  A dict keyed by address text costs
about 150 bytes an entry; keyed by address number, with the number objects the lease
table keys by anyway (a startup hands the same objects to both), about 50.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator, MutableMapping


class AddressVersions(MutableMapping[str, int]):
    """aggregate id -> version; addresses are keyed by number, other ids as they are."""

    def __init__(self, by_number: dict[int, int] | None = None) -> None:
        self._by_number: dict[int, int] = {} if by_number is None else by_number
        self._others: dict[str, int] = {}

    def __getitem__(self, originator_id: str) -> int:
        number = address_number(originator_id)
        if number is None:
            return self._others[originator_id]
        return self._by_number[number]

    def get(self, originator_id: str, default: int | None = None) -> int | None:  # type: ignore[override]
        """As `Mapping.get`, without its raise and catch of KeyError: the daemon asks
        this for every event, and a resynchronisation into an empty log misses every
        time."""
        number = address_number(originator_id)
        if number is None:
            return self._others.get(originator_id, default)
        return self._by_number.get(number, default)

    def __setitem__(self, originator_id: str, version: int) -> None:
        number = address_number(originator_id)
        if number is None:
            self._others[originator_id] = version
        else:
            self._by_number[number] = version

    def __delitem__(self, originator_id: str) -> None:
        number = address_number(originator_id)
        if number is None:
            del self._others[originator_id]
        else:
            del self._by_number[number]

    def __iter__(self) -> Iterator[str]:
        yield from (socket.inet_ntoa(number.to_bytes(4, "big")) for number in self._by_number)
        yield from self._others

    def __len__(self) -> int:
        return len(self._by_number) + len(self._others)


def address_number(originator_id: str) -> int | None:
    """The number of an aggregate id that is an address in dotted-quad form as the lease
    file writes it (no leading zeros), None for any other id."""
    try:
        packed = socket.inet_aton(originator_id)
    except (OSError, UnicodeEncodeError, ValueError):
        return None
    if socket.inet_ntoa(packed) != originator_id:
        return None
    return int.from_bytes(packed, "big")
