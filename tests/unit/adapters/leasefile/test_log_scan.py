"""Scanning a lease file's bytes: whole batches in, everything unsound reported for cutting."""

from __future__ import annotations

import re

from adapters.leasefile.event_index import EventIndex
from adapters.leasefile.log_scan import (
    HeaderlessRead,
    HeaderlessRecord,
    record_originator,
    scan_log,
)
from adapters.leasefile.record_header import format_foreign, format_header

_LEASE = re.compile(rb"^lease (\S+) \{\n(?:.*\n)*?\}\n", re.MULTILINE)


def read_leases(data: bytes, base: int, name: str) -> HeaderlessRead:
    """A test reader: every complete `lease` block is an import; stops at a torn one."""
    records = []
    end = 0
    for match in _LEASE.finditer(data):
        records.append(HeaderlessRecord(match.group(1).decode(), "lease.Imported",
                                        base + match.start(), match.end() - match.start()))
        end = match.end()
    rest = data[end:]
    complete = len(data) if not rest.strip() or rest.lstrip().startswith(b"#") else end
    return HeaderlessRead(records, [], complete)


def lease(address: str, state: str = "active") -> bytes:
    note = "#@ 2026-11-27T17:00:00+00:00 test\n"
    return f"{note}lease {address} {{\n  binding state {state};\n}}\n".encode()


def batch(first: int, records: list[tuple[str, int, bytes]]) -> bytes:
    out = b""
    for k, (topic, version, record) in enumerate(records, start=1):
        out += format_header(first + k - 1, version, topic, record, k, len(records)) + record
    return out


def scan(data: bytes) -> tuple[EventIndex, object]:
    index = EventIndex()
    return index, scan_log(data, index, read_leases, "dhcpd.leases")


def test_record_originator_names_address_or_failover_peer() -> None:
    assert record_originator(lease("10.0.0.7")) == "10.0.0.7"
    assert record_originator(b'\nfailover peer "fo 1" state {\n}\n') == "failover:fo 1"
    assert record_originator(b'failover peer "a\\"b" state {\n}\n') == 'failover:a"b'
    assert record_originator(b"#@ note\nlease 10.0.0.7 {\n}\n") == "10.0.0.7"
    assert record_originator(b"#es-foreign s:x y\n") is None


def test_a_sound_file_is_indexed_whole() -> None:
    data = batch(1, [("lease.Acked", 1, lease("10.0.0.1")), ("lease.Acked", 1, lease("10.0.0.2"))])
    data += batch(3, [("lease.Released", 2, lease("10.0.0.1", "released"))])
    index, outcome = scan(data)
    assert outcome.valid_end == len(data) and not outcome.needs_cut
    assert [index.entry(e)[:3] for e in range(len(index))] == [
        ("10.0.0.1", 1, "lease.Acked"),
        ("10.0.0.2", 1, "lease.Acked"),
        ("10.0.0.1", 2, "lease.Released"),
    ]
    entry = index.entry(2)
    assert data[entry.offset : entry.offset + entry.length] == lease("10.0.0.1", "released")


def test_headerless_text_becomes_imports_before_and_between_batches() -> None:
    prologue = b"# written by isc-dhcp\n\nauthoring-byte-order little-endian;\n\n"
    isc = prologue + b"lease 10.0.0.1 {\n  binding state free;\n}\n"
    data = isc + batch(2, [("lease.Acked", 2, lease("10.0.0.1"))])
    index, outcome = scan(data)
    assert not outcome.needs_cut and outcome.misnumbered == 0
    assert [index.entry(e)[:3] for e in range(len(index))] == [
        ("10.0.0.1", 1, "lease.Imported"),
        ("10.0.0.1", 2, "lease.Acked"),
    ]


def test_every_cut_inside_the_last_batch_keeps_exactly_the_complete_batches() -> None:
    sound = batch(1, [("lease.Acked", 1, lease("10.0.0.1"))])
    last = batch(2, [("lease.Acked", 1, lease("10.0.0.2")),
                     ("t", 1, format_foreign("x", b"state")),
                     ("lease.Acked", 2, lease("10.0.0.1"))])
    for cut in range(1, len(last)):
        index, outcome = scan(sound + last[:cut])
        assert len(index) == 1, cut
        assert outcome.valid_end == len(sound), cut
        assert outcome.cut_reason, cut


def test_a_failed_checksum_stops_the_scan_at_its_batch() -> None:
    good = batch(1, [("lease.Acked", 1, lease("10.0.0.1"))])
    damaged = batch(2, [("lease.Acked", 1, lease("10.0.0.2"))]).replace(b"active", b"abandoned")
    index, outcome = scan(good + damaged + batch(3, [("lease.Acked", 1, lease("10.0.0.3"))]))
    assert len(index) == 1 and outcome.valid_end == len(good)
    assert "checksum" in str(outcome.cut_reason)


def test_a_repeated_version_is_unsound() -> None:
    record = lease("10.0.0.1")
    data = batch(1, [("lease.Acked", 1, record)]) + batch(2, [("lease.Acked", 1, record)])
    index, outcome = scan(data)
    assert len(index) == 1 and "repeats version 1" in str(outcome.cut_reason)


def test_a_batch_part_out_of_place_is_unsound() -> None:
    record = lease("10.0.0.1")
    stray = format_header(1, 1, "lease.Acked", record, 2, 2) + record
    index, outcome = scan(stray)
    assert len(index) == 0 and outcome.valid_end == 0 and outcome.cut_reason


def test_wrong_positions_are_counted_not_cut() -> None:
    data = batch(5, [("lease.Acked", 1, lease("10.0.0.1"))])
    index, outcome = scan(data)
    assert len(index) == 1 and outcome.misnumbered == 1 and not outcome.needs_cut


def test_a_scan_can_go_on_from_an_index_of_the_first_batches() -> None:
    first = batch(1, [("lease.Acked", 1, lease("10.0.0.1")), ("lease.Acked", 1, lease("10.0.0.2"))])
    second = batch(3, [("lease.Released", 2, lease("10.0.0.1", "released"))])
    third = batch(4, [("lease.Acked", 1, lease("10.0.0.3")), ("lease.Acked", 2, lease("10.0.0.2"))])
    data = first + second + third
    whole, _ = scan(data)
    index, _ = scan(first)
    index.forget_history()
    outcome = scan_log(data, index, read_leases, "dhcpd.leases", start=len(first))
    assert (outcome.valid_end, outcome.misnumbered, outcome.cut_reason) == (len(data), 0, None)
    assert index.latest() == whole.latest()
    torn = data[: len(data) - 10]
    index, _ = scan(first)
    outcome = scan_log(torn, index, read_leases, "dhcpd.leases", start=len(first))
    assert outcome.valid_end == len(first + second) and outcome.needs_cut
    assert len(index) == 3 and index.last_version("10.0.0.3") is None


def test_a_damaged_event_type_is_read_not_a_crash() -> None:
    """The checksum covers the record, not the header: a byte flipped in the event type
    (found by fuzzing a lease file) gives a type no event class has, not an error."""
    sound = batch(1, [("lease.Acked", 1, lease("10.0.0.1"))])
    damaged = sound.replace(b"t=lease.Acked", b"t=lease\xc2Acked")
    index, outcome = scan(damaged)
    assert outcome.valid_end == len(damaged)
    assert index.entry(0)[:3] == ("10.0.0.1", 1, "lease\xc2Acked")
