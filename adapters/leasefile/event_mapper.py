"""Lease and failover events to dhcpd.leases records and back: the `Mapper` subclass.

A library Transcoder only sees an event's attribute dict, so it could never write
`lease 10.0.0.111 {`; a Mapper sees the whole event.  The stored state of a lease or
failover event is the ISC record, as the lease-file codec writes it, after one
comment line that keeps what ISC has no place for: when the event happened and why.

    #@ 2026-11-27T17:44:30.123456+00:00 DHCPREQUEST for 10.0.0.111 from 00:04:ac:…
    lease 10.0.0.111 {
      …
    }

A record that ISC wrote (an `Imported` event) has no such line: its time is the
latest time the record itself states, its cause "imported from the lease file".
Events of any other kind go through the library's own mapping (JSON), and the store
keeps them in a comment line.  A cipher or compressor is only applied to those: an
ISC record must stay readable by ISC.
"""

from __future__ import annotations

import codecs
from datetime import UTC, datetime
from typing import Any

from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import Mapper, MapperDeserialisationError, StoredEvent
from eventsourcing.utils import get_topic, resolve_topic

from adapters.leasefile.reader import parse_lease_file
from adapters.leasefile.store_errors import LeaseRecordError
from adapters.leasefile.writer import format_failover_state, format_lease
from domain.failover_events import FailoverEvent
from domain.lease import FailoverStateRecord, Lease
from domain.lease_events import LeaseEvent

NOTE_PREFIX = "#@ "
IMPORTED_CAUSE = "imported from the lease file"


def format_note(timestamp: datetime, cause: str) -> str:
    """The comment line before a record: the event's time and its cause, on one line."""
    if cause.isascii() and cause.isprintable() and "\\" not in cause:
        escaped = cause  # what unicode_escape leaves as it is (nearly every cause)
    else:
        escaped = codecs.encode(cause, "unicode_escape").decode("ascii")
    return f"{NOTE_PREFIX}{_iso_text(timestamp)} {escaped}\n"


_last_iso: tuple[datetime | None, str] = (None, "")


def _iso_text(timestamp: datetime) -> str:
    """A batch of events shares one time object: written once, not once per record.
    (By identity: equal times in other zones are written differently.)"""
    global _last_iso
    last, text = _last_iso
    if timestamp is not last:
        text = timestamp.isoformat()
        _last_iso = (timestamp, text)
    return text


def parse_note(line: str) -> tuple[datetime, str] | None:
    """Read back a `format_note` line (without its newline); None when it is not one."""
    if not line.startswith(NOTE_PREFIX):
        return None
    stamp, _, cause = line[len(NOTE_PREFIX) :].partition(" ")
    try:
        return datetime.fromisoformat(stamp), codecs.decode(cause, "unicode_escape")
    except (ValueError, UnicodeDecodeError):
        return None


class LeaseFileMapper(Mapper[Any]):
    """Stores lease and failover events as ISC records; anything else as the library does."""

    def to_stored_event(self, domain_event: DomainEventProtocol[Any]) -> StoredEvent:
        if isinstance(domain_event, LeaseEvent):
            record = format_lease(domain_event.lease)
        elif isinstance(domain_event, FailoverEvent):
            record = format_failover_state(domain_event.state)
        else:
            return super().to_stored_event(domain_event)
        text = format_note(domain_event.timestamp, domain_event.cause) + record
        try:
            state = text.encode("latin-1")
        except UnicodeEncodeError as error:
            raise LeaseRecordError(
                f"{type(domain_event).__name__} of {domain_event.originator_id}: a value"
                f" has a character ISC cannot store ({error.reason})"
            ) from None
        return StoredEvent(
            originator_id=domain_event.originator_id,
            originator_version=domain_event.originator_version,
            topic=get_topic(type(domain_event)),
            state=state,
        )

    def to_domain_event(self, stored_event: StoredEvent) -> DomainEventProtocol[Any]:
        event_class = resolve_topic(stored_event.topic)
        if not isinstance(event_class, type) or not issubclass(
            event_class, LeaseEvent | FailoverEvent
        ):
            return super().to_domain_event(stored_event)
        record, note = _read_record(stored_event)
        timestamp, cause = note or (_record_time(record), IMPORTED_CAUSE)
        # The record's class is checked by the event's own constructor (a TypeError).
        fields: dict[str, Any] = (
            {"lease": record} if issubclass(event_class, LeaseEvent) else {"state": record})
        originator_id: Any = stored_event.originator_id
        try:
            return event_class(
                originator_id=originator_id,
                originator_version=stored_event.originator_version,
                timestamp=timestamp,
                cause=cause,
                **fields,
            )
        except (TypeError, ValueError) as error:
            raise MapperDeserialisationError(
                f"{stored_event.topic} v{stored_event.originator_version} of"
                f" {stored_event.originator_id}: {error}"
            ) from None


def _read_record(
    stored_event: StoredEvent,
) -> tuple[Lease | FailoverStateRecord, tuple[datetime, str] | None]:
    parsed = parse_lease_file(stored_event.state)
    for entry in parsed.entries:
        if isinstance(entry.record, Lease | FailoverStateRecord):
            notes = [parse_note(comment.text) for comment in entry.comments]
            return entry.record, next((n for n in notes if n is not None), None)
    problems = "; ".join(d.first_line for d in parsed.diagnostics) or "no record"
    raise MapperDeserialisationError(
        f"{stored_event.topic} v{stored_event.originator_version} of"
        f" {stored_event.originator_id} holds no lease or failover record: {problems}"
    )


def _record_time(record: Lease | FailoverStateRecord) -> datetime:
    """When a record without a note was written, as far as it tells: its latest time."""
    times: tuple[int | None, ...]
    if isinstance(record, Lease):
        times = (record.cltt, record.starts, record.tstp, record.tsfp, record.atsfp)
    else:
        times = (record.my_time, record.partner_time)
    return datetime.fromtimestamp(max((t for t in times if t), default=0), tz=UTC)
