"""`--version`, top level and on `serve` (where an init script calls `dhcpd --version`)."""

from __future__ import annotations

import importlib.metadata

import pytest

from adapters.package_version import version_text
from ops.cli import main


@pytest.mark.parametrize("argv", [["--version"], ["serve", "--version"]])
def test_the_version_line_and_exit_status(argv: list[str],
                                          capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(SystemExit) as ended:
        main(argv)
    assert ended.value.code == 0
    expected = f"leaseledger-{importlib.metadata.version('leaseledger')}"
    assert version_text() == expected
    assert capsys.readouterr().out == expected + "\n"
