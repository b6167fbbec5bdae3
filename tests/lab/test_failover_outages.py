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

import json
import subprocess
import time

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.failover_pair import BOTH_NORMAL, MCLT, PRIMARY_CONF, SECONDARY_CONF
from ops.lab.lease_file_check import lease_table
from ops.lab.netns import CLI, SRV1, SRV2, Lab
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
INTERRUPTED = r"^failover peer dhcp-failover: I move from normal to communications-interrupted$"


def start_pair(lab: Lab, pairing: str) -> tuple[DhcpServer, DhcpServer]:
    primary_program, secondary_program = PAIRINGS[pairing]
    primary = start_dhcpd(lab, SRV1, PRIMARY_CONF, name="dhcp1", program=primary_program)
    secondary = start_dhcpd(lab, SRV2, SECONDARY_CONF, name="dhcp2", program=secondary_program)
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)
    secondary.process.wait_for(BOTH_NORMAL, timeout=10)
    return primary, secondary


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_the_primary_serves_alone_and_the_returning_secondary_catches_up(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("dhclient")
    primary, secondary = start_pair(lab, pairing)
    mark = primary.process.output_mark()

    secondary.process.stop()
    primary.process.wait_for(INTERRUPTED, timeout=15, since=mark)
    client = run_dhclient(lab, timeout=30)
    assert _state(primary, client.lease.address) == "active"

    secondary = start_dhcpd(lab, SRV2, SECONDARY_CONF, name="dhcp2",
                            program=PAIRINGS[pairing][1])
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40, since=mark)
    assert _eventually(lambda: _state(secondary, client.lease.address) == "active")
    assert _ends(primary, client.lease.address) == _ends(secondary, client.lease.address)


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_secondary_that_lost_its_lease_file_rebuilds_it_from_the_primary(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("dhclient")
    primary, secondary = start_pair(lab, pairing)
    client = run_dhclient(lab, timeout=30)
    address = client.lease.address
    assert _eventually(lambda: _state(secondary, address) == "active")

    secondary.process.stop()
    secondary.lease_path.unlink()
    secondary = start_dhcpd(lab, SRV2, SECONDARY_CONF, name="dhcp2",
                            program=PAIRINGS[pairing][1])
    secondary.process.wait_for(r"^failover peer dhcp-failover: peer update completed\.$",
                               timeout=30)
    secondary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)

    assert _state(secondary, address) == "active"
    row = _row(secondary, address)
    assert row is not None and row["hardware"] == lab.mac_address(CLI)
    assert _ends(primary, address) == _ends(secondary, address)
    if PAIRINGS[pairing][1] == OURS:
        history = _audit(secondary, address)
        assert history and history[0]["event"] == "PeerUpdateReceived", history


def _row(server: DhcpServer, address: str) -> dict[str, str] | None:
    for row in lease_table(server.config_path, server.lease_path):
        if row["ip"] == address:
            return row
    return None


def _state(server: DhcpServer, address: str) -> str | None:
    row = _row(server, address)
    return row["state"] if row else None


def _ends(server: DhcpServer, address: str) -> str | None:
    row = _row(server, address)
    return row["ends"] if row else None


def _audit(server: DhcpServer, address: str) -> list[dict[str, str]]:
    finished = subprocess.run(
        [LEASELEDGER, "audit", "--json", "-cf", str(server.config_path),
         "-lf", str(server.lease_path), address],
        capture_output=True, text=True, timeout=60, check=True)
    return json.loads(finished.stdout)


def _eventually(check, seconds: float = 15.0) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if check():
            return True
        time.sleep(0.5)
    return bool(check())
