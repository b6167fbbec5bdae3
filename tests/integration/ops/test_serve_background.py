"""`leaseledger serve` started the way Debian's `/etc/init.d/isc-dhcp-server` starts
dhcpd: `start-stop-daemon --start --pidfile P --exec DHCPD -- -4 -q -cf CONF`, which
returns only when the command does, then a pid-file check, and later `start-stop-daemon
--stop --pidfile P`.  Without -f or -d the server must go into the background once it
serves (as dhcpd does), or the init script, and the boot with it, waits for ever.
"""

from __future__ import annotations

import os
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trio

from ops.loopback_client import RelayClient

PORT = 27867
LEASELEDGER = str(Path(sys.executable).with_name("leaseledger"))
CONF = """\
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.119;
}
"""


@pytest.fixture
def start_stop_daemon(require_tool) -> str:
    return require_tool("start-stop-daemon")


def init_script_start(ssd: str, tmp: Path, conf: str = CONF) -> subprocess.CompletedProcess:
    (tmp / "dhcpd.conf").write_text(conf)
    (tmp / "dhcpd.leases").touch()  # as the init script touches it
    return subprocess.run(
        [ssd, "--start", "--quiet", "--pidfile", str(tmp / "dhcpd.pid"), "--exec", LEASELEDGER,
         "--", "serve", "-4", "-q", "-cf", str(tmp / "dhcpd.conf"),
         "-lf", str(tmp / "dhcpd.leases"), "-pf", str(tmp / "dhcpd.pid"),
         "--listen", "127.0.0.1", "-p", str(PORT)],
        capture_output=True, text=True, timeout=60, check=False)


def init_script_stop(ssd: str, tmp: Path) -> subprocess.CompletedProcess:
    return subprocess.run([ssd, "--stop", "--quiet", "--retry", "15",
                           "--pidfile", str(tmp / "dhcpd.pid")],
                          capture_output=True, text=True, timeout=60, check=False)


def running(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True


async def one_client() -> str | None:
    client = await RelayClient(("127.0.0.1", PORT), "127.0.0.2", "10.0.0.1").open()
    try:
        with trio.fail_after(10):
            return (await client.dora(bytes.fromhex("020000000777"))).address
    finally:
        client.close()


def test_the_init_script_starts_it_in_the_background_and_stops_it(
    start_stop_daemon: str, tmp_path: Path
) -> None:
    started = init_script_start(start_stop_daemon, tmp_path)
    pid_file = tmp_path / "dhcpd.pid"
    assert started.returncode == 0, started.stdout + started.stderr
    pid = int(pid_file.read_text())
    try:
        assert running(pid)  # the command returned; the server it left behind runs
        assert os.getsid(pid) == pid  # in a session of its own, as dhcpd
        assert os.readlink(f"/proc/{pid}/cwd") == "/"
        assert trio.run(one_client) == "10.0.0.100"
        assert "10.0.0.100" in (tmp_path / "dhcpd.leases").read_text()
    finally:
        stopped = init_script_stop(start_stop_daemon, tmp_path)
    assert stopped.returncode == 0, stopped.stdout + stopped.stderr
    assert not running(pid)
    assert not pid_file.exists()
    assert "binding state active" in (tmp_path / "dhcpd.leases").read_text()


def test_a_server_that_cannot_start_fails_the_init_script_at_once(
    start_stop_daemon: str, tmp_path: Path
) -> None:
    began = time.monotonic()
    started = init_script_start(start_stop_daemon, tmp_path, conf=CONF + "subnet {\n")
    assert started.returncode == 1
    assert time.monotonic() - began < 30
    assert not (tmp_path / "dhcpd.pid").exists()


def test_started_by_hand_its_configuration_errors_reach_the_terminal(tmp_path: Path) -> None:
    """Without -q (and without -d), dhcpd's start-up lines go to stderr as well as to
    syslog, so whoever typed the command sees why it did not start."""
    (tmp_path / "dhcpd.conf").write_text(CONF + "subnet {\n")
    done = subprocess.run([LEASELEDGER, "serve", "-cf", str(tmp_path / "dhcpd.conf"),
                           "-lf", str(tmp_path / "dhcpd.leases"), "-pf", str(tmp_path / "x.pid"),
                           "--listen", "127.0.0.1", "-p", str(PORT)],
                          capture_output=True, text=True, timeout=60, check=False)
    assert done.returncode == 1
    assert "Configuration file errors encountered -- exiting" in done.stderr
    assert not (tmp_path / "x.pid").exists()
