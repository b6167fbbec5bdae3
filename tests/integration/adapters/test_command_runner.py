"""Commands of `execute` statements, run for real as dhcpd runs them: the exit status
logged raw (as waitpid gives it), a command that cannot start logged as dhcpd's child
logs it, and the arguments handed over as they were evaluated."""

from __future__ import annotations

from pathlib import Path

import trio

from adapters.command_runner import run_command, wait_status
from domain.dhcp_decision import LogLevel


def lines(command: str, *arguments: bytes) -> list[tuple[LogLevel, str]]:
    outcome = trio.run(run_command, command, arguments)
    return [(line.level, line.text) for line in outcome]


def test_a_command_that_succeeds_logs_nothing_and_gets_its_arguments(tmp_path: Path) -> None:
    out = tmp_path / "args"
    assert lines("/bin/sh", b"-c", b'printf "%s|" "$@" > "$0"', str(out).encode(),
                 b"commit", b"10.0.0.100") == []
    assert out.read_text() == "commit|10.0.0.100|"


def test_a_failing_command_logs_its_raw_wait_status() -> None:
    assert lines("/bin/sh", b"-c", b"exit 3") == [
        (LogLevel.ERROR, "execute: /bin/sh exit status 768")]
    assert lines("/bin/sh", b"-c", b"kill -9 $$") == [
        (LogLevel.ERROR, "execute: /bin/sh exit status 9")]


def test_a_command_that_cannot_start_logs_as_dhcpds_child_would(tmp_path: Path) -> None:
    missing = str(tmp_path / "no-such-program")
    assert lines(missing) == [
        (LogLevel.ERROR, f"Unable to execute {missing}: No such file or directory"),
        (LogLevel.ERROR, f"execute: {missing} exit status 32512"),
    ]


def test_wait_status_is_the_exit_code_shifted_or_the_signal() -> None:
    assert (wait_status(0), wait_status(1), wait_status(-15)) == (0, 256, 15)
