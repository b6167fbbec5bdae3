"""max-unacked-updates that differ between the servers, against a live ISC dhcpd.

ISC acknowledges a peer's BNDUPDs once half of the *peer's* max-unacked-updates are
pending, or after 2 seconds; a peer whose own window is under that half never gets
there, and its updates crawl (two ISC servers do it too: see
domain/failover/update_watch.py).  Our server names the mismatch when the link comes up
with an ISC peer, and the remedy.
"""

from __future__ import annotations

import pytest

from ops.lab.failover_bench_pair import pair_configs
from ops.lab.failover_runs import ISC, OURS
from ops.lab.netns import SRV1, SRV2, Lab
from ops.lab.servers import start_dhcpd

pytestmark = pytest.mark.lab

CRAWL = (r"^failover peer dhcp-failover: its max-unacked-updates \(10\) is under half of"
         r" ours \(100\): ISC dhcpd acknowledges our updates only when 50 are pending or"
         r" after 2 seconds, so they will crawl; give both servers the same"
         r" max-unacked-updates$")


def test_our_primary_names_an_isc_secondarys_window_under_half_its_own(lab: Lab) -> None:
    primary_conf, secondary_conf = pair_configs(200, mclt=30)
    primary_conf = primary_conf.replace("max-unacked-updates 10;", "max-unacked-updates 100;")
    primary = start_dhcpd(lab, SRV1, primary_conf, name="primary", program=OURS)
    start_dhcpd(lab, SRV2, secondary_conf, name="secondary", program=ISC)

    primary.process.wait_for(CRAWL, timeout=30)


def test_no_such_line_when_the_windows_are_equal(lab: Lab) -> None:
    primary_conf, secondary_conf = pair_configs(200, mclt=30)
    primary = start_dhcpd(lab, SRV1, primary_conf, name="primary", program=OURS)
    start_dhcpd(lab, SRV2, secondary_conf, name="secondary", program=ISC)

    primary.process.wait_for(r"^failover peer dhcp-failover: peer moves from", timeout=30)
    assert "max-unacked-updates" not in primary.process.output()
