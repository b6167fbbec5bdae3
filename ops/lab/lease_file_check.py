"""Reading a lab server's lease file as ISC dhcpd and as an administrator would.

Does ISC dhcpd 4.4 accept a lease file?  Its own `-T` test, read line by line.

The lease file must stay readable by dhcpd at every point (DESIGN.md "The log"), so
lab tests hand the file our server wrote to the real `dhcpd -4 -T`.  Its exit status
says nothing (it is 0 even for a corrupt file), so the verdict is its output: after
the banner, anything but the routine `Wrote N leases ...` and `Lease file test
successful ...` lines is a complaint.  dhcpd reads a copy, so the original is never
touched, and gets a pid file of its own, so it never looks at the system's.

What does the lease table say?  `leaseledger leases --json`, run as an administrator
runs it beside a live server (it takes no lock).
"""

from __future__ import annotations

import json
import re
import shutil
import subprocess
from pathlib import Path

from ops.lab.processes import LabError
from ops.lab.servers import LEASELEDGER

DHCPD = "/usr/sbin/dhcpd"
_TIMEOUT_SECONDS = 60
_BANNER_END = "PID file: "
_ROUTINE = ("Wrote ", "Lease file test successful")


def isc_complaints(config_path: Path, lease_path: Path, workdir: Path, *,
                   dhcpd: str = DHCPD) -> list[str]:
    """The lines `dhcpd -4 -T -cf config_path` prints about a copy of `lease_path`
    beyond its routine ones: [] means ISC dhcpd reads the file without a word.
    LabError if dhcpd cannot be run or prints no banner."""
    workdir.mkdir(parents=True, exist_ok=True)
    copy = workdir / f"{lease_path.name}.isc-check"
    shutil.copyfile(lease_path, copy)
    command = [dhcpd, "-4", "-T", "-cf", str(config_path), "-lf", str(copy),
               "-pf", str(workdir / "isc-check.pid")]
    try:
        finished = subprocess.run(command, capture_output=True, text=True, errors="replace",
                                  timeout=_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LabError(f"{' '.join(command)}: {error}") from error
    finally:
        copy.unlink(missing_ok=True)
    lines = (finished.stdout + finished.stderr).splitlines()
    banner = [number for number, line in enumerate(lines) if line.startswith(_BANNER_END)]
    if not banner:
        raise LabError(f"{' '.join(command)} printed no banner:\n" + "\n".join(lines))
    return [line for line in lines[banner[0] + 1:]
            if line.strip() and not line.startswith(_ROUTINE)]


def last_record(leases_text: str, address: str) -> str | None:
    """The body of the last `lease ADDRESS { ... }` record in a lease file's text (the
    one that counts, as the file is replayed in order), or None if there is none."""
    blocks = re.findall(rf"^lease {re.escape(address)} \{{\n(.*?)^\}}", leases_text,
                        re.MULTILINE | re.DOTALL)
    return blocks[-1] if blocks else None


def lease_table(config_path: Path, lease_path: Path, *,
                leaseledger: str = LEASELEDGER) -> list[dict[str, str]]:
    """`leaseledger leases --json` for a server's files: one row per address (ip,
    state, hardware, ...).  LabError, with its output, if the command fails."""
    command = [leaseledger, "leases", "--json", "-cf", str(config_path), "-lf", str(lease_path)]
    try:
        finished = subprocess.run(command, capture_output=True, text=True,
                                  timeout=_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LabError(f"{' '.join(command)}: {error}") from error
    if finished.returncode != 0:
        raise LabError(f"{' '.join(command)} exited with status {finished.returncode}:\n"
                       f"{finished.stderr[-2000:]}")
    try:
        return json.loads(finished.stdout)
    except json.JSONDecodeError as error:
        raise LabError(f"{' '.join(command)} printed no JSON: {error}") from error
