"""The tools admins point at dhcpd.leases read our event log as they read dhcpd's file,
though ours keeps every address's whole history (renewals, a release) where dhcpd's
hourly rewrite keeps only each address's last record:

- `dhcpd-pools` (pool usage for monitoring) counts per range what `leaseledger pools`
  counts per pool;
- `dhcp-lease-list` (the isc-dhcp-server package's own lister) prints every lease
  `leaseledger leases` calls active, with the same client, hostname and end.  It
  keeps, per MAC, the earliest-ending record not yet over and never reads the binding
  state, so a lease released before its end still shows until that end, as it does
  in dhcpd's file until the next rewrite; with our log, until the end itself, unless
  the server rotates by age (`--rotate-seconds`, dhcpd's hourly rewrite): then the
  live file holds each address's last record only, and the list is exact.
"""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import trio

from domain.dhcp_packet import Opt
from ops.loopback_client import RelayClient

EXAMPLE = Path(__file__).resolve().parents[3] / "ops/examples/known-unknown/dhcpd.conf"
PORT = 27967
MACS = [bytes.fromhex(f"02bb000000{n:02x}") for n in range(1, 4)]


async def clients_day() -> None:
    """Three visitors get leases; the second releases; the third asks again (within
    dhcp-cache-threshold, so its lease is reused and not written again)."""
    client = await RelayClient(("127.0.0.1", PORT), "127.0.0.2", "10.0.0.1").open()
    try:
        with trio.fail_after(20):
            given = [await client.dora(mac, hostname=f"visitor-{n}")
                     for n, mac in enumerate(MACS, 1)]
            assert all(exchange.address for exchange in given)
            second = given[1]
            assert second.answer is not None and second.address is not None
            # The server rotates by age when it writes (as dhcpd rewrites its file at a
            # commit an hour after the last rewrite).  With --rotate-seconds 0.001 the
            # release must come over a millisecond after the last ACK's rotation, or it
            # is appended without one; on a fast loopback it can come sooner.
            await trio.sleep(0.05)
            await client.release(MACS[1], second.address,
                                 second.answer.option(Opt.SERVER_IDENTIFIER) or b"")
            assert (await client.dora(MACS[2], hostname="visitor-3")).address == given[2].address
            await trio.sleep(0.5)  # the release is recorded before the server stops
    finally:
        client.close()


def served_day(tmp_path: Path, *extra: str) -> tuple[Path, Path]:
    """A real `serve` through the clients' day; its configuration and lease log."""
    conf, leases = tmp_path / "dhcpd.conf", tmp_path / "dhcpd.leases"
    conf.write_text("ping-check false;\n" + EXAMPLE.read_text())
    log = tmp_path / "serve.log"
    with log.open("w") as out:
        proc = subprocess.Popen(
            [sys.executable, "-m", "ops.cli", "serve", "-d", "-p", str(PORT), "--listen",
             "127.0.0.1", "-cf", str(conf), "-lf", str(leases), "-pf", str(tmp_path / "pid"),
             *extra],
            stdout=out, stderr=subprocess.STDOUT)
    try:
        deadline = time.monotonic() + 20
        while "Server starting service." not in log.read_text():
            assert proc.poll() is None and time.monotonic() < deadline, log.read_text()
            time.sleep(0.05)
        trio.run(clients_day)
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)
    return conf, leases


def our(command: str, conf: Path, leases: Path, *extra: str) -> list[dict]:
    return json.loads(subprocess.run(
        [sys.executable, "-m", "ops.cli", command, "-cf", str(conf), "-lf", str(leases),
         *extra, "--json"], capture_output=True, text=True, timeout=60, check=True).stdout)


def test_dhcpd_pools_counts_what_our_pools_count(tmp_path: Path, require_tool) -> None:
    counter = require_tool("dhcpd-pools")
    conf, leases = served_day(tmp_path)
    counted = json.loads(subprocess.run(
        [counter, "-c", str(conf), "-l", str(leases), "-f", "j"],
        capture_output=True, text=True, timeout=60, check=True).stdout)
    theirs = [(r["range"], r["defined"], r["used"], r["free"]) for r in counted["subnets"]]
    pools = our("pools", conf, leases)
    active = our("leases", conf, leases, "--state", "active")
    used = [sum(1 for row in active if row["ip"].startswith("10.0.0.") and
                low <= int(row["ip"].rsplit(".", 1)[1]) <= high) for low, high in ((5, 99),
                                                                                 (100, 250))]
    assert [(p["total"], p["free"]) for p in pools] == [(95, 95), (151, 149)]
    assert theirs == [("10.0.0.5 - 10.0.0.99", 95, used[0], 95),
                      ("10.0.0.100 - 10.0.0.250", 151, used[1], 149)]
    assert used == [0, 2]


def test_dhcp_lease_list_lists_every_active_lease(tmp_path: Path, require_tool) -> None:
    lister = require_tool("dhcp-lease-list")
    conf, leases = served_day(tmp_path)
    # The release ended visitor-2's lease at its second; dhcp-lease-list (like dhcpd)
    # counts a lease ending *now* as still valid, so list from the next second on.
    time.sleep(1.1)
    listed = subprocess.run([lister, "--parsable", "--lease", str(leases)],
                            capture_output=True, text=True, timeout=60, check=True,
                            env={**os.environ, "TZ": "UTC"})
    rows = [line.split() for line in listed.stdout.splitlines() if line.startswith("MAC ")]
    theirs = {(row[1], row[3], row[5], f"{row[10]} {row[11]}") for row in rows}
    expected = {(row["hardware"], row["ip"], row["hostname"], row["ends"].replace("/", "-"))
                for row in our("leases", conf, leases, "--state", "active")}
    assert len(expected) == 2  # the first and the third visitor; the second released
    assert expected <= theirs
    # The lister's own rule (see above): the released lease, by its ACK's end.
    assert {(mac, ip) for mac, ip, _h, _e in theirs - expected} == {
        ("02:bb:00:00:00:02", "10.0.0.101")}
    # Both of the second visitor's records are in the log: its ACK, then its release.
    assert leases.read_text().count("hardware ethernet 02:bb:00:00:00:02;") == 2


def test_with_rotation_by_age_dhcp_lease_list_is_exact(tmp_path: Path, require_tool) -> None:
    lister = require_tool("dhcp-lease-list")
    conf, leases = served_day(tmp_path, "--rotate-seconds", "0.001")
    time.sleep(1.1)  # as above: past the second the release ended the lease at
    listed = subprocess.run([lister, "--parsable", "--lease", str(leases)],
                            capture_output=True, text=True, timeout=60, check=True,
                            env={**os.environ, "TZ": "UTC"})
    theirs = {(row[1], row[3]) for row in
              (line.split() for line in listed.stdout.splitlines() if line.startswith("MAC "))}
    expected = {(row["hardware"], row["ip"])
                for row in our("leases", conf, leases, "--state", "active")}
    assert theirs == expected and len(expected) == 2
    assert list(tmp_path.glob("dhcpd.leases.seg-*"))  # the history is in the archives
