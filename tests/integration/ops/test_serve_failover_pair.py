"""Two `leaseledger serve` processes as a failover pair on loopback, no root needed:
each has its own DHCP port and failover port on 127.0.0.1.  Fresh, they reach normal,
the primary hands the secondary half the pool, and a lease one of them gives (to a
relay-style client) reaches the other's lease file with the same state and ends.
"""

from __future__ import annotations

import subprocess
import sys
import time
from pathlib import Path

import trio

from adapters.dhcpdconf.reader import read_config
from adapters.dhcpdconf.to_model import build_config
from adapters.leasefile.history import read_history
from domain.lease_events import LeaseEvent
from ops.loopback_client import RelayClient
from ops.tables import format_time
from projections.lease_view import LeaseView

DHCP_PORTS = {"primary": 26867, "secondary": 26868}
FAILOVER_PORTS = {"primary": 26847, "secondary": 26848}
SHARED = """\
authoritative;
ping-check false;
default-lease-time 600;
max-lease-time 1200;
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool {
    failover peer "pair";
    range 10.0.0.100 10.0.0.119;
  }
}
"""


# A pool whose balancing moves more leases at once (4,480) than the commit queue's
# default bound (4,096): every move is queued in one go and must fit.
BIG_SHARED = SHARED.replace("netmask 255.255.255.0", "netmask 255.255.192.0").replace(
    "range 10.0.0.100 10.0.0.119", "range 10.0.0.100 10.0.35.99")


def config(role: str, shared: str = SHARED) -> str:
    other = "secondary" if role == "primary" else "primary"
    primary_only = "  mclt 30;\n  split 128;\n" if role == "primary" else ""
    return (
        f'failover peer "pair" {{\n  {role};\n  address 127.0.0.1;\n'
        f"  port {FAILOVER_PORTS[role]};\n  peer address 127.0.0.1;\n"
        f"  peer port {FAILOVER_PORTS[other]};\n  max-response-delay 10;\n"
        f"  max-unacked-updates 10;\n{primary_only}  load balance max seconds 3;\n}}\n"
        + shared
    )


def start(tmp: Path, role: str, shared: str = SHARED) -> tuple[subprocess.Popen, Path]:
    folder = tmp / role
    folder.mkdir()
    (folder / "dhcpd.conf").write_text(config(role, shared))
    (folder / "dhcpd.leases").touch()
    return start_in(folder, role)


def start_in(folder: Path, role: str) -> tuple[subprocess.Popen, Path]:
    log = folder / "serve.log"
    argv = [sys.executable, "-m", "ops.cli", "serve", "-d", "-p", str(DHCP_PORTS[role]),
            "--listen", "127.0.0.1", "-cf", str(folder / "dhcpd.conf"),
            "-lf", str(folder / "dhcpd.leases"), "-pf", str(folder / "dhcpd.pid")]
    with log.open("w") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT), log


def wait_for(log: Path, text: str, proc: subprocess.Popen, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never came:\n{log.read_text()}")
        time.sleep(0.1)


def stop(servers: dict[str, tuple[subprocess.Popen, Path]]) -> None:
    """SIGTERM to every server still running, then wait for all of them."""
    for proc, _log in servers.values():
        if proc.poll() is None:
            proc.terminate()
    for proc, _log in servers.values():
        proc.wait(10)


def table(folder: Path) -> LeaseView:
    view = LeaseView(build_config(read_config(str(folder / "dhcpd.conf")).tree))
    view.load(event.lease for _s, _p, event in read_history(folder / "dhcpd.leases")
              if isinstance(event, LeaseEvent))
    return view


def test_a_leaseledger_pair_on_loopback_balances_and_shares_leases(tmp_path: Path) -> None:
    servers = {role: start(tmp_path, role) for role in ("primary", "secondary")}
    try:
        for proc, log in servers.values():
            wait_for(log, "failover peer pair: Both servers normal", proc, 60)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            counts = [table(tmp_path / role).pool_counts()[0] for role in servers]
            if all((c.free, c.backup) == (10, 10) for c in counts):
                break
            time.sleep(0.2)
        assert [(c.free, c.backup) for c in counts] == [(10, 10), (10, 10)]

        async def lease_from(role: str) -> str | None:
            client = await RelayClient(("127.0.0.1", DHCP_PORTS[role]), "127.0.0.2",
                                       "10.0.0.1").open()
            try:
                # A long-waiting client (secs past load balance max seconds) is
                # answered by either server: here, by the one asked.
                mac = bytes.fromhex("02aa0000000a" if role == "primary" else "02aa0000000b")
                return (await client.dora(mac, secs=10)).address
            finally:
                client.close()

        given = {role: trio.run(lease_from, role) for role in ("secondary", "primary")}
        time.sleep(1)
        for role, address in given.items():
            assert address is not None, role
            records = [table(tmp_path / other).table.get(address) for other in servers]
            assert all(r is not None for r in records), (role, address)
            assert [r.binding_state for r in records] == ["active", "active"]
            assert format_time(records[0].ends) == format_time(records[1].ends)
    finally:
        stop(servers)
    for role, (_proc, log) in servers.items():
        assert "Traceback" not in log.read_text()
        # Every state change is in the lease file, as ISC writes it (a restart
        # resumes from the last one): here, reaching normal.
        records = (tmp_path / role / "dhcpd.leases").read_text().split(
            'failover peer "pair" state {')[1:]
        assert any("my state normal at" in record and "partner state normal at" in record
                   for record in records), records


def test_a_server_that_lost_its_lease_file_rebuilds_it_from_its_peer(tmp_path: Path) -> None:
    servers = {role: start(tmp_path, role) for role in ("primary", "secondary")}
    try:
        for proc, log in servers.values():
            wait_for(log, "failover peer pair: Both servers normal", proc, 60)

        async def leases(count: int) -> list[str]:
            client = await RelayClient(("127.0.0.1", DHCP_PORTS["primary"]), "127.0.0.2",
                                       "10.0.0.1").open()
            try:
                return [(await client.dora(bytes([2, 0xbb, 0, 0, 0, n]), secs=10)).address
                        for n in range(count)]
            finally:
                client.close()

        given = trio.run(leases, 4)
        assert None not in given
        proc, log = servers["secondary"]
        proc.terminate()
        proc.wait(10)
        (tmp_path / "secondary" / "dhcpd.leases").unlink()
        (tmp_path / "secondary" / "dhcpd.leases").touch()
        (tmp_path / "secondary" / "dhcpd.pid").unlink(missing_ok=True)
        folder = tmp_path / "secondary"
        log.rename(folder / "serve-before.log")
        servers["secondary"] = start_in(folder, "secondary")
        proc, log = servers["secondary"]
        wait_for(log, "failover peer pair: peer update completed.", proc, 30)
        wait_for(log, "failover peer pair: I move from recover-wait to recover-done", proc, 60)
        wait_for(log, "failover peer pair: Both servers normal", proc, 30)
        # The first lease of a binding is capped at the MCLT (30 s), so by now the
        # leases may have expired: the rebuilt records must match the primary's.
        rebuilt, primary = table(folder), table(tmp_path / "primary")
        for address in given:
            mine, theirs = rebuilt.table.get(address), primary.table.get(address)
            assert mine is not None and theirs is not None, address
            assert (mine.binding_state, mine.ends, mine.hardware) == (
                theirs.binding_state, theirs.ends, theirs.hardware), address
        causes = [event for _s, _p, event in read_history(folder / "dhcpd.leases")
                  if isinstance(event, LeaseEvent) and event.lease.ip == given[0]]
        assert causes and type(causes[0]).__name__ == "PeerUpdateReceived"
    finally:
        stop(servers)


def test_partner_down_by_command_serves_the_whole_pool_and_the_peer_resyncs(
    tmp_path: Path,
) -> None:
    servers = {role: start(tmp_path, role) for role in ("primary", "secondary")}
    try:
        for proc, log in servers.values():
            wait_for(log, "failover peer pair: Both servers normal", proc, 60)
        proc, log = servers["secondary"]
        proc.terminate()
        proc.wait(10)
        primary_proc, primary_log = servers["primary"]
        wait_for(primary_log, "I move from normal to communications-interrupted",
                 primary_proc, 15)
        down = subprocess.run(
            [sys.executable, "-m", "ops.cli", "ctl", "-pf",
             str(tmp_path / "primary" / "dhcpd.pid"), "partner-down", "pair"],
            capture_output=True, text=True, timeout=20, check=False)
        assert down.returncode == 0, down.stderr
        wait_for(primary_log, "I move from communications-interrupted to partner-down",
                 primary_proc, 10)

        async def leases(count: int, first: int) -> list[str | None]:
            client = await RelayClient(("127.0.0.1", DHCP_PORTS["primary"]), "127.0.0.2",
                                       "10.0.0.1").open()
            try:
                return [(await client.dora(bytes([2, 0xcc, 0, 0, 0, n]), wait=1.0)).address
                        for n in range(first, first + count)]
            finally:
                client.close()

        # Before the MCLT has passed, only the primary's own half can be given.
        early = trio.run(leases, 12, 0)
        assert sum(1 for a in early if a) == 10, early
        time.sleep(31)  # MCLT 30 s after entering partner-down
        late = trio.run(leases, 10, 12)
        assert all(late), late  # the secondary's half is ours now
        assert len(set(early + late) - {None}) == 20

        servers["secondary"] = start_in(tmp_path / "secondary", "secondary")
        proc, log = servers["secondary"]
        wait_for(primary_log, "failover peer pair: Both servers normal", primary_proc, 90)
        wait_for(log, "failover peer pair: Both servers normal", proc, 10)
        time.sleep(1)
        mine, theirs = table(tmp_path / "primary"), table(tmp_path / "secondary")
        for address in set(early + late) - {None}:
            a, b = mine.table.get(address), theirs.table.get(address)
            assert a is not None and b is not None, address
            assert (a.binding_state, a.ends) == (b.binding_state, b.ends), address
    finally:
        stop(servers)


def test_a_big_pool_is_balanced_in_one_go(tmp_path: Path) -> None:
    servers = {role: start(tmp_path, role, BIG_SHARED) for role in ("primary", "secondary")}
    try:
        for proc, log in servers.values():
            wait_for(log, "failover peer pair: Both servers normal", proc, 90)
        wait_for(servers["primary"][1], "balanced pool 0 10.0.0.0/18  total 8960  free 4480"
                 "  backup 4480", servers["primary"][0], 30)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            counts = table(tmp_path / "secondary").pool_counts()[0]
            if counts.backup == 4480:
                break
            time.sleep(1)
        assert (counts.free, counts.backup) == (4480, 4480)
        assert all(proc.poll() is None for proc, _log in servers.values())
    finally:
        stop(servers)
