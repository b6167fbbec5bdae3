"""Which aggregate an id names: the event index's map from id to aggregate number.

Aggregates are numbered in the order they are first seen.  The plain map is a dict and
a list; for 100,000 addresses that is about 150 bytes each (the dict entry, the id's
str, its number), as much as the rest of a restarted log's index together.  An index
restored from a saved one (`EventIndex.from_columns`) knows the address of most of its
aggregates as a number already, so `AddressAggregateMap` keeps those in sorted arrays,
12 bytes each, finds them by binary search and makes their id text when asked.
"""

from __future__ import annotations

import socket
from array import array
from bisect import bisect_left
from collections.abc import Sequence
from uuid import UUID

from adapters.leasefile.address_versions import address_number


class AggregateMap:
    """id -> aggregate number, and back."""

    def __init__(self) -> None:
        self._numbers: dict[str, int] = {}
        self._ids: list[UUID | str] = []

    def __len__(self) -> int:
        return len(self._ids)

    def number(self, key: str) -> int | None:
        """The number of the aggregate whose id reads `key`, None when none has."""
        return self._numbers.get(key)

    def add(self, key: str, originator_id: UUID | str) -> int:
        """Number a new aggregate (`key` is its id as text)."""
        number = len(self)
        self._numbers[key] = number
        self._ids.append(originator_id)
        return number

    def id_of(self, number: int) -> UUID | str:
        return self._ids[number]


class AddressAggregateMap(AggregateMap):
    """Aggregates 0 .. len(ids)-1 restored with their ids; those with an address
    number (not 0) are kept by it, every other one and every one added later as the
    plain map keeps them."""

    def __init__(self, ids: Sequence[str], addresses: Sequence[int]) -> None:
        super().__init__()
        if len(ids) != len(addresses):
            raise ValueError("ids and addresses differ in number")
        self._restored = len(ids)
        self._address_of = array("I", addresses)
        by_address = sorted((n for n in range(len(ids)) if addresses[n]),
                            key=addresses.__getitem__)
        self._sorted_addresses = array("I", (addresses[n] for n in by_address))
        self._sorted_numbers = array("I", by_address)
        if any(a == b for a, b in zip(self._sorted_addresses, self._sorted_addresses[1:],
                                      strict=False)):
            raise ValueError("two aggregates have one address")
        self._other_ids = {n: ids[n] for n in range(len(ids)) if not addresses[n]}
        self._numbers = {originator_id: n for n, originator_id in self._other_ids.items()}
        if len(self._numbers) != len(self._other_ids):
            raise ValueError("two aggregates have one id")

    def __len__(self) -> int:
        return self._restored + len(self._ids)

    def number(self, key: str) -> int | None:
        found = self._numbers.get(key)
        if found is not None:
            return found
        address = address_number(key)
        if address is None:
            return None
        at = bisect_left(self._sorted_addresses, address)
        if at < len(self._sorted_addresses) and self._sorted_addresses[at] == address:
            return self._sorted_numbers[at]
        return None

    def id_of(self, number: int) -> UUID | str:
        if number >= self._restored:
            return self._ids[number - self._restored]
        other = self._other_ids.get(number)
        if other is not None:
            return other
        return socket.inet_ntoa(self._address_of[number].to_bytes(4, "big"))
