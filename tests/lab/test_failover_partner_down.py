"""Partner-down, the survivor's day: one server of the tutorial pair is stopped; the
other is told its peer is down — by the operator (`leaseledger ctl partner-down`, when
the survivor is ours) or by `auto-partner-down 5` (ISC's statement, either side) — and
then, once the MCLT has passed, serves the whole pool: the peer's free half too.  The
peer comes back, resynchronises, and both servers end with the same records.

Per case about 50 s: the MCLT (30 s) is the wait before the peer's half may be used.
"""

from __future__ import annotations

import subprocess
import time

import pytest

from ops.lab.failover_pair import (
    AUTO_PRIMARY_CONF,
    AUTO_SECONDARY_CONF,
    BOTH_NORMAL,
    MCLT,
    PEER_NAME,
    POOL_SIZE,
    PRIMARY_CONF,
    SECONDARY_CONF,
)
from ops.lab.failover_runs import (
    ISC,
    OURS,
    load,
    records,
    restart,
    start_pair,
    wait_until_balanced,
)
from ops.lab.netns import SRV1, SRV1_ADDRESS, SRV2_ADDRESS, Lab
from ops.lab.servers import LEASELEDGER, DhcpServer

pytestmark = pytest.mark.lab

TO_PARTNER_DOWN = (rf"^failover peer {PEER_NAME}: I move from communications-interrupted"
                   r" to partner-down$")
# (primary, secondary, which one survives).  Ours with ours is the loopback test
# tests/integration/ops/test_serve_failover_pair.py (no lab needed).
BY_COMMAND = {
    "ours-primary+isc-secondary": (OURS, ISC, "primary"),
    "isc-primary+ours-secondary": (ISC, OURS, "secondary"),
}
BY_TIMER = {
    "isc-primary-survives+ours-secondary": (ISC, OURS, "primary"),
    "ours-primary-survives+isc-secondary": (OURS, ISC, "primary"),
}


@pytest.mark.parametrize("case", list(BY_COMMAND))
def test_the_operator_declares_the_peer_down_and_the_survivor_serves_the_whole_pool(
    lab: Lab, case: str
) -> None:
    survivor, peer = _pair(lab, BY_COMMAND[case], PRIMARY_CONF, SECONDARY_CONF)
    mark = survivor.process.output_mark()
    peer.process.stop()
    survivor.process.wait_for(
        rf"^failover peer {PEER_NAME}: I move from normal to communications-interrupted$",
        timeout=15, since=mark)

    down = subprocess.run([LEASELEDGER, "ctl", "-pf", str(survivor.pid_path), "partner-down",
                           PEER_NAME], capture_output=True, text=True, timeout=30,
                          check=False)
    assert down.returncode == 0, down.stderr
    survivor.process.wait_for(TO_PARTNER_DOWN, timeout=10, since=mark)

    _serve_the_whole_pool_then_resync(lab, survivor, peer, BY_COMMAND[case], mark)


@pytest.mark.parametrize("case", list(BY_TIMER))
def test_auto_partner_down_moves_the_survivor_by_itself(lab: Lab, case: str) -> None:
    survivor, peer = _pair(lab, BY_TIMER[case], AUTO_PRIMARY_CONF, AUTO_SECONDARY_CONF)
    mark = survivor.process.output_mark()
    peer.process.stop()

    survivor.process.wait_for(TO_PARTNER_DOWN, timeout=20, since=mark)

    _serve_the_whole_pool_then_resync(lab, survivor, peer, BY_TIMER[case], mark)


def _pair(lab: Lab, case: tuple, primary_conf: str,
          secondary_conf: str) -> tuple[DhcpServer, DhcpServer]:
    """(survivor, peer) of a fresh pair in normal."""
    primary, secondary = start_pair(lab, case[:2], primary_conf=primary_conf,
                                    secondary_conf=secondary_conf)
    wait_until_balanced(secondary)
    return (primary, secondary) if case[2] == "primary" else (secondary, primary)


def _serve_the_whole_pool_then_resync(lab: Lab, survivor: DhcpServer, peer: DhcpServer,
                                      case: tuple, mark: int) -> None:
    address = SRV1_ADDRESS if survivor.role == SRV1 else SRV2_ADDRESS
    # Right away only the survivor's own half (10) may be handed out.
    early = load(lab, address, first=0, count=POOL_SIZE // 2 + 2, name="early")
    assert len(early) == POOL_SIZE // 2, early
    time.sleep(MCLT + 2)
    late = load(lab, address, first=100, count=POOL_SIZE // 2, name="late")
    assert len(late) == POOL_SIZE // 2, late  # the peer's half, once the MCLT has passed
    given = {ip for _mac, ip in early + late}
    assert len(given) == POOL_SIZE

    peer = restart(lab, peer, case[1] if case[2] == "primary" else case[0])
    survivor.process.wait_for(BOTH_NORMAL, timeout=MCLT + 60, since=mark)
    time.sleep(2)
    # (The first leases, capped at the MCLT, may have run out by now: what matters is
    # that both servers hold the same record of every address given.)
    ours, theirs = records(survivor), records(peer)
    for ip in given:
        assert ip in theirs, ip
        assert (ours[ip]["state"], ours[ip]["ends"]) == (
            theirs[ip]["state"], theirs[ip]["ends"]), (ip, ours[ip], theirs[ip])
