"""The saved index of one live lease file through a `LeaseLog`'s life.

Opening: the index saved beside the file is offered to the store, which scans only
what follows the bytes it covers, if the file still starts with exactly those bytes.
Startup: its packed records are handed, once, to the first read of the newest
records.  Closing: a new index is saved unless the one on disk already describes the
file; the records of the index last saved are reused for every event it covers, the
leases the log appended since are kept packed as it wrote them (`appended`), and a
rotation's carried records inherit the packed form of the records they copy, so only
records ISC wrote are parsed again (16 MiB of them would stall the committer for most
of a second).  The log also saves one every
`INDEX_EVERY_BYTES` appended (and soon after a rotation), so a restart after a crash
scans at most that much.  See `saved_index` for the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from eventsourcing.domain import DomainEventProtocol

from adapters.leasefile.event_index import EventIndex, IndexColumns
from adapters.leasefile.latest_state import packed_as_written, packed_records
from adapters.leasefile.log_scan import FileData
from adapters.leasefile.saved_index import (
    SavedIndex,
    covered_crc,
    read_saved_index,
    write_saved_index,
)
from adapters.leasefile.store_errors import LeaseFileError
from domain.lease_events import LeaseEvent
from projections.addresses import ip_number

log = logging.getLogger(__name__)


class IndexKeeper:
    """What a log knows of its live file's saved index (see the module's docstring)."""

    def __init__(self, live: Path) -> None:
        self.live = live
        self._saved = read_saved_index(live)
        self._used: tuple[int, int] | None = None  # (covered bytes, CRC) of the one used
        self._current = False  # the index on disk describes the file as it is
        # The packed leases appended since the index on disk was saved, by event number.
        self._written: dict[int, tuple[int, bytes]] = {}

    def resume(self, data: FileData, spans: list[tuple[int, int]]) -> tuple[EventIndex, int] | None:
        """The saved index as the store's starting point, when `data` (the live file)
        still starts with the bytes it covers; `spans` get its headerless spans."""
        saved = self._saved
        if saved is not None and not saved.matches(data):
            log.warning("%s: the saved index does not match the file (it changed or was"
                        " replaced meanwhile); reading the file whole", self.live)
            saved = self._saved = None
        if saved is None:
            return None
        try:
            index = EventIndex.from_columns(saved.columns, saved.record_addresses)
        except (ValueError, OverflowError) as error:
            log.warning("%s: the saved index does not hold together (%s); reading the"
                        " file whole", self.live, error)
            self._saved = None
            return None
        spans[:] = saved.headerless_spans
        self._used = saved.covered_end, saved.covered_crc
        self._current = saved.covered_end == len(data)
        return index, saved.covered_end

    def take(self) -> SavedIndex | None:
        """The saved index for the first read of the newest records (later reads get
        None: the records are not kept in memory beyond that)."""
        saved, self._saved = self._saved, None
        return saved if self._used is not None else None

    @property
    def current(self) -> bool:
        """Whether the index on disk describes the live file as it is."""
        return self._current

    def changed(self) -> None:
        """The live file has grown: the close must save a new index."""
        self._current = False

    def appended(self, events: Sequence[DomainEventProtocol[Any]], ids: Sequence[int]) -> None:
        """The log wrote `events` as notification ids `ids`: their leases are kept
        packed for the next save."""
        written = self._written
        for event, notification_id in zip(events, ids, strict=True):
            if isinstance(event, LeaseEvent) and event.originator_id == event.lease.ip:
                packed = packed_as_written(event.lease)
                if packed is not None:
                    written[notification_id - 1] = (ip_number(event.lease.ip), packed)

    def new_file(self, sources: list[int | None], ids: Sequence[int]) -> None:
        """A rotation put a new live file in place, nothing saved describes it; its
        carried events (notification ids `ids`) copy the records of the old file's
        events `sources` byte for byte (None: written again), so they take those
        records' packed form, where it is known."""
        packed = self.known_records()
        packed.update(self._written)
        self._written = {notification_id - 1: packed[source]
                         for source, notification_id in zip(sources, ids, strict=True)
                         if source is not None and source in packed}
        self._saved, self._used, self._current = None, None, False

    def save(
        self,
        columns: Callable[[], IndexColumns],
        read_state: Callable[[int], bytes],
        fd: int,
        size: int,
        spans: list[tuple[int, int]],
    ) -> None:
        """Save the index of the open file `fd`, `size` sound bytes, unless the one on
        disk describes it already.  A failure is logged: it costs the next open time,
        nothing else."""
        if self._current:
            return
        try:
            index = columns()
            known = self.known_records()
            known.update(self._written)
            records, ends, addresses = packed_records(index, read_state, self.live, known)
            crc = covered_crc(fd, size, self._used)
            write_saved_index(self.live, SavedIndex(size, crc, index, list(spans), records,
                                                    ends, addresses))
            # The index on disk is now this one: the next save reuses its records and
            # sums only the bytes appended after it.
            self._used = size, crc
            self._current = True
            self._written = {}  # the index on disk holds them now
        except (OSError, ValueError, TypeError, LeaseFileError) as error:
            log.warning("%s: cannot save the index for the next start (%s); it will read"
                        " the file whole", self.live, error)

    def known_records(self) -> dict[int, tuple[int, bytes]]:
        """The packed records of the index the log was opened with, if that is still
        the one on disk: the events it covers need not be parsed again."""
        if self._used is None:
            return {}
        saved = read_saved_index(self.live)
        if saved is None or (saved.covered_end, saved.covered_crc) != self._used:
            return {}
        return saved.packed_leases()
