"""One append's bytes: headers and records where the index will look for them, and
every refusal the store makes before it writes."""

from __future__ import annotations

import pytest
from eventsourcing.persistence import IntegrityError, StoredEvent

from adapters.leasefile.batch_framing import check_unique, frame_batch, record_text
from adapters.leasefile.record_header import HEADER_PATTERN, parse_foreign
from adapters.leasefile.store_errors import LeaseRecordError

TOPICS = frozenset({"lease.Acked"})


def lease_event(ip: str, version: int = 1) -> StoredEvent:
    record = f"lease {ip} {{\n  binding state active;\n}}\n".encode()
    return StoredEvent(originator_id=ip, originator_version=version, topic="lease.Acked",
                       state=record)


def test_each_record_lies_where_the_index_is_told() -> None:
    events = [lease_event("10.0.0.5"), lease_event("10.0.0.6", 3)]
    data, placed, end = frame_batch(events, TOPICS, 7, 100, b"\n", "f")
    assert data.startswith(b"\n#es n=7 v=1 t=lease.Acked ")
    assert end == 100 + len(data)
    for (originator, version, topic, offset, length), event in zip(placed, events, strict=True):
        assert (originator, version, topic) == (event.originator_id,
                                                event.originator_version, "lease.Acked")
        assert data[offset - 100:offset - 100 + length] == event.state
    headers = [match.group(1, 2, 5, 6) for match in HEADER_PATTERN.finditer(data)]
    assert headers == [(b"7", b"1", b"1", b"2"), (b"8", b"3", b"2", b"2")]


def test_an_event_that_is_no_isc_record_becomes_one_foreign_line() -> None:
    stored = StoredEvent(originator_id="x", originator_version=1, topic="other", state=b"{}")
    line = record_text(stored, TOPICS, "f")
    assert parse_foreign(line) == ("x", b"{}")


@pytest.mark.parametrize("state", [
    b"lease 10.0.0.9 {\n  binding state active;\n}\n",  # another address
    b"lease 10.0.0.5 {\n  binding state active;\n",  # unfinished
    b"lease 10.0.0.5 {\n#es n=1\n}\n",  # a header inside
])
def test_a_record_that_is_not_its_own_isc_record_is_refused(state: bytes) -> None:
    stored = StoredEvent(originator_id="10.0.0.5", originator_version=1, topic="lease.Acked",
                         state=state)
    with pytest.raises(LeaseRecordError, match=r"f: the state of lease\.Acked v1"):
        record_text(stored, TOPICS, "f")


def test_versions_twice_in_a_batch_already_recorded_or_out_of_range_are_refused() -> None:
    recorded = {("10.0.0.7", 1)}

    def has_version(originator: str, version: int) -> bool:
        return (originator, version) in recorded

    check_unique([lease_event("10.0.0.5"), lease_event("10.0.0.5", 2)], has_version, "f")
    with pytest.raises(IntegrityError, match=r"version 1 of 10\.0\.0\.5 is already recorded"):
        check_unique([lease_event("10.0.0.5"), lease_event("10.0.0.5")], has_version, "f")
    with pytest.raises(IntegrityError, match=r"version 1 of 10\.0\.0\.7"):
        check_unique([lease_event("10.0.0.7")], has_version, "f")
    with pytest.raises(LeaseRecordError, match="out of range"):
        check_unique([lease_event("10.0.0.5", 2**63)], has_version, "f")
