"""`./ops/demo` (`leaseledger demo`): the failover story, run for real once.

The demo is the product's main job shown end to end, so this runs it as a user does
(about half a minute: most of it is the rebuilt secondary's recover-wait, the MCLT)
and checks that every step of the story happened, not just that it printed.
"""

from __future__ import annotations

import os
import re
import socket
import subprocess
import sys
from pathlib import Path

REPO = Path(__file__).resolve().parents[3]
PEER = "failover peer dhcp-failover"


def demo(tmp_path: Path) -> subprocess.CompletedProcess[str]:
    env = dict(os.environ, TMPDIR=str(tmp_path))  # the demo's folder goes there
    return subprocess.run([sys.executable, "-m", "ops.cli", "demo"], cwd=tmp_path, env=env,
                          capture_output=True, text=True, timeout=300, check=False)


def step(out: str, title: str) -> str:
    """One `== title` section of the output."""
    start = out.index(f"\n== {title}")
    end = out.find("\n== ", start + 1)
    return out[start:end if end != -1 else None]


def test_the_demo_takes_a_pair_through_outage_and_database_loss(tmp_path: Path) -> None:
    result = demo(tmp_path)
    out = result.stdout
    assert result.returncode == 0, out + result.stderr
    assert "Traceback" not in out + result.stderr
    assert "-- all 5 valid" in out

    started = step(out, "Start the pair")
    for label in ("dhcp1", "dhcp2"):
        assert f"[{label}] {PEER}: Both servers normal" in started
    assert "[dhcp1] balanced pool 0 10.0.0.0/24  total 151  free 76  backup 75" in started

    # Both servers answer: the hash gives each of them some of the clients, and the
    # other one logs that it left the client to its peer.
    load = step(out, "30 clients through a relay agent")
    counts = {label: int(n) for label, n in re.findall(r"-- (dhcp\d) answered (\d+) of 30", load)}
    assert set(counts) == {"dhcp1", "dhcp2"} and sum(counts.values()) == 30, load
    assert "load balance to peer dhcp-failover" in load

    down = step(out, "dhcp2 stops")
    assert f"[dhcp1] {PEER}: I move from normal to communications-interrupted" in down
    assert "-- dhcp1 answered 5 of 5 clients" in step(out, "5 more clients while dhcp2 is down")

    # The leases given meanwhile are in dhcp2's file, with dhcp1's end times.
    back = step(out, "dhcp2 starts again")
    rows = re.findall(r"^ {3}(10\.0\.0\.\d+) +(.+?) {2,}(.+)$", back, re.MULTILINE)
    assert len(rows) == 5, back
    assert all(mine == theirs and mine.startswith("active until") for _ip, mine, theirs in rows)

    rebuilt = step(out, "dhcp2 stops again and loses its lease file")
    for line in ("[dhcp2] Sent update request all message to dhcp-failover",
                 f"[dhcp2] {PEER}: I move from recover to recover-wait",
                 f"[dhcp2] {PEER}: I move from recover-wait to recover-done",
                 f"[dhcp2] {PEER}: Both servers normal"):
        assert line in rebuilt, line
    assert "-- the first record of each of its 151 addresses: PeerUpdateReceived 151" in rebuilt
    waited = int(re.search(r"dhcp2 waited (\d+) s in recover-wait", rebuilt).group(1))
    assert 10 <= waited <= 20  # the MCLT, 15 s

    now = step(out, "Both servers now")
    assert now.count("$ leaseledger pools") == 2
    assert len(re.findall(r"^dhcp-failover +(primary|secondary) +normal .* normal .* yes ",
                          now, re.MULTILINE)) == 2
    audit = now[now.index("$ leaseledger audit"):]
    assert "PeerUpdateReceived" in audit and "BNDUPD from dhcp-failover" in audit
    assert re.findall(r"-- (dhcp\d) \(PID \d+\) exits with status 0", out) == ["dhcp1", "dhcp2"]

    folders = list(tmp_path.glob("leaseledger-demo-*"))
    assert len(folders) == 1 and f"kept in {folders[0]}" in out
    for label in ("dhcp1", "dhcp2"):
        assert (folders[0] / label / "dhcpd.leases").stat().st_size > 0
        assert not (folders[0] / label / "dhcpd.pid").exists()  # both really stopped


def test_a_busy_port_stops_the_demo_before_it_starts_anything(tmp_path: Path) -> None:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as taken:
        taken.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        taken.bind(("127.0.0.1", 16848))
        taken.listen(1)
        result = demo(tmp_path)
    assert result.returncode == 1
    assert "127.0.0.1:16848/tcp already in use" in result.stderr
    assert "Traceback" not in result.stdout + result.stderr
    assert not list(tmp_path.glob("leaseledger-demo-*"))
