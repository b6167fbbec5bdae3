"""What the conformance tests share: reading a file the way dhcpd is run, and the rule
for tolerated first-line differences.

The promise to administrators is that `leaseledger check` names the same first error,
on the same line, in the same words as `dhcpd -t`.  The issue allows at most 5% of the
rejected files to differ in that first line, each one listed with a reason; a list that
grows past that share fails the suite rather than quietly absorbing regressions.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from pathlib import Path

import pytest

from adapters.dhcpdconf.reader import ReadResult, read_config

MAX_SHARE_OF_KNOWN_DIFFERENCES = 0.05


@pytest.fixture
def read_as_dhcpd_runs(monkeypatch: pytest.MonkeyPatch) -> Callable[[Path], ReadResult]:
    """Read a file from its own folder under its bare name, as the ISC verdicts were made.

    Both the file names in the messages and the resolution of relative `include`
    paths (dhcpd resolves them against its working directory) depend on that.
    """

    def read(path: Path) -> ReadResult:
        monkeypatch.chdir(path.parent)
        return read_config(path.name)

    return read


def _check_first_error_line(
    name: str,
    ours: ReadResult,
    isc_first_error: str | None,
    known_differences: Mapping[str, str],
) -> None:
    """Our first error line must be ISC's, unless the file is a listed known difference.

    A listed file that has come to match fails too, so the list only ever shrinks to
    what is really still different.
    """
    our_first_error = ours.first_error()
    reason = known_differences.get(name)
    if reason is None:
        assert our_first_error == isc_first_error, (
            f"{name}: first error line differs from dhcpd -t\n"
            f"  dhcpd -t   : {isc_first_error!r}\n"
            f"  leaseledger: {our_first_error!r}\n"
            "  our full output:\n    " + "\n    ".join(ours.output_lines())
        )
    elif our_first_error == isc_first_error:
        pytest.fail(f"{name} now matches dhcpd -t: remove it from the known differences")
    else:
        pytest.xfail(f"known difference: {reason}")


def _check_known_differences_cap(
    known_differences: Mapping[str, str], rejected_files: Collection[str]
) -> None:
    """Every listed file is one ISC rejects, and the list stays within the allowed share."""
    strays = sorted(set(known_differences) - set(rejected_files))
    assert not strays, f"known differences for files dhcpd -t does not reject: {strays}"
    allowed = int(MAX_SHARE_OF_KNOWN_DIFFERENCES * len(rejected_files))
    assert len(known_differences) <= allowed, (
        f"{len(known_differences)} known first-line differences, but at most {allowed} "
        f"(5% of {len(rejected_files)} rejected files) are allowed"
    )


# Test modules cannot import this conftest (pytest runs with --import-mode=importlib),
# so the two checks reach them as fixtures.
@pytest.fixture(scope="session")
def check_first_error_line() -> Callable[[str, ReadResult, str | None, Mapping[str, str]], None]:
    return _check_first_error_line


@pytest.fixture(scope="session")
def check_known_differences_cap() -> Callable[[Mapping[str, str], Collection[str]], None]:
    return _check_known_differences_cap
