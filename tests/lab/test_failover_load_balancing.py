"""Load balancing between the two servers of a pair, in every pairing: perfdhcp
(hundreds of MACs, as a relay) broadcasts to both; with split 128 roughly half the
clients are answered by each server, and the one that answers each MAC is the one
RFC 3074's hash (as ISC computes it) gives it.  About 30 s per pairing (the primary
first hands the secondary half of a 1,000-address pool)."""

from __future__ import annotations

import json
import re
import subprocess
import time

import pytest

from domain.config.checks import hba_from_split
from domain.failover.rules import load_balance_mine
from domain.failover.states import Role
from ops.lab.clients import run_perfdhcp
from ops.lab.failover_pair import (
    BOTH_NORMAL,
    LOAD_POOL_SIZE,
    LOAD_PRIMARY_CONF,
    LOAD_SECONDARY_CONF,
    MCLT,
)
from ops.lab.netns import SRV1, SRV2, Lab
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
# Load balancing decides who answers a DISCOVER.  (A broadcast REQUEST may be ACKed
# by both: the server that did not offer sees the lease active for the client once
# its peer's BNDUPD arrives, and dhcpd answers it too — dhcp.c says so.)
OFFER = re.compile(r"^DHCPOFFER on (\S+) to ([0-9a-f:]{17})", re.MULTILINE)
HBA = hba_from_split(128)


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_each_client_is_answered_by_the_server_its_hash_names(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("perfdhcp")
    primary_program, secondary_program = PAIRINGS[pairing]
    primary = start_dhcpd(lab, SRV1, LOAD_PRIMARY_CONF, name="dhcp1", program=primary_program)
    secondary = start_dhcpd(lab, SRV2, LOAD_SECONDARY_CONF, name="dhcp2",
                            program=secondary_program)
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)
    _wait_for_backup_half(secondary)

    run = run_perfdhcp(lab, rate=50, seconds=4, clients=400)

    assert run.stats.completion_ratio > 0.9, run.output[-2000:]
    served = {"primary": _offered(primary), "secondary": _offered(secondary)}
    both = served["primary"] | served["secondary"]
    assert len(both) >= 150
    assert not served["primary"] & served["secondary"]
    for role, macs in served.items():
        assert 0.3 < len(macs) / len(both) < 0.7, (role, len(macs), len(both))
        wanted = Role.PRIMARY if role == "primary" else Role.SECONDARY
        # perfdhcp sends a client identifier (01 + MAC): that is what is hashed.
        wrong = [mac for mac in macs
                 if not load_balance_mine(b"\x01" + bytes.fromhex(mac.replace(":", "")),
                                          HBA, 0, 3, wanted)]
        assert wrong == [], (role, wrong[:5])


def _offered(server: DhcpServer) -> set[str]:
    return {mac for address, mac in OFFER.findall(server.process.output())
            if address.startswith("10.2.")}


def _wait_for_backup_half(server: DhcpServer, timeout: float = 30.0) -> None:
    """Until the secondary's lease file shows its backup half of the pool."""
    command = [LEASELEDGER, "pools", "--json", "-cf", str(server.config_path),
               "-lf", str(server.lease_path)]
    deadline = time.monotonic() + timeout
    backup = -1
    while time.monotonic() < deadline:
        finished = subprocess.run(command, capture_output=True, text=True, timeout=60,
                                  check=False)
        if finished.returncode == 0:
            pools = [p for p in json.loads(finished.stdout) if p["total"] == LOAD_POOL_SIZE]
            backup = pools[0]["backup"] if pools else -1
            if backup >= LOAD_POOL_SIZE // 2 - 10:
                return
        time.sleep(1)
    raise AssertionError(f"backup leases on the secondary: {backup}")
