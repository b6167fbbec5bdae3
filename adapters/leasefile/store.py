"""The event store whose recorder IS the dhcpd.leases file.

Appending a batch of events is one `write()` of complete, headed records and one
`fdatasync()`: when `insert_events` returns, the events are on disk, and ISC dhcpd
could load the file at that instant.  Opening the file verifies every header and cuts
off (and logs) an unfinished trailing batch, so a crash never leaves half a batch
applied.  Text without headers, such as a lease file written by ISC dhcpd, is read as
`Imported` events, so an existing dhcpd.leases is a valid starting log.

The recorder implements eventsourcing 9.5.6's `AggregateRecorder` (the application
recorder on top of it is `application_recorder`); the library's own recorder test
cases run against both.
Memory per event is a few dozen bytes (see `event_index`): the text of an event is read
back from the file when it is selected.
"""

from __future__ import annotations

import logging
import mmap
import os
import threading
from collections.abc import Callable, Collection, Sequence
from pathlib import Path
from types import TracebackType
from typing import Any, Self
from uuid import UUID

from eventsourcing.persistence import (
    AggregateRecorder,
    Notification,
    ProgrammingError,
    StoredEvent,
)

from adapters.leasefile.batch_framing import check_unique, frame_batch
from adapters.leasefile.event_index import EventIndex, IndexColumns
from adapters.leasefile.file_lock import lock_exclusively
from adapters.leasefile.log_scan import (
    FileData,
    ReadHeaderless,
    ScanOutcome,
    scan_log,
)
from adapters.leasefile.record_header import (
    FOREIGN_PREFIX,
    parse_foreign,
)
from adapters.leasefile.store_errors import LeaseFileError, LeaseFileIOError, LeaseRecordError

log = logging.getLogger(__name__)
# Given the whole file, an index of its first bytes and where they end (an index saved
# earlier and found to match the file), or None: the file is scanned from the start.
Resume = Callable[[FileData], tuple[EventIndex, int] | None]


class LeaseFileAggregateRecorder(AggregateRecorder):
    """Stores events as records of one lease file, which it holds locked while open.

    `record_topics` are the topics whose state is an ISC record (written as it is);
    the state of any other event is kept in one comment line.  `read_headerless` turns
    text without headers into `Imported` events.  `persistence.open_lease_file` supplies
    both for leaseledger's events.  `resume` may spare the scan of the file's first
    bytes (see `Resume`); the rest is scanned, and cut off when unsound, as ever."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        record_topics: Collection[str],
        read_headerless: ReadHeaderless,
        resume: Resume | None = None,
    ) -> None:
        self.path = Path(path)
        self._record_topics = frozenset(record_topics)
        self._lock = threading.RLock()
        self._index = EventIndex()
        self._broken: str | None = None
        self._size = 0
        self._needs_newline = False
        try:
            self._fd: int | None = os.open(
                self.path, os.O_RDWR | os.O_CREAT | os.O_APPEND | os.O_CLOEXEC, 0o644
            )
        except OSError as error:
            raise LeaseFileIOError(f"{self.path}: cannot open: {error.strerror}") from None
        try:
            lock_exclusively(self._fd, str(self.path))
            self._size = self._load(read_headerless, resume)
            # ISC may leave the last `}` without a newline; a header must start a line.
            self._needs_newline = self._size > 0 and self._pread(self._size - 1, 1) != b"\n"
        except BaseException:
            self.close()
            raise

    # -- the AggregateRecorder interface -------------------------------------------

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        self._append(stored_events, **kwargs)
        return None

    def select_events(
        self,
        originator_id: UUID | str,
        *,
        gt: int | None = None,
        lte: int | None = None,
        desc: bool = False,
        limit: int | None = None,
    ) -> Sequence[StoredEvent]:
        with self._lock:
            events = self._index.events_of(originator_id, gt=gt, lte=lte, desc=desc, limit=limit)
            return [self._stored_event(event) for event in events]

    # -- beyond the interface --------------------------------------------------------

    def last_version(self, originator_id: UUID | str) -> int | None:
        """The version of the aggregate's newest event in this file, None when it has
        none: the aggregate's next event must carry the version after it."""
        with self._lock:
            return self._index.last_version(originator_id)

    @property
    def closed(self) -> bool:
        return self._fd is None

    def fileno(self) -> int:
        """The open file's descriptor (to read it; every write goes through here)."""
        return self._open_fd()

    @property
    def size(self) -> int:
        """The length of the sound file: where the next append begins."""
        return self._size

    def forget_history(self) -> None:
        """Keep in memory only the newest event of each aggregate (`EventIndex`): the
        history selections see only those from now on."""
        with self._lock:
            self._index.forget_history()

    def index_columns(self) -> IndexColumns:
        """The index without history, as values to save (see `EventIndex.columns`)."""
        with self._lock:
            return self._index.columns()

    def renamed_to(self, path: str | os.PathLike[str]) -> None:
        """The open file now has another name (a log rotation renamed a new segment
        into place, lock and all): messages name it by that from now on."""
        self.path = Path(path)

    def select_latest_events(self) -> list[Notification]:
        """The newest event of every aggregate, in file order.

        This is what ISC dhcpd loads ("the last record for an address wins"), and all a
        projection needs to start: far fewer reads than replaying every event."""
        with self._lock:
            return [self._notification(event) for event in self._index.latest_events()]

    def latest_entries(self) -> list[tuple[int, UUID | str, int, str]]:
        """(event number, originator id, version, topic) of the newest event of every
        aggregate, in file order: what a startup needs before it reads any record."""
        with self._lock:
            return self._index.latest()

    def read_state(self, event: int) -> bytes:
        """The state of event number `event` (read back from the file)."""
        with self._lock:
            return self._read_event(event)[3]

    def select_latest_states(self) -> list[tuple[str, bytes]]:
        """(topic, state) of the newest event of every aggregate, in file order: what
        `select_latest_events` gives without the notification objects, for a startup
        that reads only the records."""
        with self._lock:
            return [self._read_event(event)[2:] for event in self._index.latest_events()]

    def close(self) -> None:
        """Release the file (and its lock).  Closing twice is harmless."""
        with self._lock:
            fd, self._fd = self._fd, None
            if fd is not None:
                os.close(fd)

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self.close()

    # -- opening -----------------------------------------------------------------------

    def _load(self, read_headerless: ReadHeaderless, resume: Resume | None) -> int:
        """Index the file; cut off what is unsound; return its size."""
        fd = self._open_fd()
        size = os.fstat(fd).st_size
        if size == 0:
            return 0
        with mmap.mmap(fd, size, access=mmap.ACCESS_READ) as data:
            resumed = None if resume is None else resume(data)
            start = 0
            if resumed is not None:
                self._index, start = resumed
            outcome = scan_log(
                data,
                self._index,
                read_headerless,
                str(self.path),
                start=start,
            )
            for complaint in outcome.complaints:
                log.warning("%s", complaint)
            if outcome.misnumbered:
                log.warning(
                    "%s: %d headers carry a position other than their place in the file;"
                    " the file order is used",
                    self.path,
                    outcome.misnumbered,
                )
            if not outcome.needs_cut:
                return size
            kept = self._keep_cut_off(data, outcome)
        self._cut(outcome, kept)
        return outcome.valid_end

    def _keep_cut_off(self, data: mmap.mmap, outcome: ScanOutcome) -> Path:
        """Copy the bytes about to be cut off beside the file, durably, for the operator:
        a torn write loses nothing by it, but damage in the middle of the file would
        otherwise take every later batch with it."""
        kept = self.path.with_name(f"{self.path.name}.cut-{outcome.valid_end}")
        try:
            with open(kept, "wb") as copy:
                copy.write(data[outcome.valid_end :])
                copy.flush()
                os.fsync(copy.fileno())
        except OSError as error:
            raise LeaseFileIOError(
                f"{self.path}: cannot keep the unsound tail in {kept} before cutting it off:"
                f" {error.strerror}"
            ) from None
        return kept

    def _cut(self, outcome: ScanOutcome, kept: Path) -> None:
        fd = self._open_fd()
        try:
            os.ftruncate(fd, outcome.valid_end)
            os.fsync(fd)
        except OSError as error:
            raise LeaseFileIOError(f"{self.path}: cannot cut off the unsound tail:"
                                   f" {error.strerror}") from None
        log.warning(
            "%s: cut off %d bytes from byte %d because %s; they are kept in %s",
            self.path,
            outcome.file_size - outcome.valid_end,
            outcome.valid_end,
            outcome.cut_reason,
            kept,
        )

    # -- appending -----------------------------------------------------------------------

    def _append(self, stored_events: Sequence[StoredEvent], **kwargs: Any) -> list[int]:
        if kwargs.get("tracking") is not None:
            raise ProgrammingError(
                f"{self.path}: the lease file cannot record tracking with events"
            )
        if not stored_events:
            return []
        with self._lock:
            fd = self._open_fd()
            if self._broken is not None:
                raise LeaseFileIOError(f"{self.path}: no more writes: {self._broken}")
            check_unique(stored_events, self._index.has_version, str(self.path))
            first = len(self._index) + 1
            parts = len(stored_events)
            data, placed, offset = frame_batch(
                stored_events, self._record_topics, first, self._size,
                b"\n" if self._needs_newline else b"", str(self.path))
            self._write_durably(fd, data)
            for entry in placed:
                self._index.append(*entry)
            self._size = offset
            self._needs_newline = False
            return list(range(first, first + parts))

    def append_verbatim(self, text: bytes) -> tuple[int, int]:
        """Make `text` (whole records that belong to no aggregate, ISC's layout, no
        header) durable at the end of the file; its (offset, length).  A later scan
        reads it as headerless text, as it reads what ISC wrote."""
        if not text.endswith(b"\n"):
            raise LeaseRecordError(f"{self.path}: a verbatim record must end its line")
        with self._lock:
            fd = self._open_fd()
            if self._broken is not None:
                raise LeaseFileIOError(f"{self.path}: no more writes: {self._broken}")
            lead = b"\n" if self._needs_newline else b""
            self._write_durably(fd, lead + text)
            offset = self._size + len(lead)
            self._size = offset + len(text)
            self._needs_newline = False
            return offset, len(text)

    def _write_durably(self, fd: int, data: bytes) -> None:
        """One write and one sync; on failure the file is put back as it was."""
        try:
            written = os.write(fd, data)
            while written < len(data):
                written += os.write(fd, memoryview(data)[written:])
            os.fdatasync(fd)
        except OSError as error:
            try:
                os.ftruncate(fd, self._size)
            except OSError:
                self._broken = f"a failed append could not be taken back ({error.strerror})"
            raise LeaseFileIOError(
                f"{self.path}: cannot append {len(data)} bytes: {error.strerror}"
            ) from None

    # -- reading back ----------------------------------------------------------------------

    def _stored_event(self, event: int) -> StoredEvent:
        originator_id, version, topic, state = self._read_event(event)
        return StoredEvent(originator_id, version, topic, state)

    def _notification(self, event: int) -> Notification:
        originator_id, version, topic, state = self._read_event(event)
        return Notification(originator_id, version, topic, state, id=event + 1)

    def _read_event(self, event: int) -> tuple[UUID | str, int, str, bytes]:
        entry = self._index.entry(event)
        text = self._pread(entry.offset, entry.length)
        if text.startswith(FOREIGN_PREFIX):
            foreign = parse_foreign(text)
            if foreign is None:
                raise LeaseFileError(f"{self.path}: byte {entry.offset} changed under the store")
            return foreign.originator_id, entry.version, entry.topic, foreign.state
        return entry.originator_id, entry.version, entry.topic, text

    def _pread(self, offset: int, length: int) -> bytes:
        fd = self._open_fd()
        try:
            data = os.pread(fd, length, offset)
        except OSError as error:
            raise LeaseFileIOError(f"{self.path}: cannot read: {error.strerror}") from None
        if len(data) != length:
            raise LeaseFileError(f"{self.path}: the file shrank under the store")
        return data

    def _open_fd(self) -> int:
        if self._fd is None:
            raise LeaseFileError(f"{self.path}: the store is closed")
        return self._fd
