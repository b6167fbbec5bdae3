"""Segment names, the steps of the switch to a new segment, and the lock-free snapshot."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from adapters.leasefile import segments
from adapters.leasefile.segments import (
    archive_live,
    archive_path,
    archived_segments,
    clear_interrupted_rotation,
    close_snapshot,
    new_segment_path,
    next_archive_path,
    prune_archives,
    put_new_segment_in_place,
    snapshot,
    undo_unfinished_rotation,
    write_new_segment_start,
)
from adapters.leasefile.store_errors import LeaseFileError


@pytest.fixture
def live(tmp_path: Path) -> Path:
    path = tmp_path / "dhcpd.leases"
    path.write_bytes(b"live\n")
    return path


def names(paths: list[Path]) -> list[str]:
    return [path.name for path in paths]


def test_archives_are_numbered_so_that_names_sort_oldest_first(live: Path) -> None:
    assert archive_path(live, 1).name == "dhcpd.leases.seg-000001"
    assert archive_path(live, 1234567).name == "dhcpd.leases.seg-1234567"
    for number in (10, 2, 1234567, 1):
        archive_path(live, number).write_bytes(b"old\n")
    (live.parent / "dhcpd.leases.seg-x").write_bytes(b"not ours\n")
    (live.parent / "other.leases.seg-000005").write_bytes(b"not ours\n")
    assert names(archived_segments(live)) == [
        "dhcpd.leases.seg-000001", "dhcpd.leases.seg-000002", "dhcpd.leases.seg-000010",
        "dhcpd.leases.seg-1234567"]
    assert next_archive_path(live).name == "dhcpd.leases.seg-1234568"


def test_the_first_archive_is_number_one(live: Path) -> None:
    assert next_archive_path(live).name == "dhcpd.leases.seg-000001"


def test_the_switch_archives_the_old_file_and_puts_the_new_one_in_place(live: Path) -> None:
    new = write_new_segment_start(live, b"new\n")
    assert new == new_segment_path(live)
    archive = next_archive_path(live)
    archive_live(live, archive)
    assert live.read_bytes() == archive.read_bytes() == b"live\n"
    put_new_segment_in_place(new, live)
    assert live.read_bytes() == b"new\n"
    assert archive.read_bytes() == b"live\n"
    assert not new.exists()
    assert clear_interrupted_rotation(live) == []


def test_a_crash_before_the_rename_is_cleared_by_the_next_writer(live: Path) -> None:
    write_new_segment_start(live, b"new\n")
    archive = next_archive_path(live)
    archive_live(live, archive)
    # The process dies here.  The live file is still the old one, complete.
    assert live.read_bytes() == b"live\n"
    assert sorted(names(clear_interrupted_rotation(live))) == [
        "dhcpd.leases.new-segment", "dhcpd.leases.seg-000001"]
    assert sorted(os.listdir(live.parent)) == ["dhcpd.leases"]


def test_a_real_archive_is_never_taken_for_a_leftover(live: Path) -> None:
    archive = archive_path(live, 1)
    archive.write_bytes(b"live\n")  # same bytes, another file
    assert clear_interrupted_rotation(live) == []
    assert archive.exists()


def test_undo_takes_back_every_step_before_the_rename(live: Path) -> None:
    write_new_segment_start(live, b"new\n")
    archive = next_archive_path(live)
    archive_live(live, archive)
    undo_unfinished_rotation(live, archive)
    assert sorted(os.listdir(live.parent)) == ["dhcpd.leases"]
    assert live.read_bytes() == b"live\n"


def test_a_snapshot_opens_every_segment_oldest_first(live: Path) -> None:
    archive_path(live, 2).write_bytes(b"two\n")
    archive_path(live, 1).write_bytes(b"one\n")
    opened = snapshot(live)
    try:
        assert [s.name for s in opened] == [
            "dhcpd.leases.seg-000001", "dhcpd.leases.seg-000002", "dhcpd.leases"]
        assert [os.pread(s.fd, 10, 0) for s in opened] == [b"one\n", b"two\n", b"live\n"]
    finally:
        close_snapshot(opened)


def test_a_snapshot_skips_an_archive_that_is_the_live_file(live: Path) -> None:
    archive_path(live, 1).write_bytes(b"one\n")
    archive_live(live, archive_path(live, 2))  # a rotation stopped before its rename
    opened = snapshot(live)
    try:
        assert [s.name for s in opened] == ["dhcpd.leases.seg-000001", "dhcpd.leases"]
    finally:
        close_snapshot(opened)


def test_a_snapshot_of_no_log_is_empty(tmp_path: Path) -> None:
    assert snapshot(tmp_path / "dhcpd.leases") == []


def test_a_snapshot_taken_during_a_rotation_is_taken_again(
    live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    real_listing = segments.archived_segments
    calls = []

    def rotating_meanwhile(path: Path) -> list[Path]:
        calls.append(path)
        if len(calls) == 1:
            archive_live(live, archive_path(live, 1))
            put_new_segment_in_place(write_new_segment_start(live, b"new\n"), live)
            return []  # listed before the rotation ...
        return real_listing(path)  # ... and seen after it

    monkeypatch.setattr(segments, "archived_segments", rotating_meanwhile)
    opened = snapshot(live)
    try:
        assert [os.pread(s.fd, 10, 0) for s in opened] == [b"live\n", b"new\n"]
    finally:
        close_snapshot(opened)


def test_a_log_that_never_holds_still_is_reported(
    live: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    counter = iter(range(1000))
    monkeypatch.setattr(segments, "archived_segments",
                        lambda path: [archive_path(path, next(counter))])
    with pytest.raises(LeaseFileError, match="kept changing"):
        snapshot(live)


def test_pruning_keeps_the_newest_archives_and_never_the_live_file(live: Path) -> None:
    for number in range(1, 6):
        archive_path(live, number).write_bytes(b"old\n")
    (live.parent / "other.leases.seg-000001").write_bytes(b"not ours\n")

    assert names(prune_archives(live, 2)) == [
        "dhcpd.leases.seg-000001", "dhcpd.leases.seg-000002", "dhcpd.leases.seg-000003"]
    assert names(archived_segments(live)) == ["dhcpd.leases.seg-000004",
                                              "dhcpd.leases.seg-000005"]
    assert prune_archives(live, 2) == []  # nothing more to do
    assert names(prune_archives(live, 0)) == ["dhcpd.leases.seg-000004",
                                              "dhcpd.leases.seg-000005"]
    assert live.read_bytes() == b"live\n"
    assert (live.parent / "other.leases.seg-000001").exists()
    assert next_archive_path(live).name == "dhcpd.leases.seg-000001"


def test_a_reader_with_a_pruned_archive_open_reads_it_to_the_end(live: Path) -> None:
    archive_path(live, 1).write_bytes(b"oldest\n")
    archive_path(live, 2).write_bytes(b"newer\n")
    opened = snapshot(live)
    try:
        prune_archives(live, 1)
        assert [os.pread(s.fd, 10, 0) for s in opened] == [b"oldest\n", b"newer\n", b"live\n"]
    finally:
        close_snapshot(opened)
    again = snapshot(live)
    try:
        assert [s.name for s in again] == ["dhcpd.leases.seg-000002", "dhcpd.leases"]
    finally:
        close_snapshot(again)
