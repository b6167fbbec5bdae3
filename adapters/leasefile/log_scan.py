"""Reading a lease file back into an event index when the store opens it.

The scan trusts nothing: every header's checksum is verified and a batch (the records
of one `write()`) counts only when all of its records are there and sound.  The scan
stops at the first thing that is not: a torn header, a record whose checksum fails, a
batch that breaks off, or two events claiming one version of an aggregate.  What lies
before that point is indexed; what lies after it is reported as the part to cut off,
so that a crash in the middle of a write never leaves half a batch applied.

Text with no header in front of it (a file written by ISC dhcpd, or the prologue ISC
puts at the top of a rewrite) is handed to a reader for headerless content, which turns
the lease and failover records in it into `Imported` events.
"""

from __future__ import annotations

import mmap
import re
import zlib
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import NamedTuple
from uuid import UUID

from adapters.leasefile.event_index import EventIndex
from adapters.leasefile.record_header import (
    HEADER_PATTERN,
    parse_foreign,
    unquote_field,
)
from domain.failover_events import failover_id

# The opening line of an ISC record (after any comment or blank lines): how a record
# names its aggregate.
_OPENING = re.compile(
    rb"(?:#[^\n]*\n|\n)*"
    rb'(?:lease (\d{1,3}(?:\.\d{1,3}){3}) \{|failover peer "((?:[^"\\\n]|\\.)*)" state \{)\n'
)
_ESCAPED = re.compile(r"\\(.)")
# A header and, looked ahead at, what its record opens with: a foreign-state line, or
# the address of a lease record (so the hot loop need not match the record again; any
# other record, a failover state, is named by `record_originator`).
_HEADED = re.compile(
    HEADER_PATTERN.pattern.removesuffix(rb"(?=(#es-foreign ))?")
    + rb"(?=(#es-foreign )|(?:#[^\n]*\n|\n)*lease (\d{1,3}(?:\.\d{1,3}){3}) \{\n)?",
    re.MULTILINE,
)
_STRAY_HEADER = re.compile(rb"^#es", re.MULTILINE)
_RECORD_END = b"\n}\n"


def record_originator(
    record: bytes | memoryview | mmap.mmap, start: int = 0, end: int | None = None
) -> str | None:
    """The aggregate id of the ISC record at `start`: its address, or `failover:<peer>`."""
    match = _OPENING.match(record, start, len(record) if end is None else end)
    if match is None:
        return None
    address, peer = match.groups()
    if address is not None:
        return address.decode("ascii")
    return failover_id(_ESCAPED.sub(r"\1", peer.decode("latin-1")))


class HeaderlessRecord(NamedTuple):
    """A record found in text that has no header: it becomes an `Imported` event."""

    originator_id: str
    topic: str
    offset: int
    length: int


class HeaderlessRead(NamedTuple):
    """What a reader of headerless text found.

    `complaints` are the problems ISC would print (the records concerned are left out);
    `complete_until` is where the last finished record ends: anything after it is an
    unfinished record."""

    records: list[HeaderlessRecord]
    complaints: list[str]
    complete_until: int


# (headerless text, the byte it starts at, the file's name for messages) -> what it holds
ReadHeaderless = Callable[[bytes, int, str], HeaderlessRead]
# The live file as the store reads it: mapped into memory (or, in tests, bytes).
FileData = bytes | mmap.mmap


@dataclass
class ScanOutcome:
    """How far the file is sound, and what to tell the operator about the rest."""

    valid_end: int
    file_size: int
    cut_reason: str | None = None
    complaints: list[str] = field(default_factory=list)
    misnumbered: int = 0

    @property
    def needs_cut(self) -> bool:
        return self.valid_end < self.file_size


class _Stop(Exception):
    """The scan has reached the first unsound byte."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class _Scanner:
    def __init__(
        self, data: FileData, index: EventIndex, read_headerless: ReadHeaderless, name: str,
        start: int,
    ) -> None:
        self.data = data
        self.start = start
        self.name = name
        self.view = memoryview(data)
        self.index = index
        self.read_headerless = read_headerless
        self.outcome = ScanOutcome(valid_end=start, file_size=len(data))
        self.topics: dict[bytes, str] = {}
        # The open batch: where it starts, its size, how many records are in, and the
        # number of its first event (events of a batch that never completes are dropped).
        self.batch_start = 0
        self.batch_parts = 0
        self.batch_seen = 0
        self.batch_first_event = 0
        # The open batch's next part number and its size as the headers write them:
        # the next record's header is checked against these without converting.
        self.batch_next_part = b""
        self.batch_parts_text = b""
        self.indexed = len(index)  # events in the index so far

    def run(self) -> ScanOutcome:
        data = self.data
        headed = _HEADED.match
        size = len(data)
        position = self.start
        try:
            while position < size:
                match = headed(data, position)
                if match is not None:
                    position = self._record(match)
                    continue
                if self.batch_seen:
                    raise _Stop(f"the batch at byte {self.batch_start} is broken"
                                f" by text at byte {position}")
                following = HEADER_PATTERN.search(self.data, position)
                region_end = size if following is None else following.start()
                self._headerless(position, region_end, trailing=following is None)
                position = region_end
            if self.batch_seen:
                raise _Stop(f"the last batch stops after record {self.batch_seen}"
                            f" of {self.batch_parts}")
        except _Stop as stop:
            self.outcome.cut_reason = stop.reason
            if self.batch_seen:
                self.index.truncate(self.batch_first_event)
        return self.outcome

    def _record(self, match: re.Match[bytes]) -> int:
        """Index one headed record; return where it ends.  (The hot loop of opening a
        file of millions of events: it avoids every call it can.)"""
        position, version_text, topic_text, crc, part_text, parts_text, foreign, address = (
            match.groups())
        header_start, start = match.span()
        data = self.data
        end = (data.find(_RECORD_END, start) + 3 if foreign is None
               else data.find(b"\n", start) + 1)
        if end <= start:
            raise _Stop(f"the record at byte {header_start} is unfinished")
        if zlib.crc32(self.view[start:end]) != int(crc, 16):
            raise _Stop(f"the record at byte {header_start} fails its checksum")
        batch_seen = self.batch_seen
        if batch_seen and part_text == self.batch_next_part and parts_text == self.batch_parts_text:
            batch_seen = self.batch_seen = batch_seen + 1  # the common case, inline
            self.batch_next_part = b"%d" % (batch_seen + 1)
        elif part_text != b"1" or parts_text != b"1" or batch_seen:
            self._join_batch(int(part_text), int(parts_text), header_start)
            self.batch_next_part, self.batch_parts_text = b"%d" % (self.batch_seen + 1), parts_text
        number = self.indexed + 1
        if int(position) != number:
            self.outcome.misnumbered += 1
        if address is not None:
            originator_id: UUID | str | None = address.decode("ascii")
        elif foreign is None:
            originator_id = record_originator(data, start, end)
        else:
            originator_id = self._foreign_originator(start, end)
        if originator_id is None:
            raise _Stop(f"the record at byte {header_start} names no lease or failover peer")
        topic = self.topics.get(topic_text) or self._topic(topic_text)
        version = int(version_text)
        if not self.index.append(originator_id, version, topic, start, end - start):
            raise _Stop(f"the record at byte {header_start} repeats version {version}"
                        f" of {originator_id}")
        self.indexed = number
        if part_text == parts_text:
            self.batch_seen = 0
            self.outcome.valid_end = end
        return end

    def _foreign_originator(self, start: int, end: int) -> UUID | str | None:
        foreign = parse_foreign(self.data[start:end])
        return None if foreign is None else foreign.originator_id

    def _topic(self, text: bytes) -> str:
        # The checksum covers the record, not its header: a damaged event type may hold
        # any byte.  Read as latin-1 it is just a type no event class has (refused as
        # such), not a crash.
        topic = self.topics[text] = unquote_field(text.decode("latin-1"))
        return topic

    def _join_batch(self, part: int, parts: int, header_start: int) -> None:
        if part == 1:
            if self.batch_seen:
                raise _Stop(f"the batch at byte {self.batch_start} stops after record"
                            f" {self.batch_seen} of {self.batch_parts}")
            self.batch_start, self.batch_parts = header_start, parts
            self.batch_first_event = self.indexed
        elif parts != self.batch_parts or part != self.batch_seen + 1:
            raise _Stop(f"the record at byte {header_start} claims to be {part}/{parts}"
                        " of a batch that is not there")
        self.batch_seen = part

    def _headerless(self, start: int, end: int, *, trailing: bool) -> None:
        """Import the records of text without headers (ISC's), up to anything unsound."""
        if not self.data[start:end].strip():
            self.outcome.valid_end = end
            return
        unsound = self._first_unsound_line(start, end, trailing=trailing)
        sound_end = end if unsound is None else unsound
        if start < sound_end:
            read = self.read_headerless(self.data[start:sound_end], start, self.name)
            self.outcome.complaints.extend(read.complaints)
            for record in read.records:
                version = (self.index.last_version(record.originator_id) or 0) + 1
                self.index.append(record.originator_id, version, record.topic,
                                  record.offset, record.length)
                self.indexed += 1
            complete = start + read.complete_until
            if not self.data[complete:sound_end].strip():
                complete = sound_end  # blank lines after the last record (ISC ends so)
            self.outcome.valid_end = complete
            if self.outcome.valid_end < sound_end:
                where = "an unfinished record" if trailing else "unreadable text"
                raise _Stop(f"{where} at byte {self.outcome.valid_end}")
        if unsound is not None:
            raise _Stop(f"a torn or damaged header at byte {unsound}")

    def _first_unsound_line(self, start: int, end: int, *, trailing: bool) -> int | None:
        """Where a line that only a torn or damaged write of ours can leave begins.

        That is a line starting `#es` that is not a whole header, or, at the end of the
        file, a comment line with no newline: the next header would be glued to it."""
        stray = _STRAY_HEADER.search(self.data, start, end)
        if stray is not None:
            return stray.start()
        if trailing:
            line_start = self.data.rfind(b"\n", start, end) + 1 or start
            if self.view[line_start : line_start + 1] == b"#":
                return line_start
        return None


def scan_log(
    data: FileData, index: EventIndex, read_headerless: ReadHeaderless, name: str,
    *, start: int = 0,
) -> ScanOutcome:
    """Index the sound part of `data`, the whole lease file `name`, into `index`.

    The index only ever receives complete batches; `ScanOutcome.valid_end` is the byte
    at which the sound part ends and `cut_reason` says why the rest is not sound.  With
    `start`, `index` already holds the events before that byte (which must end a batch)
    and the scan goes on from there."""
    return _Scanner(data, index, read_headerless, name, start).run()
