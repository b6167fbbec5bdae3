"""The store's comment lines: exact layout, and every value survives the round trip."""

from __future__ import annotations

import zlib
from uuid import UUID

from adapters.leasefile.record_header import (
    HEADER_PATTERN,
    format_foreign,
    format_header,
    parse_foreign,
    unquote_field,
)

RECORD = b"lease 10.0.0.111 {\n  binding state free;\n}\n"


def test_header_line_has_the_documented_layout() -> None:
    line = format_header(7, 3, "lease.Acked", RECORD, 2, 5)
    assert line == f"#es n=7 v=3 t=lease.Acked c={zlib.crc32(RECORD):08x} b=2/5\n".encode()


def test_header_round_trips_through_the_pattern() -> None:
    line = format_header(1, -1, "a topic\twith%odd\nparts", RECORD, 1, 1)
    match = HEADER_PATTERN.match(line)
    assert match is not None
    position, version, topic, crc, part, parts, foreign = match.groups()
    assert (position, version, crc, part, parts) == (
        b"1", b"-1", f"{zlib.crc32(RECORD):08x}".encode(), b"1", b"1")
    assert unquote_field(topic.decode()) == "a topic\twith%odd\nparts"
    assert foreign is None
    assert line.count(b"\n") == 1


def test_a_topic_is_written_the_same_every_time() -> None:
    # Quoted topics are kept (each is quoted once): later headers still quote it.
    lines = [format_header(n, 1, "odd topic %", RECORD, 1, 1) for n in (1, 2)]
    assert [line.split(b" ")[3] for line in lines] == [b"t=odd%20topic%20%25"] * 2


def test_pattern_sees_a_foreign_line_ahead() -> None:
    line = format_header(2, 1, "t", b"x\n", 1, 1) + format_foreign("id", b"x")
    match = HEADER_PATTERN.match(line)
    assert match is not None and match.group(7) == b"#es-foreign "


def test_pattern_ignores_isc_comments_and_torn_headers() -> None:
    text = b"# The format of this file is documented\n#es n=1 v=1 t=x c=0000000"
    assert HEADER_PATTERN.search(text) is None


def test_foreign_line_keeps_uuid_ids_and_arbitrary_bytes() -> None:
    originator = UUID("5f1c0c0e-8b8b-4b0c-9a0e-0e0e0e0e0e0e")
    state = bytes(range(256))
    line = format_foreign(originator, state)
    assert line.startswith(b"#es-foreign u:5f1c0c0e8b8b4b0c9a0e0e0e0e0e0e0e ")
    assert line.count(b"\n") == 1 and line.endswith(b"\n")
    parsed = parse_foreign(line)
    assert parsed is not None
    assert parsed.originator_id == originator and isinstance(parsed.originator_id, UUID)
    assert parsed.state == state


def test_foreign_line_keeps_string_ids_and_empty_state() -> None:
    parsed = parse_foreign(format_foreign("an id with spaces", b""))
    assert parsed is not None
    assert parsed.originator_id == "an id with spaces" and parsed.state == b""


def test_parse_foreign_rejects_other_lines() -> None:
    assert parse_foreign(b"#es-foreign x:1 state\n") is None
    assert parse_foreign(b"#es-foreign u:nothex state\n") is None
    assert parse_foreign(b"#es-foreign s:1 state") is None
    assert parse_foreign(RECORD) is None
