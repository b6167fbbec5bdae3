"""`on expiry` in a failover pool, in every pairing (two ISC servers first, as the
reference): each server ACKs two clients (past `load balance max seconds`, so the
server asked answers), their 5-second leases run out, and the expiry body runs once
per lease, on the server that ACKed it (the other never had the body: failover does
not carry it), when the lease goes from expired to free or backup.  About 20 s per
pairing."""

from __future__ import annotations

import pytest

from ops.lab.failover_pair import PRIMARY_CONF, SECONDARY_CONF
from ops.lab.failover_runs import PAIRINGS, load, start_pair
from ops.lab.netns import SRV1_ADDRESS, SRV2_ADDRESS, Lab

pytestmark = pytest.mark.lab

LEASE_SECONDS = 5
_BODY = """    on expiry {
      log(info, concat("expired ", binary-to-ascii(10, 8, ".", leased-address)));
    }
    range 10.0.0.100 10.0.0.119;"""


def _with_body(conf: str) -> str:
    conf = conf.replace("default-lease-time 600;", f"default-lease-time {LEASE_SECONDS};")
    conf = conf.replace("max-lease-time 1200;", f"max-lease-time {LEASE_SECONDS};")
    assert "    range 10.0.0.100 10.0.0.119;" in conf
    return conf.replace("    range 10.0.0.100 10.0.0.119;", _BODY)


@pytest.mark.parametrize("pairing", list(PAIRINGS))
def test_the_expiry_body_runs_once_on_the_server_that_acked_the_lease(
    lab: Lab, pairing: str
) -> None:
    primary, secondary = start_pair(lab, PAIRINGS[pairing],
                                    primary_conf=_with_body(PRIMARY_CONF),
                                    secondary_conf=_with_body(SECONDARY_CONF))
    by_primary = [address for _mac, address in
                  load(lab, SRV1_ADDRESS, first=0, count=2, name="to-primary", secs=10)]
    by_secondary = [address for _mac, address in
                    load(lab, SRV2_ADDRESS, first=20, count=2, name="to-secondary", secs=10)]
    assert len(by_primary) == len(by_secondary) == 2
    for acked, server in ((by_primary, primary), (by_secondary, secondary)):
        for address in acked:
            server.process.wait_for(rf"^expired {address.replace('.', '[.]')}$",
                                    timeout=LEASE_SECONDS + 30)
    for server, acked in ((primary, by_primary), (secondary, by_secondary)):
        expired = sorted(line.removeprefix("expired ")
                         for line in server.process.output().splitlines()
                         if line.startswith("expired "))
        assert expired == sorted(acked), (server.role, expired)
