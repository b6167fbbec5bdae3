"""A failover pair on the tutorial's configuration, in every pairing: ISC dhcpd primary
with leaseledger secondary, leaseledger primary with ISC dhcpd secondary, and
leaseledger with leaseledger.  Both fresh: they reach normal, the primary hands the
secondary its backup half of the pool, and a dhclient lease given by whichever
server the load balancing picks appears with the same binding state and ends in the
other server's lease file.  Two ISC servers run the same test first, so its
expectations are ISC's own behaviour.  A few seconds per pairing.
"""

from __future__ import annotations

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.failover_pair import POOL_SIZE
from ops.lab.failover_runs import PAIRINGS, eventually, records, start_pair
from ops.lab.lease_file_check import isc_complaints
from ops.lab.netns import CLI, Lab
from ops.lab.servers import DhcpServer

pytestmark = pytest.mark.lab


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_fresh_pair_reaches_normal_balances_and_shares_a_lease(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("dhclient")
    primary, secondary = start_pair(lab, PAIRINGS[pairing])
    # The primary's pool-balance BNDUPDs have reached the secondary's lease file.
    for server in (primary, secondary):
        assert eventually(lambda server=server: _free_and_backup(server) == (10, 10)), (
            server.role, _free_and_backup(server), server.process.output()[-3000:])

    address = run_dhclient(lab, timeout=30).lease.address

    # Whichever server answered, both files end with the same active lease.
    assert eventually(lambda: all(records(server).get(address, {}).get("state") == "active"
                                  for server in (primary, secondary)), seconds=10)
    first, second = records(primary)[address], records(secondary)[address]
    assert first["ends"] == second["ends"]
    assert first["hardware"] == second["hardware"] == lab.mac_address(CLI)
    for server in (primary, secondary):
        log = server.process.output()
        # (ISC logs "rejected: incoming update is less critical" for the duelling
        # full updates of a fresh pair: that is its normal, not trouble.)
        for trouble in ("xid mismatch", "Traceback", "invalid state transition"):
            assert trouble not in log, (server.role, log[-3000:])
        assert isc_complaints(server.config_path, server.lease_path,
                              lab.workdir / f"check-{server.role}") == []


def _free_and_backup(server: DhcpServer) -> tuple[int, int]:
    """Free and backup addresses by the lease file (an address without a record is
    free, as both servers create a range)."""
    states = [row["state"] for row in records(server).values()]
    backup = states.count("backup")
    taken = sum(1 for state in states if state not in ("free", "backup"))
    return POOL_SIZE - backup - taken, backup
