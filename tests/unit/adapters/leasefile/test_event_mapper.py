"""Lease and failover events as ISC records with a note line, and back."""

from __future__ import annotations

import codecs
from datetime import UTC, datetime, timedelta, timezone
from uuid import uuid4

import pytest
from eventsourcing.domain import DomainEvent
from eventsourcing.persistence import (
    DatetimeAsISO,
    JSONTranscoder,
    MapperDeserialisationError,
    StoredEvent,
    UUIDAsHex,
)

from adapters.leasefile.event_mapper import (
    IMPORTED_CAUSE,
    LeaseFileMapper,
    format_note,
    parse_note,
)
from adapters.leasefile.store_errors import LeaseRecordError
from adapters.leasefile.writer import format_lease
from domain import failover_events, lease_events
from domain.lease import BindingState, FailoverState, FailoverStateRecord, Hardware, Lease

NOW = datetime(2026, 11, 27, 17, 44, 30, 123456, tzinfo=UTC)
LEASE = Lease(ip="10.0.0.111", starts=1795801470, ends=1795802070, tstp=1795802070,
              cltt=1795801475, binding_state=BindingState.ACTIVE,
              next_binding_state=BindingState.FREE,
              hardware=Hardware(1, bytes.fromhex("0004acd65896")), uid=b"\x01\x00\x04X",
              client_hostname="vm")


def mapper() -> LeaseFileMapper:
    transcoder = JSONTranscoder()
    transcoder.register(UUIDAsHex())
    transcoder.register(DatetimeAsISO())
    return LeaseFileMapper(transcoder=transcoder)


def test_a_lease_event_is_stored_as_a_note_and_the_isc_record() -> None:
    event = lease_events.Acked(originator_id="10.0.0.111", originator_version=4, timestamp=NOW,
                               lease=LEASE, cause="DHCPREQUEST from 00:04:ac:d6:58:96")
    stored = mapper().to_stored_event(event)
    assert stored.originator_id == "10.0.0.111" and stored.originator_version == 4
    assert stored.topic == "lease.Acked"
    assert stored.state == (
        "#@ 2026-11-27T17:44:30.123456+00:00 DHCPREQUEST from 00:04:ac:d6:58:96\n"
        + format_lease(LEASE)
    ).encode()
    assert mapper().to_domain_event(stored) == event


def test_a_failover_event_round_trips() -> None:
    state = FailoverStateRecord(peer="fo", my_state=FailoverState.RECOVER, my_time=1795798800,
                                partner_state=FailoverState.UNKNOWN_STATE,
                                partner_time=1795798800, mclt=600)
    event = failover_events.StateChanged(originator_id="failover:fo", originator_version=1,
                                         timestamp=NOW, state=state, cause="start-up")
    stored = mapper().to_stored_event(event)
    assert b'failover peer "fo" state {\n  my state recover at ' in stored.state
    assert mapper().to_domain_event(stored) == event


def test_a_record_written_by_isc_reads_as_imported_at_its_latest_time() -> None:
    stored = StoredEvent("10.0.0.111", 1, "lease.Imported", format_lease(LEASE).encode())
    event = mapper().to_domain_event(stored)
    assert isinstance(event, lease_events.Imported)
    assert event.lease == LEASE
    assert event.cause == IMPORTED_CAUSE
    assert event.timestamp == datetime.fromtimestamp(1795802070, tz=UTC)  # tstp


def test_causes_with_any_character_stay_on_one_line() -> None:
    cause = 'line one\nline "two" \\ été'
    note = format_note(NOW, cause)
    assert note.count("\n") == 1 and note.isascii()
    assert parse_note(note[:-1]) == (NOW, cause)
    assert parse_note("# an ISC comment") is None


@pytest.mark.parametrize("cause", ["BNDUPD from fo: active", "tab\there", "back\\slash",
                                   "del\x7f", "naïve"])
def test_the_plain_cause_shortcut_writes_what_the_escape_writes(cause: str) -> None:
    note = format_note(NOW, cause)
    assert note == f"#@ {NOW.isoformat()} {codecs.encode(cause, 'unicode_escape').decode()}\n"
    assert parse_note(note[:-1]) == (NOW, cause)


def test_equal_times_in_other_zones_are_written_as_given() -> None:
    later = NOW.astimezone(timezone(timedelta(hours=2)))
    assert later == NOW
    assert format_note(NOW, "x") != format_note(later, "x")
    assert parse_note(format_note(later, "x")[:-1]) == (later, "x")


def test_other_events_go_through_the_library_mapping() -> None:
    event = DomainEvent(originator_id=uuid4(), originator_version=1, timestamp=NOW)
    stored = mapper().to_stored_event(event)
    assert stored.state.startswith(b"{")
    assert mapper().to_domain_event(stored) == event


def test_a_lease_event_whose_state_holds_no_record_is_refused() -> None:
    with pytest.raises(MapperDeserialisationError, match=r"lease\.Acked v1 of 10\.0\.0\.1"):
        mapper().to_domain_event(StoredEvent("10.0.0.1", 1, "lease.Acked", b"#@ x\n"))


def test_a_value_isc_cannot_store_is_refused() -> None:
    event = lease_events.Acked(
        originator_id="10.0.0.111", originator_version=1, timestamp=NOW,
        lease=Lease(ip="10.0.0.111", binding_state=BindingState.ACTIVE,
                    bindings=(("name\u20ac", b"x"),)),
        cause="ack",
    )
    with pytest.raises(LeaseRecordError, match=r"10\.0\.0\.111"):
        mapper().to_stored_event(event)
