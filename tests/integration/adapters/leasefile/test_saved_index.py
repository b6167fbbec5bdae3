"""The index a closed lease log leaves beside the file, over real files.

What matters: a restart with the index gives exactly the state, versions and event
numbers a full read gives; the index is used only while the file still starts with
the bytes it covers, and anything else (a changed, shrunk or replaced file; a torn,
damaged or truncated index) is noticed and the file read whole; what was appended
after the index is read, and a torn tail after it is still cut off and kept."""

from __future__ import annotations

import dataclasses
import logging
from pathlib import Path

import pytest

from adapters.leasefile.history import read_history
from adapters.leasefile.lease_log import LeaseLog
from adapters.leasefile.saved_index import index_path, read_saved_index, write_saved_index
from adapters.leasefile.store import LeaseFileAggregateRecorder
from domain import lease_events
from domain.lease import BindingState, Hardware, Lease
from projections.addresses import ip_number
from projections.packed_lease import pack
from tests.integration.adapters.leasefile.test_lease_log import busy_day, lease, lease_event

INDEX_LOG = "adapters.leasefile.lease_log"


@pytest.fixture
def path(tmp_path: Path) -> Path:
    folder = tmp_path / "db"
    folder.mkdir()
    return folder / "dhcpd.leases"


def full_read(path: Path) -> tuple[object, ...]:
    """What a log opened without any index gives (the index is put back after)."""
    index = index_path(path)
    saved = index.read_bytes() if index.exists() else None
    index.unlink(missing_ok=True)
    try:
        return opened_state(path)
    finally:
        if saved is not None:
            index.write_bytes(saved)


def opened_state(path: Path) -> tuple[object, ...]:
    with LeaseLog(path) as log:
        leases, states = log.load_latest()
        versions = {lease.ip: log.version_of(lease.ip) for lease in leases}
        return leases, states, versions, log.version_of("failover:fo")


def records_read_back(monkeypatch: pytest.MonkeyPatch) -> list[bytes]:
    """From now on, the stored records the log reads back from its file (to parse them
    for the saved index), in order.  Spied at the store, which is never compiled: a
    compiled module calls its neighbours directly, past any patch of theirs."""
    read: list[bytes] = []
    real_read = LeaseFileAggregateRecorder.read_state

    def spy(recorder: LeaseFileAggregateRecorder, event: int) -> bytes:
        state = real_read(recorder, event)
        read.append(state)
        return state

    monkeypatch.setattr(LeaseFileAggregateRecorder, "read_state", spy)
    return read


def crash(log: LeaseLog) -> None:
    """The process dies: the file and its lock are released, no index is saved."""
    log._recorder.close()


def next_lease(host: int, step: int) -> Lease:
    return lease(host, BindingState.ACTIVE, step)


def test_closing_saves_an_index_and_a_restart_gives_what_a_full_read_gives(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 5, hosts=6)
    assert read_saved_index(path) is not None
    with caplog.at_level(logging.WARNING):
        assert opened_state(path) == full_read(path)
    assert caplog.messages == []


def test_the_packed_state_matches_the_leases_and_versions(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 3, hosts=4)
    with LeaseLog(path) as log:
        leases, states = log.load_latest()
    with LeaseLog(path) as log:
        state = log.load_latest_state()
    assert state.leases == [(ip_number(lease.ip), pack(lease)) for lease in leases]
    assert state.failover_states == states
    assert dict(state.versions) == {**{lease.ip: 3 for lease in leases}, "failover:fo": 3}


def test_appends_after_the_index_are_read_and_numbered_on(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 2, hosts=3)
    old_index = index_path(path).read_bytes()
    with LeaseLog(path) as log:
        log.append([lease_event(log, lease_events.Acked, next_lease(2, 90))])
        crash(log)
    assert index_path(path).read_bytes() == old_index
    assert opened_state(path) == full_read(path)
    with LeaseLog(path) as log:
        assert log.version_of("10.0.0.2") == 3
        [recording] = log.append([lease_event(log, lease_events.Acked, next_lease(3, 91))])
    positions = [number for _, number, _ in read_history(path)]
    assert positions == list(range(1, len(positions) + 1))
    assert recording.notification.id == len(positions)


def test_a_torn_tail_after_the_index_is_still_cut_off_and_kept(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 2, hosts=3)
    sound = path.read_bytes()
    with LeaseLog(path) as log:
        log.append([lease_event(log, lease_events.Acked, next_lease(1, 90))])
        crash(log)  # the index still covers `sound` only
    grown = path.read_bytes()
    torn = grown[: len(sound) + (len(grown) - len(sound)) // 2]
    path.write_bytes(torn)
    with caplog.at_level(logging.WARNING), LeaseLog(path) as log:
        assert log.version_of("10.0.0.1") == 2
    assert path.read_bytes() == sound
    assert "cut off" in caplog.text
    [kept] = path.parent.glob("dhcpd.leases.cut-*")
    assert kept.read_bytes() == torn[len(sound):]


@pytest.mark.parametrize("change", ["shrunk", "byte changed", "replaced"])
def test_a_file_that_no_longer_starts_with_the_indexed_bytes_is_read_whole(
    path: Path, caplog: pytest.LogCaptureFixture, change: str
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 3, hosts=4)
    data = path.read_bytes()
    index = index_path(path).read_bytes()
    if change == "shrunk":
        data = data[: data.rindex(b"#es ")]
    elif change == "byte changed":
        data = data.replace(b"host-2", b"host-7", 1)
    else:
        path.unlink()
        with LeaseLog(path) as log:
            busy_day(log, 3, hosts=5)
        data = path.read_bytes()
    path.write_bytes(data)
    index_path(path).write_bytes(index)
    expected = full_read(path)
    with caplog.at_level(logging.WARNING, logger=INDEX_LOG):
        assert opened_state(path) == expected
    assert "does not match the file" in caplog.text


@pytest.mark.parametrize("damage", ["torn", "flipped", "empty", "other format"])
def test_a_torn_or_damaged_index_is_ignored(
    path: Path, caplog: pytest.LogCaptureFixture, damage: str
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 3, hosts=4)
    index = bytearray(index_path(path).read_bytes())
    if damage == "torn":
        index = index[: len(index) // 2]
    elif damage == "flipped":
        index[len(index) // 2] ^= 0x40
    elif damage == "empty":
        index = bytearray()
    else:
        index[:17] = b"leaseledger-index"[::-1]
    index_path(path).write_bytes(bytes(index))
    expected = full_read(path)
    with caplog.at_level(logging.WARNING):
        assert opened_state(path) == expected
    assert "reading the lease file whole" in caplog.text
    assert read_saved_index(path) is not None  # the close saved a sound one again


def test_after_a_rotation_the_old_index_is_not_used_and_the_close_saves_a_new_one(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 3, hosts=4)
    old_index = index_path(path).read_bytes()
    with LeaseLog(path, rotate_bytes=1) as log:
        assert log.maybe_rotate() is not None
        log.append([lease_event(log, lease_events.Acked, next_lease(1, 90))])
    saved = read_saved_index(path)
    assert saved is not None and saved.covered_end == path.stat().st_size
    assert index_path(path).read_bytes() != old_index
    with caplog.at_level(logging.WARNING):
        assert opened_state(path) == full_read(path)
    assert caplog.messages == []


def test_a_log_reopened_without_changes_does_not_write_the_index_again(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 2, hosts=3)
    before = index_path(path).stat()
    with LeaseLog(path) as log:
        log.load_latest()
    after = index_path(path).stat()
    assert (after.st_ino, after.st_mtime_ns) == (before.st_ino, before.st_mtime_ns)


def test_the_close_after_appends_saves_an_index_covering_them(path: Path) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 2, hosts=3)
    with LeaseLog(path) as log:
        log.append([lease_event(log, lease_events.Acked, next_lease(2, 90))])
    saved = read_saved_index(path)
    assert saved is not None and saved.covered_end == path.stat().st_size
    assert opened_state(path) == full_read(path)


def test_an_index_whose_addresses_do_not_hold_together_is_ignored(
    path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 2, hosts=3)
    saved = read_saved_index(path)
    assert saved is not None
    addresses = saved.record_addresses[:]
    addresses[1] = addresses[0]
    write_saved_index(path, dataclasses.replace(saved, record_addresses=addresses))
    expected = full_read(path)
    with caplog.at_level(logging.WARNING):
        assert opened_state(path) == expected
    assert "does not hold together" in caplog.text


def test_an_index_is_saved_as_the_file_grows_so_a_crash_costs_only_the_tail(
    path: Path, monkeypatch: pytest.MonkeyPatch, caplog: pytest.LogCaptureFixture
) -> None:
    monkeypatch.setattr("adapters.leasefile.lease_log.INDEX_EVERY_BYTES", 2_000)
    log = LeaseLog(path)
    busy_day(log, 2, hosts=4)
    assert log.maybe_save_index()  # written while the log is open, before any close
    first = read_saved_index(path)
    assert first is not None
    assert not log.maybe_save_index()  # nothing appended since
    busy_day(log, 4, hosts=4)
    assert log.maybe_save_index()
    grown = read_saved_index(path)
    assert grown is not None and grown.covered_end > first.covered_end
    log.append([lease_event(log, lease_events.Acked, next_lease(9, 99))])  # the tail
    crash(log)

    with caplog.at_level(logging.WARNING):
        restarted = opened_state(path)
    assert caplog.messages == []  # the index (its CRC summed in two steps) was used
    assert restarted == full_read(path)


def test_leases_the_log_wrote_are_saved_without_being_read_back_and_as_a_read_gives_them(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    # Leases whose record reads back as something else (a zero time, an empty uid, a
    # too long hardware address, an unprintable host name) are read back.
    lossy = [next_lease(1, 1).replace(starts=0),
             next_lease(2, 2).replace(uid=b""),
             next_lease(3, 3).replace(hardware=Hardware(1, bytes(21))),
             next_lease(4, 4).replace(client_hostname="tab\there")]
    exact = [next_lease(host, host) for host in range(5, 8)] + [next_lease(8, 8).replace(
        next_binding_state=BindingState.ACTIVE,
        rewind_binding_state=BindingState.ACTIVE)]
    parsed = records_read_back(monkeypatch)
    with LeaseLog(path) as log:
        log.append([lease_event(log, lease_events.Acked, record) for record in lossy + exact])
    assert len(parsed) == len(lossy)
    assert all(b"lease 10.0.0.%d " % host in text for host, text in zip(range(1, 5), parsed,
                                                                          strict=True))
    assert opened_state(path) == full_read(path)
    with LeaseLog(path) as log:
        assert log.load_latest_state().leases == [
            (ip_number(lease.ip), pack(lease)) for lease in log.load_latest()[0]]


def test_records_a_rotation_carries_are_saved_without_being_read_back(
    path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    with LeaseLog(path) as log:
        busy_day(log, 3, hosts=4)  # hosts 1-4 saved in the index at the close
    parsed = records_read_back(monkeypatch)
    with LeaseLog(path, rotate_bytes=1) as log:
        log.append([lease_event(log, lease_events.Acked, next_lease(host, 90 + host))
                    for host in (2, 5)])  # one saved lease changed, one new
        assert log.maybe_rotate() is not None
        log.append([lease_event(log, lease_events.Acked, next_lease(6, 99))])
    assert parsed == []
    assert opened_state(path) == full_read(path)
    leases, _, versions, _ = opened_state(path)
    assert sorted(lease.ip for lease in leases) == [f"10.0.0.{host}" for host in range(1, 7)]
    assert versions["10.0.0.2"] == 4


def test_a_file_with_no_event_at_all_reopens_from_its_index(path: Path) -> None:
    """dhcpd's file of a server with reservations and no lease yet (a host made
    through OMAPI): the index saved for it has no row, and must still be read."""
    path.write_text("host omhost1 {\n  dynamic;\n  hardware ethernet 02:00:00:00:00:e1;\n"
                    "  fixed-address 10.0.0.60;\n}\n")
    for _ in range(2):
        with LeaseLog(path) as log:
            assert log.load_latest() == ([], {})
            assert [record.name for record, _ in log.host_records()] == ["omhost1"]
    assert index_path(path).exists()
