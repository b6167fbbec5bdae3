"""Programs started inside a lab namespace, watched through their log file, stopped by PID.

Every lab program (ISC dhcpd, `leaseledger serve`, dhclient, dhcrelay, perfdhcp) is a
real process whose only interface a test can rely on is what it prints.  So each one
writes stdout and stderr, interleaved as printed, to one file; a test waits for a line
matching a pattern, with a deadline, and on failure sees the end of that file.

`ip netns exec NS PROGRAM` enters the namespace and then *execs* PROGRAM, so the PID
of the started process is the program's own PID: stopping it by PID (SIGTERM, then
SIGKILL after a grace period) reaches the program itself and nothing else.
"""

from __future__ import annotations

import ctypes
import re
import signal
import subprocess
import time
from collections.abc import Mapping, Sequence
from pathlib import Path

# Lab programs get a small, fixed environment: output does not depend on the caller's
# locale, nothing from the caller's environment leaks into client scripts, and a Python
# server (`leaseledger serve`) writes each line to its log file at once, not on exit.
LAB_ENVIRONMENT: Mapping[str, str] = {
    "PATH": "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin",
    "LC_ALL": "C",
    "PYTHONUNBUFFERED": "1",
}
STOP_GRACE_SECONDS = 5.0
_POLL_SECONDS = 0.05
_PR_SET_PDEATHSIG = 1
_TAIL_CHARACTERS = 2000


class LabError(Exception):
    """A lab step failed: a program did not start, did not say what was expected in
    time, or the namespaces could not be built.  The message carries the evidence."""


class LabProcess:
    """One program running in a namespace, with its combined output in `log_path`."""

    def __init__(self, label: str, namespace: str, argv: Sequence[str], log_path: Path,
                 popen: subprocess.Popen[bytes], log_start: int = 0) -> None:
        self.label = label
        self.namespace = namespace
        self.argv = list(argv)
        self.log_path = log_path
        # Where this run's output begins: a restarted program appends to the log of its
        # earlier runs, and must not be taken to have printed what they printed.
        self._log_start = log_start
        self._popen = popen

    @property
    def pid(self) -> int:
        return self._popen.pid

    @property
    def returncode(self) -> int | None:
        """The exit status once the program has ended (negative: killed by that signal)."""
        return self._popen.poll()

    def is_running(self) -> bool:
        return self._popen.poll() is None

    def output(self) -> str:
        """Everything this run of the program has printed so far."""
        try:
            with open(self.log_path, "rb") as log:
                log.seek(self._log_start)
                return log.read().decode("utf-8", errors="replace")
        except FileNotFoundError:
            return ""

    def output_mark(self) -> int:
        """A position in the output: `wait_for(..., since=mark)` looks only after it, so
        a test can wait for the *next* `DHCPACK` rather than one printed earlier."""
        return len(self.output())

    def wait_for(self, pattern: str | re.Pattern[str], timeout: float, *,
                 since: int = 0) -> re.Match[str]:
        """The first match of `pattern` (multi-line mode) in the output after `since`.

        Raises LabError when `timeout` seconds pass, or when the program ends without
        printing it, quoting the end of the output so the failure explains itself.
        """
        regex = re.compile(pattern, re.MULTILINE) if isinstance(pattern, str) else pattern
        deadline = time.monotonic() + timeout
        while True:
            exited = not self.is_running()
            text = self.output()
            match = regex.search(text, since)
            if match is not None:
                return match
            if exited:
                raise LabError(
                    f"{self.label} in {self.namespace} ended (status {self.returncode}) "
                    f"without printing /{regex.pattern}/:\n{self._tail(text)}"
                )
            if time.monotonic() >= deadline:
                raise LabError(
                    f"{self.label} in {self.namespace} did not print /{regex.pattern}/ "
                    f"within {timeout:g} s:\n{self._tail(text)}"
                )
            time.sleep(_POLL_SECONDS)

    def wait_exit(self, timeout: float) -> int:
        """The exit status of a program that ends by itself (udhcpc -q, perfdhcp);
        stops it and raises LabError if it is still running after `timeout` seconds."""
        try:
            return self._popen.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            self.stop()
            raise LabError(
                f"{self.label} in {self.namespace} still ran after {timeout:g} s; stopped:\n"
                f"{self._tail(self.output())}"
            ) from None

    def stop(self, grace: float = STOP_GRACE_SECONDS) -> int:
        """Stop the program by its PID: SIGTERM, then SIGKILL after `grace` seconds.

        Safe to call more than once and on a program that has already ended (the
        signal goes to our own unreaped child, so the PID cannot belong to anyone
        else); the process is always reaped, so no zombie keeps a pid file's PID alive.
        """
        if self._popen.poll() is None:
            self._popen.send_signal(signal.SIGTERM)
            try:
                return self._popen.wait(timeout=grace)
            except subprocess.TimeoutExpired:
                self._popen.send_signal(signal.SIGKILL)
        return self._popen.wait()

    def kill(self) -> int:
        """Kill the program at once by its PID (SIGKILL: no handler, no clean-up), as
        a crash or a power cut would end it, and reap it.  Returns the exit status."""
        if self._popen.poll() is None:
            self._popen.send_signal(signal.SIGKILL)
        return self._popen.wait()

    @staticmethod
    def _tail(text: str) -> str:
        return text[-_TAIL_CHARACTERS:] if text else "(no output)"


def start_in_namespace(namespace: str, argv: Sequence[str], log_path: Path, *,
                       label: str | None = None,
                       env: Mapping[str, str] | None = None) -> LabProcess:
    """Start `argv` inside `namespace`, its stdout and stderr appended to `log_path`.

    The program gets LAB_ENVIRONMENT plus `env`, stdin from /dev/null, and a session
    of its own, so a Ctrl-C meant for the test runner does not reach it half-way
    through a teardown: the lab stops it, by PID, when it is done.  Should the
    starting process die without a teardown (killed), the kernel sends the program
    SIGTERM, so no lab server outlives the run that started it.  (That signal follows
    the starting *thread*: start lab programs from a thread that outlives them.)
    """
    log_path.parent.mkdir(parents=True, exist_ok=True)
    environment = {**LAB_ENVIRONMENT, **(env or {})}
    command = ["ip", "netns", "exec", namespace, *argv]
    with open(log_path, "ab") as log:
        log_start = log.tell()
        try:
            popen = subprocess.Popen(
                command, stdin=subprocess.DEVNULL, stdout=log, stderr=subprocess.STDOUT,
                env=environment, start_new_session=True, preexec_fn=_die_with_parent,
            )
        except OSError as error:
            raise LabError(f"cannot start {' '.join(command)}: {error}") from error
    return LabProcess(label or Path(argv[0]).name, namespace, argv, log_path, popen, log_start)


def _die_with_parent() -> None:
    """Runs in the child before exec: ask for SIGTERM when our parent goes away.
    `ip netns exec` and the program it execs keep that request (neither is setuid)."""
    libc = ctypes.CDLL(None, use_errno=True)
    libc.prctl(_PR_SET_PDEATHSIG, signal.SIGTERM)


class ProcessSet:
    """The processes one lab started, so that all of them, and only them, are stopped."""

    def __init__(self) -> None:
        self._processes: list[LabProcess] = []

    def add(self, process: LabProcess) -> LabProcess:
        self._processes.append(process)
        return process

    def stop_all(self) -> None:
        """Stop every process, the most recently started first (clients before the
        relay before the servers they talk to).  Each one is stopped even if stopping
        an earlier one raised (or was interrupted); that error is raised afterwards."""
        if not self._processes:
            return
        process = self._processes.pop()
        try:
            process.stop()
        finally:
            self.stop_all()
