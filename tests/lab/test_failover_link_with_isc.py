"""Our failover link against a live ISC dhcpd 4.4: ISC is the primary in srv1, our
link (`python -m ops.failover_link_probe`, no DHCP side, no lease store) the secondary
in srv2.  Both walk recover → recover-done → normal, log it in the same words, and the
link stays up past ISC's max-response-delay on CONTACTs alone.  ISC's pool-balancing
BNDUPDs are acknowledged by the probe without being stored (it has no lease store yet).
The module takes about 20 s, most of it the wait past max-response-delay.
"""

from __future__ import annotations

import re
import sys
import time
from pathlib import Path

import pytest

from ops.lab.lease_file_check import last_record
from ops.lab.netns import SRV1, SRV1_ADDRESS, SRV2, SRV2_ADDRESS, Lab
from ops.lab.servers import start_dhcpd

pytestmark = pytest.mark.lab

MAX_RESPONSE_DELAY = 10
ISC_PRIMARY_CONF = f"""\
authoritative;
ping-check false;
default-lease-time 120;
max-lease-time 300;
failover peer "fo" {{
  primary;
  address {SRV1_ADDRESS};
  port 647;
  peer address {SRV2_ADDRESS};
  peer port 647;
  max-response-delay {MAX_RESPONSE_DELAY};
  max-unacked-updates 10;
  mclt 30;
  split 128;
  load balance max seconds 3;
}}
subnet 10.0.0.0 netmask 255.255.255.0 {{
  pool {{
    failover peer "fo";
    range 10.0.0.100 10.0.0.109;
  }}
}}
"""
# The repository root, so the probe imports this checkout inside the namespace.
SOURCE_ROOT = str(Path(__file__).resolve().parents[2])
PROBE = [sys.executable, "-m", "ops.failover_link_probe", "--name", "fo",
         "--role", "secondary", "--address", SRV2_ADDRESS, "--peer-address", SRV1_ADDRESS,
         "--max-response-delay", str(MAX_RESPONSE_DELAY)]
# What both sides log on the way to normal (ISC's lines, spec failover §6.7, §6.8).
SHARED_LINES = (
    "failover peer fo: peer moves from unknown-state to recover",
    "failover peer fo: I move from startup to recover",
    "failover peer fo: I move from recover to recover-done",
    "failover peer fo: peer moves from recover to recover-done",
    "Both servers have entered recover-done!",
    "failover peer fo: Both servers normal",
)


def test_isc_primary_and_our_secondary_reach_normal_and_stay_there(lab: Lab) -> None:
    isc = start_dhcpd(lab, SRV1, ISC_PRIMARY_CONF)
    probe = lab.start(SRV2, PROBE, label="probe", env={"PYTHONPATH": SOURCE_ROOT})

    isc.process.wait_for(r"^failover peer fo: Both servers normal$", timeout=20)
    probe.wait_for(r"^failover peer fo: Both servers normal$", timeout=5)
    normal_at = isc.process.output_mark()
    # Longer than ISC's max-response-delay: only our CONTACTs keep the link alive.
    time.sleep(MAX_RESPONSE_DELAY + 2)

    isc_log, probe_log = isc.process.output(), probe.output()
    for line in SHARED_LINES:
        assert re.search(rf"^{re.escape(line)}$", isc_log, re.MULTILINE), line
        assert re.search(rf"^{re.escape(line)}$", probe_log, re.MULTILINE), line
    assert "failover peer fo: peer moves from recover-done to normal" in isc_log
    assert "failover peer fo: I move from recover-done to normal" in probe_log
    after_normal = isc_log[normal_at:]
    for trouble in ("I move from normal", "timeout waiting", "disconnected", "rejected"):
        assert trouble not in after_normal, after_normal
    assert probe.is_running()
    # ISC balanced the pool and took our BNDACKs: its last record of each address it
    # handed over is backup with tsfp set (acknowledged, spec §11).
    backups = [
        block for address in range(100, 110)
        if (block := last_record(isc.leases_text(), f"10.0.0.{address}")) is not None
        and "binding state backup;" in block
    ]
    assert len(backups) == 5
    assert all("tsfp " in block for block in backups)
    assert "BNDUPD for 10.0.0.100 acknowledged, not stored" in probe_log

    assert probe.stop() == 0

    assert "probe stopped" in probe.output()
    isc.process.wait_for(
        r"^failover peer fo: I move from normal to communications-interrupted$", timeout=5,
        since=normal_at)
    assert "peer fo: disconnected" in isc.process.output()[normal_at:]
