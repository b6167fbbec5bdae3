"""`leaseledger demo`: the main job — a failover pair's day — with nothing of the user's.

It checks the bundled example configurations, then runs the tutorial's failover pair
(`ops/examples/demo-pair`: the pair of `ops/examples/failover` fitted to loopback with
short timers) as two `leaseledger serve` processes on unprivileged loopback ports, so
no root, no configuration and no network are needed, and takes it through what
failover is for (`ops/demo_story.py`): clients through a relay agent answered by both
servers, the secondary down and back, the secondary's lease file lost and rebuilt from
the primary.  The servers' files stay in a folder printed at the end.
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

from adapters.dhcpdconf.reader import read_config
from ops.demo_pair import DemoServer, DemoStopped, LogJournal, busy_ports
from ops.demo_story import (
    FIRST_CLIENTS,
    RELAY,
    Story,
    final_state,
    heading,
    lease_clients,
    secondary_down_and_back,
    secondary_rebuilt,
    start_pair,
)

REPO_ROOT = Path(__file__).resolve().parent.parent
PAIR = "ops/examples/demo-pair"
EXAMPLES = (
    f"{PAIR}/primary.conf",
    f"{PAIR}/secondary.conf",
    "ops/examples/failover/primary.conf",
    "ops/examples/failover/secondary.conf",
    "ops/examples/known-unknown/dhcpd.conf",
)
DHCP_PORTS = {"dhcp1": 16767, "dhcp2": 16768}
FAILOVER_PORTS = (16847, 16848)  # as written in the demo-pair configurations
FAILURE_LINES = 15


def check_examples() -> bool:
    """`leaseledger check` of every bundled example, one verdict line each."""
    heading("Check the bundled example configurations")
    ok = True
    for path in EXAMPLES:
        result = read_config(path)
        print(f"$ leaseledger check -q -cf {path}")
        for line in result.output_lines() if not result.ok else ():
            print(line)
        ok = ok and result.ok
    if ok:
        print(f"-- all {len(EXAMPLES)} valid")
    return ok


def ports_in_use() -> list[str]:
    udp = [(address, port) for port in DHCP_PORTS.values()
           for address in ("127.0.0.1", RELAY)]
    return busy_ports(udp, [("127.0.0.1", port) for port in FAILOVER_PORTS])


def tell_failure(story: Story, error: DemoStopped) -> None:
    """A server did not do its part: say so, with each server's last lines."""
    print(f"\nleaseledger demo: STOPPED: {error}")
    for server in story.servers:
        lines = [line for label, line in story.journal.since(0) if label == server.label]
        print(f"-- {server.label}'s last {FAILURE_LINES} log lines "
              f"({story.shown(str(server.log))}):")
        for line in lines[-FAILURE_LINES:]:
            print(f"[{server.label}] {story.shown(line)}")


def run_story(folder: Path) -> int:
    with LogJournal() as journal:
        story = Story(
            primary=DemoServer("dhcp1", f"{PAIR}/primary.conf", DHCP_PORTS["dhcp1"],
                               folder / "dhcp1", journal),
            secondary=DemoServer("dhcp2", f"{PAIR}/secondary.conf", DHCP_PORTS["dhcp2"],
                                 folder / "dhcp2", journal),
            journal=journal, folder=folder,
        )
        try:
            start_pair(story)
            lease_clients(story, FIRST_CLIENTS,
                          f"{FIRST_CLIENTS} clients through a relay agent ({RELAY}) "
                          "that forwards each DISCOVER to both servers")
            secondary_down_and_back(story)
            secondary_rebuilt(story)
            final_state(story)
            status = 0
        except DemoStopped as error:
            tell_failure(story, error)
            status = 1
        finally:
            heading("Stop both servers (SIGTERM to each PID)")
            for server in story.servers:
                if server.running():
                    print(f"-- {server.label} (PID {server.pid}) exits with status "
                          f"{server.stop()}")
    return status


def run(_args: argparse.Namespace) -> int:
    # The examples include each other by paths relative to the repository root, and
    # dhcpd (and leaseledger) resolve a relative `include` against the working directory.
    os.chdir(REPO_ROOT)
    print("leaseledger demo: the tutorial's failover pair on loopback (no root, no "
          "network):\ntwo `leaseledger serve`, clients through a relay, the secondary "
          "down and back,\nthen its lease file lost and rebuilt from the primary.")
    if not check_examples():
        return 1
    busy = ports_in_use()
    if busy:
        print(f"leaseledger demo: {', '.join(busy)} already in use (another demo still "
              "running?); the demo needs these loopback ports free", file=sys.stderr)
        return 1
    folder = Path(tempfile.mkdtemp(prefix="leaseledger-demo-"))
    print(f"\nThe servers' files go in DEMO={folder}: dhcp1/ and dhcp2/ hold each one's "
          "dhcpd.leases and dhcpd.log, and dhcpd.pid and dhcpd.ctl while it runs")
    status = run_story(folder)
    print(f"\nThe servers' logs and lease files are kept in {folder}")
    return status
