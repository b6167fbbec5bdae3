"""The saved index of one live lease file through a `LeaseLog`'s life.

Opening: the index saved beside the file is offered to the store, which scans only
what follows the bytes it covers, if the file still starts with exactly those bytes.
Startup: its packed records are handed, once, to the first read of the newest
records.  Closing: a new index is saved unless the one on disk already describes the
file; the records of the index last saved are reused for every event it covers, so
only what changed since is parsed again.  The log also saves one every
`INDEX_EVERY_BYTES` appended (and soon after a rotation), so a restart after a crash
scans at most that much.  See `saved_index` for the checks.
"""

from __future__ import annotations

import logging
from collections.abc import Callable
from pathlib import Path

from adapters.leasefile.event_index import EventIndex, IndexColumns
from adapters.leasefile.latest_state import packed_records
from adapters.leasefile.saved_index import (
    SavedIndex,
    covered_crc,
    read_saved_index,
    write_saved_index,
)
from adapters.leasefile.store_errors import LeaseFileError

log = logging.getLogger(__name__)


class IndexKeeper:
    """What a log knows of its live file's saved index (see the module's docstring)."""

    def __init__(self, live: Path) -> None:
        self.live = live
        self._saved = read_saved_index(live)
        self._used: tuple[int, int] | None = None  # (covered bytes, CRC) of the one used
        self._current = False  # the index on disk describes the file as it is

    def resume(self, data: bytes, spans: list[tuple[int, int]]) -> tuple[EventIndex, int] | None:
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

    def new_file(self) -> None:
        """A rotation put a new live file in place: nothing saved describes it."""
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
            records, ends, addresses = packed_records(index, read_state, self.live,
                                                      self._known_records())
            crc = covered_crc(fd, size, self._used)
            write_saved_index(self.live, SavedIndex(size, crc, index, list(spans), records,
                                                    ends, addresses))
            # The index on disk is now this one: the next save reuses its records and
            # sums only the bytes appended after it.
            self._used = size, crc
            self._current = True
        except (OSError, ValueError, TypeError, LeaseFileError) as error:
            log.warning("%s: cannot save the index for the next start (%s); it will read"
                        " the file whole", self.live, error)

    def _known_records(self) -> dict[int, tuple[int, bytes]]:
        """The packed records of the index the log was opened with, if that is still
        the one on disk: the events it covers need not be parsed again."""
        if self._used is None:
            return {}
        saved = read_saved_index(self.live)
        if saved is None or (saved.covered_end, saved.covered_crc) != self._used:
            return {}
        return saved.packed_leases()
