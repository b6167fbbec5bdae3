"""dhcpd's pid file: refuse to start beside a running server, remove it on the way out.

dhcpd refuses to start when the pid file names a live process ("There's already a
DHCP server running.") and an admin's unit file or scripts rely on the file being
there; a stale file (its process gone) is simply replaced.
"""

from __future__ import annotations

import os
from pathlib import Path


class AlreadyRunning(Exception):
    """Another server's pid file names a live process."""


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True
    return True


def claim(path: str | os.PathLike[str]) -> Path:
    """Write our pid to `path`, or raise AlreadyRunning if a live process holds it."""
    target = Path(path)
    try:
        text = target.read_text().strip()
    except FileNotFoundError:
        text = ""
    except OSError as exc:
        raise AlreadyRunning(f"Can't read PID file {target}: {exc.strerror}") from None
    if text.isdigit() and int(text) != os.getpid() and _alive(int(text)):
        raise AlreadyRunning("There's already a DHCP server running.")
    target.parent.mkdir(parents=True, exist_ok=True)
    tmp = target.with_name(target.name + ".tmp")
    tmp.write_text(f"{os.getpid()}\n")
    tmp.replace(target)
    return target


def release(path: Path) -> None:
    """Remove the pid file if it is still ours."""
    try:
        if path.read_text().strip() == str(os.getpid()):
            path.unlink()
    except OSError:
        pass
