"""The server side of the lab: a DHCP server in srv1/srv2, and ISC dhcrelay in rly.

`start_dhcpd` runs ISC dhcpd by default, but takes the program as a parameter: the
command line it builds uses only flags `leaseledger serve` accepts too (`-f -d -cf -lf
-pf` and the interface), so the same call starts either server, and a test can put
one of each in a failover pair.  (`-4` is left out: it is dhcpd's default.)

Starting again under the same name is a restart: the configuration is rewritten, the
lease file kept, the pid file removed (a reaped-late earlier run can otherwise make
dhcpd refuse with "There's already a DHCP server running"), and the log continues.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from ops.lab.netns import (
    RELAY,
    RELAY_DOWNSTREAM_INTERFACE,
    RELAY_UPSTREAM_INTERFACE,
    SRV1_ADDRESS,
    Lab,
)
from ops.lab.processes import LabError, LabProcess

DHCPD = "/usr/sbin/dhcpd"
# Our server, from the virtualenv the caller runs in: `program=LEASELEDGER_SERVE`.
LEASELEDGER = str(Path(sys.executable).parent / "leaseledger")
LEASELEDGER_SERVE = (LEASELEDGER, "serve")
DHCRELAY = "/usr/sbin/dhcrelay"
SERVER_INTERFACE = "eth0"
# dhcpd's last start-up line (spec/dhcpd.md §4.11): from here on it answers.
DHCPD_READY = r"^Server starting service\.$"
# dhcrelay's last start-up line: every interface is open.
DHCRELAY_READY = r"^Sending on +Socket/fallback"
START_TIMEOUT_SECONDS = 15.0


@dataclass(frozen=True)
class DhcpServer:
    """A running DHCP server and the files it was started with."""

    role: str
    process: LabProcess
    config_path: Path
    lease_path: Path
    pid_path: Path

    def leases_text(self) -> str:
        """The lease file as it is on disk now."""
        return self.lease_path.read_text(encoding="utf-8", errors="replace")


def start_dhcpd(lab: Lab, role: str, config: str, *, name: str | None = None,
                program: Sequence[str] = (DHCPD,),
                interfaces: Sequence[str] = (SERVER_INTERFACE,),
                timeout: float = START_TIMEOUT_SECONDS) -> DhcpServer:
    """Start a dhcpd-compatible server in namespace `role` with `config` as dhcpd.conf,
    and return once it has logged `Server starting service.`.

    Its files are `workdir/<name>/dhcpd.{conf,leases,pid}` and its log
    `workdir/<name>.log` (`name` defaults to `dhcpd-<role>`).  Raises LabError, with
    the server's output, if it exits or is not ready within `timeout` seconds.
    """
    label = name or f"dhcpd-{role}"
    folder = lab.workdir / label
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "dhcpd.conf"
    lease_path = folder / "dhcpd.leases"
    pid_path = folder / "dhcpd.pid"
    config_path.write_text(config, encoding="utf-8")
    lease_path.touch()  # dhcpd will not start without one
    pid_path.unlink(missing_ok=True)
    argv = [*program, "-f", "-d", "-cf", str(config_path), "-lf", str(lease_path),
            "-pf", str(pid_path), *interfaces]
    process = lab.start(role, argv, label=label)
    process.wait_for(DHCPD_READY, timeout)
    return DhcpServer(role, process, config_path, lease_path, pid_path)


def start_dhcrelay(lab: Lab, servers: Sequence[str] = (SRV1_ADDRESS,), *,
                   agent_options: bool = False,
                   timeout: float = START_TIMEOUT_SECONDS) -> LabProcess:
    """Start ISC dhcrelay in `rly`, relaying from the 10.1.0.0/24 segment to `servers`,
    and return once it has opened its interfaces.

    It puts 10.1.0.1 in giaddr, so servers see the client on the relayed segment; with
    `agent_options` it adds option 82 too (`-a`: its circuit-id is the downstream
    interface's name).
    """
    if RELAY not in lab.roles():
        raise LabError("start_dhcrelay needs a lab built with relay=True")
    argv = [DHCRELAY, "-4", "-d", "--no-pid", *(["-a"] if agent_options else []),
            "-id", RELAY_DOWNSTREAM_INTERFACE, "-iu", RELAY_UPSTREAM_INTERFACE, *servers]
    process = lab.start(RELAY, argv, label="dhcrelay")
    process.wait_for(DHCRELAY_READY, timeout)
    return process
