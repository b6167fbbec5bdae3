"""Pool balancing on the timer and by POOLREQ, in every pairing: the secondary hands
out every address of its backup half; the pair then rebalances (the primary's
balance timer moves free leases to backup, or the secondary's POOLREQ asks for them)
and the secondary has backup leases again.  `min-balance 5; max-balance 15;` keep the
timers short.  About 40 s per pairing."""

from __future__ import annotations

import json
import subprocess
import time

import pytest

from ops.lab.failover_pair import (
    BOTH_NORMAL,
    MCLT,
    POOL_SIZE,
    QUICK_BALANCE_PRIMARY_CONF,
    QUICK_BALANCE_SECONDARY_CONF,
)
from ops.lab.netns import CLI, PERFDHCP_ADDRESS, SRV1, SRV2, SRV2_ADDRESS, Lab
from ops.lab.probe_client import acked_leases, probe_argv
from ops.lab.servers import DHCPD, LEASELEDGER, LEASELEDGER_SERVE, DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

ISC = (DHCPD,)
OURS = LEASELEDGER_SERVE
PAIRINGS = {
    "isc+isc": (ISC, ISC),
    "isc-primary+ours-secondary": (ISC, OURS),
    "ours-primary+isc-secondary": (OURS, ISC),
    "ours+ours": (OURS, OURS),
}


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_secondary_that_ran_out_gets_backup_leases_again(lab: Lab, pairing: str) -> None:
    primary = start_dhcpd(lab, SRV1, QUICK_BALANCE_PRIMARY_CONF, name="dhcp1",
                          program=PAIRINGS[pairing][0])
    secondary = start_dhcpd(lab, SRV2, QUICK_BALANCE_SECONDARY_CONF, name="dhcp2",
                            program=PAIRINGS[pairing][1])
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)
    secondary.process.wait_for(BOTH_NORMAL, timeout=10)
    assert _wait_for(lambda: _counts(secondary)[1] == POOL_SIZE // 2)
    mark = primary.process.output_mark()

    # Clients that waited past `load balance max seconds`: the secondary answers all.
    client = lab.start(CLI, probe_argv(
        "load", "--server", SRV2_ADDRESS, "--relay", PERFDHCP_ADDRESS, "--link", "10.0.0.1",
        "--count", str(POOL_SIZE // 2 + 1), "--secs", "10", "--wait", "1", "--misses", "2",
        "--seconds", "40"), label="load")
    assert client.wait_exit(60) == 0, client.output()
    assert len(acked_leases(client.output())) == POOL_SIZE // 2

    # The primary rebalances (its timer, or the secondary's POOLREQ) and the secondary
    # holds backup leases again.
    primary.process.wait_for(r"^balancing pool ", timeout=60, since=mark)
    assert _wait_for(lambda: _counts(secondary)[1] > 0, seconds=30), _counts(secondary)
    free, backup = _counts(primary)
    assert backup > 0 and free + backup == POOL_SIZE // 2


def _counts(server: DhcpServer) -> tuple[int, int]:
    """(free, backup) of the pool, from the server's lease file."""
    finished = subprocess.run(
        [LEASELEDGER, "pools", "--json", "-cf", str(server.config_path),
         "-lf", str(server.lease_path)], capture_output=True, text=True, timeout=60,
        check=True)
    (pool,) = json.loads(finished.stdout)
    return pool["free"], pool["backup"]


def _wait_for(check, seconds: float = 20.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(1)
    return bool(check())
