"""The lease log's index saved beside the live file, so a restart need not read it all.

Opening a lease file means checking every record's checksum and parsing the newest
record of every address: seconds for a file of a million events.  When the daemon
closes the log it saves what that work produced, `dhcpd.leases.index`: the store's
index without history (`EventIndex.columns`), where the headerless text lies, and the
newest lease record of each address in the lease table's packed form.

A saved index is only a cache, and never trusted blindly: it names how many bytes of
the live file it covers and the CRC-32 of those bytes, and it is used only when the
file still starts with exactly those bytes (the file may have grown since: the rest is
scanned, and cut off when unsound, as ever).  A file that shrank, was replaced or
rotated, or changed inside the covered bytes does not match; an index file that is
torn, damaged or of another format fails its own checksum or its checks.  Either way
it is ignored and the file read whole.  It is written to a temporary name, synced and
renamed into place, so a crash leaves the old one or the new one, never half of one.
"""

from __future__ import annotations

import logging
import operator
import os
import struct
import sys
import zlib
from array import array
from dataclasses import dataclass
from pathlib import Path

from adapters.leasefile.event_index import IndexColumns
from adapters.leasefile.log_scan import FileData

log = logging.getLogger(__name__)

INDEX_SUFFIX = ".index"
_MAGIC = b"leaseledger-index 1 " + sys.byteorder.encode("ascii") + b"\n"
_HEAD = struct.Struct("<QIq")  # covered bytes, their CRC-32, events in the file
_LENGTH = struct.Struct("<Q")
_CRC = struct.Struct("<I")
_SEPARATOR = "\0"


@dataclass(frozen=True)
class SavedIndex:
    """What a closed log left for the next open: see the module's docstring.

    `record_ends[k]` is where row k's packed lease ends in `records` (an empty one: the
    record is read from the file) and `record_addresses[k]` the number of its address."""

    covered_end: int
    covered_crc: int
    columns: IndexColumns
    headerless_spans: list[tuple[int, int]]
    records: bytes
    record_ends: array[int]
    record_addresses: array[int]

    def packed_leases(self) -> dict[int, tuple[int, bytes]]:
        """event number -> (address number, packed lease) of every row that has one."""
        ends = self.record_ends
        starts = [0, *ends[:-1]] if ends else []  # (an index of no rows has no start)
        records = self.records
        return {number: (address, records[start:end]) for number, address, start, end in
                zip(self.columns.numbers, self.record_addresses, starts, ends, strict=True)
                if start != end}

    def matches(self, data: FileData) -> bool:
        """Whether `data`, the live file now, still starts with the bytes indexed."""
        if self.covered_end > len(data):
            return False
        with memoryview(data) as whole, whole[: self.covered_end] as covered:
            return zlib.crc32(covered) == self.covered_crc


def index_path(live: Path) -> Path:
    """`dhcpd.leases.index` beside `dhcpd.leases`."""
    return live.with_name(live.name + INDEX_SUFFIX)


def covered_crc(fd: int, end: int, known: tuple[int, int] | None = None) -> int:
    """The CRC-32 of the first `end` bytes of the open file `fd`.  `known` is (length,
    CRC) of a prefix already summed (an append-only file keeps it valid), so only the
    bytes after it are read."""
    crc, offset = 0, 0
    if known is not None and known[0] <= end:
        offset, crc = known
    while offset < end:
        chunk = os.pread(fd, min(end - offset, 2**24), offset)
        if not chunk:
            raise OSError(0, "the file shrank while it was read")
        crc = zlib.crc32(chunk, crc)
        offset += len(chunk)
    return crc


def encode(saved: SavedIndex) -> bytes:
    """The index file's bytes (raises ValueError for an id the format cannot hold)."""
    columns = saved.columns
    texts = (columns.topics, columns.originator_ids)
    if any(_SEPARATOR in text for names in texts for text in names):
        raise ValueError("a topic or originator id holds a NUL")
    spans = array("q", [value for span in saved.headerless_spans for value in span])
    parts = [
        _HEAD.pack(saved.covered_end, saved.covered_crc, columns.count),
        *(_array_part(column) for column in (
            columns.numbers, columns.offsets, columns.lengths, columns.versions,
            columns.topic_numbers, spans, saved.record_ends, saved.record_addresses)),
        *(_part(_SEPARATOR.join(names).encode("utf-8")) for names in texts),
        _part(saved.records),
    ]
    body = _MAGIC + b"".join(parts)
    return body + _CRC.pack(zlib.crc32(body))


def decode(data: bytes) -> SavedIndex:
    """The saved index in `data`; ValueError when it is not a sound one."""
    if not data.startswith(_MAGIC) or len(data) < len(_MAGIC) + _HEAD.size + _CRC.size:
        raise ValueError("not an index file of this format")
    body, (crc,) = data[: -_CRC.size], _CRC.unpack(data[-_CRC.size :])
    if zlib.crc32(body) != crc:
        raise ValueError("the index file fails its checksum")
    covered_end, crc_of_covered, count = _HEAD.unpack_from(body, len(_MAGIC))
    reader = _Parts(body, len(_MAGIC) + _HEAD.size)
    numbers, offsets, lengths, versions, topic_numbers, spans, record_ends, addresses = (
        reader.array() for _ in range(8))
    topics, ids = (reader.text() for _ in range(2))
    records = reader.part()
    if reader.at != len(body):
        raise ValueError("the index file has bytes after its last part")
    columns = IndexColumns(count, numbers, offsets, lengths, versions, topic_numbers,
                           topics, ids)
    _check(columns, covered_end, len(records), record_ends)
    if len(addresses) != len(numbers):
        raise ValueError("the index file's columns differ in length")
    return SavedIndex(covered_end, crc_of_covered, columns,
                      list(zip(spans[::2], spans[1::2], strict=True)), records, record_ends,
                      addresses)


def write_saved_index(live: Path, saved: SavedIndex) -> None:
    """Put `saved` in place of the live file's index, durably and atomically."""
    path = index_path(live)
    temporary = path.with_name(path.name + ".new")
    data = encode(saved)
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_TRUNC | os.O_CLOEXEC, 0o644)
    try:
        view = memoryview(data)
        while view:
            # Two statements: compiled by mypyc, a call inside a memoryview's slice
            # runs twice (here: the data written twice).
            written = os.write(fd, view)
            view = view[written:]
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(temporary, path)


def read_saved_index(live: Path) -> SavedIndex | None:
    """The index saved for the live file, or None (none there, or not a sound one: then
    why is logged)."""
    path = index_path(live)
    try:
        data = path.read_bytes()
    except FileNotFoundError:
        return None
    except OSError as error:
        log.warning("%s: cannot read the saved index (%s); reading the lease file whole",
                    path, error.strerror)
        return None
    try:
        return decode(data)
    except ValueError as error:
        log.warning("%s: %s; reading the lease file whole", path, error)
        return None


def _check(columns: IndexColumns, covered_end: int, record_bytes: int,
           record_ends: array[int]) -> None:
    """Refuse an index whose parts do not fit together (a checksum only proves that
    the file is what was written)."""
    rows = len(columns.numbers)
    if any(len(column) != rows for column in (
            columns.offsets, columns.lengths, columns.versions, columns.topic_numbers,
            columns.originator_ids, record_ends)):
        raise ValueError("the index file's columns differ in length")
    if rows and (max(columns.topic_numbers) >= len(columns.topics)
                 or min(columns.offsets) < 0 or min(columns.lengths) < 0
                 or max(map(operator.add, columns.offsets, columns.lengths)) > covered_end
                 or columns.numbers[0] < 0 or columns.numbers[-1] >= columns.count
                 or not all(map(operator.lt, columns.numbers, columns.numbers[1:]))
                 or not all(map(operator.le, record_ends, record_ends[1:]))
                 or record_ends[0] < 0 or record_ends[-1] != record_bytes):
        raise ValueError("the index file's rows do not fit together")
    if len(set(columns.originator_ids)) != rows:
        raise ValueError("the index file names an aggregate twice")


def _part(data: bytes) -> bytes:
    return _LENGTH.pack(len(data)) + data


def _array_part(column: array[int]) -> bytes:
    return _part(column.typecode.encode("ascii") + column.tobytes())


class _Parts:
    """Reads the length-prefixed parts of an index file's body, in order."""

    def __init__(self, body: bytes, at: int) -> None:
        self.body = body
        self.at = at

    def part(self) -> bytes:
        if self.at + _LENGTH.size > len(self.body):
            raise ValueError("the index file ends inside a part")
        (length,) = _LENGTH.unpack_from(self.body, self.at)
        start = self.at + _LENGTH.size
        if start + length > len(self.body):
            raise ValueError("the index file ends inside a part")
        self.at = start + length
        return self.body[start : self.at]

    def array(self) -> array[int]:
        data = self.part()
        typecode = data[:1].decode("ascii", "replace")
        if typecode not in ("B", "H", "i", "I", "q"):
            raise ValueError("the index file holds a column of an unknown type")
        column = array(typecode)
        if (len(data) - 1) % column.itemsize:
            raise ValueError("the index file holds a column of a broken length")
        column.frombytes(data[1:])
        return column

    def text(self) -> list[str]:
        data = self.part()
        try:
            return data.decode("utf-8").split(_SEPARATOR) if data else []
        except UnicodeDecodeError:
            raise ValueError("the index file holds a name that is not UTF-8") from None
