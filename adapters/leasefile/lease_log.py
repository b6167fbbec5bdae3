"""The daemon's lease log: one writer over the live dhcpd.leases and its archives.

`LeaseLog` is what the daemon holds: it locks the live file (through the store), gives
the projections the newest record of every address at startup, appends each batch with
one durable write, and rotates the log into a new segment once the live file has
passed `rotate_bytes` (see `segments` for the names and the crash-safe switch).

A new segment starts with ISC's prologue, the records of the old segment that belong to
no aggregate (hosts, classes, the server DUID: dhcpd would keep them too) and one
`Carried` event per live lease and per failover relationship, so the new file alone
holds the whole state, is a complete dhcpd.leases for ISC, and is all a restart reads.

Versions: a Carried event is a snapshot, not a change, so it keeps the version of the
event whose record it copies (as an eventsourcing snapshot keeps the aggregate's
version).  A rotation therefore never moves an aggregate's version: events the daemon
numbered before a rotation (queued in the group committer) stay valid after it, and
each segment alone is a valid store (an aggregate's first event there may have any
version).  Over the whole history an aggregate's changes are numbered 1, 2, 3, … with
no gap, and each Carried event repeats the number of the change before it.  The one
exception is a lease ISC would not write either (free, never used: no hardware
address, no client id, no tsfp): it is left out of the checkpoint, and its next event,
if one ever comes, starts again at version 1.  Positions (`n=` in the headers,
notification ids) count from 1 in each segment.

A restart after a clean stop reads little of the file: closing saves the index beside
it (`dhcpd.leases.index`, see `index_keeper`), which the next open checks against the
file and uses for the bytes it covers.  Once open, the log keeps only the newest event
of each aggregate in memory (`EventIndex.forget_history`): it appends, and it reads the
newest records, nothing older.

`read_history` (module `history`) is the reader for `audit`: it locks nothing and
changes nothing, so it runs beside a live daemon; a batch the daemon is still writing is
simply not seen.
"""

from __future__ import annotations

import logging
import os
import re
import threading
import time
from collections.abc import Callable, Sequence
from datetime import UTC, datetime
from pathlib import Path
from types import TracebackType
from typing import Any, Self

from eventsourcing.application import Recording
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import (
    JSONTranscoder,
    Notification,
)

from adapters.commit import BatchStore
from adapters.leasefile.application_recorder import LeaseFileApplicationRecorder
from adapters.leasefile.checkpoint import checkpoint, prologue, unowned_records
from adapters.leasefile.event_mapper import LeaseFileMapper, format_note
from adapters.leasefile.index_keeper import IndexKeeper
from adapters.leasefile.isc_records import ISC_RECORD_TOPICS, read_isc_records
from adapters.leasefile.latest_state import (
    LatestState,
    load_latest_state,
)
from adapters.leasefile.log_scan import HeaderlessRead
from adapters.leasefile.segments import (
    archive_live,
    archived_segments,
    clear_interrupted_rotation,
    next_archive_path,
    prune_archives,
    put_new_segment_in_place,
    sync_folder,
    undo_unfinished_rotation,
    write_new_segment_start,
)
from adapters.leasefile.store import Resume
from adapters.leasefile.store_errors import LeaseFileError
from adapters.leasefile.writer import format_host
from domain.lease import (
    FailoverStateRecord,
    HostRecord,
    Lease,
)
from projections.addresses import ip_text
from projections.packed_lease import unpack

log = logging.getLogger(__name__)

DEFAULT_ROTATE_BYTES = 64 * 2**20
# A new saved index every this many bytes appended: after a crash, start-up scans at
# most this much beyond the index.  A save runs in the committer's thread, every few
# tens of thousands of events; it costs about 0.1 s, as the leases the log wrote
# itself are kept packed as they were appended and need no reading back.
INDEX_EVERY_BYTES = 16 * 2**20
# Text that can hold a host record (`host NAME {`, not `client-hostname`): other
# headerless text is not parsed for hosts.
_HOST_RECORD = re.compile(r"(?<![\w-])host\s+\S+\s*\{")


def _utc_now() -> datetime:
    return datetime.now(UTC)


class LeaseLog:
    """The live segment, locked for writing, and the way to the next one.

    Not thread-safe beyond one call at a time from any thread: the daemon's group
    committer is its only writer."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        rotate_bytes: int = DEFAULT_ROTATE_BYTES,
        keep_segments: int | None = None,
        rotate_seconds: float | None = None,
        clock: Callable[[], datetime] = _utc_now,
        monotonic: Callable[[], float] = time.monotonic,
    ) -> None:
        self.path = Path(path)
        self.rotate_bytes = rotate_bytes
        self.keep_segments = keep_segments  # archives kept after a rotation (None: all)
        # Also rotate a live segment this old that has grown since it began (None:
        # by size only); dhcpd rewrites its file hourly, and tools reading it expect so.
        self.rotate_seconds = rotate_seconds
        self._monotonic = monotonic
        self._segment_started = monotonic()
        self._clock = clock
        self._mapper = LeaseFileMapper(JSONTranscoder())
        self._lock = threading.Lock()
        if not self.path.exists() and archived_segments(self.path):
            raise LeaseFileError(
                f"{self.path}: the live lease file is missing but archived segments are"
                " there; restore it (the newest archive holds the state it had) first"
            )
        self._headerless = _HeaderlessSpans()
        self._hosts: list[tuple[HostRecord, str]] | None = None  # read when first asked
        self._saved_index = IndexKeeper(self.path)
        self._recorder = _open_recorder(
            self.path, self._headerless,
            lambda data: self._saved_index.resume(data, self._headerless.spans))
        try:
            for leftover in clear_interrupted_rotation(self.path):
                log.warning("%s: removed %s, left by a rotation that did not finish",
                            self.path, leftover.name)
            self._recorder.forget_history()
        except BaseException:
            self._recorder.close()
            raise
        # The size the live segment had when this log started it: a rotation waits
        # until the file is twice that, so a checkpoint bigger than `rotate_bytes`
        # cannot make every append rotate.
        self._segment_start_size = 0
        # How much of the live file the index on disk covers (0: none does yet).
        self._indexed_size = self._recorder.size if self._saved_index.current else 0

    # -- reading the state -----------------------------------------------------------

    def segments(self) -> list[Path]:
        """Every segment of the log, oldest first; the live file is the last."""
        return [*archived_segments(self.path), self.path]

    def load_latest(self) -> tuple[list[Lease], dict[str, FailoverStateRecord]]:
        """The newest record of every address (file order) and of every failover
        relationship (by peer name): what the projections start from."""
        state = self.load_latest_state()
        return [unpack(ip_text(number), packed) for number, packed in state.leases], \
            state.failover_states

    def load_latest_state(self) -> LatestState:
        """What `load_latest` gives, with the leases packed as the lease table keeps
        them and the version of each aggregate's newest event: all a startup needs,
        without 100,000 Lease objects made only to be packed again."""
        return load_latest_state(self._recorder.latest_entries(), self._saved_index.take(),
                                 self._recorder.read_state, self.path)

    def hand_over(self, uid: int, gid: int) -> None:
        """Give the live file to the user and group the server is about to run as
        (dhcpd fchowns its new lease file under `-user`/`-group`): a rotation archives
        it by a hard link, which the kernel refuses to a user who does not own the
        file.  Raises OSError."""
        os.chown(self.path, uid, gid)

    def host_records(self) -> list[tuple[HostRecord, str]]:
        """The `host` records of the live file (made or deleted through OMAPI, by dhcpd
        or this server), in file order, each with its text; a rotation carries them.
        Read from the file once, then kept up to date by `append_host`."""
        with self._lock:
            if self._hosts is None:
                self._hosts = [(record, text) for record, text
                               in unowned_records(self.path, self._headerless.spans,
                                                  mentioning=_HOST_RECORD)
                               if isinstance(record, HostRecord)]
            return list(self._hosts)

    def append_host(self, record: HostRecord) -> None:
        """Make a host record (made or deleted through OMAPI) durable, in ISC's layout
        and without a header, where dhcpd writes it: it is no aggregate's event, and
        rotations carry it with the others.  Raises LeaseFileError."""
        text = format_host(record)
        with self._lock:
            self._saved_index.changed()
            self._headerless.spans.append(
                self._recorder.append_verbatim(text.encode("latin-1")))
            if self._hosts is not None:
                self._hosts.append((record, text))

    def version_of(self, originator_id: str) -> int | None:
        """The version of the aggregate's newest event in the live segment (None:
        it has none there): the daemon's next event for it carries the one after."""
        return self._recorder.last_version(originator_id)

    # -- writing -------------------------------------------------------------------------

    def append(self, events: Sequence[DomainEventProtocol[Any]]) -> list[Recording[Any]]:
        """Make `events` durable with one write and one sync, in order; return their
        recordings (the notification id is the event's position in the live segment)."""
        stored = [self._mapper.to_stored_event(event) for event in events]
        with self._lock:
            self._saved_index.changed()
            ids = self._recorder.insert_events(stored) or []
            self._saved_index.appended(events, ids)
        return [
            Recording(event, Notification(s.originator_id, s.originator_version, s.topic,
                                          s.state, id=number))
            for event, s, number in zip(events, stored, ids, strict=True)
        ]

    def _save_index(self, recorder: LeaseFileApplicationRecorder) -> None:
        self._saved_index.save(recorder.index_columns, recorder.read_state, recorder.fileno(),
                               recorder.size, self._headerless.spans)

    def maybe_rotate(self) -> Path | None:
        """Start a new segment if the live file has passed `rotate_bytes` (and doubled
        since this log started it), or is `rotate_seconds` old and has grown since its
        checkpoint; return the archive the old one became, or None."""
        with self._lock:
            why = self._rotation_due()
            return None if why is None else self._rotate(why)

    def upkeep_due(self) -> bool:
        """Whether the next batch's `maybe_rotate` or `maybe_save_index` would do
        anything (a rotation rewrites every record: not for the trio thread)."""
        with self._lock:
            return self._rotation_due() is not None or self._index_save_due()

    def _index_save_due(self) -> bool:
        recorder = self._recorder
        return not recorder.closed and recorder.size - self._indexed_size >= INDEX_EVERY_BYTES

    def _rotation_due(self) -> str | None:
        """Why the live file must be rotated now, or None."""
        size = self._recorder.size
        if size >= self.rotate_bytes and size >= 2 * self._segment_start_size:
            return f"passed {self.rotate_bytes} bytes"
        if self.rotate_seconds is None or size <= self._segment_start_size:
            return None  # (the clock is read only when its answer can matter)
        age = self._monotonic() - self._segment_started
        if age < self.rotate_seconds:
            return None
        return f"{age:.0f} s old (--rotate-seconds {self.rotate_seconds:g})"

    def _rotate(self, why: str) -> Path:
        archive = next_archive_path(self.path)
        note = format_note(self._clock(), "carried into a new segment; the history"
                           f" before is in {archive.name}").encode("ascii")
        carried, sources = checkpoint(self._recorder.select_latest_events(), note, self.path)
        new_segment = write_new_segment_start(
            self.path, prologue(self.path, self._headerless.spans))
        headerless = _HeaderlessSpans()
        recorder: LeaseFileApplicationRecorder | None = None
        try:
            recorder = _open_recorder(new_segment, headerless, None)
            ids = recorder.insert_events(carried) or []
            archive_live(self.path, archive)
            put_new_segment_in_place(new_segment, self.path)
        except Exception:
            if recorder is not None:
                recorder.close()
            undo_unfinished_rotation(self.path, archive)
            raise
        # The rename moved the new file, and our lock on it, to the live name.
        recorder.renamed_to(self.path)
        old, self._recorder, self._headerless = self._recorder, recorder, headerless
        old.close()
        self._saved_index.new_file(sources, ids)
        self._indexed_size = 0
        self._segment_start_size = recorder.size
        self._segment_started = self._monotonic()
        log.info("%s: %s; archived as %s, new segment carries %d records",
                 self.path, why, archive.name, len(carried))
        sync_folder(self.path.parent)
        self._prune()
        return archive

    def _prune(self) -> None:
        """Keep only the newest `keep_segments` archives.  A failure is logged: the
        rotation itself stands, and the next one tries again."""
        if self.keep_segments is None:
            return
        try:
            removed = prune_archives(self.path, self.keep_segments)
        except LeaseFileError as error:
            log.error("%s", error)
            return
        for path in removed:
            log.info("%s: removed %s (keeping the newest %d archived segments)",
                     self.path, path.name, self.keep_segments)

    # -- closing ---------------------------------------------------------------------------

    def maybe_save_index(self) -> bool:
        """Save the index when `INDEX_EVERY_BYTES` were appended since the last one, so
        a start after a crash (no clean close) scans only the bytes after it.  Called
        by the committer's thread after a batch; True when it saved."""
        with self._lock:
            if not self._index_save_due():
                return False
            recorder = self._recorder
            self._save_index(recorder)
            self._indexed_size = recorder.size
            return True

    def close(self) -> None:
        """Save the index for the next open (`index_keeper`), then release the live
        file and its lock.  Closing twice is harmless."""
        with self._lock:
            recorder = self._recorder
            if not recorder.closed:
                self._save_index(recorder)
            recorder.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(
        self,
        exc_type: type[BaseException] | None,
        exc_val: BaseException | None,
        exc_tb: TracebackType | None,
    ) -> None:
        self.close()


class LeaseLogStore(BatchStore[DomainEventProtocol[Any], Recording[Any]]):
    """The group committer's store: each batch is one append, then a rotation check.

    A failed rotation does not fail the batch (its events are already durable): it is
    logged, and the next batch tries again — logged again only when the reason changes
    (a rotation that keeps failing would otherwise write a line per batch)."""

    def __init__(self, lease_log: LeaseLog) -> None:
        self._log = lease_log
        self._rotation_failure: str | None = None

    def save_batch_quickly(
        self, events: Sequence[DomainEventProtocol[Any]]
    ) -> list[Recording[Any]] | None:
        if self._log.upkeep_due():
            return None
        return self._log.append(events)

    def save_batch(self, events: Sequence[DomainEventProtocol[Any]]) -> list[Recording[Any]]:
        recordings = self._log.append(events)
        try:
            self._log.maybe_rotate()
        except LeaseFileError as error:
            if str(error) != self._rotation_failure:
                self._rotation_failure = str(error)
                log.error("%s; the live file keeps growing until a rotation succeeds", error)
        else:
            self._rotation_failure = None
        self._log.maybe_save_index()
        return recordings


# -- helpers --------------------------------------------------------------------------------


class _HeaderlessSpans:
    """The store's reader of headerless text, noting where that text lies: a rotation
    carries the records in it that belong to no aggregate."""

    def __init__(self) -> None:
        self.spans: list[tuple[int, int]] = []

    def __call__(self, data: bytes, base: int, name: str) -> HeaderlessRead:
        read = read_isc_records(data, base, name)
        self.spans.append((base, read.complete_until))
        return read


def _open_recorder(
    path: Path, headerless: _HeaderlessSpans, resume: Resume | None
) -> LeaseFileApplicationRecorder:
    return LeaseFileApplicationRecorder(path, record_topics=ISC_RECORD_TOPICS,
                                        read_headerless=headerless, resume=resume)
