"""Load balancing between the two servers of a pair, in every pairing: perfdhcp
(hundreds of MACs, as a relay) broadcasts to both; with split 128 roughly half the
clients are answered by each server, and the one that answers each MAC is the one
RFC 3074's hash (as ISC computes it) gives it.  About 30 s per pairing (the primary
first hands the secondary half of a 1,000-address pool)."""

from __future__ import annotations

import re

import pytest

from domain.config.checks import hba_from_split
from domain.failover.rules import load_balance_mine
from domain.failover.states import Role
from ops.lab.clients import run_perfdhcp
from ops.lab.failover_pair import LOAD_POOL_SIZE, LOAD_PRIMARY_CONF, LOAD_SECONDARY_CONF
from ops.lab.failover_runs import PAIRINGS, eventually, pool_counts, start_pair
from ops.lab.netns import Lab
from ops.lab.servers import DhcpServer

pytestmark = pytest.mark.lab

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
    primary, secondary = start_pair(lab, PAIRINGS[pairing], primary_conf=LOAD_PRIMARY_CONF,
                                    secondary_conf=LOAD_SECONDARY_CONF)
    assert eventually(lambda: pool_counts(secondary, LOAD_POOL_SIZE)[1]
                      >= LOAD_POOL_SIZE // 2 - 10, seconds=30)

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
