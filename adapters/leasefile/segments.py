"""The lease log on disk: the live dhcpd.leases and the archived segments beside it.

The log grows without end, but startup should read only what the current state needs,
so it is cut into segments.  The live segment keeps the name the configuration gives
(`dhcpd.leases`: ISC dhcpd and administrators look for it there).  When it has grown
past its limit, it is archived under a numbered name in the same folder, and a new live
file takes its place, starting with a checkpoint of every live lease:

    dhcpd.leases.seg-000001     the oldest segment (read-only from then on)
    dhcpd.leases.seg-000002
    dhcpd.leases                the live segment, the only one a writer appends to

Numbers start at 1, grow by one per rotation and are zero-padded to six digits (more
digits once 999999 is passed), so `ls` lists the segments oldest first.

A rotation is crash-safe because nothing is ever renamed away from the live name: the
new segment is written and synced under a temporary name (`dhcpd.leases.new-segment`),
the live file gets a second name (a hard link: the archive), and one `rename()` puts the
new file in place; the folder is synced after each step.  Until that rename the old file
is the live one; after it, the new one is.  A crash in between leaves the temporary file
and an archive that is the live file itself: the next writer removes both
(`clear_interrupted_rotation`) and readers skip such an archive.

Readers never lock: `snapshot` opens every segment and checks that no rotation moved a
name meanwhile, so an audit sees each event exactly once, in order.
"""

from __future__ import annotations

import contextlib
import os
import re
from dataclasses import dataclass
from pathlib import Path

from adapters.leasefile.store_errors import LeaseFileError, LeaseFileIOError

ARCHIVE_INFIX = ".seg-"
NEW_SEGMENT_SUFFIX = ".new-segment"
_NUMBER_DIGITS = 6
_SNAPSHOT_ATTEMPTS = 20


def archive_path(live: Path, number: int) -> Path:
    """The name segment `number` has once archived: `dhcpd.leases.seg-000001`."""
    return live.with_name(f"{live.name}{ARCHIVE_INFIX}{number:0{_NUMBER_DIGITS}d}")


def new_segment_path(live: Path) -> Path:
    """Where a new live segment is written before it is renamed into place."""
    return live.with_name(live.name + NEW_SEGMENT_SUFFIX)


def archived_segments(live: Path) -> list[Path]:
    """The archived segments of the log whose live file is `live`, oldest first."""
    pattern = re.compile(re.escape(live.name + ARCHIVE_INFIX) + r"(\d+)")
    found: list[tuple[int, Path]] = []
    try:
        names = os.listdir(live.parent)
    except OSError as error:
        raise LeaseFileIOError(f"{live.parent}: cannot list the folder: {error.strerror}") from None
    for name in names:
        match = pattern.fullmatch(name)
        if match is not None:
            found.append((int(match.group(1)), live.with_name(name)))
    return [path for _, path in sorted(found)]


def next_archive_path(live: Path) -> Path:
    """The archive name the live segment gets at the next rotation."""
    archives = archived_segments(live)
    last = int(archives[-1].name.rsplit(ARCHIVE_INFIX, 1)[1]) if archives else 0
    return archive_path(live, last + 1)


def sync_folder(folder: Path) -> None:
    """Make renames, links and unlinks in `folder` durable."""
    try:
        fd = os.open(folder, os.O_RDONLY | os.O_DIRECTORY | os.O_CLOEXEC)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise LeaseFileIOError(f"{folder}: cannot sync the folder: {error.strerror}") from None


def write_new_segment_start(live: Path, text: bytes) -> Path:
    """Create the new segment's file (replacing any leftover) holding `text`, synced."""
    path = new_segment_path(live)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
        try:
            view = memoryview(text)
            while view:
                written = os.write(fd, view)  # not inside the slice: see saved_index.py
                view = view[written:]
            os.fsync(fd)
        finally:
            os.close(fd)
    except OSError as error:
        raise LeaseFileIOError(f"{path}: cannot write the new segment: {error.strerror}") from None
    return path


def archive_live(live: Path, archive: Path) -> None:
    """Give the live file its archive name too (the live name stays): step one of the
    switch, harmless if a crash follows."""
    try:
        os.link(live, archive)
    except OSError as error:
        raise LeaseFileIOError(f"{live}: cannot archive it as {archive.name}:"
                               f" {error.strerror}") from None
    sync_folder(live.parent)


def put_new_segment_in_place(new_segment: Path, live: Path) -> None:
    """The switch itself: one atomic rename makes the new segment the live file.
    (The caller syncs the folder afterwards, once it has switched to the new file.)"""
    try:
        os.replace(new_segment, live)
    except OSError as error:
        raise LeaseFileIOError(f"{new_segment}: cannot rename it to {live.name}:"
                               f" {error.strerror}") from None


def undo_unfinished_rotation(live: Path, archive: Path) -> None:
    """Take back, as far as possible, the steps of a rotation that failed before its
    rename; whatever stays behind is removed by the next writer's open."""
    with contextlib.suppress(OSError):
        os.unlink(new_segment_path(live))
    with contextlib.suppress(OSError):
        if _same_file(archive, live):
            os.unlink(archive)
    with contextlib.suppress(LeaseFileError):
        sync_folder(live.parent)


def clear_interrupted_rotation(live: Path) -> list[Path]:
    """Remove what a rotation cut short by a crash left behind; return what went.

    Only a writer holding the live file's lock may call this: the temporary file and an
    archive that is still the live file itself mean the rename never happened."""
    removed = []
    leftover = new_segment_path(live)
    if leftover.exists():
        removed.append(leftover)
    archives = archived_segments(live)
    if archives and _same_file(archives[-1], live):
        removed.append(archives[-1])
    if removed:
        try:
            for path in removed:
                os.unlink(path)
        except OSError as error:
            raise LeaseFileIOError(f"{live}: cannot remove {path.name}, left by an"
                                   f" interrupted rotation: {error.strerror}") from None
        sync_folder(live.parent)
    return removed


def prune_archives(live: Path, keep: int) -> list[Path]:
    """Remove all but the newest `keep` archived segments; return the removed ones,
    oldest first.  The newest archives carry everything the live file's checkpoint
    does not, so what is kept is still a log that reads from its first checkpoint on.
    A reader that has a removed one open reads on (the file lives until closed); one
    listing meanwhile lists again (`snapshot`)."""
    archives = archived_segments(live)
    doomed = archives[: max(len(archives) - keep, 0)]
    for path in doomed:
        try:
            os.unlink(path)
        except FileNotFoundError:
            continue
        except OSError as error:
            raise LeaseFileIOError(f"{path}: cannot remove it: {error.strerror}") from None
    if doomed:
        sync_folder(live.parent)
    return doomed


def _same_file(one: Path, other: Path) -> bool:
    try:
        return os.path.samefile(one, other)
    except OSError:
        return False


@dataclass(frozen=True)
class SegmentFile:
    """One segment as a reader opened it: its name and an open, read-only descriptor."""

    name: str
    fd: int


def snapshot(live: Path) -> list[SegmentFile]:
    """Open every segment of the log, oldest first, without locking anything.

    A rotation may happen at any moment; the names are listed again after opening and
    the snapshot retried until they agree, so each event is seen in exactly one
    segment.  The caller closes the descriptors (`close_snapshot`)."""
    for _ in range(_SNAPSHOT_ATTEMPTS):
        names = [*archived_segments(live), live]
        opened = _open_all(names)
        if opened is not None and [*archived_segments(live), live] == names:
            return _without_unfinished_archive(opened)
        close_snapshot(opened or [])
    raise LeaseFileError(f"{live}: the segments kept changing while being opened")


def _open_all(paths: list[Path]) -> list[SegmentFile] | None:
    opened: list[SegmentFile] = []
    for path in paths:
        try:
            opened.append(SegmentFile(path.name, os.open(path, os.O_RDONLY | os.O_CLOEXEC)))
        except FileNotFoundError:
            if path == paths[-1]:
                return opened  # no live file (yet): the archives are all there is
            close_snapshot(opened)
            return None  # an unfinished archive was removed under us: list again
        except OSError as error:
            close_snapshot(opened)
            raise LeaseFileIOError(f"{path}: cannot open: {error.strerror}") from None
    return opened


def _without_unfinished_archive(opened: list[SegmentFile]) -> list[SegmentFile]:
    """Drop an archive that is the live file itself (a rotation was cut short)."""
    if len(opened) >= 2:
        archive, live = os.fstat(opened[-2].fd), os.fstat(opened[-1].fd)
        if (archive.st_dev, archive.st_ino) == (live.st_dev, live.st_ino):
            os.close(opened[-2].fd)
            return [*opened[:-2], opened[-1]]
    return opened


def close_snapshot(opened: list[SegmentFile]) -> None:
    for segment in opened:
        with contextlib.suppress(OSError):
            os.close(segment.fd)
