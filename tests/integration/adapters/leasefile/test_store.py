"""The lease-file recorder on a real file: conformance, crashes, locking, ISC files.

* The eventsourcing library's own aggregate recorder test cases run against it.
  They use UUID ids and topics of their own: such events are kept in `#es-foreign`
  comment lines, which ISC ignores, so the file stays a lease file whatever is stored.
* A crash can stop a write anywhere: the file is cut at every byte of its last batch
  and must open with exactly the complete batches, saying what it cut.
* Files from the shared corpus (written by ISC dhcpd) open as `Imported` events.
* Every file the store writes passes the real `dhcpd -4 -T` without a complaint.
"""

from __future__ import annotations

import csv
import errno
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
from collections.abc import Callable
from datetime import UTC, datetime
from pathlib import Path
from typing import NoReturn
from uuid import uuid4

import pytest
from eventsourcing.persistence import IntegrityError, ProgrammingError, StoredEvent, Tracking
from eventsourcing.tests.persistence import AggregateRecorderTestCase

from adapters.leasefile.event_mapper import LeaseFileMapper
from adapters.leasefile.isc_records import ISC_RECORD_TOPICS, read_isc_records
from adapters.leasefile.persistence import open_lease_file
from adapters.leasefile.store import LeaseFileAggregateRecorder
from adapters.leasefile.store_errors import (
    LeaseFileIOError,
    LeaseFileLockedError,
    LeaseRecordError,
)
from domain import failover_events, lease_events
from domain.lease import BindingState, FailoverState, FailoverStateRecord, Hardware, Lease
from ops.lab.lease_file_check import isc_complaints as lab_isc_complaints

# CI checks the shared folder out beside the clone, as it sits beside /work/main here.
CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "leases"
NOW = datetime(2026, 11, 27, 17, 44, 30, 123456, tzinfo=UTC)
STORE_LOG = "adapters.leasefile.store"


class TestLeaseFileAggregateRecorder(AggregateRecorderTestCase):
    def create_recorder(self) -> LeaseFileAggregateRecorder:
        folder = tempfile.mkdtemp()
        self.addCleanup(shutil.rmtree, folder)
        recorder = LeaseFileAggregateRecorder(
            Path(folder) / "dhcpd.leases",
            record_topics=ISC_RECORD_TOPICS,
            read_headerless=read_isc_records,
        )
        self.addCleanup(recorder.close)
        return recorder


# The library's abstract cases must not be collected on their own.
del AggregateRecorderTestCase


# -- helpers --------------------------------------------------------------------------


def lease(address: str, state: BindingState, minute: int = 0) -> Lease:
    starts = int(datetime(2026, 11, 27, 17, minute, 0, tzinfo=UTC).timestamp())
    return Lease(
        ip=address,
        starts=starts,
        ends=starts + 600,
        tstp=starts + 600,
        cltt=starts,
        binding_state=state,
        next_binding_state=BindingState.FREE,
        hardware=Hardware(1, bytes([2, 0, 0, 0, 0, int(address.split(".")[-1])])),
        uid=b"\x01\x02\x00\x00\x00\x00q",
        client_hostname="vm",
    )


def lease_event(
    event_class: type[lease_events.LeaseEvent], version: int, record: Lease
) -> lease_events.LeaseEvent:
    return event_class(
        originator_id=record.ip,
        originator_version=version,
        timestamp=NOW,
        lease=record,
        cause=f"{event_class.__name__} in a test",
    )


def stored(events: list[lease_events.LeaseEvent]) -> list[StoredEvent]:
    mapper = LeaseFileMapper(transcoder=None)  # type: ignore[arg-type]
    return [mapper.to_stored_event(event) for event in events]


def write_log(path: Path, batches: list[list[StoredEvent]]) -> list[int]:
    """Write the batches through the store; return the file size after each batch."""
    sizes = []
    with open_lease_file(path) as recorder:
        for batch in batches:
            recorder.insert_events(batch)
            sizes.append(path.stat().st_size)
    return sizes


def three_batches() -> list[list[StoredEvent]]:
    first = stored([
        lease_event(lease_events.Acked, 1, lease("10.0.0.1", BindingState.ACTIVE)),
        lease_event(lease_events.Acked, 1, lease("10.0.0.2", BindingState.ACTIVE)),
    ])
    second = stored([
        lease_event(lease_events.Released, 2, lease("10.0.0.1", BindingState.RELEASED, 5)),
    ])
    declined, acked = stored([
        lease_event(lease_events.Declined, 2, lease("10.0.0.2", BindingState.ABANDONED, 9)),
        lease_event(lease_events.Acked, 3, lease("10.0.0.1", BindingState.ACTIVE, 12)),
    ])
    last = [declined, StoredEvent(uuid4(), 1, "some.Other", b'{"json": "state"}'), acked]
    return [first, second, last]


# -- reopening ---------------------------------------------------------------------------


def test_events_read_back_after_reopening_are_the_ones_written(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    batches = three_batches()
    write_log(path, batches)
    with open_lease_file(path) as recorder:
        notifications = recorder.select_notifications(None, 100)
        assert [(n.originator_id, n.originator_version, n.topic, n.state)
                for n in notifications] == [
            (s.originator_id, s.originator_version, s.topic, s.state)
            for batch in batches for s in batch
        ]
        assert [n.id for n in notifications] == [1, 2, 3, 4, 5, 6]
        assert [n.id for n in recorder.select_latest_events()] == [4, 5, 6]
        assert recorder.select_latest_states() == [
            (n.topic, n.state) for n in recorder.select_latest_events()]


def test_appends_continue_after_reopening(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    write_log(path, three_batches())
    with open_lease_file(path) as recorder:
        more = stored([lease_event(lease_events.Expired, 4,
                                   lease("10.0.0.1", BindingState.EXPIRED, 30))])
        assert recorder.insert_events(more) == [7]
        with pytest.raises(IntegrityError):
            recorder.insert_events(more)
    with open_lease_file(path) as recorder:
        assert recorder.max_notification_id() == 7


def test_a_record_topic_with_a_state_that_is_no_record_is_refused(tmp_path: Path) -> None:
    with open_lease_file(tmp_path / "dhcpd.leases") as recorder:
        with pytest.raises(LeaseRecordError):
            recorder.insert_events([StoredEvent("10.0.0.1", 1, "lease.Acked", b"junk")])
        other = stored([lease_event(lease_events.Acked, 1,
                                    lease("10.0.0.2", BindingState.ACTIVE))])[0]
        with pytest.raises(LeaseRecordError):
            recorder.insert_events([StoredEvent("10.0.0.1", 1, other.topic, other.state)])
        assert recorder.max_notification_id() is None


def test_odd_foreign_events_survive_reopening(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    odd = [StoredEvent("", 0, "", b""), StoredEvent("id with\nnewline", -5, "t t", b"\n#es\n")]
    with open_lease_file(path) as recorder:
        recorder.insert_events(odd)
        with pytest.raises(LeaseRecordError, match="out of range"):
            recorder.insert_events([StoredEvent("x", 2**64, "t", b"")])
    with open_lease_file(path) as recorder:
        assert [StoredEvent(n.originator_id, n.originator_version, n.topic, n.state)
                for n in recorder.select_notifications(None, 10)] == odd


def test_tracking_cannot_be_recorded_with_events(tmp_path: Path) -> None:
    with open_lease_file(tmp_path / "dhcpd.leases") as recorder:
        with pytest.raises(ProgrammingError, match="tracking"):
            recorder.insert_events(three_batches()[0], tracking=Tracking("upstream", 1))
        assert recorder.max_notification_id() is None


# -- crashes -----------------------------------------------------------------------------


def test_every_cut_inside_the_last_batch_opens_with_the_complete_batches(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "dhcpd.leases"
    sizes = write_log(path, three_batches())
    whole = path.read_bytes()
    last_batch_start, end = sizes[1], sizes[2]
    crashed = tmp_path / "crashed.leases"
    for cut in range(last_batch_start + 1, end):
        crashed.write_bytes(whole[:cut])
        caplog.clear()
        with caplog.at_level(logging.WARNING, logger=STORE_LOG):
            recorder = open_lease_file(crashed)
        with recorder:
            assert recorder.max_notification_id() == 3, cut
            assert crashed.stat().st_size == last_batch_start, cut
        assert any("cut off" in message for message in caplog.messages), cut


def test_a_failed_checksum_cuts_from_its_batch_on(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    path = tmp_path / "dhcpd.leases"
    sizes = write_log(path, three_batches())
    damaged = bytearray(path.read_bytes())
    at = damaged.index(b"binding state released")
    damaged[at : at + 22] = b"binding state abandone"
    path.write_bytes(bytes(damaged))
    with caplog.at_level(logging.WARNING, logger=STORE_LOG), open_lease_file(path) as recorder:
        assert recorder.max_notification_id() == 2
    assert path.stat().st_size == sizes[0]
    assert any("fails its checksum" in message for message in caplog.messages)
    kept = list(tmp_path.glob("dhcpd.leases.cut-*"))
    assert [p.read_bytes() for p in kept] == [bytes(damaged[sizes[0]:])]


def test_a_failed_sync_takes_the_batch_back(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    path = tmp_path / "dhcpd.leases"
    first, second, _ = three_batches()
    with open_lease_file(path) as recorder:
        recorder.insert_events(first)
        size = path.stat().st_size

        def failing_sync(fd: int) -> None:
            raise OSError(errno.EIO, os.strerror(errno.EIO))

        with monkeypatch.context() as patched:
            patched.setattr(os, "fdatasync", failing_sync)
            with pytest.raises(LeaseFileIOError, match="Input/output error"):
                recorder.insert_events(second)
        assert path.stat().st_size == size
        assert recorder.max_notification_id() == 2
        assert recorder.insert_events(second) == [3]


# -- one writer --------------------------------------------------------------------------


def test_a_second_writer_is_refused_with_the_file_and_holder_named(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    with open_lease_file(path), pytest.raises(LeaseFileLockedError) as refused:
        open_lease_file(path)
    message = str(refused.value)
    assert str(path) in message
    assert f"process {os.getpid()}" in message
    with open_lease_file(path) as recorder:  # released on close
        assert recorder.max_notification_id() is None


HOLD_THE_FILE = """
import sys
from adapters.leasefile.persistence import open_lease_file
with open_lease_file(sys.argv[1]):
    print("locked", flush=True)
    sys.stdin.read()
"""


def test_a_writer_in_another_process_is_named_by_its_pid(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    holder = subprocess.Popen(
        [sys.executable, "-c", HOLD_THE_FILE, str(path)],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
        cwd=Path(__file__).resolve().parents[4],
    )
    try:
        assert holder.stdout is not None and holder.stdout.readline() == "locked\n"
        with pytest.raises(LeaseFileLockedError) as refused:
            open_lease_file(path)
        assert f"locked by process {holder.pid}" in str(refused.value)
    finally:
        holder.communicate("", timeout=30)
    with open_lease_file(path) as recorder:
        assert recorder.max_notification_id() is None


# -- ISC-written files ---------------------------------------------------------------------


def corpus_manifest() -> dict[str, dict[str, str]]:
    """The corpus rows by file name: ISC's verdict and notes for each lease file."""
    manifest = CORPUS / "MANIFEST.tsv"
    if not manifest.is_file():
        return {}
    with manifest.open(encoding="utf-8", newline="") as rows:
        return {row["file"]: row for row in csv.DictReader(rows, delimiter="\t",
                                                            quoting=csv.QUOTE_NONE)}


def test_the_lease_corpus_is_there(prerequisite_missing: Callable[[str], NoReturn]) -> None:
    if not corpus_manifest():
        prerequisite_missing(f"the shared corpus is missing: no MANIFEST.tsv under {CORPUS}")


@pytest.mark.parametrize("source", sorted(CORPUS.glob("*.leases")), ids=lambda p: p.name)
def test_isc_lease_files_open_as_imported_events(source: Path, tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    shutil.copyfile(source, path)
    with open_lease_file(path) as recorder:
        notifications = recorder.select_notifications(None, 10_000)
        latest = recorder.select_latest_events()
    row = corpus_manifest()[source.name]
    # The addresses dhcpd keeps (it says how many when it writes them back) are the
    # ones whose last record we hold.
    kept = re.search(r"ISC wrote (\d+) leases back", row["notes"])
    assert kept is not None
    assert len(latest) == int(kept.group(1))
    assert {n.topic for n in notifications} <= {lease_events.Imported.TOPIC}
    text = source.read_bytes()
    for n in notifications:
        assert n.state in text
        assert n.state.startswith(f"lease {n.originator_id} {{".encode())
    if row["isc_verdict"] == "ok":
        # Nothing dropped: one event per record, in file order.
        addresses = [line.split()[1].decode() for line in text.splitlines()
                     if line.startswith(b"lease ")]
        assert [n.originator_id for n in notifications] == addresses


def test_an_isc_file_is_not_changed_by_opening_it(tmp_path: Path) -> None:
    source = CORPUS / "05-pfsense-rewind-state.leases"  # its last `}` has no newline
    path = tmp_path / "dhcpd.leases"
    shutil.copyfile(source, path)
    with open_lease_file(path) as recorder:
        assert path.read_bytes() == source.read_bytes()
        recorder.insert_events(stored([lease_event(
            lease_events.Acked, 2, lease("10.0.0.36", BindingState.ACTIVE))]))
    with open_lease_file(path) as recorder:
        assert [n.topic for n in recorder.select_notifications(None, 10)] == [
            "lease.Imported", "lease.Imported", "lease.Acked"]


# -- ISC reads what we write ---------------------------------------------------------------

COVERING_CONF = """\
authoritative;
ddns-update-style none;
failover peer "fo" {
  secondary;
  address 127.0.0.2; port 8648;
  peer address 127.0.0.1; peer port 8647;
  max-response-delay 30; max-unacked-updates 10;
  load balance max seconds 3;
}
failover peer "fo1" {
  primary;
  address 127.0.0.1; port 8657;
  peer address 127.0.0.2; peer port 8658;
  max-response-delay 30; max-unacked-updates 10;
  mclt 600; split 128; load balance max seconds 3;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool { failover peer "fo"; range 10.0.0.1 10.0.0.254; }
}
subnet 10.0.1.0 netmask 255.255.255.0 {
  pool { failover peer "fo1"; range 10.0.1.1 10.0.1.254; }
}
"""
def isc_complaints(dhcpd: str, folder: Path, leases: Path) -> list[str]:
    """Every line `dhcpd -4 -T` prints about the lease file, under the covering config."""
    conf = folder / "covering.conf"
    conf.write_text(COVERING_CONF)
    return lab_isc_complaints(conf, leases, folder / "isc", dhcpd=dhcpd)


def test_every_file_the_store_writes_passes_dhcpd(
    tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    dhcpd = require_tool("dhcpd")
    path = tmp_path / "dhcpd.leases"
    since = int(NOW.timestamp())
    # We are the secondary of "fo" (so the record carries the MCLT) and the primary
    # of "fo1" (so it must not).
    secondary = FailoverStateRecord(
        peer="fo", my_state=FailoverState.NORMAL, my_time=since,
        partner_state=FailoverState.COMMUNICATIONS_INTERRUPTED, partner_time=since, mclt=3600,
    )
    primary = FailoverStateRecord(
        peer="fo1", my_state=FailoverState.PARTNER_DOWN, my_time=since,
        partner_state=FailoverState.RECOVER, partner_time=since,
    )
    mapper = LeaseFileMapper(transcoder=None)  # type: ignore[arg-type]
    failover = [
        mapper.to_stored_event(failover_events.StateChanged(
            originator_id=f"failover:{record.peer}", originator_version=1, timestamp=NOW,
            state=record, cause="peer lost"))
        for record in (secondary, primary)
    ]
    batches = [*three_batches(), failover, stored([lease_event(
        lease_events.Rebalanced, 1, lease("10.0.1.7", BindingState.BACKUP))])]
    with open_lease_file(path) as recorder:
        assert isc_complaints(dhcpd, tmp_path, path) == []
        for batch in batches:
            recorder.insert_events(batch)
            assert isc_complaints(dhcpd, tmp_path, path) == [], path.read_text()


def test_without_history_the_store_serves_the_newest_events_and_numbers_on(
    tmp_path: Path,
) -> None:
    path = tmp_path / "dhcpd.leases"
    write_log(path, three_batches())
    with open_lease_file(path) as recorder:
        recorder.forget_history()
        assert [n.id for n in recorder.select_notifications(1, 10)] == [4, 5, 6]
        assert recorder.max_notification_id() == 6
        assert [e.originator_version for e in recorder.select_events("10.0.0.1")] == [3]
        assert [event for event, *_ in recorder.latest_entries()] == [3, 4, 5]
        with pytest.raises(IntegrityError):
            recorder.insert_events(stored([
                lease_event(lease_events.Acked, 2, lease("10.0.0.1", BindingState.ACTIVE))]))
        assert recorder.insert_events(stored([
            lease_event(lease_events.Acked, 4, lease("10.0.0.1", BindingState.ACTIVE))])) == [7]
