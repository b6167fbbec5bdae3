"""One append's bytes: each stored event's header line and record, checked first.

The lease-file store (`store.py`) derives from the event library's recorder and so
stays plain Python; the per-event work of an append — refusing a version already
recorded, checking that a record is an ISC record of its own address, writing its
header — is here, compiled with the hot modules: a failover resynchronisation appends
tens of thousands of records, ten at a time.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Sequence
from typing import Any
from uuid import UUID

from eventsourcing.persistence import IntegrityError, StoredEvent

from adapters.leasefile.log_scan import record_originator
from adapters.leasefile.record_header import format_foreign, format_header
from adapters.leasefile.store_errors import LeaseRecordError

# The index keeps versions as signed 64-bit numbers.
MIN_VERSION, MAX_VERSION = -(2**63), 2**63 - 1

# Where each record of an append lies: (originator id, version, topic, offset, length).
Placed = tuple[Any, int, str, int, int]


def check_unique(stored_events: Sequence[StoredEvent],
                 has_version: Callable[[str, int], bool], path: str) -> None:
    """Refuse a version out of range, twice in the batch, or already recorded."""
    seen: set[tuple[str, int]] = set()
    for stored in stored_events:
        version = stored.originator_version
        if not MIN_VERSION <= version <= MAX_VERSION:
            raise LeaseRecordError(
                f"{path}: version {version} of {stored.originator_id} is out of range")
        key = (str(stored.originator_id), version)
        if key in seen or has_version(key[0], version):
            raise IntegrityError(
                f"{path}: version {version} of {stored.originator_id} is already recorded")
        seen.add(key)


def record_text(stored: StoredEvent, record_topics: Collection[str], path: str) -> bytes:
    """What follows the header: the ISC record itself, or a foreign-state line."""
    state: bytes = stored.state
    if stored.topic not in record_topics:
        originator_id: UUID | str = stored.originator_id
        return format_foreign(originator_id, state)
    if (
        record_originator(state) != stored.originator_id
        or not state.endswith(b"}\n")
        or state.startswith(b"#es")
        or b"\n#es" in state
    ):
        raise LeaseRecordError(
            f"{path}: the state of {stored.topic} v{stored.originator_version} is not"
            f" an ISC record for {stored.originator_id}"
        )
    return state


def frame_batch(stored_events: Sequence[StoredEvent], record_topics: Collection[str],
                first: int, start: int, lead: bytes, path: str,
                ) -> tuple[bytes, list[Placed], int]:
    """The bytes of one append that begins at file offset `start` with `lead` (a
    newline, or nothing) and numbers its events from `first`; where each record lies;
    and the offset after the last."""
    chunks = [lead] if lead else []
    placed: list[Placed] = []
    offset = start + len(lead)
    parts = len(stored_events)
    for part, stored in enumerate(stored_events, start=1):
        record = record_text(stored, record_topics, path)
        version: int = stored.originator_version
        topic: str = stored.topic
        header = format_header(first + part - 1, version, topic, record, part, parts)
        chunks.append(header)
        chunks.append(record)
        offset += len(header)
        placed.append((stored.originator_id, version, topic, offset, len(record)))
        offset += len(record)
    return b"".join(chunks), placed, offset
