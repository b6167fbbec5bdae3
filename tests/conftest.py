"""Fixtures shared by the whole suite: external programs and live ISC dhcpd verdicts.

Many tests compare leaseledger with the real thing (ISC dhcpd 4.4, later dhclient,
udhcpc, perfdhcp).  On a developer's machine a missing program should not block the
rest of the suite, so those tests skip and say what to install.  In CI (`CI=true`) a
skip of that kind would hide exactly the comparisons CI exists to run, so there it is
a failure instead.
"""

from __future__ import annotations

import hashlib
import os
import re
import shutil
import subprocess
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import NoReturn

import pytest

import ops  # noqa: F401  (before anything compiled: a build older than its sources goes)
from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from domain.config.model import DhcpConfig

# Debian installs daemons in /usr/sbin, which is not on a normal user's PATH.
_TOOL_PATH = os.pathsep.join([os.environ.get("PATH", ""), "/usr/sbin", "/sbin"])
_DHCPD_TIMEOUT_SECONDS = 60

# A parse error as dhcpd prints it: `FILE line N: message`.
_LINE_NUMBERED = re.compile(r" line \d+: ")
# What dhcpd -t prints around a verdict that is not about the configuration.
_BANNER_PREFIXES = (
    "Internet Systems Consortium DHCP Server",
    "Copyright ",
    "All rights reserved.",
    "For info, please visit",
    "Config file: ",
    "Database file: ",
    "PID file: ",
)


def in_ci() -> bool:
    return os.environ.get("CI", "").lower() == "true"


@pytest.fixture(scope="session")
def prerequisite_missing() -> Callable[[str], NoReturn]:
    """`prerequisite_missing(reason)` ends the test: a skip, or under CI=true a failure.

    Under CI a skip of this kind would mean a comparison silently did not happen:
    `./ops/test` installs every program the tests use, and CI checks out the shared
    corpus beside the clone.
    """

    def missing(reason: str) -> NoReturn:
        if in_ci():
            pytest.fail(f"{reason} (under CI=true this is a failure, not a skip)", pytrace=False)
        pytest.skip(reason)

    return missing


@pytest.fixture(scope="session")
def require_tool(prerequisite_missing: Callable[[str], NoReturn]) -> Callable[[str], str]:
    """`require_tool("dhcpd")` returns the program's path, or ends the test."""

    def require(name: str) -> str:
        path = shutil.which(name, path=_TOOL_PATH)
        if path is None:
            prerequisite_missing(
                f"{name} is not installed (./ops/test installs it when run as root on Debian)"
            )
        return path

    return require


@dataclass(frozen=True)
class IscVerdict:
    """What `dhcpd -t` said about one configuration file."""

    exit_code: int
    first_error: str | None
    stderr: str

    @property
    def verdict(self) -> str:
        """`ok` or `error`, as the corpus manifests write it."""
        return "ok" if self.exit_code == 0 else "error"


def isc_first_error(stderr: str) -> str | None:
    """The first error line of a `dhcpd -t` run, by the corpus README's rules.

    The first `FILE line N: message` line; failing that, the first line that is not
    the banner, not a warning and not blank (free-standing messages such as
    `bad range, ...` or the failover sanity check's `ERROR: ...`).  Warnings are
    skipped because they do not fail a configuration: the line wanted is the one
    naming the first *error*, which is what `ReadResult.first_error()` promises too.
    """
    lines = stderr.splitlines()
    for line in lines:
        if _LINE_NUMBERED.search(line):
            return line
    for line in lines:
        text = line.strip()
        if not text or text.startswith(_BANNER_PREFIXES) or text.lower().startswith("warning:"):
            continue
        return line
    return None


@pytest.fixture(scope="session")
def isc_run(require_tool: Callable[[str], str]) -> Callable[[Path, str], IscVerdict]:
    """`isc_run(cwd, config)` runs the real `dhcpd -t -cf config` in `cwd`, uncached.

    For tests about how the working directory matters (relative includes); everything
    else wants `isc_check`.
    """
    dhcpd = require_tool("dhcpd")

    def run(cwd: Path, config: str) -> IscVerdict:
        finished = subprocess.run(
            [dhcpd, "-t", "-cf", config],
            cwd=cwd,
            capture_output=True,
            timeout=_DHCPD_TIMEOUT_SECONDS,
            check=False,
        )
        stderr = finished.stderr.decode("latin-1")
        return IscVerdict(finished.returncode, isc_first_error(stderr), stderr)

    return run


@pytest.fixture(scope="session")
def isc_check(
    isc_run: Callable[[Path, str], IscVerdict],
) -> Callable[[str | os.PathLike[str]], IscVerdict]:
    """`isc_check(path)` is the real `dhcpd -t`'s verdict on a file.

    dhcpd runs in the file's folder with the bare file name, exactly as the corpus
    verdicts were made, so the file names in its messages match ours and the
    manifests.  Verdicts are cached for the session by file and content: the corpus
    and the conformance tests ask about the same files more than once.
    """
    cache: dict[tuple[str, str], IscVerdict] = {}

    def check(path: str | os.PathLike[str]) -> IscVerdict:
        file = Path(path).resolve()
        key = (str(file), hashlib.sha256(file.read_bytes()).hexdigest())
        if key not in cache:
            cache[key] = isc_run(file.parent, file.name)
        return cache[key]

    return check


@pytest.fixture
def make_config(tmp_path: Path) -> Callable[[str], DhcpConfig]:
    """dhcpd.conf text -> the validated model, through the real parser (the text
    must be valid)."""

    def make(text: str) -> DhcpConfig:
        path = tmp_path / "dhcpd.conf"
        path.write_text(text)
        result = read_config(str(path))
        assert result.ok, result.output_lines()
        return build_config(result.tree)

    return make
