"""Reading a whole lease file: records with their offsets and comments, dhcpd's
messages, torn tails and fatal errors."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import NoReturn

from adapters.leasefile.reader import Comment, Entry, parse_lease_file
from domain.lease import (
    AuthoringByteOrder,
    BindingState,
    ByteOrder,
    FailoverState,
    FailoverStateRecord,
    Lease,
    ServerDuid,
)

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "leases"
# What dhcpd prints while loading that depends on its configuration, or is not about
# the file: the codec does not print these.
NOT_FROM_THE_CODEC = ("confpars.c(", ": no subnet.", "Unexpected hash function")

LOG = (
    "#es n=1 v=1 t=lease.Acked c=0 b=1/1\n"
    "lease 10.0.0.1 {\n  binding state active;\n}\n"
    "# a note\n"
    "#es n=2 v=1 t=failover.StateChanged c=0 b=1/1\n"
    'failover peer "fo" state {\n  my state normal at 5 2026/11/27 17:00:00;\n}\n'
    "# the end\n"
)


def test_records_come_with_their_offsets_and_the_comments_before_them() -> None:
    parsed = parse_lease_file(LOG)
    first, second = parsed.entries
    assert first.record == Lease("10.0.0.1", binding_state=BindingState.ACTIVE)
    assert first.comments == (Comment("#es n=1 v=1 t=lease.Acked c=0 b=1/1", 0, 36),)
    assert LOG[first.start : first.end] == "lease 10.0.0.1 {\n  binding state active;\n}\n"
    assert second.record == FailoverStateRecord("fo", FailoverState.NORMAL, 1795798800)
    assert [c.text for c in second.comments] == [
        "# a note", "#es n=2 v=1 t=failover.StateChanged c=0 b=1/1"]
    assert LOG[second.start : second.end].startswith('failover peer "fo"')
    assert LOG[second.end :] == "# the end\n"
    assert parsed.trailing_comments == (Comment("# the end", len(LOG) - 10, len(LOG)),)
    assert parsed.complete_until == len(LOG)
    assert parsed.diagnostics == ()


def test_bytes_are_read_as_latin_1_so_offsets_are_byte_offsets() -> None:
    data = b'# caf\xe9\nlease 10.0.0.1 {\n  client-hostname "x";\n}\n'
    parsed = parse_lease_file(data)
    entry = parsed.entries[0]
    assert entry.start == data.index(b"lease")
    assert entry.end == len(data)
    assert entry.comments[0].text == "# caf\xe9"


def test_the_isc_prologue_is_comments_and_the_byte_order_record() -> None:
    text = (FIXTURES / "isc" / "pair-primary.leases").read_text(encoding="latin-1")
    parsed = parse_lease_file(text)
    prologue = parsed.entries[0]
    assert prologue.record == AuthoringByteOrder(ByteOrder.LITTLE_ENDIAN)
    assert [c.text for c in prologue.comments] == [
        "# The format of this file is documented in the dhcpd.leases(5) manual page.",
        "# This lease file was written by isc-dhcp-4.4.3-P1",
        "# authoring-byte-order entry is generated, DO NOT DELETE",
    ]
    kinds = {type(r).__name__ for r in parsed.records()}
    assert kinds == {"AuthoringByteOrder", "FailoverStateRecord", "ServerDuid", "Lease"}
    duid = next(r for r in parsed.records() if isinstance(r, ServerDuid))
    assert len(duid.duid) == 14


def test_entries_cover_the_text_in_order_without_overlap() -> None:
    for path in (FIXTURES / "isc").glob("*.leases"):
        text = path.read_text(encoding="latin-1")
        parsed = parse_lease_file(text)
        position = 0
        for entry in parsed.entries:
            for comment in entry.comments:
                assert text[position : comment.start].strip() == ""
                position = comment.end
            assert text[position : entry.start].strip() == ""
            assert entry.start < entry.end
            position = entry.end
        assert text[position:].strip() == "".join(
            text[c.start : c.end] for c in parsed.trailing_comments).strip()


def test_a_torn_record_at_the_end_is_kept_but_marked_incomplete() -> None:
    whole = "lease 10.0.0.1 {\n  binding state free;\n}\n"
    torn = whole + "#es n=2\nlease 10.0.0.2 {\n  starts 5 2026/11/27 17:00:00;\n  ends 5 20"
    parsed = parse_lease_file(torn)
    last = parsed.entries[-1]
    assert isinstance(last.record, Lease)
    assert last.record.starts == 1795798800
    assert not last.complete
    assert parsed.complete_until == len(whole) + len("#es n=2\n")
    assert parsed.diagnostics[-1].lines[0] == "dhcpd.leases line 7: unexpected end of file"


def test_a_comment_without_its_newline_is_not_complete() -> None:
    text = "lease 10.0.0.1 {\n}\n#es n=2 v=1"
    parsed = parse_lease_file(text)
    assert parsed.trailing_comments == (Comment("#es n=2 v=1", 19, len(text)),)
    assert parsed.complete_until == 19


def test_a_fatal_error_stops_reading_there() -> None:
    text = ("lease 10.0.0.1 {\n}\nlease 10.0.0.2 {\n  timestamp 5 2026/11/27 17:00:00;\n}\n"
            "lease 10.0.0.3 {\n}\n")
    parsed = parse_lease_file(text)
    assert [e.record for e in parsed.entries] == [Lease("10.0.0.1"), None]
    assert parsed.fatal is not None
    assert parsed.diagnostics[-1] == parsed.fatal


def test_empty_and_blank_files() -> None:
    for text in ("", "\n\n  \t\n"):
        parsed = parse_lease_file(text)
        assert parsed.entries == ()
        assert parsed.complete_until == 0


def test_our_messages_are_the_ones_dhcpd_printed_for_the_damaged_fixture() -> None:
    text = (FIXTURES / "inputs" / "damaged.leases").read_text(encoding="latin-1")
    parsed = parse_lease_file(text, "dhcpd.leases")
    ours = "\n".join(line for d in parsed.diagnostics for line in d.lines).split("\n")
    isc = (FIXTURES / "isc" / "damaged.log").read_text(encoding="latin-1").split("\n")
    isc = isc[: next(i for i, line in enumerate(isc) if line.startswith("Wrote "))]
    assert ours == [line for line in isc if not line.endswith(NOT_FROM_THE_CODEC)
                    and not line.startswith(NOT_FROM_THE_CODEC)]


def test_dhcpd_kept_the_leases_we_keep_from_the_damaged_fixture() -> None:
    text = (FIXTURES / "inputs" / "damaged.leases").read_text(encoding="latin-1")
    ours = {r.ip: r for r in parse_lease_file(text).records() if isinstance(r, Lease)}
    written = parse_lease_file((FIXTURES / "isc" / "damaged.leases").read_bytes())
    isc = {r.ip for r in written.records() if isinstance(r, Lease)}
    assert isc <= set(ours)
    # dhcpd drops 231.20.0.46 for being in no subnet (a configuration matter), and does
    # not write back a lease that its start-up expiry made free and that names no client.
    for ip in set(ours) - isc - {"231.20.0.46"}:
        assert ours[ip].hardware is None and ours[ip].uid is None, ip


def test_our_messages_are_the_ones_dhcpd_printed_for_the_openbsd_sample(
    prerequisite_missing: Callable[[str], NoReturn],
) -> None:
    corpus = CORPUS / "10-openbsd-format-sample.leases"
    if not corpus.exists():
        prerequisite_missing(f"the shared lease corpus is missing: no {corpus}")
    parsed = parse_lease_file(corpus.read_bytes(), "dhcpd.leases")
    ours = "\n".join(line for d in parsed.diagnostics for line in d.lines).split("\n")
    isc = (FIXTURES / "corpus" / "10.log").read_text(encoding="latin-1").split("\n")
    assert ours == isc[: next(i for i, line in enumerate(isc) if line.startswith("Wrote "))]
    assert list(parsed.records()) == []


def test_entry_defaults_describe_a_clean_record() -> None:
    entry = Entry(Lease("10.0.0.1"), 0, 10)
    assert entry.complete
    assert entry.comments == ()
    assert entry.diagnostics == ()
