"""The demo's two `leaseledger serve` processes and what they log.

`./ops/demo` starts, stops and restarts the servers of a failover pair as an
administrator would, so each is a real process started here and stopped by its PID
with SIGTERM.  Their dhcpd-style lines are followed as the files grow, in the order
they arrive, so the demo can wait for a line ("Both servers normal") and print what
both servers said during each step, each line marked with the server's name.
"""

from __future__ import annotations

import contextlib
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path

POLL_SECONDS = 0.02
STOP_SECONDS = 10.0


class DemoStopped(Exception):
    """A server did not do what the story needs: the message says what and where."""


def busy_ports(udp: Iterable[tuple[str, int]], tcp: Iterable[tuple[str, int]]) -> list[str]:
    """The addresses among these that something else already uses.

    The servers set SO_REUSEADDR on their DHCP sockets, so a second server would
    share a port with a forgotten one instead of failing; the probe binds without it
    and fails whenever anyone holds the port.  A TCP probe sets it, as the failover
    listener does, so only a listener (not a closed connection in TIME_WAIT) counts.
    """
    busy = []
    for kind, proto, addresses in ((socket.SOCK_DGRAM, "udp", udp),
                                   (socket.SOCK_STREAM, "tcp", tcp)):
        for address, port in addresses:
            with socket.socket(socket.AF_INET, kind) as probe:
                if kind == socket.SOCK_STREAM:
                    probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
                try:
                    probe.bind((address, port))
                    if kind == socket.SOCK_STREAM:
                        probe.listen(1)
                except OSError:
                    busy.append(f"{address}:{port}/{proto}")
    return busy


class LogJournal:
    """Every line the servers log, tagged with the server's name, in arrival order.

    A thread reads the growing log files, so lines of two servers that answer the
    same relayed request interleave as they happened.  Positions in the journal
    (`mark()`) let a step print, or wait for, only what came after it began.
    """

    def __init__(self) -> None:
        self._lines: list[tuple[str, str]] = []
        self._files: dict[str, tuple[Path, int, bytes]] = {}
        self._lock = threading.Lock()
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._follow_all, daemon=True)

    def __enter__(self) -> LogJournal:
        self._thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self._stop.set()
        self._thread.join()
        self.poll()

    def follow(self, label: str, path: Path) -> None:
        """Start following `path` (from its current end) as `label`'s log."""
        with self._lock:
            size = path.stat().st_size if path.exists() else 0
            self._files[label] = (path, size, b"")

    def mark(self) -> int:
        with self._lock:
            return len(self._lines)

    def since(self, mark: int) -> list[tuple[str, str]]:
        with self._lock:
            return self._lines[mark:]

    def poll(self) -> None:
        """Take in whatever complete lines the files gained."""
        with self._lock:
            for label, (path, offset, partial) in list(self._files.items()):
                with contextlib.suppress(FileNotFoundError), path.open("rb") as log:
                    log.seek(offset)
                    data = log.read()
                    offset += len(data)
                    *lines, partial = (partial + data).split(b"\n")
                    self._lines.extend((label, line.decode(errors="replace"))
                                       for line in lines)
                self._files[label] = (path, offset, partial)

    def _follow_all(self) -> None:
        while not self._stop.wait(POLL_SECONDS):
            self.poll()


@dataclass
class DemoServer:
    """One server of the pair: its files in `folder`, its log followed as `label`."""

    label: str
    config: str
    port: int
    folder: Path
    journal: LogJournal
    process: subprocess.Popen | None = field(default=None, repr=False)

    @property
    def leases(self) -> Path:
        return self.folder / "dhcpd.leases"

    @property
    def pidfile(self) -> Path:
        return self.folder / "dhcpd.pid"

    @property
    def log(self) -> Path:
        return self.folder / "dhcpd.log"

    def serve_argv(self) -> list[str]:
        """`leaseledger serve`'s arguments: dhcpd's own, plus loopback, a port and
        nothing in the machine's syslog (its dhcpd lines could alarm a real site's)."""
        return ["serve", "-d", "--no-syslog", "-p", str(self.port), "--listen", "127.0.0.1",
                "-cf", self.config, "-lf", str(self.leases), "-pf", str(self.pidfile)]

    def start(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)
        self.journal.follow(self.label, self.log)
        with self.log.open("a") as out:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "ops.cli", *self.serve_argv()],
                stdout=out, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            )

    @property
    def pid(self) -> int:
        assert self.process is not None
        return self.process.pid

    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> int | None:
        """SIGTERM to our child's PID, as an init script stops dhcpd; a server that
        does not stop in time is killed.  Returns its exit status."""
        if self.process is None:
            return None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGTERM)
            try:
                self.process.wait(STOP_SECONDS)
            except subprocess.TimeoutExpired:
                self.process.kill()
                self.process.wait()
        return self.process.returncode

    def wait_for(self, text: str, since: int, seconds: float) -> None:
        """Wait until this server logs a line containing `text` after journal
        position `since`."""
        began = time.monotonic()
        while True:
            self.journal.poll()
            if any(label == self.label and text in line
                   for label, line in self.journal.since(since)):
                return
            if not self.running():
                assert self.process is not None
                raise DemoStopped(f"{self.label} exited (status {self.process.returncode}) "
                                  f"before logging {text!r}")
            if time.monotonic() - began > seconds:
                raise DemoStopped(f"{self.label} did not log {text!r} within {seconds:g} s")
            time.sleep(POLL_SECONDS)
