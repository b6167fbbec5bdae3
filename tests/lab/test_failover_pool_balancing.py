"""Pool balancing on the timer and by POOLREQ, in every pairing: the secondary hands
out every address of its backup half; the pair then rebalances (the primary's
balance timer moves free leases to backup, or the secondary's POOLREQ asks for them)
and the secondary has backup leases again.  `min-balance 5; max-balance 15;` keep the
timers short.  About 40 s per pairing."""

from __future__ import annotations

import pytest

from ops.lab.failover_pair import (
    POOL_SIZE,
    QUICK_BALANCE_PRIMARY_CONF,
    QUICK_BALANCE_SECONDARY_CONF,
)
from ops.lab.failover_runs import (
    PAIRINGS,
    eventually,
    load,
    pool_counts,
    start_pair,
    wait_until_balanced,
)
from ops.lab.netns import SRV2_ADDRESS, Lab

pytestmark = pytest.mark.lab


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_a_secondary_that_ran_out_gets_backup_leases_again(lab: Lab, pairing: str) -> None:
    primary, secondary = start_pair(lab, PAIRINGS[pairing],
                                    primary_conf=QUICK_BALANCE_PRIMARY_CONF,
                                    secondary_conf=QUICK_BALANCE_SECONDARY_CONF)
    wait_until_balanced(secondary)
    mark = primary.process.output_mark()

    # Clients that waited past `load balance max seconds`: the secondary answers all.
    given = load(lab, SRV2_ADDRESS, first=0, count=POOL_SIZE // 2 + 1, name="load", secs=10)
    assert len(given) == POOL_SIZE // 2

    # The primary rebalances (its timer, or the secondary's POOLREQ) and the secondary
    # holds backup leases again.
    primary.process.wait_for(r"^balancing pool ", timeout=60, since=mark)
    assert eventually(lambda: pool_counts(secondary, POOL_SIZE)[1] > 0, seconds=30), (
        pool_counts(secondary, POOL_SIZE))
    free, backup = pool_counts(primary, POOL_SIZE)
    assert backup > 0 and free + backup == POOL_SIZE // 2
