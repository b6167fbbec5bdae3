"""The bad days of the tutorial's failover pair, in every pairing (ISC+ISC first, as
the reference; then ISC primary + leaseledger, leaseledger primary + ISC, and
leaseledger + leaseledger):

- Peer down: the secondary stops; the primary moves to communications-interrupted and
  keeps serving (a new client gets a lease from its own half); the secondary comes
  back, both return to normal, and the lease given meanwhile reaches it.
- Database loss: the secondary stops, its lease file is deleted, and it starts again:
  it recovers (UPDREQALL), waits out the MCLT, returns to normal, and its rebuilt file
  holds every client's lease (no client loses its address).  When the rebuilt server
  is ours, `audit` says each lease came from the peer (PeerUpdateReceived).

Each pairing takes about 50 s, most of it the MCLT (30 s) of the recover wait.
"""

from __future__ import annotations

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.failover_pair import BOTH_NORMAL, MCLT
from ops.lab.failover_runs import OURS, PAIRINGS, audit, eventually, records, restart, start_pair
from ops.lab.netns import CLI, Lab
from ops.lab.servers import DhcpServer

pytestmark = pytest.mark.lab

INTERRUPTED = r"^failover peer dhcp-failover: I move from normal to communications-interrupted$"


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_the_primary_serves_alone_and_the_returning_secondary_catches_up(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("dhclient")
    primary, secondary = start_pair(lab, PAIRINGS[pairing])
    mark = primary.process.output_mark()

    secondary.process.stop()
    primary.process.wait_for(INTERRUPTED, timeout=15, since=mark)
    address = run_dhclient(lab, timeout=30).lease.address
    assert _state(primary, address) == "active"

    secondary = restart(lab, secondary, PAIRINGS[pairing][1])
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40, since=mark)
    assert eventually(lambda: _state(secondary, address) == "active")
    assert records(primary)[address]["ends"] == records(secondary)[address]["ends"]


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_secondary_that_lost_its_lease_file_rebuilds_it_from_the_primary(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("dhclient")
    primary, secondary = start_pair(lab, PAIRINGS[pairing])
    address = run_dhclient(lab, timeout=30).lease.address
    assert eventually(lambda: _state(secondary, address) == "active")

    secondary.process.stop()
    secondary.lease_path.unlink()
    secondary = restart(lab, secondary, PAIRINGS[pairing][1])
    secondary.process.wait_for(r"^failover peer dhcp-failover: peer update completed\.$",
                               timeout=30)
    secondary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)

    rebuilt = records(secondary).get(address)
    assert rebuilt is not None and rebuilt["state"] == "active"
    assert rebuilt["hardware"] == lab.mac_address(CLI)
    assert records(primary)[address]["ends"] == rebuilt["ends"]
    if PAIRINGS[pairing][1] == OURS:
        history = audit(secondary, address)
        assert history and history[0]["event"] == "PeerUpdateReceived", history


def _state(server: DhcpServer, address: str) -> str | None:
    return records(server).get(address, {}).get("state")
