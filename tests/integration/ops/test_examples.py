"""The bundled example configurations: valid for the real ISC dhcpd and for us.

dhcpd is the reference: each `*.conf` under ops/examples must pass `dhcpd -t`, run from
the repository root because dhcpd resolves relative `include` paths against its working
directory (ops/examples/failover/README.md).  leaseledger must agree, in both places.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config

REPO_ROOT = Path(__file__).resolve().parents[3]
EXAMPLES = sorted(
    str(p.relative_to(REPO_ROOT)) for p in (REPO_ROOT / "ops/examples").rglob("*.conf")
)

pytestmark = pytest.mark.isc

# The `isc_run(cwd, config)` fixture of tests/conftest.py; it returns an IscVerdict.
IscRun = Callable[[Path, str], Any]


def test_the_expected_examples_exist() -> None:
    assert EXAMPLES == [
        "ops/examples/demo-pair/primary.conf",
        "ops/examples/demo-pair/secondary.conf",
        "ops/examples/failover/primary.conf",
        "ops/examples/failover/secondary.conf",
        "ops/examples/known-unknown/dhcpd.conf",
    ]


@pytest.mark.parametrize("example", EXAMPLES)
def test_dhcpd_and_leaseledger_accept_the_example(
    example: str, isc_run: IscRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    verdict = isc_run(REPO_ROOT, example)
    assert verdict.exit_code == 0, verdict.stderr
    assert "WARNING" not in verdict.stderr
    monkeypatch.chdir(REPO_ROOT)
    result = read_config(example)
    assert result.ok, result.output_lines()
    assert build_config(result.tree).files[0] == example


def test_the_failover_include_only_resolves_from_the_repository_root(
    tmp_path: Path, isc_run: IscRun, monkeypatch: pytest.MonkeyPatch
) -> None:
    primary = str(REPO_ROOT / "ops/examples/failover/primary.conf")
    verdict = isc_run(tmp_path, primary)
    assert verdict.exit_code != 0
    expected = "Can't open ops/examples/failover/dhcpd.master: No such file or directory"
    assert verdict.first_error == expected
    monkeypatch.chdir(tmp_path)
    assert read_config(primary).first_error() == expected
