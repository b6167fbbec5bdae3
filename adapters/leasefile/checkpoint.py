"""The checkpoint a new segment of the lease log starts with (see lease_log: rotation).

A rotation archives the live file and starts a new one holding the current state: one
Carried event per live aggregate (each address, each failover relationship), then the
new events.  Our own records are carried byte for byte; one ISC wrote (imported from
its file) is written again in ISC's own layout, as dhcpd's rewrite would; a lease
dhcpd's rewrite would leave out (free and never used) is left out.  The prologue is
ISC's file header and the records that belong to no aggregate (hosts, the server DUID,
lines kept verbatim), as dhcpd keeps them across its rewrite.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Sequence
from pathlib import Path

from eventsourcing.persistence import Notification, StoredEvent

from adapters.leasefile.isc_records import ISC_RECORD_TOPICS
from adapters.leasefile.latest_state import parse_record, without_notes
from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.store_errors import LeaseFileIOError
from adapters.leasefile.writer import format_failover_state, format_file_header, format_lease
from adapters.package_version import version_text
from domain import failover_events, lease_events
from domain.lease import (
    AuthoringByteOrder,
    BindingState,
    ByteOrder,
    FailoverStateRecord,
    HostRecord,
    Lease,
    ServerDuid,
    VerbatimRecord,
)

_LEASE_TOPICS = frozenset(cls.TOPIC for cls in lease_events.LEASE_EVENT_CLASSES)
_IMPORTED_TOPICS = frozenset({lease_events.Imported.TOPIC, failover_events.Imported.TOPIC})
_FREE_LINE = b"\n  binding state free;\n"


def checkpoint(
    latest: Iterable[Notification], note: bytes, path: Path
) -> tuple[list[StoredEvent], list[int | None]]:
    """From each aggregate's newest event (`latest`), one Carried event with its version,
    headed by `note`; and for each, the number of the event whose record it carries
    byte for byte (None: written again)."""
    carried = []
    sources: list[int | None] = []
    for notification in latest:
        if notification.topic not in ISC_RECORD_TOPICS:
            continue  # the daemon writes no other events; nothing to carry
        record = _carried_record(notification, path)
        if record is None:
            continue
        topic = (lease_events.Carried.TOPIC if notification.topic in _LEASE_TOPICS
                 else failover_events.Carried.TOPIC)
        carried.append(StoredEvent(notification.originator_id,
                                   notification.originator_version, topic, note + record))
        same = record == without_notes(notification.state)
        sources.append(notification.id - 1 if same else None)
    return carried, sources


def _carried_record(notification: Notification, path: Path) -> bytes | None:
    """The record to carry (None: a never-used free lease)."""
    text = without_notes(notification.state)
    if notification.topic not in _IMPORTED_TOPICS and _FREE_LINE not in text:
        return text
    record = parse_record(text, path)
    if isinstance(record, FailoverStateRecord):
        return format_failover_state(record).encode("latin-1")
    if _never_used(record):
        return None
    if notification.topic in _IMPORTED_TOPICS:
        return format_lease(record).encode("latin-1")
    return text


def _never_used(lease: Lease) -> bool:
    """ISC's rule for leaving a lease out of a rewritten file (server/mdb.c)."""
    return (lease.binding_state is BindingState.FREE and lease.hardware is None
            and not lease.uid and not lease.tsfp)


UnownedRecord = AuthoringByteOrder | HostRecord | ServerDuid | VerbatimRecord


def unowned_records(path: Path, headerless_spans: Sequence[tuple[int, int]], *,
                    mentioning: re.Pattern[str] | None = None
                    ) -> list[tuple[UnownedRecord, str]]:
    """The live file's records that belong to no aggregate, in file order, each with its
    text (found in `headerless_spans`, the byte ranges without our event headers).
    With `mentioning`, a span whose text it does not match is not parsed: ISC's text
    can be the whole of a migrated file, and most hold no host at all."""
    found: list[tuple[UnownedRecord, str]] = []
    try:
        with open(path, "rb") as live:
            for start, length in headerless_spans:
                live.seek(start)
                text = live.read(length).decode("latin-1")
                if mentioning is not None and mentioning.search(text) is None:
                    continue
                for entry in parse_lease_file(text, str(path)).entries:
                    if isinstance(entry.record, UnownedRecord):
                        record_text = text[entry.start : entry.end].rstrip("\n") + "\n"
                        found.append((entry.record, record_text))
    except OSError as error:
        raise LeaseFileIOError(f"{path}: cannot read: {error.strerror}") from None
    return found


def prologue(path: Path, headerless_spans: Sequence[tuple[int, int]]) -> bytes:
    """ISC's file header, then the live file's records that belong to no aggregate."""
    byte_order = ByteOrder.LITTLE_ENDIAN
    kept: list[str] = []
    for record, text in unowned_records(path, headerless_spans):
        if isinstance(record, AuthoringByteOrder):
            byte_order = record.byte_order
        else:
            kept.append(text)
    return (format_file_header(version_text(), byte_order) + "".join(kept)).encode("latin-1")
