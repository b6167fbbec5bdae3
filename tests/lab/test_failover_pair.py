"""A failover pair on the tutorial's configuration, in every pairing: ISC dhcpd primary
with leaseledger secondary, leaseledger primary with ISC dhcpd secondary, and
leaseledger with leaseledger.  Both fresh: they reach normal, the primary hands the
secondary its backup half of the pool, and a dhclient lease given by whichever
server the load balancing picks appears with the same binding state and ends in the
other server's lease file.  Two ISC servers run the same test first, so its
expectations are ISC's own behaviour.  Each pairing takes about a minute (recover-done waits
for the MCLT, 30 s here).
"""

from __future__ import annotations

import time
from collections.abc import Sequence

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.failover_pair import (
    BOTH_NORMAL,
    MCLT,
    POOL_SIZE,
    PRIMARY_CONF,
    SECONDARY_CONF,
)
from ops.lab.lease_file_check import isc_complaints, lease_table
from ops.lab.netns import SRV1, SRV2, Lab
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

ISC = (DHCPD,)
OURS = LEASELEDGER_SERVE
PAIRINGS = {
    # The reference: what two ISC servers do is what every other pairing must do.
    "isc+isc": (ISC, ISC),
    "isc-primary+ours-secondary": (ISC, OURS),
    "ours-primary+isc-secondary": (OURS, ISC),
    "ours+ours": (OURS, OURS),
}
SETTLE_SECONDS = MCLT + 40  # recover-done waits for the MCLT; then normal and balancing


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_fresh_pair_reaches_normal_balances_and_shares_a_lease(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("dhclient")
    primary_program, secondary_program = PAIRINGS[pairing]
    primary = start_dhcpd(lab, SRV1, PRIMARY_CONF, name="dhcp1", program=primary_program)
    secondary = start_dhcpd(lab, SRV2, SECONDARY_CONF, name="dhcp2", program=secondary_program)

    primary.process.wait_for(BOTH_NORMAL, timeout=SETTLE_SECONDS)
    secondary.process.wait_for(BOTH_NORMAL, timeout=10)
    # The primary's pool-balance BNDUPDs have reached the secondary's lease file.
    for server in (primary, secondary):
        _wait_for_counts(server, free=POOL_SIZE // 2, backup=POOL_SIZE // 2)

    client = run_dhclient(lab, timeout=30)
    address = client.lease.address
    mine = _row(primary, address) or {}
    # Whichever server answered, both files end with the same active lease.
    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        first, second = _row(primary, address), _row(secondary, address)
        if first and second and first["state"] == second["state"] == "active":
            break
        time.sleep(0.5)
    first, second = _row(primary, address), _row(secondary, address)
    assert first is not None and second is not None, (mine, pairing)
    assert first["state"] == second["state"] == "active"
    assert first["ends"] == second["ends"]
    assert first["hardware"] == second["hardware"] == lab.mac_address("cli")

    for server in (primary, secondary):
        log = server.process.output()
        # (ISC logs "rejected: incoming update is less critical" for the duelling
        # full updates of a fresh pair: that is its normal, not trouble.)
        for trouble in ("xid mismatch", "Traceback", "invalid state transition"):
            assert trouble not in log, (server.role, log[-3000:])
        assert isc_complaints(server.config_path, server.lease_path,
                              lab.workdir / f"check-{server.role}") == []


def _row(server: DhcpServer, address: str) -> dict[str, str] | None:
    for row in lease_table(server.config_path, server.lease_path):
        if row["ip"] == address:
            return row
    return None


def _wait_for_counts(server: DhcpServer, *, free: int, backup: int,
                     timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    counts: Sequence[str] = ()
    while time.monotonic() < deadline:
        rows = lease_table(server.config_path, server.lease_path)
        counts = [row["state"] for row in rows]
        backups = counts.count("backup")
        frees = POOL_SIZE - backups - sum(1 for state in counts
                                         if state not in ("free", "backup"))
        if backups == backup and frees == free:
            return
        time.sleep(0.5)
    raise AssertionError(f"{server.role}: states {sorted(counts)}, wanted free {free}"
                         f" backup {backup}\n{server.process.output()[-3000:]}")
