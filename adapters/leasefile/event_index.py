"""Where every stored event sits in the lease file: the store's only in-memory state.

The file will hold millions of events, so the index keeps no event text: per event it
keeps the byte offset and length of its record, its version, small numbers for its
topic and its aggregate, and the number of the aggregate's previous event (about 17
bytes an event, in flat arrays of the narrowest type that holds the values); the text
is read back from the file when asked for.  An event's number is its notification id
minus one.  An aggregate's events form a chain from its last event backwards, so
appending is O(1) and reading an aggregate's history costs only that history.
"""

from __future__ import annotations

from array import array
from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

_NONE = -1


class IndexEntry(NamedTuple):
    """One event as the index knows it."""

    originator_id: UUID | str
    version: int
    topic: str
    offset: int
    length: int


class EventIndex:
    """Append-only columns, one row per event, plus each aggregate's last event."""

    def __init__(self) -> None:
        # Each column starts as narrow as the usual values allow (a log under 4 GiB,
        # records under 64 KiB, versions under 65,536, under 256 topics): about 17 bytes
        # an event instead of 36.  A value that does not fit widens that column alone.
        self._offsets = array("I")
        self._lengths = array("H")
        self._versions = array("H")
        self._topic_numbers = array("B")
        self._originator_numbers = array("I")
        self._previous = array("i")
        self._topics: list[str] = []
        self._topic_number: dict[str, int] = {}
        self._originator_ids: list[UUID | str] = []
        self._originator_number: dict[str, int] = {}
        self._last_event = array("i")

    def __len__(self) -> int:
        return len(self._offsets)

    def append(
        self, originator_id: UUID | str, version: int, topic: str, offset: int, length: int
    ) -> bool:
        """Record one event as the next number, unless its aggregate already has this
        version: then nothing is recorded and the answer is False."""
        key = originator_id if isinstance(originator_id, str) else str(originator_id)
        number = self._originator_number.get(key)
        event = len(self._offsets)
        if number is None:
            number = len(self._originator_ids)
            self._originator_number[key] = number
            self._originator_ids.append(originator_id)
            previous = _NONE
        else:
            previous = self._last_event[number]
            if (
                previous != _NONE
                and self._versions[previous] >= version
                and version in self._chain_versions(previous)
            ):
                return False
        topic_number = self._topic_number.get(topic)
        if topic_number is None:
            topic_number = self._topic_number[topic] = len(self._topics)
            self._topics.append(topic)
        try:
            self._offsets.append(offset)
            self._lengths.append(length)
            self._versions.append(version)
            self._topic_numbers.append(topic_number)
            self._originator_numbers.append(number)
            self._previous.append(previous)
            if number == len(self._last_event):
                self._last_event.append(event)
            else:
                self._last_event[number] = event
        except OverflowError:
            self._widen_and_append(event, (offset, length, version, topic_number, number,
                                           previous))
        return True

    def _widen_and_append(self, count: int, row: tuple[int, int, int, int, int, int]) -> None:
        """Append a row that did not fit (rows before `count` stay; what was appended
        of this one is dropped first), widening each column its value does not fit."""
        for name, value in zip(_COLUMNS, row, strict=True):
            column = getattr(self, name)
            del column[count:]
            column = _appended(column, value)
            setattr(self, name, column)
        self._last_event = _appended(self._last_event, count, replace_at=row[4])

    def has_version(self, originator_id: UUID | str, version: int) -> bool:
        """Whether the aggregate already has an event with this version."""
        last = self._last_of(originator_id)
        return last != _NONE and version in self._chain_versions(last)

    def last_version(self, originator_id: UUID | str) -> int | None:
        """The version of the aggregate's last event, None when it has none."""
        last = self._last_of(originator_id)
        return None if last == _NONE else self._versions[last]

    def truncate(self, count: int) -> None:
        """Forget every event from number `count` on (a batch that never completed)."""
        for event in range(len(self._offsets) - 1, count - 1, -1):
            self._last_event[self._originator_numbers[event]] = self._previous[event]
        for column in (self._offsets, self._lengths, self._versions, self._topic_numbers,
                       self._originator_numbers, self._previous):
            del column[count:]

    def entry(self, event: int) -> IndexEntry:
        """Everything the index holds about event number `event`."""
        return IndexEntry(
            self._originator_ids[self._originator_numbers[event]],
            self._versions[event],
            self._topics[self._topic_numbers[event]],
            self._offsets[event],
            self._lengths[event],
        )

    def events_of(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> list[int]:
        """The aggregate's event numbers with gt < version <= lte, in version order."""
        events = []
        event = self._last_of(originator_id)
        while event != _NONE:
            version = self._versions[event]
            if (gt is None or version > gt) and (lte is None or version <= lte):
                events.append(event)
            event = self._previous[event]
        events.sort(key=self._versions.__getitem__, reverse=desc)
        return events if limit is None else events[:limit]

    def topic_numbers(self, topics: Sequence[str]) -> set[int]:
        """The numbers of those `topics` that occur in the index."""
        return {self._topic_number[t] for t in topics if t in self._topic_number}

    def topic_number_of(self, event: int) -> int:
        return self._topic_numbers[event]

    def latest_events(self) -> list[int]:
        """The last event of every aggregate, in file order: the state ISC would load."""
        return sorted(event for event in self._last_event if event != _NONE)

    def _last_of(self, originator_id: UUID | str) -> int:
        number = self._originator_number.get(str(originator_id))
        return _NONE if number is None else self._last_event[number]

    def _chain_versions(self, event: int) -> set[int]:
        versions = set()
        while event != _NONE:
            versions.add(self._versions[event])
            event = self._previous[event]
        return versions


# The columns of a row, in the order of `EventIndex.append`'s row.
_COLUMNS = ("_offsets", "_lengths", "_versions", "_topic_numbers", "_originator_numbers",
            "_previous")
# The next wider array type: signed from "H" on, so a negative version fits too.
_WIDER = {"B": "H", "H": "i", "i": "q", "I": "q"}


def _appended(column: array[int], value: int, replace_at: int | None = None) -> array[int]:
    """`column` with `value` appended (or put at `replace_at` when that is inside it),
    widened as far as the value needs: a value beyond 64 bits raises OverflowError."""
    while True:
        try:
            if replace_at is not None and replace_at < len(column):
                column[replace_at] = value
            else:
                column.append(value)
            return column
        except OverflowError:
            wider = _WIDER.get(column.typecode)
            if wider is None:
                raise
            column = array(wider, column)
