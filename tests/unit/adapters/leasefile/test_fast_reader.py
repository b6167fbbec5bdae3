"""The fast path reads ISC's layout and gives exactly what the token reader gives.

The property that matters: whenever the fast path accepts a record, the token-by-token
reader (the model of dhcpd) reads the same lease and ends at the same place.
"""

from __future__ import annotations

import re
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.leasefile.fast_reader import read_canonical_lease
from adapters.leasefile.statement_reader import StatementReader
from domain.lease import BindingState, Lease

FIXTURES = Path(__file__).parent / "fixtures"
ISC_FILES = [*sorted((FIXTURES / "isc").glob("*.leases")),
             *sorted((FIXTURES / "corpus").glob("*.leases"))]
_LEASE_START = re.compile(r"^lease ", re.MULTILINE)


def _token_read(text: str, start: int) -> tuple[Lease | None, int]:
    read = StatementReader(text, "f").read_statement(start)
    end = read.end + 1 if text.startswith("\n", read.end) else read.end
    assert read.diagnostics == ()
    assert isinstance(read.record, Lease)
    return read.record, end


def _assert_same_as_token_reader(text: str, start: int) -> bool:
    fast = read_canonical_lease(text, start)
    if fast is None:
        return False
    assert _token_read(text, start) == fast
    return True


def test_iscs_own_records_take_the_fast_path_and_agree() -> None:
    total = 0
    for path in ISC_FILES:
        text = path.read_text(encoding="latin-1")
        for match in _LEASE_START.finditer(text):
            total += 1
            if not _assert_same_as_token_reader(text, match.start()):
                record = text[match.start() : text.index("\n}\n", match.start())]
                # Only these rarities are left to the token reader.
                assert "\n  billing subclass " in record or "\n  on " in record, record
    assert total > 250


SAMPLE = (
    "lease 10.20.0.13 {\n  starts 5 2026/11/27 17:00:00;\n  ends epoch 2111331600; # x\n"
    "  tstp never;\n  binding state active;\n  next binding state free;\n"
    "  rewind binding state expired;\n  reserved;\n  dynamic-bootp;\n"
    '  billing class "limited";\n  hardware token-ring 00:11:22;\n'
    '  uid " \\"\\\\ \\177\\200\\377";\n  set data = "\\000 q\\" b\\\\";\n  set count = %42;\n'
    "  set yes = true;\n  option agent.circuit-id \"c\";\n  option agent.remote-id 1:2:ab;\n"
    "  option agent.agent-id 10.1.2.3;\n  option agent.DOCSIS-device-class 16;\n"
    '  option agent.unknown-99 "x";\n  client-hostname "h\\000x";\n}\n'
)


def test_the_sample_uses_every_canonical_line() -> None:
    assert _assert_same_as_token_reader(SAMPLE, 0)


_EDITS = st.lists(
    st.tuples(st.integers(min_value=0, max_value=len(SAMPLE) - 1),
              st.sampled_from(["", " ", "\t", "\n", "0", "9", "a", "A", '"', "\\", ";", "{",
                               "}", "#", ":", ".", "-", "%", "x", "\x00", "\xff"])),
    min_size=1, max_size=4,
)


@settings(max_examples=400, deadline=None)
@given(_EDITS)
def test_an_edited_record_is_either_refused_or_read_as_the_token_reader_reads_it(
    edits: list[tuple[int, str]],
) -> None:
    text = SAMPLE
    for position, replacement in edits:
        position = min(position, len(text) - 1)
        text = text[:position] + replacement + text[position + 1 :]
    fast = read_canonical_lease(text, 0)
    if fast is not None:
        read = StatementReader(text, "f").read_statement(0)
        end = read.end + 1 if text.startswith("\n", read.end) else read.end
        assert (read.record, end) == fast
        assert read.diagnostics == ()


def test_what_the_fast_path_leaves_to_the_token_reader() -> None:
    record = "lease 10.0.0.1 {\n%s\n}\n"
    for line in (
        "\tbinding state free;",  # a tab
        "  BINDING STATE FREE;",  # upper case
        '  uid "a\\tb";',  # an escape ISC never writes
        "  set a = %1;\n  set A = %2;",  # a repeated name
        "  set hardware = %1;",  # a keyword as a name
        "  option agent.DOCSIS-device-class 010;",  # octal in ISC's eyes
        "  option agent.unknown-1 \"x\";",  # a named code
        "  hardware ethernet " + ":".join(["00"] * 21) + ";",  # too long
        "  starts 5 2026/13/27 17:00:00;",  # no such month
        "  binding state free; # a comment",
        '  billing subclass "p" "k";',
        "  on expiry { log (info, \"x\"); }",
    ):
        assert read_canonical_lease(record % line, 0) is None, line
    assert read_canonical_lease("lease 300.0.0.1 {\n}\n", 0) is None


def test_the_record_ends_after_its_newline_or_at_the_end_of_the_text() -> None:
    text = "lease 10.0.0.1 {\n  binding state free;\n}\nlease"
    assert read_canonical_lease(text, 0) == (Lease("10.0.0.1", binding_state=BindingState.FREE),
                                             text.index("lease", 1))
    assert read_canonical_lease(text[:-6], 0)[1] == len(text) - 6


_DATE_FIELDS = st.tuples(st.integers(0, 6), st.integers(0, 9999), st.integers(0, 19),
                         st.integers(0, 99), st.integers(0, 99), st.integers(0, 99),
                         st.integers(0, 99))


@settings(max_examples=300, deadline=None)
@given(st.lists(_DATE_FIELDS, min_size=1, max_size=3))
def test_dates_read_as_the_token_reader_reads_them(dates: list[tuple[int, ...]]) -> None:
    """The day is cached apart from the time of day: any mix must still agree, up to
    C int overflow and years from 2038 on (`never`)."""
    lines = "".join(
        f"  {name} {w} {y:04d}/{mo:02d}/{d:02d} {h:02d}:{mi:02d}:{s:02d};\n"
        for name, (w, y, mo, d, h, mi, s) in zip(("starts", "ends", "cltt"), dates,
                                                  strict=False)
    )
    text = "lease 10.0.0.1 {\n" + lines + "}\n"
    if all(1 <= fields[2] <= 12 for fields in dates):
        assert _assert_same_as_token_reader(text, 0)
    else:
        assert read_canonical_lease(text, 0) is None
