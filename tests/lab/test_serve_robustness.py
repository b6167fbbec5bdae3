"""`leaseledger serve` under abuse: garbage on the wire, and SIGKILL in the middle of a load.

* A bounded burst of seeded garbage (random bytes, truncated and corrupted requests;
  ops/lab/probe_packets.py) from inside the client namespace must neither stop the
  server nor leave anything in the lease file that ISC dhcpd cannot read; a real
  client gets a lease afterwards.
* The promise that no DHCPACK leaves before its lease is on disk, tested the hard
  way: while perfdhcp loads the server, the lab's probe client records every ACK it
  receives; the server is killed with SIGKILL (no handler runs), restarted on the
  same lease file, and every recorded ACK must be in the lease table as an active
  lease of that MAC.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from ops.lab.clients import run_dhclient, run_perfdhcp
from ops.lab.lab_config import LAB_CONF
from ops.lab.lease_file_check import isc_complaints, lease_table
from ops.lab.netns import CLI, PERFDHCP_ADDRESS, PERFDHCP_INTERFACE, SRV1, SRV1_ADDRESS, Lab, run_ip
from ops.lab.probe_client import acked_leases, probe_argv
from ops.lab.processes import LabError, LabProcess
from ops.lab.servers import LEASELEDGER_SERVE, DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

GARBAGE_DATAGRAMS = 2000
# The probe client's relay address, beside perfdhcp's 10.0.0.5 on the same interface.
RECORDER_ADDRESS = "10.0.0.6"
ACKS_BEFORE_KILL = 150
_SECONDS = 20


def start_ours(lab: Lab) -> DhcpServer:
    return start_dhcpd(lab, SRV1, LAB_CONF, program=LEASELEDGER_SERVE)


def test_a_burst_of_garbage_neither_stops_nor_corrupts_the_server(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    server = start_ours(lab)

    burst = lab.start(CLI, probe_argv("burst", "--server", SRV1_ADDRESS,
                                      "--source", PERFDHCP_ADDRESS,
                                      "--count", str(GARBAGE_DATAGRAMS), "--seed", "4",
                                      "--request-range", "10.0.0.100", "10.0.0.199"),
                      label="burst")
    assert burst.wait_exit(_SECONDS) == 0, burst.output()
    assert burst.output().strip() == f"sent {GARBAGE_DATAGRAMS}"

    # A real client is served after the burst (the datagrams before it are handled).
    lease = run_dhclient(lab).lease
    server.process.wait_for(rf"^DHCPACK on {re.escape(lease.address)} to ", _SECONDS)
    assert server.process.is_running()
    output = server.process.output()
    assert "Traceback" not in output
    # Each dropped datagram is logged with its sender; most of the garbage is dropped.
    dropped = output.count(f"(from {PERFDHCP_ADDRESS}:")
    assert GARBAGE_DATAGRAMS // 4 <= dropped <= GARBAGE_DATAGRAMS
    # Some garbage asked for an address of the range and got it, odd names and all:
    # ISC dhcpd must still read every record.
    assert len(re.findall(r"^DHCPACK on ", output, re.MULTILINE)) > 1
    assert isc_complaints(server.config_path, server.lease_path, lab.workdir / "isc") == []


def test_every_ack_sent_before_a_sigkill_is_in_the_lease_table_after_restart(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("perfdhcp")
    server = start_ours(lab)
    run_ip("-n", lab.namespace(CLI), "addr", "add", f"{RECORDER_ADDRESS}/24",
           "dev", PERFDHCP_INTERFACE)

    with ThreadPoolExecutor(max_workers=1) as background:
        # perfdhcp keeps the committer's batches full while the recorder runs.
        load = background.submit(run_perfdhcp, lab, rate=300, seconds=4,
                                 server=SRV1_ADDRESS)
        recorder = lab.start(CLI, probe_argv("load", "--server", SRV1_ADDRESS,
                                             "--relay", RECORDER_ADDRESS, "--count", "5000",
                                             "--seconds", "15", "--wait", "0.3",
                                             "--misses", "2"),
                             label="recorder")
        wait_for_acks(recorder, ACKS_BEFORE_KILL)

        assert server.process.kill() == -9

        assert recorder.wait_exit(_SECONDS) == 0, recorder.output()
        stats = load.result(timeout=_SECONDS).stats
    recorded = acked_leases(recorder.output())
    assert len(recorded) >= ACKS_BEFORE_KILL
    assert stats.completed_exchanges > 0

    restarted = start_ours(lab)

    table = {row["ip"]: row for row in lease_table(restarted.config_path, restarted.lease_path)}
    lost = [(mac, address) for mac, address in recorded
            if (table.get(address, {}).get("state"), table.get(address, {}).get("hardware"))
            != ("active", mac)]
    assert lost == []
    assert isc_complaints(restarted.config_path, restarted.lease_path,
                          lab.workdir / "isc") == []
    # And it serves again.
    again = lab.start(CLI, probe_argv("load", "--server", SRV1_ADDRESS, "--relay",
                                      RECORDER_ADDRESS, "--count", "1"), label="after")
    assert again.wait_exit(_SECONDS) == 0
    assert len(acked_leases(again.output())) == 1


def wait_for_acks(recorder: LabProcess, count: int) -> None:
    """Return once the recorder has printed `count` ACKs; LabError after _SECONDS."""
    deadline = time.monotonic() + _SECONDS
    while len(acked_leases(recorder.output())) < count:
        if time.monotonic() > deadline or not recorder.is_running():
            raise LabError(f"the recorder printed fewer than {count} ACKs:\n"
                           f"{recorder.output()[-2000:]}")
        time.sleep(0.02)
