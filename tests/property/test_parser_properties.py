"""The parser and `leaseledger check` survive any input.

Administrators feed the checker files that are half-edited, truncated, mis-encoded or
not dhcpd.conf at all.  The promise is a dhcpd-style error, never a Python exception:
`read_config` returns a result for every byte string, and `leaseledger check` never
prints a traceback or an internal error.  Two generators look for counterexamples:

- token streams made from the real vocabulary (every ISC keyword, punctuation,
  numbers, addresses, strings, comments), which reach deep into the grammar;
- small mutations (token or byte level) of configurations dhcpd accepts, which stay
  close to real files and so reach the semantic checks too.
"""

from __future__ import annotations

import contextlib
import io
import re
from collections.abc import Callable
from functools import cache
from pathlib import Path
from typing import NoReturn

import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from adapters.dhcpdconf.keywords import KEYWORDS
from adapters.dhcpdconf.reader import ReadResult, read_config
from ops.cli import main

REPO_ROOT = Path(__file__).resolve().parents[2]
CORPUS = REPO_ROOT.parent / "shared" / "corpus" / "conf"
OWN_CONFIGS = REPO_ROOT / "tests" / "conformance" / "configs"

# Moderate counts: the whole suite must stay under 20 minutes on 2 CI cores.
PARSER_SETTINGS = settings(
    max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)
CLI_SETTINGS = settings(
    max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow]
)

PUNCTUATION = list(";{}.:,=()/!~&|+*%[]-")
# dhcpd.conf's own lexical pieces, so a byte-level tokenizer can cut real files into
# pieces the mutations move around: strings, comments, runs of space, words, and
# single punctuation characters.
_PIECE = re.compile(rb'"(?:[^"\\\n]|\\.)*"?|#[^\n]*|\s+|[A-Za-z0-9_.:-]+|.', re.DOTALL)


def accepted_seed_files() -> list[Path]:
    """Files dhcpd accepts: the corpus's ok files and our own `ok-` configs."""
    seeds = sorted(OWN_CONFIGS.glob("ok-*.conf"))
    for folder in (CORPUS, CORPUS / "broken"):
        manifest = folder / "MANIFEST.tsv"
        if manifest.is_file():
            for row in manifest.read_text(encoding="utf-8").splitlines()[1:]:
                name, _source, verdict, *_rest = row.split("\t")
                if verdict == "ok":
                    seeds.append(folder / name)
    return seeds


SEEDS = accepted_seed_files()


@cache
def seed_bytes(path: Path) -> bytes:
    return path.read_bytes()


# ---- generators ----------------------------------------------------------------------

keywords = st.sampled_from(sorted(KEYWORDS)).flatmap(
    lambda word: st.sampled_from([word, word.upper(), word.title()])
)
numbers = st.one_of(
    st.integers(min_value=-(2**33), max_value=2**40).map(str),
    st.integers(min_value=0, max_value=2**32).map(hex),
    st.integers(min_value=0, max_value=4096).map(lambda n: "0" + format(n, "o")),
)
octets = st.integers(min_value=0, max_value=300).map(str)
addresses = st.lists(octets, min_size=3, max_size=5).map(".".join)
hex_lists = st.lists(st.integers(0, 255).map(lambda n: f"{n:x}"), min_size=1, max_size=8).map(
    ":".join
)
# String contents: plain characters, characters that matter outside strings, escapes.
string_pieces = [*'abc xyz#;{}"', "\\\\", '\\"', "\\t", "\\n", "\\101", "\\x4"]
string_bodies = st.lists(st.sampled_from(string_pieces), max_size=10).map("".join)
strings = st.builds(
    lambda body, closed: f'"{body}' + ('"' if closed else ""), string_bodies, st.booleans()
)
names = st.from_regex(r"[A-Za-z][A-Za-z0-9_-]{0,10}", fullmatch=True)
comments = st.text(alphabet="ab #;{", max_size=8).map(lambda text: f"#{text}\n")
tokens = st.one_of(
    keywords,
    keywords,
    st.sampled_from(PUNCTUATION),
    numbers,
    addresses,
    hex_lists,
    strings,
    names,
    comments,
)
separators = st.sampled_from([" ", " ", "\n", "\t", "", "\r\n"])


@st.composite
def token_streams(draw: st.DrawFn) -> bytes:
    pieces = draw(st.lists(st.tuples(tokens, separators), max_size=80))
    return "".join(token + sep for token, sep in pieces).encode("latin-1")


@st.composite
def mutated_seeds(draw: st.DrawFn) -> bytes:
    """A file dhcpd accepts, with one to four token- or byte-level edits."""
    data = seed_bytes(draw(st.sampled_from(SEEDS)))
    for _ in range(draw(st.integers(min_value=1, max_value=4))):
        data = draw(st.one_of(token_mutation(data), byte_mutation(data)))
    return data


@st.composite
def token_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    pieces = _PIECE.findall(data) or [b""]
    at = draw(st.integers(min_value=0, max_value=len(pieces) - 1))
    edit = draw(st.sampled_from(["delete", "duplicate", "swap", "insert"]))
    if edit == "delete":
        del pieces[at]
    elif edit == "duplicate":
        pieces.insert(at, pieces[at])
    elif edit == "swap":
        other = draw(st.integers(min_value=0, max_value=len(pieces) - 1))
        pieces[at], pieces[other] = pieces[other], pieces[at]
    else:
        pieces.insert(at, b" " + draw(tokens).encode("latin-1") + b" ")
    return b"".join(pieces)


@st.composite
def byte_mutation(draw: st.DrawFn, data: bytes) -> bytes:
    at = draw(st.integers(min_value=0, max_value=len(data)))
    length = draw(st.integers(min_value=1, max_value=16))
    edit = draw(st.sampled_from(["delete", "duplicate", "insert", "truncate"]))
    if edit == "delete":
        return data[:at] + data[at + length :]
    if edit == "duplicate":
        return data[:at] + data[at : at + length] + data[at:]
    if edit == "insert":
        return data[:at] + draw(st.binary(min_size=1, max_size=length)) + data[at:]
    return data[:at]


# ---- properties ----------------------------------------------------------------------


@pytest.fixture(scope="module")
def scratch_config(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """One file rewritten by every example (hypothesis forbids per-example fixtures)."""
    return tmp_path_factory.mktemp("property") / "dhcpd.conf"


@pytest.fixture(scope="module")
def seeds_present(prerequisite_missing: Callable[[str], NoReturn]) -> None:
    if not SEEDS:
        prerequisite_missing("no accepted configurations to mutate")


def assert_is_a_verdict(result: ReadResult) -> None:
    """A result either accepts the file (with a tree) or names a first error."""
    assert isinstance(result, ReadResult)
    # Shown by --hypothesis-show-statistics: how often the generators reach a full parse.
    event("accepted" if result.ok else "rejected")
    if result.ok:
        assert result.tree is not None
        assert result.first_error() is None
    else:
        assert isinstance(result.first_error(), str)


@PARSER_SETTINGS
@given(text=token_streams())
def test_read_config_returns_a_verdict_for_any_token_stream(
    scratch_config: Path, text: bytes
) -> None:
    scratch_config.write_bytes(text)
    assert_is_a_verdict(read_config(str(scratch_config)))


@PARSER_SETTINGS
@given(data=mutated_seeds())
def test_read_config_returns_a_verdict_for_mutated_configs(
    seeds_present: None, scratch_config: Path, data: bytes
) -> None:
    scratch_config.write_bytes(data)
    assert_is_a_verdict(read_config(str(scratch_config)))


@CLI_SETTINGS
@given(data=mutated_seeds())
def test_check_command_never_prints_a_traceback(
    seeds_present: None, scratch_config: Path, data: bytes
) -> None:
    scratch_config.write_bytes(data)
    output = io.StringIO()
    with contextlib.redirect_stderr(output), contextlib.redirect_stdout(output):
        try:
            status = main(["check", "-cf", str(scratch_config)])
        except SystemExit as exit_request:
            status = exit_request.code
    printed = output.getvalue()
    event(f"exit status {status}")
    assert "Traceback" not in printed
    assert "internal error" not in printed, printed
    assert status in (0, 1), printed
