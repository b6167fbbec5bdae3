"""Going into the background the way dhcpd 4.4 does, for init scripts written for it.

Debian's `/etc/init.d/isc-dhcp-server` starts the server with `start-stop-daemon
--start --pidfile P --exec /usr/sbin/dhcpd -- -q -cf CONF IFACES` and expects the
command to return once the server runs (systemd's generated unit is `Type=forking`);
a server that stays in the foreground hangs the boot there.  dhcpd (server/dhcpd.c)
forks before anything else unless given -f, -d, -t or -T: the parent waits on a pipe
and exits with the status byte the child writes once it serves (0), or 1 if the child
ends first (a configuration error, a busy port); the child, once serving, starts a new
session, puts /dev/null on stdin, stdout and stderr, and moves to `/`.

Fork before any thread exists (before the first `trio.run`): only the forking thread
goes on in the child.
"""

from __future__ import annotations

import os

DEVNULL = "/dev/null"


class Background:
    """`detach()` once at start; `ready()` when serving.  Both do nothing in a process
    that did not detach, so the caller need not ask which it is."""

    def __init__(self) -> None:
        self._to_parent: int | None = None

    @property
    def detached(self) -> bool:
        return self._to_parent is not None

    def detach(self) -> None:
        """Fork.  The parent never returns: it exits with the child's verdict.  Raises
        OSError (no pipe, no fork) in the process that called it."""
        readable, writable = os.pipe()
        pid = os.fork()
        if pid != 0:
            os.close(writable)
            os._exit(_verdict(readable))
        os.close(readable)
        self._to_parent = writable

    def ready(self) -> None:
        """Serving: release the waiting parent (exit 0), then leave its session and
        terminal as dhcpd does."""
        if self._to_parent is None:
            return
        try:
            os.write(self._to_parent, b"\0")
        finally:
            os.close(self._to_parent)
            self._to_parent = None
        os.setsid()
        null = os.open(DEVNULL, os.O_RDWR)
        for fd in (0, 1, 2):
            os.dup2(null, fd)
        if null > 2:
            os.close(null)
        os.chdir("/")


def _verdict(readable: int) -> int:
    """The child's status byte, or 1 when it ended without writing one (os.read
    retries a signal's EINTR itself)."""
    try:
        data = os.read(readable, 1)
    except OSError:
        return 1
    return data[0] if data else 1
