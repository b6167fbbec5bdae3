"""Fixtures for the namespace lab tests: a fresh lab per test, always torn down.

Lab tests need root (network namespaces) and the real programs.  Where those are
missing the tests skip and say why - except under CI=true, where `prerequisite_missing`
and `require_tool` (tests/conftest.py) turn that into a failure.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import NoReturn

import pytest

from ops.lab.netns import Lab, namespaces_named


@pytest.fixture
def lab_prerequisites(prerequisite_missing: Callable[[str], NoReturn],
                      require_tool: Callable[[str], str]) -> None:
    """Root, iproute2 and ISC dhcpd: what every lab test needs.  A test needing a
    client program as well asks `require_tool` for it."""
    if os.geteuid() != 0:
        prerequisite_missing("lab tests need root to create network namespaces")
    require_tool("ip")
    require_tool("dhcpd")


@pytest.fixture
def lab(lab_prerequisites: None, tmp_path: Path) -> Iterator[Lab]:
    """A lab with srv1, srv2, cli and the relayed segment (rly, rcli).

    After the test, whatever its outcome, the lab is closed and no namespace with its
    prefix may remain: a leak fails the test here rather than the next one.
    """
    with Lab(tmp_path / "lab", relay=True) as built:
        yield built
    assert namespaces_named(built.prefix) == []
