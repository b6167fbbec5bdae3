"""What every failover lab test does with the tutorial pair (ops/lab/failover_pair.py):
the pairings of ISC dhcpd and leaseledger, starting a pair until both are normal,
reading a server's lease file as the administrator would, and a batch of relay-style
clients from the lab's client namespace.
"""

from __future__ import annotations

import json
import subprocess
import time
from collections.abc import Callable, Sequence

from ops.lab.failover_pair import BOTH_NORMAL, MCLT, POOL_SIZE, PRIMARY_CONF, SECONDARY_CONF
from ops.lab.lease_file_check import lease_table
from ops.lab.netns import CLI, PERFDHCP_ADDRESS, SRV1, SRV2, Lab
from ops.lab.probe_client import acked_leases, probe_argv
from ops.lab.servers import DHCPD, LEASELEDGER, LEASELEDGER_SERVE, DhcpServer, start_dhcpd

ISC: Sequence[str] = (DHCPD,)
OURS: Sequence[str] = LEASELEDGER_SERVE
# (primary's program, secondary's program).  Two ISC servers first: the reference,
# whose behaviour every other pairing must show.
PAIRINGS: dict[str, tuple[Sequence[str], Sequence[str]]] = {
    "isc+isc": (ISC, ISC),
    "isc-primary+ours-secondary": (ISC, OURS),
    "ours-primary+isc-secondary": (OURS, ISC),
    "ours+ours": (OURS, OURS),
}
_COMMAND_SECONDS = 60


def start_pair(lab: Lab, programs: tuple[Sequence[str], Sequence[str]], *,
               primary_conf: str = PRIMARY_CONF,
               secondary_conf: str = SECONDARY_CONF) -> tuple[DhcpServer, DhcpServer]:
    """dhcp1 (primary) in srv1 and dhcp2 (secondary) in srv2, fresh, once both have
    logged `Both servers normal`."""
    primary = start_dhcpd(lab, SRV1, primary_conf, name="dhcp1", program=programs[0])
    secondary = start_dhcpd(lab, SRV2, secondary_conf, name="dhcp2", program=programs[1])
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)
    secondary.process.wait_for(BOTH_NORMAL, timeout=10)
    return primary, secondary


def wait_until_balanced(secondary: DhcpServer, total: int = POOL_SIZE) -> None:
    """Until the primary's pool balancing has given `secondary` half of the pool of
    `total` addresses as backup leases.  Both servers log `Both servers normal` before
    those BNDUPDs arrive: a test that cuts the link or stops the primary right then
    leaves the secondary nothing of its own to serve."""
    assert eventually(lambda: pool_counts(secondary, total)[1] == total // 2), (
        pool_counts(secondary, total))


def restart(lab: Lab, server: DhcpServer, program: Sequence[str]) -> DhcpServer:
    """The same server started again on its files (a deleted lease file starts empty)."""
    name = server.config_path.parent.name
    return start_dhcpd(lab, server.role, server.config_path.read_text(), name=name,
                       program=program)


def records(server: DhcpServer) -> dict[str, dict[str, str]]:
    """The server's lease table, by address (`leaseledger leases --json` on its file:
    ISC's and ours read alike)."""
    return {row["ip"]: row for row in lease_table(server.config_path, server.lease_path)}


def pool_counts(server: DhcpServer, total: int) -> tuple[int, int]:
    """(free, backup) of the server's pool of `total` addresses, from its lease file."""
    finished = subprocess.run(
        [LEASELEDGER, "pools", "--json", "-cf", str(server.config_path),
         "-lf", str(server.lease_path)], capture_output=True, text=True,
        timeout=_COMMAND_SECONDS, check=True)
    pools = [pool for pool in json.loads(finished.stdout) if pool["total"] == total]
    return (pools[0]["free"], pools[0]["backup"]) if pools else (-1, -1)


def audit(server: DhcpServer, address: str) -> list[dict[str, str]]:
    """`leaseledger audit --json` of one address on the server's lease file."""
    finished = subprocess.run(
        [LEASELEDGER, "audit", "--json", "-cf", str(server.config_path),
         "-lf", str(server.lease_path), address],
        capture_output=True, text=True, timeout=_COMMAND_SECONDS, check=True)
    return json.loads(finished.stdout)


def load(lab: Lab, server: str, *, first: int, count: int, name: str,
         secs: int = 0) -> list[tuple[str, str]]:
    """`count` clients (MACs numbered from `first`) through a relay (giaddr 10.0.0.5,
    link 10.0.0.1) to `server`, one after the other; the (mac, address) of each ACK."""
    client = lab.start(CLI, probe_argv(
        "load", "--server", server, "--relay", PERFDHCP_ADDRESS, "--link", "10.0.0.1",
        "--first", str(first), "--count", str(count), "--secs", str(secs), "--wait", "1",
        "--misses", "2", "--seconds", "40"), label=name)
    status = client.wait_exit(_COMMAND_SECONDS)
    if status != 0:
        raise AssertionError(f"{name} exited with {status}:\n{client.output()}")
    return acked_leases(client.output())


def eventually(check: Callable[[], bool], seconds: float = 15.0) -> bool:
    """Whether `check()` comes true within `seconds` (polled every half second)."""
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return bool(check())
