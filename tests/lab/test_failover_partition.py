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
    PEER_NAME,
)
from ops.lab.failover_runs import PAIRINGS, load, records, start_pair, wait_until_balanced
from ops.lab.netns import SRV1_ADDRESS, SRV2_ADDRESS, Lab

pytestmark = pytest.mark.lab

# No ISC+ISC reference here: the partition (ops/lab/partition.py) makes a connect()
# fail at once, and ISC retries such a failure only after 90 s (failover.c
# `dhcp_failover_reconnect`), so two ISC servers take minutes to find each other again.
WITH_OURS = {name: programs for name, programs in PAIRINGS.items() if name != "isc+isc"}
PARTNER_DOWN = (rf"^failover peer {PEER_NAME}: I move from communications-interrupted"
                r" to partner-down$")
CONFLICT = rf"^failover peer {PEER_NAME}: I move from partner-down to potential-conflict$"


@pytest.mark.parametrize("pairing", list(WITH_OURS))
def test_after_a_partition_the_pair_resolves_the_conflict_and_agrees(
    lab: Lab, pairing: str
) -> None:
    primary, secondary = start_pair(lab, WITH_OURS[pairing], primary_conf=AUTO_PRIMARY_CONF,
                                    secondary_conf=AUTO_SECONDARY_CONF)
    wait_until_balanced(secondary)
    marks = {server: server.process.output_mark() for server in (primary, secondary)}

    partition.cut(lab)
    wait = MAX_RESPONSE_DELAY + AUTO_PARTNER_DOWN + 15
    for server in (primary, secondary):
        server.process.wait_for(PARTNER_DOWN, timeout=wait, since=marks[server])
    # Both serve while apart (each from its own half: the MCLT has not passed).
    given = load(lab, SRV1_ADDRESS, first=0, count=4, name="to-primary")
    given += load(lab, SRV2_ADDRESS, first=50, count=4, name="to-secondary")
    assert len(given) == 8
    assert len({ip for _mac, ip in given}) == 8  # apart, still no address given twice

    partition.heal(lab)
    for server in (primary, secondary):
        server.process.wait_for(CONFLICT, timeout=30, since=marks[server])
    for server in (primary, secondary):
        server.process.wait_for(BOTH_NORMAL, timeout=60, since=marks[server])

    first, second = records(primary), records(secondary)
    for _mac, ip in given:
        assert ip in first and ip in second, ip
        assert (first[ip]["state"], first[ip]["hardware"], first[ip]["ends"]) == (
            second[ip]["state"], second[ip]["hardware"], second[ip]["ends"]), ip
