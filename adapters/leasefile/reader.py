"""dhcpd.leases text to records, with where each one lies in the text.

`parse_lease_file` reads a whole lease file (or any piece of one) the way dhcpd reads
it at start-up, and never raises: damage becomes the messages dhcpd prints and the
records dhcpd would have kept.  Each record comes with its start and end offsets (the
event store indexes by them) and with the comment lines that come before it (the
event store's `#es …` header is such a comment).  Text given as bytes is read as
Latin-1, so an offset is then a byte offset.

What ISC decides with its configuration in hand is not decided here: whether a lease
lies in a pool, a class or failover peer exists, a host is new; nor the defaults a
lease takes when it is loaded (`domain.lease.with_load_defaults`).
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass

from adapters.dhcpdconf.diagnostics import Diagnostic
from adapters.leasefile.fast_reader import read_canonical_lease
from adapters.leasefile.statement_reader import StatementReader
from domain.lease import LeaseFileRecord

_SPACE = re.compile(r"[ \t\n\r\v\f]*")


@dataclass(frozen=True, slots=True)
class Comment:
    """A `#` comment line outside any record: its text (without the newline), and
    where it starts and ends (after its newline, when it has one)."""

    text: str
    start: int
    end: int


@dataclass(frozen=True, slots=True)
class Entry:
    """One top-level statement of the file.

    `record` is None for text dhcpd passes over (it said why in `diagnostics`).
    `start` is the offset of the statement's first keyword, `end` the offset after its
    closing `}` or `;` and the newline right after it.  `comments` are the comment
    lines between the previous statement and this one.  `complete` is False when the
    file ends inside the statement (a torn write): dhcpd still keeps what it read."""

    record: LeaseFileRecord | None
    start: int
    end: int
    comments: tuple[Comment, ...] = ()
    diagnostics: tuple[Diagnostic, ...] = ()
    complete: bool = True


@dataclass(frozen=True, slots=True)
class LeaseFileParse:
    """Everything read from a lease file, in file order.

    `fatal` is set when dhcpd would have stopped (log_fatal): reading stopped there too,
    and `entries` holds what came before.  `trailing_comments` are the comment lines
    after the last statement."""

    entries: tuple[Entry, ...]
    trailing_comments: tuple[Comment, ...] = ()
    fatal: Diagnostic | None = None

    def records(self) -> Iterator[LeaseFileRecord]:
        """The records dhcpd keeps, in file order (last one per address wins)."""
        return (entry.record for entry in self.entries if entry.record is not None)

    @property
    def diagnostics(self) -> tuple[Diagnostic, ...]:
        """All messages, in the order dhcpd prints them."""
        found = [d for entry in self.entries for d in entry.diagnostics]
        if self.fatal is not None:
            found.append(self.fatal)
        return tuple(found)

    @property
    def complete_until(self) -> int:
        """The offset up to which the text is whole: the end of the last complete
        statement or newline-terminated comment before anything torn (0 if none)."""
        until = 0
        for entry in self.entries:
            until = max([until, *(c.end for c in entry.comments if _has_newline(c))])
            if not entry.complete:
                return until
            until = entry.end
        return max([until, *(c.end for c in self.trailing_comments if _has_newline(c))])


def _has_newline(comment: Comment) -> bool:
    return comment.end > comment.start + len(comment.text)


def _comment(text: str, start: int) -> Comment:
    newline = text.find("\n", start)
    if newline < 0:
        return Comment(text[start:], start, len(text))
    return Comment(text[start:newline], start, newline + 1)


def _after_newline(text: str, end: int) -> int:
    return end + 1 if text.startswith("\n", end) else end


def parse_lease_file(text: str | bytes, filename: str = "dhcpd.leases") -> LeaseFileParse:
    """Read lease file text into records, offsets, comments and dhcpd's messages.

    `filename` is only used in the messages (`FILENAME line N: …`), as dhcpd uses the
    path it was given."""
    if isinstance(text, bytes):
        text = text.decode("latin-1")
    entries: list[Entry] = []
    comments: list[Comment] = []
    statements: StatementReader | None = None
    size = len(text)
    position = 0
    while True:
        space = _SPACE.match(text, position)
        position = space.end() if space else position
        if position >= size:
            break
        if text[position] == "#":
            comment = _comment(text, position)
            comments.append(comment)
            position = comment.end
            continue
        fast = read_canonical_lease(text, position) if text.startswith("lease ", position) else None
        if fast is not None:
            lease, end = fast
            entries.append(Entry(lease, position, end, tuple(comments)))
            comments = []
            position = end
            continue
        if statements is None:
            statements = StatementReader(text, filename)
        # The statement's first token is consumed, so its text is never empty.
        read = statements.read_statement(position)
        end = _after_newline(text, read.end)
        entries.append(Entry(read.record, position, end, tuple(comments), read.diagnostics,
                             read.complete))
        if read.fatal is not None:
            return LeaseFileParse(tuple(entries), (), read.fatal)
        comments = []
        position = end if read.complete else size
    return LeaseFileParse(tuple(entries), tuple(comments))
