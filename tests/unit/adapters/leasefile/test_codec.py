"""The codec as a whole, against files the real ISC dhcpd wrote and against anything.

1. Every record of every file dhcpd wrote (fixtures/isc, fixtures/corpus) comes back
   byte for byte from parse → format.
2. The shared corpus (real files from the wild, some hand-made): each record comes back
   byte for byte, or its difference is one the codec documents.
3. The leases we read are the ones dhcpd loaded from the same file: same hardware, uid
   and times, and the binding state dhcpd wrote back after its start-up expiry.
4. Any valid record survives format → parse (hypothesis), and no input, however broken,
   makes the reader raise; what it reads it writes back in a form it reads the same.
"""

from __future__ import annotations

import csv
import string
from collections.abc import Callable
from pathlib import Path
from typing import NoReturn
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.dhcpdconf.keywords import KEYWORDS
from adapters.leasefile.codec import (
    LeaseFileStyle,
    format_record,
    parse_lease_file,
)
from domain.lease import (
    NEVER,
    AgentOption,
    BillingClass,
    BindingState,
    FailoverState,
    FailoverStateRecord,
    Hardware,
    HostRecord,
    Lease,
    LeaseFileRecord,
    VerbatimRecord,
    with_load_defaults,
)

FIXTURES = Path(__file__).parent / "fixtures"
CORPUS = Path(__file__).resolve().parents[4].parent / "shared" / "corpus" / "leases"
MANIFEST = {row["fixture"]: row for row in csv.DictReader(
    (FIXTURES / "MANIFEST.tsv").read_text(encoding="utf-8").splitlines(), delimiter="\t")}


def _style(fixture: str) -> LeaseFileStyle:
    """The db-time-format and lease-id-format dhcpd wrote the fixture with."""
    row = MANIFEST[fixture]
    local = "local" in row["conf"]
    return LeaseFileStyle(local_zone=ZoneInfo(row["TZ"]) if local else None,
                          hex_lease_ids="hex" in row["conf"])


def _isc_written() -> list[tuple[str, Path]]:
    files = [(path.stem, path) for path in sorted((FIXTURES / "isc").glob("*.leases"))]
    files += [(f"corpus-{path.stem}", path)
              for path in sorted((FIXTURES / "corpus").glob("*.leases"))]
    return files


def _record_texts(text: str, style: LeaseFileStyle) -> list[tuple[str, str]]:
    parsed = parse_lease_file(text)
    assert parsed.fatal is None
    assert all(entry.record is not None and entry.complete for entry in parsed.entries)
    return [(text[e.start : e.end], format_record(e.record, style)) for e in parsed.entries]


# -- 1. dhcpd's own files -------------------------------------------------------------

@pytest.mark.parametrize(("fixture", "path"), _isc_written(), ids=lambda v: str(v))
def test_every_record_dhcpd_wrote_comes_back_byte_for_byte(fixture: str, path: Path) -> None:
    text = path.read_text(encoding="latin-1")
    pairs = _record_texts(text, _style(fixture))
    assert pairs
    for original, written in pairs:
        assert written == original


def test_the_fixtures_hold_every_kind_of_record_and_field() -> None:
    text = "".join(path.read_text(encoding="latin-1") for _, path in _isc_written())
    for piece in ("host ", "failover peer", "server-duid", "authoring-byte-order", "mclt",
                  "tsfp", "atsfp", "epoch", "never;", "binding state backup",
                  "rewind binding state", "reserved;", "dynamic-bootp;", "billing class",
                  "billing subclass", "hardware token-ring", "hardware fddi",
                  "hardware infiniband", "hardware unknown-7", "set ", "= %", "= true",
                  "option agent.", "client-hostname", "on expiry or release", "on release",
                  "deleted;", "dynamic;", "uid 01:"):
        assert piece in text, piece


# -- 2. the shared corpus ---------------------------------------------------------------

def _corpus(prerequisite_missing: Callable[[str], NoReturn]) -> dict[str, str]:
    files = sorted(CORPUS.glob("[0-9][0-9]-*.leases"))
    if not files:
        prerequisite_missing(f"the shared lease corpus is missing: nothing under {CORPUS}")
    return {path.name[:2]: path.read_text(encoding="latin-1") for path in files}


def _differ_only_in_dates(original: str, written: str) -> bool:
    """Whether two records differ only where dhcpd's date reading changes a date: the
    weekday (recomputed) and any year from 2038 on (read as `never`)."""
    pairs = list(zip(original.split("\n"), written.split("\n"), strict=True))
    for old, new in pairs:
        if old == new:
            continue
        label, _, date = old.split()[0], None, old.split()[1:]
        if label not in ("starts", "ends", "tstp", "tsfp", "atsfp", "cltt"):
            return False
        if int(date[1][:4]) >= 2038:
            if new != f"  {label} never;":
                return False
        elif new.split()[2:] != date[1:]:  # all but the weekday
            return False
    return True


def test_corpus_records_come_back_byte_for_byte_or_as_documented(
    prerequisite_missing: Callable[[str], NoReturn],
) -> None:
    exact = differing = 0
    for number, text in _corpus(prerequisite_missing).items():
        parsed = parse_lease_file(text)
        for entry in parsed.entries:
            if entry.record is None:
                assert number == "10"  # the OpenBSD sample: dhcpd keeps none of it
                continue
            original = text[entry.start : entry.end]
            written = format_record(entry.record)
            if written == original:
                exact += 1
                continue
            differing += 1
            if number == "02":  # dhcp 3 layout: tabs, no states, colon-hex uids
                assert "\t" in original
            elif number in ("04", "05"):  # the file's last `}` has no newline
                assert written == original + "\n"
            elif number == "07":  # one hand-edited line: two spaces in `hardware ethernet`
                assert written == original.replace("ethernet  ", "ethernet ")
            elif number == "09":  # written by ISC 4.2, which kept empty uids; 4.4 leaves them out
                assert written == original.replace('  uid "";\n', "")
            else:  # a hand-made file: wrong weekdays, dates after 2037
                assert number == "01"
                assert _differ_only_in_dates(original, written)
    assert exact > 150
    assert differing == 12 + 1 + 1 + 1 + 4 + 6


def test_whatever_we_read_we_write_in_a_form_we_read_the_same(
    prerequisite_missing: Callable[[str], NoReturn],
) -> None:
    for text in _corpus(prerequisite_missing).values():
        records = list(parse_lease_file(text).records())
        rewritten = "".join(format_record(r) for r in records)
        assert list(parse_lease_file(rewritten).records()) == records
        assert "".join(map(format_record, parse_lease_file(rewritten).records())) == rewritten


# -- 3. the leases dhcpd loaded -------------------------------------------------------------

def _isc_state_after_start(lease: Lease, now: int, failover_pool: bool) -> BindingState:
    """dhcpd's start-up expiry as the spec describes it (§3.4, §4.10): without failover
    an active, expired or released lease whose end has passed moves to its next state
    (free, unless the record says otherwise); in a failover pool it waits for the peer."""
    loaded = with_load_defaults(lease, now, failover_pool)
    assert loaded.binding_state is not None
    ended = (loaded.ends or 0) <= now
    if not failover_pool and ended and loaded.binding_state in (
            BindingState.ACTIVE, BindingState.EXPIRED, BindingState.RELEASED):
        return loaded.next_binding_state or loaded.binding_state
    return loaded.binding_state


def _leases(text: str) -> dict[str, Lease]:
    return {r.ip: r for r in parse_lease_file(text).records() if isinstance(r, Lease)}


def _compare_with_isc(source: str, fixture: str, failover_pool: bool) -> None:
    ours = _leases(source)
    written = FIXTURES / ("corpus" if fixture.startswith("corpus-") else "isc") / (
        f"{fixture.removeprefix('corpus-')}.leases")
    isc = _leases(written.read_text(encoding="latin-1"))
    now = int(MANIFEST[fixture]["captured_at"])
    assert set(isc) <= set(ours)
    for ip, lease in ours.items():
        loaded = with_load_defaults(lease, now, failover_pool)
        state = _isc_state_after_start(lease, now, failover_pool)
        if ip not in isc:
            # dhcpd only writes a lease that names a client or is not free (§3.1).
            assert state is BindingState.FREE, ip
            assert lease.hardware is None and lease.uid is None, ip
            continue
        theirs = isc[ip]
        assert theirs.binding_state is state, ip
        assert (theirs.hardware, theirs.uid) == (lease.hardware, lease.uid), ip
        assert (theirs.starts, theirs.ends, theirs.tstp, theirs.cltt) == (
            loaded.starts, loaded.ends, loaded.tstp, loaded.cltt), ip


@pytest.mark.parametrize("number", ["01", "02", "03", "04", "05", "06", "07", "08", "10"])
def test_corpus_leases_are_the_ones_dhcpd_loaded(
    number: str, prerequisite_missing: Callable[[str], NoReturn],
) -> None:
    # 09 is not run through dhcpd: loading it executes the `on expiry` program it names.
    _compare_with_isc(_corpus(prerequisite_missing)[number], f"corpus-{number}",
                      failover_pool=False)


@pytest.mark.parametrize(("fixture", "source", "failover_pool"), [
    ("fields", "fields.leases", False),
    ("failover-primary", "failover.leases", True),
    ("failover-secondary", "failover.leases", True),
])
def test_fixture_leases_are_the_ones_dhcpd_loaded(fixture: str, source: str,
                                                  failover_pool: bool) -> None:
    text = (FIXTURES / "inputs" / source).read_text(encoding="latin-1")
    _compare_with_isc(text, fixture, failover_pool)


def test_failover_state_records_are_the_ones_dhcpd_kept() -> None:
    source = parse_lease_file((FIXTURES / "inputs" / "failover.leases").read_bytes())
    expected = next(r for r in source.records() if isinstance(r, FailoverStateRecord))
    for fixture, mclt in (("failover-primary", None), ("failover-secondary", 0)):
        written = parse_lease_file((FIXTURES / "isc" / f"{fixture}.leases").read_bytes())
        states = [r for r in written.records() if isinstance(r, FailoverStateRecord)]
        assert states == [FailoverStateRecord(
            expected.peer, expected.my_state, expected.my_time, expected.partner_state,
            expected.partner_time, mclt)]


# -- 4. generated records and broken input ---------------------------------------------------

_TIMES = st.one_of(st.none(), st.just(NEVER), st.integers(min_value=1, max_value=2145916799))
_STATES = st.sampled_from(BindingState)
_PRINTABLE = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), max_size=20)
_NAMES = st.from_regex(r"[a-zA-Z][a-zA-Z0-9_-]{0,12}", fullmatch=True).filter(
    lambda name: name.lower() not in KEYWORDS)
_VALUES = st.one_of(st.binary(max_size=20), st.booleans(),
                    st.integers(min_value=-(2**63), max_value=2**63 - 1))
_BODIES = st.sampled_from([
    '\n    set gone = "yes" ;\n  ',
    '\n    log (info, concat ("bye ", binary-to-ascii (10, 8, ".", leased-address)));\n  ',
    ' if option host-name = "x" { set r = "1"; } else { set r = "2"; } ',
])


def _agent_data(name: str) -> st.SearchStrategy[bytes]:
    if name in ("agent-id", "link-selection", "DOCSIS-device-class"):
        return st.binary(min_size=4, max_size=4)
    text = st.text(st.characters(min_codepoint=0x20, max_codepoint=0x7E), min_size=1,
                   max_size=12).map(lambda s: s.encode())
    binary = st.binary(min_size=1, max_size=12).filter(
        lambda b: any(not 0x20 <= c < 0x7F for c in b[:-1])
        or (not 0x20 <= b[-1] < 0x7F and b[-1] != 0))
    return st.one_of(text, binary)


_AGENT_NAMES = st.sampled_from(["circuit-id", "remote-id", "agent-id", "DOCSIS-device-class",
                                "link-selection", "unknown-99", "unknown-250"])
_AGENT_OPTIONS = _AGENT_NAMES.flatmap(lambda n: _agent_data(n).map(lambda d: AgentOption(n, d)))


@st.composite
def leases(draw: st.DrawFn) -> Lease:
    binding = draw(st.one_of(st.none(), _STATES))
    others = _STATES.filter(lambda s: s != binding)
    names = draw(st.lists(_NAMES, max_size=4, unique_by=str.lower))
    events = draw(st.sampled_from(["none", "expiry", "release", "both", "shared"]))
    expiry = draw(_BODIES) if events in ("expiry", "both", "shared") else None
    release = draw(_BODIES) if events in ("release", "both") else expiry if events == "shared" \
        else None
    return Lease(
        ip=".".join(str(draw(st.integers(0, 255))) for _ in range(4)),
        starts=draw(_TIMES), ends=draw(_TIMES), tstp=draw(_TIMES), tsfp=draw(_TIMES),
        atsfp=draw(_TIMES), cltt=draw(_TIMES),
        binding_state=binding,
        next_binding_state=draw(st.one_of(st.none(), others)),
        rewind_binding_state=draw(st.one_of(st.none(), others)),
        reserved=draw(st.booleans()), dynamic_bootp=draw(st.booleans()),
        billing=draw(st.one_of(st.none(), st.builds(
            BillingClass, _PRINTABLE, st.one_of(st.none(), st.binary(max_size=8))))),
        hardware=draw(st.one_of(st.none(), st.builds(
            Hardware, st.integers(0, 255), st.binary(max_size=20)))),
        uid=draw(st.one_of(st.none(), st.binary(min_size=1, max_size=40))),
        bindings=tuple((name, draw(_VALUES)) for name in names),
        agent_options=tuple(draw(st.lists(_AGENT_OPTIONS, max_size=4))),
        client_hostname=draw(st.one_of(st.none(), _PRINTABLE.filter(
            lambda s: '"' not in s and "\\" not in s))),
        on_expiry=expiry, on_release=release, on_expiry_or_release=events == "shared",
    )


_STYLES = st.builds(LeaseFileStyle,
                    st.sampled_from([None, ZoneInfo("Europe/Berlin"), ZoneInfo("Asia/Kolkata")]),
                    st.booleans())


def _typed(record: LeaseFileRecord) -> object:
    """A record with each binding value paired with its type (True == 1 in Python)."""
    if isinstance(record, Lease):
        return record, [(n, type(v), v) for n, v in record.bindings]
    return record


@settings(max_examples=300, deadline=None)
@given(leases(), _STYLES)
def test_a_lease_survives_format_and_parse(lease: Lease, style: LeaseFileStyle) -> None:
    text = format_record(lease, style)
    parsed = parse_lease_file(text)
    assert parsed.diagnostics == ()
    (entry,) = parsed.entries
    assert (entry.start, entry.end) == (0, len(text))
    assert _typed(entry.record) == _typed(lease)
    assert format_record(entry.record, style) == text


@settings(max_examples=100, deadline=None)
@given(st.lists(leases(), min_size=1, max_size=5), st.text(alphabet=string.printable))
def test_records_and_comments_in_a_row_keep_their_place(batch: list[Lease], note: str) -> None:
    comment = "#es " + note.replace("\n", " ").replace("\r", " ")
    text = "".join(f"{comment}\n{format_record(lease)}" for lease in batch)
    parsed = parse_lease_file(text)
    assert [e.record for e in parsed.entries] == batch
    for entry in parsed.entries:
        assert [c.text for c in entry.comments] == [comment]
        assert text[entry.comments[0].end : entry.end] == format_record(entry.record)


@settings(max_examples=50, deadline=None)
@given(st.sampled_from(list(FailoverState)), st.one_of(st.none(), _TIMES.filter(bool)),
       st.sampled_from(list(FailoverState)), st.integers(1, 2145916799),
       st.one_of(st.none(), st.integers(0, 2**31)), _PRINTABLE.filter(bool))
def test_a_failover_state_survives_format_and_parse(
    mine: FailoverState, since: int | None, theirs: FailoverState, their_time: int,
    mclt: int | None, peer: str,
) -> None:
    record = FailoverStateRecord(peer, mine, since, theirs, their_time, mclt)
    assert list(parse_lease_file(format_record(record)).records()) == [record]


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=300))
def test_random_bytes_never_make_the_reader_raise(data: bytes) -> None:
    parsed = parse_lease_file(data)
    _check_invariants(data.decode("latin-1"), parsed)


_ISC_TEXTS = [path.read_text(encoding="latin-1") for _, path in _isc_written()]


@settings(max_examples=300, deadline=None)
@given(st.sampled_from(_ISC_TEXTS), st.lists(st.tuples(
    st.floats(0, 1, exclude_max=True), st.integers(0, 8),
    st.text(alphabet='{};"\\#\n \t.:=%abc019-', max_size=6)), min_size=1, max_size=6))
def test_damaged_isc_files_never_make_the_reader_raise(
    text: str, edits: list[tuple[float, int, str]],
) -> None:
    for where, cut, insert in edits:
        position = int(where * len(text))
        text = text[:position] + insert + text[position + cut :]
    parsed = parse_lease_file(text)
    _check_invariants(text, parsed)
    # Host, class and group records keep statements as text, so text that was damaged
    # there stays damaged.  Every other record is written in a form that reads back as
    # itself (the first writing may leave out what ISC's writer leaves out).
    records = [r for r in parsed.records() if not isinstance(r, HostRecord | VerbatimRecord)]
    written = list(parse_lease_file("".join(map(format_record, records))).records())
    rewritten = "".join(map(format_record, written))
    assert list(parse_lease_file(rewritten).records()) == written


def _check_invariants(text: str, parsed: object) -> None:
    position = 0
    for entry in parsed.entries:
        assert position <= entry.start < entry.end <= len(text)
        position = entry.end
    assert 0 <= parsed.complete_until <= len(text)
    for record in parsed.records():
        format_record(record)
