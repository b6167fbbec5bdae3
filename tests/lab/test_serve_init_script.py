"""Swapping dhcpd for leaseledger on Debian: the isc-dhcp-server package's own init
script (`/etc/init.d/isc-dhcp-server`) starts, checks and stops `leaseledger serve`
exactly as it does ISC dhcpd, when `/usr/sbin/dhcpd` is a two-line wrapper that runs
`leaseledger serve "$@"` (what `dpkg-divert` would put there; README: Running it in
place of dhcpd).

The script runs from a copy in the test's folder with two paths changed: the program
(the wrapper, or ISC's dhcpd itself for the reference run) and the lease file it
touches; its settings come from a defaults file of the test's own (`DHCPD_DEFAULT`),
and the configuration names its lease file and pid file in the test's folder.  It
runs inside the lab's server namespace, so the server binds port 67 there and a real
dhclient in the client namespace gets its lease.  The server the script leaves
running is stopped by the script (and, should the test fail half-way, by its PID).
"""

from __future__ import annotations

import os
import signal
import time
from collections.abc import Callable
from contextlib import suppress
from pathlib import Path

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.netns import SRV1, SRV1_ADDRESS, Lab
from ops.lab.servers import DHCPD, LEASELEDGER

pytestmark = pytest.mark.lab

INIT_SCRIPT = Path("/etc/init.d/isc-dhcp-server")
CONF = """\
lease-file-name "{folder}/dhcpd.leases";
pid-file-name "{folder}/dhcpd.pid";
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 {{
  range 10.0.0.100 10.0.0.199;
}}
"""
SCRIPT_SECONDS = 30


def script_for(folder: Path, program: str) -> tuple[Path, dict[str, str]]:
    """The package's init script running `program` as its dhcpd, and its environment."""
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "dhcpd.conf").write_text(CONF.format(folder=folder))
    defaults = folder / "isc-dhcp-server.default"
    defaults.write_text(f'DHCPDv4_CONF="{folder}/dhcpd.conf"\nINTERFACESv4="eth0"\n'
                        'INTERFACESv6=""\n')
    text = INIT_SCRIPT.read_text()
    assert text.count("/usr/sbin/dhcpd") >= 3 and "/var/lib/dhcp/$NAME.leases" in text
    script = folder / "isc-dhcp-server"
    script.write_text(text.replace("/usr/sbin/dhcpd", program)
                      .replace("/var/lib/dhcp/$NAME.leases", f"{folder}/dhcpd.leases"))
    # The lsb hook would hand a script under /etc/init.d to systemctl: never ours.
    return script, {"DHCPD_DEFAULT": str(defaults), "SYSTEMCTL_SKIP_REDIRECT": "1"}


def wrapper(folder: Path) -> str:
    path = folder / "dhcpd"
    path.write_text(f'#!/bin/sh\nexec {LEASELEDGER} serve "$@"\n')
    path.chmod(0o755)
    return str(path)


def gone(pid: int, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            os.kill(pid, 0)
        except ProcessLookupError:
            return True
        time.sleep(0.05)
    return False


def run_script(lab: Lab, script: Path, env: dict[str, str], action: str) -> tuple[int, str]:
    process = lab.start(SRV1, ["/bin/sh", str(script), action], env=env,
                        label=f"init-{action}")
    code = process.wait_exit(SCRIPT_SECONDS)
    return code, process.output()


def test_debians_init_script_starts_checks_and_stops_it_as_it_does_dhcpd(
    lab_prerequisites: None, tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    require_tool("start-stop-daemon")
    if not INIT_SCRIPT.exists():
        pytest.skip(f"{INIT_SCRIPT} is not installed (the isc-dhcp-server package)")
    seen = {}
    for name in ("isc", "ours"):
        folder = tmp_path / name
        folder.mkdir()
        program = DHCPD if name == "isc" else wrapper(folder)
        script, env = script_for(folder, program)
        with Lab(folder / "lab") as lab:
            started = run_script(lab, script, env, "start")
            pid_file = folder / "dhcpd.pid"
            pid = int(pid_file.read_text()) if pid_file.exists() else None
            try:
                assert started[0] == 0, (name, started[1])
                assert pid is not None, (name, started[1])
                lease = run_dhclient(lab, name="dhclient", timeout=20).lease
                status = run_script(lab, script, env, "status")
                stopped = run_script(lab, script, env, "stop")
                assert stopped[0] == 0, (name, stopped[1])
                assert gone(pid, 15), f"{name}: pid {pid} still runs after stop"
            finally:
                if pid is not None and not gone(pid, 0):
                    with suppress(ProcessLookupError):
                        os.kill(pid, signal.SIGTERM)
                    gone(pid, 10)
        records = (folder / "dhcpd.leases").read_text()
        assert f"lease {lease.address} {{" in records, name
        seen[name] = (lease.server_identifier, status, stopped[0], pid_file.exists())
    assert seen["ours"] == seen["isc"]
    running = "Status of ISC DHCPv4 server: dhcpd is running.\n"
    assert seen["isc"][:2] == (SRV1_ADDRESS, (0, running))
