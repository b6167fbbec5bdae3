"""Running the command of an `execute` statement as dhcpd does (common/execute.c).

dhcpd forks, execs the command (found on PATH) with the evaluated arguments, and
waits for it; a non-zero wait status is logged as an error with the raw status
(`exit 1` is 256), and a command that cannot be started is logged by the child
before it exits 127.  The child shares dhcpd's stdout and stderr.  Here the wait is
a trio task's, so the server goes on meanwhile; standard input is /dev/null.
"""

from __future__ import annotations

import os
import subprocess

import trio

from domain.dhcp_decision import LogLine, error

_EXEC_FAILED = 127


async def run_command(command: str, arguments: tuple[bytes, ...]) -> tuple[LogLine, ...]:
    """Run `command` with `arguments` to its end; the lines dhcpd would log for it."""
    try:
        finished = await trio.run_process([os.fsencode(command), *arguments],
                                          stdin=subprocess.DEVNULL, check=False)
    except OSError as exc:
        return (error(f"Unable to execute {command}: {exc.strerror}"),
                error(f"execute: {command} exit status {_EXEC_FAILED << 8}"))
    status = wait_status(finished.returncode)
    return () if status == 0 else (error(f"execute: {command} exit status {status}"),)


def wait_status(returncode: int) -> int:
    """The status waitpid gives for a Python return code: the exit code shifted left
    eight bits, or the number of the signal that ended the process."""
    return -returncode if returncode < 0 else returncode << 8
