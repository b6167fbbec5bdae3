"""LabProcess.kill: the crash a lab test simulates (no handler, no clean-up).

Started here without a namespace (plain Popen of our own child), so the test needs no
root; starting in a namespace, waiting and stopping are covered by the lab tests.
"""

from __future__ import annotations

import subprocess
from pathlib import Path

from ops.lab.processes import LabProcess


def lab_process(tmp_path: Path, script: str) -> LabProcess:
    log_path = tmp_path / "program.log"
    with open(log_path, "ab") as log:
        popen = subprocess.Popen(["sh", "-c", script], stdout=log, stderr=subprocess.STDOUT)
    return LabProcess("program", "none", ["sh", "-c", script], log_path, popen)


def test_kill_ends_a_program_at_once_without_running_its_sigterm_handler(tmp_path: Path) -> None:
    # The program traps SIGTERM, as a server with a clean shutdown does: kill skips it.
    process = lab_process(tmp_path, "trap 'echo cleaned up' TERM; echo ready; "
                                    "while true; do sleep 0.1; done")
    process.wait_for("^ready$", timeout=5)

    assert process.kill() == -9

    assert not process.is_running()
    assert process.returncode == -9
    assert "cleaned up" not in process.output()
    assert not Path(f"/proc/{process.pid}").exists()  # reaped: no zombie keeps its PID


def test_kill_is_safe_on_a_program_that_has_ended(tmp_path: Path) -> None:
    process = lab_process(tmp_path, "exit 3")
    assert process.wait_exit(timeout=5) == 3

    assert process.kill() == 3
    assert process.kill() == 3
