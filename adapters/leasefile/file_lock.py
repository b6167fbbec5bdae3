"""One writer per lease file: an exclusive `flock` held while the store is open.

Two writers appending to one dhcpd.leases would interleave batches and break every
guarantee the headers give, so the second one is refused at once with a message that
names the file and, when Linux tells us, the process that holds it.
"""

from __future__ import annotations

import fcntl
import os

from adapters.leasefile.store_errors import LeaseFileLockedError

_PROC_LOCKS = "/proc/locks"


def lock_exclusively(fd: int, path: str) -> None:
    """Take the writer's lock on the open file `fd` or raise LeaseFileLockedError."""
    try:
        fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except BlockingIOError:
        holder = lock_holder(fd)
        who = f"process {holder}" if holder is not None else "another process"
        raise LeaseFileLockedError(
            f"{path}: the lease file is locked by {who}; only one server may write it"
        ) from None


def lock_holder(fd: int) -> int | None:
    """The pid /proc/locks names for a flock on the same file as `fd`, if any."""
    status = os.fstat(fd)
    device = f"{os.major(status.st_dev):02x}:{os.minor(status.st_dev):02x}:{status.st_ino}"
    try:
        with open(_PROC_LOCKS, encoding="ascii", errors="replace") as locks:
            for line in locks:
                fields = line.split()
                if len(fields) > 5 and fields[1] == "FLOCK" and fields[5] == device:
                    return int(fields[4]) if fields[4].isdigit() else None
    except OSError:
        return None
    return None
