"""A resynchronisation cut short: the recovering secondary dies (SIGKILL) while the
primary is still sending it every lease, and starts again on what it had written.

The primary is in partner-down (its peer is recovering), where losing the link changes
no state; the BNDUPDs that were in flight on the dead connection can never be
acknowledged.  Our primary puts them back on its queue when the link goes, so the
restarted secondary's UPDREQALL is answered to the end: `peer update completed.` and
every lease in its file, with ISC dhcpd and with us as that secondary.

The same holds when a partition, not a crash, cuts the update short: our primary drops
the silent link after its max-response-delay and resends what was in flight once the
network is back.

An ISC primary keeps them on its ack queue: its window stays full, it sends nothing
more, and the secondary waits in recover.  Ours cannot unstick it, but says so in its
log once no update came for twice the max-response-delay, naming the remedy (restart
the peer), which then works.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from datetime import UTC, datetime

import pytest

from ops.lab import partition
from ops.lab.failover_bench_pair import (
    UPDATE_COMPLETED,
    active_addresses,
    active_lease_file,
    pair_configs,
)
from ops.lab.failover_runs import ISC, OURS, restart
from ops.lab.netns import SRV1, SRV2, Lab
from ops.lab.servers import DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

LEASES = 20000
POOL = 20478
MCLT = 30
MAX_RESPONSE_DELAY = 10  # pair_configs'
KILL_AT_BYTES = 400_000  # the secondary's file has some leases: the update is under way
START_SECONDS = 60


STALLED = (r"^failover peer dhcp-failover: no binding update from the peer for 20 seconds"
           r" while waiting for the update requested; .*: restart the peer$")


@pytest.mark.parametrize("secondary_program", [ISC, OURS], ids=["isc-secondary", "ours-secondary"])
def test_a_secondary_killed_during_its_update_gets_every_lease_after_its_restart(
    lab: Lab, secondary_program: Sequence[str]
) -> None:
    primary, secondary = _update_cut_short(lab, OURS, secondary_program)
    mark = primary.process.output_mark()

    secondary = restart(lab, secondary, secondary_program)
    secondary.process.wait_for(UPDATE_COMPLETED, timeout=60)

    assert active_addresses(secondary.leases_text()) == LEASES
    primary.process.wait_for(
        r"^Update request all from dhcp-failover: sending update$", timeout=5, since=mark)


def test_a_partition_during_the_update_ends_with_every_lease_once_healed(lab: Lab) -> None:
    primary, secondary = _update_started(lab, OURS, ISC)
    partition.cut(lab)
    try:
        primary.process.wait_for(r"^timeout waiting for failover peer dhcp-failover$",
                                 timeout=MAX_RESPONSE_DELAY + 10)
    finally:
        partition.heal(lab)
    secondary.process.wait_for(UPDATE_COMPLETED, timeout=60)

    assert active_addresses(secondary.leases_text()) == LEASES


def test_our_secondary_names_a_stalled_isc_primary_and_its_restart_ends_the_stall(
    lab: Lab,
) -> None:
    primary, secondary = _update_cut_short(lab, ISC, OURS)

    secondary = restart(lab, secondary, OURS)
    secondary.process.wait_for(STALLED, timeout=40)
    assert active_addresses(secondary.leases_text()) < LEASES  # still in recover

    primary.process.stop()
    primary = restart(lab, primary, ISC)
    secondary.process.wait_for(UPDATE_COMPLETED, timeout=60)
    assert active_addresses(secondary.leases_text()) == LEASES


def _update_cut_short(lab: Lab, primary_program: Sequence[str],
                      secondary_program: Sequence[str]) -> tuple[DhcpServer, DhcpServer]:
    """A primary with LEASES active leases and a fresh secondary, killed (SIGKILL)
    once the primary's update has brought it some of them."""
    primary, secondary = _update_started(lab, primary_program, secondary_program)
    secondary.process.kill()
    kept = active_addresses(secondary.leases_text())
    assert 0 < kept < LEASES, f"killed with {kept} leases: not during the update"
    return primary, secondary


def _update_started(lab: Lab, primary_program: Sequence[str],
                    secondary_program: Sequence[str]) -> tuple[DhcpServer, DhcpServer]:
    """A primary with LEASES active leases and a fresh secondary that has received
    some of them (the update is under way)."""
    primary_conf, secondary_conf = pair_configs(POOL, mclt=MCLT)
    folder = lab.workdir / "primary"
    folder.mkdir(parents=True)
    (folder / "dhcpd.leases").write_text(
        active_lease_file(LEASES, datetime.now(UTC), mclt=MCLT), encoding="utf-8")
    primary = start_dhcpd(lab, SRV1, primary_conf, name="primary", program=primary_program,
                          timeout=START_SECONDS)
    secondary = start_dhcpd(lab, SRV2, secondary_conf, name="secondary",
                            program=secondary_program, timeout=START_SECONDS)
    deadline = time.monotonic() + 30
    while secondary.lease_path.stat().st_size < KILL_AT_BYTES:
        assert time.monotonic() < deadline, "the update never started"
        time.sleep(0.005)
    return primary, secondary
