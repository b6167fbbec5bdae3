"""Going into the background as dhcpd does (adapters/daemonize.py).

Each case forks in a fresh interpreter (never in pytest's own process): the command's
exit status is what an init script sees, the report file what the detached child saw.
"""

from __future__ import annotations

import json
import subprocess
import sys
import time
from pathlib import Path

from adapters.daemonize import Background

REPO = Path(__file__).resolve().parents[3]
CHILD = """
import json, os, sys, time
sys.path.insert(0, {repo!r})
from adapters.daemonize import Background
report, how = sys.argv[1], sys.argv[2]
background = Background()
background.detach()
if how == "fails":
    sys.exit(3)
time.sleep(0.5 if how == "slow" else 0)
background.ready()
seen = {{"pid": os.getpid(), "sid": os.getsid(0), "cwd": os.getcwd(),
        "fds": [os.readlink(f"/proc/self/fd/{{n}}") for n in (0, 1, 2)]}}
with open(report + ".part", "w") as out:
    json.dump(seen, out)
os.rename(report + ".part", report)
"""


def start(tmp_path: Path, how: str) -> tuple[subprocess.CompletedProcess, Path, float]:
    report = tmp_path / "report.json"
    began = time.monotonic()
    done = subprocess.run([sys.executable, "-c", CHILD.format(repo=str(REPO)), str(report), how],
                          capture_output=True, text=True, timeout=30, check=False)
    return done, report, time.monotonic() - began


def wait_for(path: Path) -> dict:
    deadline = time.monotonic() + 10
    while not path.exists():
        assert time.monotonic() < deadline, "the detached child never reported"
        time.sleep(0.02)
    return json.loads(path.read_text())


def test_the_command_returns_0_once_the_child_serves(tmp_path: Path) -> None:
    done, report, took = start(tmp_path, "slow")
    assert done.returncode == 0, done.stderr
    assert took >= 0.5  # the parent waited for ready(), not just for the fork
    seen = wait_for(report)
    assert seen["sid"] == seen["pid"]  # its own session: no terminal, no parent's group
    assert seen["cwd"] == "/"
    assert seen["fds"] == ["/dev/null"] * 3


def test_a_child_that_ends_before_serving_makes_the_command_exit_1(tmp_path: Path) -> None:
    done, report, _took = start(tmp_path, "fails")
    assert done.returncode == 1  # as dhcpd's parent: no status byte came
    assert not report.exists()


def test_ready_without_detach_changes_nothing(tmp_path: Path) -> None:
    background = Background()
    before = Path.cwd()
    background.ready()
    assert not background.detached
    assert Path.cwd() == before
