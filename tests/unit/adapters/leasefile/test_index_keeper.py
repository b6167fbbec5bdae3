"""The saved index through a log's life: offered at open, handed out once, saved at
close only when the file changed, reusing the records it already had."""

from __future__ import annotations

import logging
import os
import zlib
from datetime import UTC, datetime
from pathlib import Path

import pytest

from adapters.leasefile.event_index import EventIndex
from adapters.leasefile.index_keeper import IndexKeeper
from adapters.leasefile.saved_index import index_path, read_saved_index
from adapters.leasefile.writer import format_lease
from domain import lease_events
from domain.lease import BindingState, Lease
from projections.addresses import ip_number
from projections.packed_lease import pack

RECORDS = [format_lease(Lease(f"10.0.0.{n}", ends=500 + n,
                              binding_state=BindingState.ACTIVE)).encode() for n in (1, 2)]
DATA = b"".join(RECORDS)


def columns() -> EventIndex:
    index = EventIndex()
    index.append("10.0.0.1", 1, "lease.Acked", 0, len(RECORDS[0]))
    index.append("10.0.0.2", 1, "lease.Acked", len(RECORDS[0]), len(RECORDS[1]))
    return index


@pytest.fixture
def live(tmp_path: Path) -> Path:
    path = tmp_path / "dhcpd.leases"
    path.write_bytes(DATA)
    return path


def save(keeper: IndexKeeper, live: Path, read: list[int]) -> None:
    def read_state(event: int) -> bytes:
        read.append(event)
        return RECORDS[event]

    fd = os.open(live, os.O_RDONLY)
    try:
        keeper.save(columns().columns, read_state, fd, len(DATA), [(0, 0)])
    finally:
        os.close(fd)


def test_a_saved_index_is_offered_once_and_not_saved_again_unchanged(live: Path) -> None:
    read: list[int] = []
    save(IndexKeeper(live), live, read)
    assert read == [0, 1]
    keeper = IndexKeeper(live)
    spans: list[tuple[int, int]] = []
    resumed = keeper.resume(DATA, spans)
    assert resumed is not None and resumed[1] == len(DATA) and spans == [(0, 0)]
    assert keeper.take() is not None and keeper.take() is None
    before = index_path(live).stat().st_mtime_ns
    save(keeper, live, read)
    assert index_path(live).stat().st_mtime_ns == before and read == [0, 1]


def test_after_a_change_the_close_saves_reusing_the_records_it_had(live: Path) -> None:
    save(IndexKeeper(live), live, [])
    keeper = IndexKeeper(live)
    keeper.resume(DATA, [])
    keeper.changed()
    os.remove(index_path(live))
    read: list[int] = []
    save(keeper, live, read)
    assert read == [0, 1]  # the index it had is gone: nothing to reuse
    keeper = IndexKeeper(live)
    keeper.resume(DATA, [])
    keeper.changed()
    read = []
    save(keeper, live, read)
    assert read == []
    saved = read_saved_index(live)
    assert saved is not None and saved.covered_crc == zlib.crc32(DATA)


def test_a_new_file_gets_nothing_of_the_old_index(live: Path) -> None:
    save(IndexKeeper(live), live, [])
    keeper = IndexKeeper(live)
    keeper.resume(DATA, [])
    keeper.new_file([], [])
    assert keeper.take() is None
    read: list[int] = []
    save(keeper, live, read)
    assert read == [0, 1]


def test_an_index_that_does_not_match_is_not_offered(
    live: Path, caplog: pytest.LogCaptureFixture
) -> None:
    save(IndexKeeper(live), live, [])
    keeper = IndexKeeper(live)
    with caplog.at_level(logging.WARNING):
        assert keeper.resume(DATA.replace(b"10.0.0.2", b"10.0.0.3"), []) is None
    assert "does not match" in caplog.text
    assert keeper.take() is None


def test_a_failed_save_is_logged_not_raised(
    live: Path, caplog: pytest.LogCaptureFixture
) -> None:
    # The index is written to a temporary name first: a folder there makes that fail.
    index_path(live).with_name(index_path(live).name + ".new").mkdir()
    with caplog.at_level(logging.WARNING):
        save(IndexKeeper(live), live, [])
    assert "cannot save the index" in caplog.text
    assert not index_path(live).exists()


def acked(n: int) -> lease_events.Acked:
    lease = Lease(f"10.0.0.{n}", ends=500 + n, binding_state=BindingState.ACTIVE)
    return lease_events.Acked(originator_id=lease.ip, originator_version=1,
                              timestamp=datetime(2026, 1, 1, tzinfo=UTC), lease=lease,
                              cause="test")


def test_leases_appended_are_saved_as_packed_without_reading_them_back(live: Path) -> None:
    keeper = IndexKeeper(live)
    keeper.appended([acked(1), acked(2)], [1, 2])  # notification ids: events 0 and 1
    read: list[int] = []
    save(keeper, live, read)
    assert read == []
    saved = read_saved_index(live)
    assert saved is not None
    assert saved.packed_leases() == {n - 1: (ip_number(f"10.0.0.{n}"), pack(acked(n).lease))
                                     for n in (1, 2)}


def test_a_rotation_hands_the_carried_records_the_packed_form_of_their_sources(
    live: Path,
) -> None:
    keeper = IndexKeeper(live)
    keeper.appended([acked(1), acked(2)], [1, 2])
    # The new file carries event 0 byte for byte as its event 0 and writes event 1's
    # record again as its event 1: that one must be read.
    keeper.new_file([0, None], [1, 2])
    read: list[int] = []
    save(keeper, live, read)
    assert read == [1]
    saved = read_saved_index(live)
    assert saved is not None and saved.packed_leases() == {
        n - 1: (ip_number(f"10.0.0.{n}"), pack(acked(n).lease)) for n in (1, 2)}
