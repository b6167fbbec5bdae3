"""A partition between the two servers (they reach their clients, not each other),
with ISC dhcpd in either role and ours with ours: both move to
communications-interrupted, then by `auto-partner-down` to partner-down, and each
serves new clients meanwhile.  When the network heals, both see a peer in
partner-down, move to potential-conflict, resolve it (UPDREQ, updates, UPDDONE,
conflict-done) and return to normal -- and no address ends up bound to two clients:
both servers hold the same record of every address.  About 40 s per pairing.
"""

from __future__ import annotations

import pytest

from ops.lab import partition
from ops.lab.failover_pair import (
    AUTO_PARTNER_DOWN,
    AUTO_PRIMARY_CONF,
    AUTO_SECONDARY_CONF,
    BOTH_NORMAL,
    MAX_RESPONSE_DELAY,
    MCLT,
    PEER_NAME,
)
from ops.lab.lease_file_check import lease_table
from ops.lab.netns import CLI, PERFDHCP_ADDRESS, SRV1, SRV1_ADDRESS, SRV2, SRV2_ADDRESS, Lab
from ops.lab.probe_client import acked_leases, probe_argv
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

ISC = (DHCPD,)
OURS = LEASELEDGER_SERVE
# No ISC+ISC reference here: the partition (ops/lab/partition.py) makes a connect()
# fail at once, and ISC retries such a failure only after 90 s (failover.c
# `dhcp_failover_reconnect`), so two ISC servers take minutes to find each other again.
PAIRINGS = {
    "isc-primary+ours-secondary": (ISC, OURS),
    "ours-primary+isc-secondary": (OURS, ISC),
    "ours+ours": (OURS, OURS),
}
PARTNER_DOWN = (rf"^failover peer {PEER_NAME}: I move from communications-interrupted"
                r" to partner-down$")
CONFLICT = rf"^failover peer {PEER_NAME}: I move from partner-down to potential-conflict$"


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_after_a_partition_the_pair_resolves_the_conflict_and_agrees(
    lab: Lab, pairing: str
) -> None:
    primary = start_dhcpd(lab, SRV1, AUTO_PRIMARY_CONF, name="dhcp1",
                          program=PAIRINGS[pairing][0])
    secondary = start_dhcpd(lab, SRV2, AUTO_SECONDARY_CONF, name="dhcp2",
                            program=PAIRINGS[pairing][1])
    primary.process.wait_for(BOTH_NORMAL, timeout=MCLT + 40)
    secondary.process.wait_for(BOTH_NORMAL, timeout=10)
    marks = {server: server.process.output_mark() for server in (primary, secondary)}

    partition.cut(lab)
    wait = MAX_RESPONSE_DELAY + AUTO_PARTNER_DOWN + 15
    for server in (primary, secondary):
        server.process.wait_for(PARTNER_DOWN, timeout=wait, since=marks[server])
    # Both serve while apart (each from its own half: the MCLT has not passed).
    given = _load(lab, SRV1_ADDRESS, first=0, name="to-primary")
    given += _load(lab, SRV2_ADDRESS, first=50, name="to-secondary")
    assert len(given) == 8
    assert len({ip for _mac, ip in given}) == 8  # apart, still no address given twice

    partition.heal(lab)
    for server in (primary, secondary):
        server.process.wait_for(CONFLICT, timeout=30, since=marks[server])
    for server in (primary, secondary):
        server.process.wait_for(BOTH_NORMAL, timeout=60, since=marks[server])

    first, second = _records(primary), _records(secondary)
    for _mac, ip in given:
        assert ip in first and ip in second, ip
        assert (first[ip]["state"], first[ip]["hardware"], first[ip]["ends"]) == (
            second[ip]["state"], second[ip]["hardware"], second[ip]["ends"]), ip


def _load(lab: Lab, server: str, *, first: int, name: str) -> list[tuple]:
    client = lab.start(CLI, probe_argv("load", "--server", server, "--relay", PERFDHCP_ADDRESS,
                                       "--link", "10.0.0.1", "--first", str(first),
                                       "--count", "4", "--wait", "1", "--misses", "2",
                                       "--seconds", "30"),
                       label=name)
    assert client.wait_exit(45) == 0, client.output()
    return acked_leases(client.output())


def _records(server: DhcpServer) -> dict[str, dict[str, str]]:
    return {row["ip"]: row for row in lease_table(server.config_path, server.lease_path)}
