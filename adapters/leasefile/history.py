"""The whole history of a lease log, read without taking it: `audit`, `leases --at`
and `-T` read every segment's events while a daemon may be appending to the live one
(moved out of lease_log, which writes)."""

from __future__ import annotations

import logging
import os
from collections.abc import Iterator
from pathlib import Path

from eventsourcing.persistence import JSONTranscoder, MapperDeserialisationError, StoredEvent

from adapters.leasefile.event_index import EventIndex
from adapters.leasefile.event_mapper import LeaseFileMapper
from adapters.leasefile.isc_records import ISC_RECORD_TOPICS, read_isc_records
from adapters.leasefile.log_scan import scan_log
from adapters.leasefile.segments import SegmentFile, close_snapshot, snapshot
from adapters.leasefile.store_errors import LeaseFileIOError, LeaseRecordError
from domain.failover_events import FailoverEvent
from domain.lease_events import LeaseEvent

log = logging.getLogger(__name__)


def read_history(
    path: str | os.PathLike[str], *, live_only: bool = False
) -> Iterator[tuple[str, int, LeaseEvent | FailoverEvent]]:
    """Every lease and failover event of every segment, oldest first, as
    (segment name, position in the segment, event).  With `live_only`, only the live
    segment's: its checkpoint holds the whole current state, so the archives are not
    needed to know what is leased now.

    Takes no lock and writes nothing: a daemon may be appending meanwhile.  A torn or
    unfinished tail (a batch still being written) ends a segment's events there; it
    is not cut off, that is the writer's business."""
    live = Path(path)
    mapper = LeaseFileMapper(JSONTranscoder())
    opened = snapshot(live)
    try:
        for segment in opened[-1:] if live_only else opened:
            data = _read_whole(segment)
            index = EventIndex()
            outcome = scan_log(data, index, read_isc_records, segment.name)
            for complaint in outcome.complaints:
                log.warning("%s", complaint)
            for number in range(len(index)):
                entry = index.entry(number)
                if entry.topic not in ISC_RECORD_TOPICS:
                    continue
                stored = StoredEvent(entry.originator_id, entry.version, entry.topic,
                                     data[entry.offset : entry.offset + entry.length])
                try:
                    event = mapper.to_domain_event(stored)
                except MapperDeserialisationError as error:
                    raise LeaseRecordError(f"{segment.name}: {error}") from None
                assert isinstance(event, LeaseEvent | FailoverEvent)
                yield segment.name, number + 1, event
    finally:
        close_snapshot(opened)


def _read_whole(segment: SegmentFile) -> bytes:
    try:
        size = os.fstat(segment.fd).st_size
        chunks = []
        offset = 0
        while offset < size:
            chunk = os.pread(segment.fd, size - offset, offset)
            if not chunk:
                break
            chunks.append(chunk)
            offset += len(chunk)
    except OSError as error:
        raise LeaseFileIOError(f"{segment.name}: cannot read: {error.strerror}") from None
    return b"".join(chunks)
