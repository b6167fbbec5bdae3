"""Load balancing between the two servers of a pair, in every pairing: perfdhcp
(hundreds of MACs, as a relay) broadcasts to both; with split 128 roughly half the
clients are answered by each server, and the one that answers each MAC is the one
RFC 3074's hash (as ISC computes it) gives it.  A hand-written `hba` bitmap works as
split does: with one giving the primary every third bucket, it answers about a third
of the clients, each one the bitmap names (the secondary learns the bitmap from the
primary's CONNECT).  About 30 s per run (the primary first hands the secondary half
of a 1,000-address pool)."""

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
# Bucket b is the primary's when bit b & 7 of octet b >> 3 is set (failover.c
# `load_balance_mine`): here every third bucket, 86 of 256.
THIRD_HBA = bytes(sum(1 << bit for bit in range(8) if (octet * 8 + bit) % 3 == 0)
                  for octet in range(32))
SPLIT_LINE = "  split 128;\n"


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_each_client_is_answered_by_the_server_its_hash_names(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("perfdhcp")
    served = _served_by_each(lab, pairing, LOAD_PRIMARY_CONF)
    _check_shares(served, HBA, primary_share=(0.3, 0.7))


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_hand_written_hba_bitmap_decides_as_split_does(
    lab: Lab, pairing: str, require_tool
) -> None:
    require_tool("perfdhcp")
    assert SPLIT_LINE in LOAD_PRIMARY_CONF
    bitmap = ":".join(f"{octet:02x}" for octet in THIRD_HBA)
    served = _served_by_each(lab, pairing,
                             LOAD_PRIMARY_CONF.replace(SPLIT_LINE, f"  hba {bitmap};\n"))
    _check_shares(served, THIRD_HBA, primary_share=(0.2, 0.47))


def _served_by_each(lab: Lab, pairing: str, primary_conf: str) -> dict[str, set[str]]:
    """The MACs each server offered to, after a perfdhcp run broadcast to both."""
    primary, secondary = start_pair(lab, PAIRINGS[pairing], primary_conf=primary_conf,
                                    secondary_conf=LOAD_SECONDARY_CONF)
    assert eventually(lambda: pool_counts(secondary, LOAD_POOL_SIZE)[1]
                      >= LOAD_POOL_SIZE // 2 - 10, seconds=30)

    run = run_perfdhcp(lab, rate=50, seconds=4, clients=400)

    assert run.stats.completion_ratio > 0.9, run.output[-2000:]
    return {"primary": _offered(primary), "secondary": _offered(secondary)}


def _check_shares(served: dict[str, set[str]], hba: bytes,
                  primary_share: tuple[float, float]) -> None:
    """No client answered by both, the primary's share in range, and every MAC
    answered by the server the hash of its client identifier names."""
    both = served["primary"] | served["secondary"]
    assert len(both) >= 150
    assert not served["primary"] & served["secondary"]
    low, high = primary_share
    assert low < len(served["primary"]) / len(both) < high, (len(served["primary"]), len(both))
    for role, macs in served.items():
        wanted = Role.PRIMARY if role == "primary" else Role.SECONDARY
        # perfdhcp sends a client identifier (01 + MAC): that is what is hashed.
        wrong = [mac for mac in macs
                 if not load_balance_mine(b"\x01" + bytes.fromhex(mac.replace(":", "")),
                                          hba, 0, 3, wanted)]
        assert wrong == [], (role, wrong[:5])


def _offered(server: DhcpServer) -> set[str]:
    return {mac for address, mac in OFFER.findall(server.process.output())
            if address.startswith("10.2.")}
