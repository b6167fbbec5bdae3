"""The saved index's file format: what is written reads back, anything else is refused,
and it matches a file only while the file starts with the bytes it covers."""

from __future__ import annotations

import os
import zlib
from array import array
from pathlib import Path

import pytest

from adapters.leasefile.event_index import EventIndex
from adapters.leasefile.saved_index import (
    SavedIndex,
    covered_crc,
    decode,
    encode,
    index_path,
    read_saved_index,
    write_saved_index,
)

FILE = b"#es n=1 ...\nlease 10.0.0.1 {\n}\n#es n=2 ...\nlease 10.0.0.2 {\n}\n" * 3


def saved(covered: bytes = FILE) -> SavedIndex:
    index = EventIndex()
    index.append("10.0.0.1", 1, "lease.Acked", 12, 20)
    index.append("10.0.0.2", 1, "lease.Acked", 44, 20)
    index.append("failover:fo", 1, "failover.StateChanged", 70, 9)
    index.append("10.0.0.1", 2, "lease.Freed", 80, 20)
    return SavedIndex(len(covered), zlib.crc32(covered), index.columns(), [(0, 12), (3, 4)],
                      b"packed-2packed-1", array("q", [8, 8, 16]),
                      array("q", [167772162, 0, 167772161]))


def test_what_is_encoded_decodes_to_the_same() -> None:
    original = saved()
    again = decode(encode(original))
    assert again == original
    assert again.packed_leases() == {1: (167772162, b"packed-2"), 3: (167772161, b"packed-1")}


@pytest.mark.parametrize("cut", [0, 1, 20, -5, -1])
def test_a_torn_index_is_refused(cut: int) -> None:
    data = encode(saved())
    with pytest.raises(ValueError):
        decode(data[:cut])


def test_every_flipped_byte_is_noticed() -> None:
    data = encode(saved())
    for at in range(0, len(data), 7):
        damaged = bytearray(data)
        damaged[at] ^= 0x01
        with pytest.raises(ValueError):
            decode(bytes(damaged))


def test_rows_that_do_not_fit_the_covered_bytes_are_refused() -> None:
    too_short = saved()
    too_short = SavedIndex(50, too_short.covered_crc, too_short.columns,
                           too_short.headerless_spans, too_short.records,
                           too_short.record_ends, too_short.record_addresses)
    with pytest.raises(ValueError, match="do not fit"):
        decode(encode(too_short))


def test_an_id_with_a_nul_is_not_saved() -> None:
    original = saved()
    columns = original.columns._replace(originator_ids=["a\0b", "c", "d"])
    with pytest.raises(ValueError, match="NUL"):
        encode(SavedIndex(1, 2, columns, [], b"", array("q", [0, 0, 0]),
                          array("q", [0, 0, 0])))


def test_it_matches_a_file_that_starts_with_the_covered_bytes_only() -> None:
    index = saved()
    assert index.matches(FILE)
    assert index.matches(FILE + b"#es n=7 more\n")
    assert not index.matches(FILE[:-1])
    assert not index.matches(FILE.replace(b"10.0.0.2", b"10.0.0.3", 1))


def test_covered_crc_reads_the_open_file(tmp_path: Path) -> None:
    path = tmp_path / "dhcpd.leases"
    path.write_bytes(FILE + b"tail")
    fd = os.open(path, os.O_RDONLY)
    try:
        assert covered_crc(fd, len(FILE)) == zlib.crc32(FILE)
        with pytest.raises(OSError):
            covered_crc(fd, len(FILE) + 100)
    finally:
        os.close(fd)


def test_written_it_reads_back_and_a_bad_file_reads_as_none(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    live = tmp_path / "dhcpd.leases"
    assert read_saved_index(live) is None
    write_saved_index(live, saved())
    assert index_path(live).name == "dhcpd.leases.index"
    assert read_saved_index(live) == saved()
    assert sorted(p.name for p in tmp_path.iterdir()) == ["dhcpd.leases.index"]
    index_path(live).write_bytes(b"garbage")
    assert read_saved_index(live) is None
    assert "not an index file" in caplog.text


def test_the_crc_of_a_grown_file_can_continue_from_a_known_prefix(tmp_path: Path) -> None:
    data = bytes(range(256)) * 300
    target = tmp_path / "grown"
    target.write_bytes(data)
    fd = os.open(target, os.O_RDONLY)
    try:
        prefix = (1000, zlib.crc32(data[:1000]))
        assert covered_crc(fd, len(data), prefix) == zlib.crc32(data)
        assert covered_crc(fd, len(data)) == zlib.crc32(data)
        assert covered_crc(fd, 500, prefix) == zlib.crc32(data[:500])  # prefix too long
    finally:
        os.close(fd)
