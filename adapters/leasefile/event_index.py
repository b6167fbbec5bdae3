"""Where every stored event sits in the lease file: the store's only in-memory state.

The file will hold millions of events, so the index keeps no event text: per event it
keeps the byte offset and length of its record, its version, small numbers for its
topic and its aggregate, and the number of the aggregate's previous event (about 17
bytes an event, in flat arrays of the narrowest type that holds the values); the text
is read back from the file when asked for.  An event's number is its notification id
minus one.  An aggregate's events form a chain from its last event backwards, so
appending is O(1) and reading an aggregate's history costs only that history.

A daemon needs no history, only each aggregate's newest event: `forget_history` keeps
one row per aggregate (a log of a million events over 100,000 addresses then costs a
tenth of the rows).  Rows and event numbers part then: each kept row remembers its
event number, and the history selections see only the events still held.
"""

from __future__ import annotations

from array import array
from bisect import bisect_left
from collections.abc import Sequence
from typing import NamedTuple
from uuid import UUID

from adapters.leasefile.aggregate_map import AddressAggregateMap, AggregateMap

_NONE = -1


class IndexEntry(NamedTuple):
    """One event as the index knows it."""

    originator_id: UUID | str
    version: int
    topic: str
    offset: int
    length: int


class IndexColumns(NamedTuple):
    """An index without history, as plain values: what a saved index holds.  Row k is
    the newest event of aggregate `originator_ids[k]`, event number `numbers[k]`;
    `count` is how many events the file holds in all."""

    count: int  # type: ignore[assignment]  # shadows tuple.count, as the saved format names it
    numbers: array[int]
    offsets: array[int]
    lengths: array[int]
    versions: array[int]
    topic_numbers: array[int]
    topics: list[str]
    originator_ids: list[str]


class EventIndex:
    """Append-only columns, one row per event, plus each aggregate's last event.

    Rows, `_previous` and `_last_event` count rows; what the methods take and give are
    event numbers (the same until `forget_history`)."""

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
        self._aggregates = AggregateMap()
        self._last_event = array("i")
        # Once history is forgotten: the event number of each row, and the event count.
        self._numbers: array[int] | None = None
        self._count = 0

    def __len__(self) -> int:
        return len(self._offsets) if self._numbers is None else self._count

    def append(
        self, originator_id: UUID | str, version: int, topic: str, offset: int, length: int
    ) -> bool:
        """Record one event as the next number, unless its aggregate already has this
        version: then nothing is recorded and the answer is False."""
        key = originator_id if isinstance(originator_id, str) else str(originator_id)
        number = self._aggregates.number(key)
        event = len(self._offsets)  # the row
        if number is None:
            number = self._aggregates.add(key, originator_id)
            previous = _NONE
        else:
            previous = self._last_event[number]
            if (
                previous != _NONE
                and self._versions[previous] >= version
                and (self._numbers is not None or version in self._chain_versions(previous))
            ):
                return False  # without history, only a newer version is known to be new
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
        if self._numbers is not None:
            self._numbers = _appended(self._numbers, self._count)
            self._count += 1
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
        """Whether the aggregate already has an event with this version (without
        history: whether the version is not newer than its newest)."""
        last = self._last_of(originator_id)
        if last == _NONE:
            return False
        if self._numbers is not None:
            return version <= self._versions[last]
        return version in self._chain_versions(last)

    def last_version(self, originator_id: UUID | str) -> int | None:
        """The version of the aggregate's last event, None when it has none."""
        last = self._last_of(originator_id)
        return None if last == _NONE else self._versions[last]

    def truncate(self, count: int) -> None:
        """Forget every event from number `count` on (a batch that never completed)."""
        first_row = count if self._numbers is None else bisect_left(self._numbers, count)
        for row in range(len(self._offsets) - 1, first_row - 1, -1):
            self._last_event[self._originator_numbers[row]] = self._previous[row]
        for column in (self._offsets, self._lengths, self._versions, self._topic_numbers,
                       self._originator_numbers, self._previous):
            del column[first_row:]
        if self._numbers is not None:
            del self._numbers[first_row:]
            self._count = count

    def forget_history(self) -> None:
        """Keep only the newest event of each aggregate (see the module's docstring)."""
        if self._numbers is not None and len(self._offsets) == len(self._aggregates):
            return  # one row per aggregate already (as a restored index has)
        count = len(self)
        rows = sorted(row for row in self._last_event if row != _NONE)
        numbers = array("I" if count < 2**32 else "q", (self._number(row) for row in rows))
        for name in _COLUMNS:
            column = getattr(self, name)
            setattr(self, name, array(column.typecode, (column[row] for row in rows)))
        self._previous = array("i", [_NONE]) * len(rows)
        self._last_event = array("i", [_NONE]) * len(self._aggregates)
        for row, number in enumerate(self._originator_numbers):
            self._last_event[number] = row
        self._count = count
        self._numbers = numbers

    def columns(self) -> IndexColumns:
        """The index without history, as values (the index forgets its history first).
        Every originator id must be a str."""
        self.forget_history()
        assert self._numbers is not None
        ids = [self._aggregates.id_of(number) for number in self._originator_numbers]
        if not all(isinstance(originator_id, str) for originator_id in ids):
            raise TypeError("only an index of str originator ids can be saved")
        return IndexColumns(self._count, self._numbers[:], self._offsets[:], self._lengths[:],
                            self._versions[:], self._topic_numbers[:], list(self._topics),
                            ids)  # type: ignore[arg-type]  # checked just above

    @classmethod
    def from_columns(
        cls, columns: IndexColumns, addresses: Sequence[int] | None = None
    ) -> EventIndex:
        """The index `columns` describes (which must be one `columns()` made); it
        copies them, so later appends leave `columns` as they were.  `addresses`, when
        given, is the address number of each row's aggregate (0: not an address): those
        are then kept compactly (`AddressAggregateMap`)."""
        index = cls()
        index._numbers, index._count = columns.numbers[:], columns.count
        index._offsets, index._lengths = columns.offsets[:], columns.lengths[:]
        index._versions, index._topic_numbers = columns.versions[:], columns.topic_numbers[:]
        index._topics = list(columns.topics)
        index._topic_number = {topic: n for n, topic in enumerate(columns.topics)}
        rows = len(columns.originator_ids)
        if addresses is None:
            for originator_id in columns.originator_ids:
                if index._aggregates.number(originator_id) is not None:
                    raise ValueError("an aggregate has two rows")
                index._aggregates.add(originator_id, originator_id)
        else:
            index._aggregates = AddressAggregateMap(columns.originator_ids, addresses)
        index._originator_numbers = array("I" if rows < 2**32 else "q", range(rows))
        index._previous = array("i", [_NONE]) * rows
        index._last_event = array("i", range(rows))
        return index

    def numbers_between(self, first: int, last: int) -> list[int]:
        """The numbers of the events held, from `first` to `last` inclusive."""
        if self._numbers is None:
            return list(range(first, min(last, len(self) - 1) + 1))
        return list(self._numbers[bisect_left(self._numbers, first):
                                  bisect_left(self._numbers, last + 1)])

    def entry(self, event: int) -> IndexEntry:
        """Everything the index holds about event number `event`."""
        event = self._row(event)
        return IndexEntry(
            self._aggregates.id_of(self._originator_numbers[event]),
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
        rows = []
        row = self._last_of(originator_id)
        while row != _NONE:
            version = self._versions[row]
            if (gt is None or version > gt) and (lte is None or version <= lte):
                rows.append(row)
            row = self._previous[row]
        rows.sort(key=self._versions.__getitem__, reverse=desc)
        return [self._number(row) for row in (rows if limit is None else rows[:limit])]

    def topic_numbers(self, topics: Sequence[str]) -> set[int]:
        """The numbers of those `topics` that occur in the index."""
        return {self._topic_number[t] for t in topics if t in self._topic_number}

    def topic_number_of(self, event: int) -> int:
        return self._topic_numbers[self._row(event)]

    def latest(self) -> list[tuple[int, UUID | str, int, str]]:
        """(event number, originator id, version, topic) of the last event of every
        aggregate, in file order: all a startup needs before it reads any record."""
        rows = sorted(row for row in self._last_event if row != _NONE)
        numbers = range(len(self._offsets)) if self._numbers is None else self._numbers
        id_of, owners = self._aggregates.id_of, self._originator_numbers
        versions, topics, topic_numbers = self._versions, self._topics, self._topic_numbers
        return [(numbers[row], id_of(owners[row]), versions[row], topics[topic_numbers[row]])
                for row in rows]

    def latest_events(self) -> list[int]:
        """The last event of every aggregate, in file order: the state ISC would load."""
        rows = sorted(row for row in self._last_event if row != _NONE)
        return rows if self._numbers is None else [self._numbers[row] for row in rows]

    def _number(self, row: int) -> int:
        return row if self._numbers is None else self._numbers[row]

    def _row(self, event: int) -> int:
        if self._numbers is None:
            return event
        row = bisect_left(self._numbers, event)
        if row == len(self._numbers) or self._numbers[row] != event:
            raise IndexError(f"event {event} is no longer held")
        return row

    def _last_of(self, originator_id: UUID | str) -> int:
        number = self._aggregates.number(str(originator_id))
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
