"""The comment lines the event store adds to dhcpd.leases, and nothing else.

ISC dhcpd skips every line that starts with `#`, so the store keeps its bookkeeping
there.  Each stored event is written as

    #es n=<position> v=<version> t=<topic> c=<crc32 of the record> b=<k>/<m>
    <record>

where `b=k/m` says the record is the k-th of the m records of one `write()`: on open
a batch is applied whole or not at all.  The record is the event's state written
verbatim when it is an ISC record (a lease or failover state block); any other event
(an event of another aggregate, the library's conformance tests) becomes one comment
line, `#es-foreign <id> <state>`, so that the file stays an ISC lease file whatever is
stored in it.

Field values are percent-encoded (space, `%`, control and non-ASCII bytes only) so a
line never breaks and fields never run together.
"""

from __future__ import annotations

import re
import string
import zlib
from typing import NamedTuple
from urllib.parse import quote, quote_from_bytes, unquote, unquote_to_bytes
from uuid import UUID

FOREIGN_PREFIX = b"#es-foreign "

# One complete header line.  Matched over the whole file on open, so it is anchored at
# line starts and accepts nothing but the exact layout `format_header` writes.  The last
# group, a look-ahead, says whether a foreign-state line follows.
HEADER_PATTERN = re.compile(
    rb"^#es n=(\d+) v=(-?\d+) t=(\S*) c=([0-9a-f]{8}) b=(\d+)/(\d+)\n(?=(#es-foreign ))?",
    re.MULTILINE,
)

_SAFE = "".join(c for c in string.printable if c not in string.whitespace and c != "%")


def format_header(
    position: int, version: int, topic: str, record: bytes, part: int, parts: int
) -> bytes:
    """The header line for `record`, the `part`-th of `parts` records of one write."""
    quoted = _QUOTED_TOPICS.get(topic)
    if quoted is None:
        quoted = quote_field(topic)
        if len(_QUOTED_TOPICS) < _QUOTED_TOPICS_KEPT:
            _QUOTED_TOPICS[topic] = quoted
    return (
        f"#es n={position} v={version} t={quoted} "
        f"c={zlib.crc32(record):08x} b={part}/{parts}\n"
    ).encode("ascii")


# Topics are few (one per event class): each is quoted once, not once per record.
_QUOTED_TOPICS: dict[str, str] = {}
_QUOTED_TOPICS_KEPT = 256


def quote_field(text: str) -> str:
    """Encode `text` so it holds no whitespace: safe inside one header field."""
    return quote(text, safe=_SAFE)


def unquote_field(text: str) -> str:
    """Undo `quote_field`."""
    return unquote(text)


def format_foreign(originator_id: UUID | str, state: bytes) -> bytes:
    """The one-line record of an event whose state is not an ISC record.

    The id is written with its type (`u:` UUID, `s:` string) because the library hands
    back exactly the type it was given."""
    if isinstance(originator_id, UUID):
        id_field = "u:" + originator_id.hex
    else:
        id_field = "s:" + quote_field(originator_id)
    state_field = quote_from_bytes(state, safe=_SAFE)
    return FOREIGN_PREFIX + f"{id_field} {state_field}\n".encode("ascii")


class ForeignRecord(NamedTuple):
    originator_id: UUID | str
    state: bytes


def parse_foreign(line: bytes) -> ForeignRecord | None:
    """Read back a `format_foreign` line; None when the line is not one."""
    if not line.startswith(FOREIGN_PREFIX) or not line.endswith(b"\n"):
        return None
    fields = line[len(FOREIGN_PREFIX) : -1].split(b" ")
    if len(fields) != 2:
        return None
    id_field, state_field = (f.decode("ascii", "replace") for f in fields)
    kind, _, value = id_field.partition(":")
    originator_id: UUID | str
    if kind == "u":
        try:
            originator_id = UUID(hex=value)
        except ValueError:
            return None
    elif kind == "s":
        originator_id = unquote_field(value)
    else:
        return None
    return ForeignRecord(originator_id, unquote_to_bytes(state_field))
