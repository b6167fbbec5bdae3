"""`leaseledger ctl` against a real `leaseledger serve`: one server of a failover pair
on loopback, its peer never started, so it waits in startup/recover with no
connection.  The operator looks (`ctl status`), declares the peer down
(`ctl partner-down pair`), and the server moves to partner-down, logs it as dhcpd
does, records it in the lease file, and says so to the next `ctl status`.  Without a
server, `ctl` says why it cannot ask, in one line and exit 1.
"""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from ops import cli
from ops.control import default_control_path

DHCP_PORT = 27767
FAILOVER_PORTS = (27747, 27748)  # ours, and the peer's (nobody listens there)
CONF = f"""\
failover peer "pair" {{
  primary;
  address 127.0.0.1;
  port {FAILOVER_PORTS[0]};
  peer address 127.0.0.1;
  peer port {FAILOVER_PORTS[1]};
  max-response-delay 10;
  max-unacked-updates 10;
  mclt 30;
  split 128;
  load balance max seconds 3;
}}
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 {{
  pool {{
    failover peer "pair";
    range 10.0.0.100 10.0.0.119;
  }}
}}
"""
WAITING_STATES = {"startup", "recover", "communications-interrupted"}


def serve(tmp: Path, *extra: str, conf: str = CONF) -> tuple[subprocess.Popen, Path]:
    (tmp / "dhcpd.conf").write_text(conf)
    (tmp / "dhcpd.leases").touch()
    log = tmp / "serve.log"
    argv = [sys.executable, "-m", "ops.cli", "serve", "-d", "-p", str(DHCP_PORT),
            "--listen", "127.0.0.1", "-cf", str(tmp / "dhcpd.conf"),
            "-lf", str(tmp / "dhcpd.leases"), "-pf", str(tmp / "dhcpd.pid"), *extra]
    with log.open("w") as out:
        return subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT), log


def wait_for(log: Path, text: str, proc: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never came:\n{log.read_text()}")
        time.sleep(0.05)


def ctl(*argv: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "ops.cli", "ctl", *argv],
                          capture_output=True, text=True, timeout=30, check=False)


@contextmanager
def serving(tmp: Path, conf: str = CONF) -> Iterator[tuple[subprocess.Popen, Path]]:
    """`serve` started and serving; stopped afterwards whatever happened."""
    proc, log = serve(tmp, conf=conf)
    try:
        wait_for(log, "Server starting service.", proc)
        yield proc, log
    finally:
        if proc.poll() is None:
            proc.terminate()
            proc.wait(10)


@pytest.fixture
def running(tmp_path: Path):
    with serving(tmp_path) as started:
        yield started


def test_the_operator_sees_the_state_and_declares_the_partner_down(running, tmp_path) -> None:
    proc, log = running
    pidfile = str(tmp_path / "dhcpd.pid")

    looked = ctl("-pf", pidfile, "status", "--json")
    assert looked.returncode == 0, looked.stderr
    answer = json.loads(looked.stdout)
    [pair] = answer["failover"]
    assert (pair["peer"], pair["role"], pair["connected"]) == ("pair", "primary", False)
    assert pair["my_state"] in WAITING_STATES
    assert pair["partner_state"] == "unknown-state"
    assert [(p["total"], p["free"]) for p in answer["pools"]] == [(20, 20)]
    assert answer["leases"] == 0

    down = ctl("--socket", str(tmp_path / "dhcpd.ctl"), "partner-down", "pair")
    assert down.returncode == 0, down.stderr
    assert down.stdout.startswith("failover peer pair: my state moves from ")
    assert down.stdout.rstrip().endswith(" to partner-down")
    wait_for(log, "to partner-down", proc, 5)
    assert "failover peer pair: I move from " in log.read_text()

    table = ctl("-pf", pidfile, "status")
    assert table.returncode == 0, table.stderr
    heading, row = table.stdout.splitlines()[:2]
    assert heading.split()[:4] == ["PEER", "ROLE", "MY", "STATE"]
    assert row.split()[:3] == ["pair", "primary", "partner-down"]
    assert " no " in row  # not connected
    # The new state is recorded as ISC writes it: a restart resumes in partner-down.
    deadline = time.monotonic() + 5
    while "my state partner-down at" not in (tmp_path / "dhcpd.leases").read_text():
        assert time.monotonic() < deadline, (tmp_path / "dhcpd.leases").read_text()
        time.sleep(0.05)
    assert proc.poll() is None


def test_an_unknown_peer_is_refused_and_changes_nothing(running, tmp_path) -> None:
    _proc, log = running

    refused = ctl("-pf", str(tmp_path / "dhcpd.pid"), "partner-down", "nosuch")

    assert refused.returncode == 1
    assert refused.stderr == "leaseledger ctl: no failover peer 'nosuch' (configured: pair)\n"
    assert "partner-down" not in log.read_text()
    status = json.loads(ctl("-pf", str(tmp_path / "dhcpd.pid"), "status", "--json").stdout)
    assert status["failover"][0]["my_state"] in WAITING_STATES


def test_a_stopped_server_leaves_no_socket_and_ctl_says_so(running, tmp_path) -> None:
    proc, _log = running
    assert (tmp_path / "dhcpd.ctl").is_socket()

    proc.terminate()
    assert proc.wait(10) == 0

    assert not (tmp_path / "dhcpd.ctl").exists()
    asked = ctl("-pf", str(tmp_path / "dhcpd.pid"), "status")
    assert asked.returncode == 1
    assert asked.stderr.startswith(
        f"leaseledger ctl: no control socket {tmp_path / 'dhcpd.ctl'}: "
        "is `leaseledger serve` running?")
    assert "Traceback" not in asked.stderr


def test_serve_will_not_start_when_its_control_socket_cannot_be_made(tmp_path) -> None:
    in_the_way = tmp_path / "in-the-way"
    in_the_way.write_text("a file\n")

    proc, log = serve(tmp_path, "--control", str(in_the_way))

    assert proc.wait(20) == 1
    assert (f"Can't open the control socket {in_the_way} exists and is not a socket"
            in log.read_text())
    assert in_the_way.read_text() == "a file\n"
    assert not (tmp_path / "dhcpd.pid").exists()


def test_a_socket_left_by_a_dead_server_is_named_stale(tmp_path, capsys) -> None:
    path = tmp_path / "dhcpd.ctl"
    with socket.socket(socket.AF_UNIX, socket.SOCK_STREAM) as dead:
        dead.bind(str(path))  # bound, never listening

    assert cli.main(["ctl", "--socket", str(path), "status"]) == 1
    assert capsys.readouterr().err == (
        f"leaseledger ctl: nobody listens on {path}: the server is not running "
        "(the file is left from an earlier run)\n")


def test_a_socket_we_may_not_open_says_to_run_as_root(tmp_path, capsys, monkeypatch) -> None:
    # As root the socket's mode never refuses: let connect() answer as it does a user.
    def refuse(_sock: socket.socket, _address: object) -> None:
        raise PermissionError(13, "Permission denied")

    monkeypatch.setattr(socket.socket, "connect", refuse)

    assert cli.main(["ctl", "--socket", str(tmp_path / "dhcpd.ctl"), "status"]) == 1
    assert capsys.readouterr().err == (
        f"leaseledger ctl: permission denied on {tmp_path / 'dhcpd.ctl'}: run ctl as root "
        "(the user the server runs as)\n")


def test_ctl_finds_the_socket_of_a_pid_file_named_in_dhcpd_conf(tmp_path) -> None:
    """dhcpd.conf's pid-file-name wins over serve's -pf (as in dhcpd), so the socket is
    beside the named file; `ctl -cf` reads the same name and finds it."""
    named = tmp_path / "run" / "named.pid"
    named.parent.mkdir()
    proc, log = serve(tmp_path, conf=f'pid-file-name "{named}";\n{CONF}')
    try:
        wait_for(log, "Server starting service.", proc)
        assert (tmp_path / "run" / "named.ctl").exists()

        looked = ctl("-cf", str(tmp_path / "dhcpd.conf"), "status", "--json")
        assert looked.returncode == 0, looked.stderr
        assert [pair["peer"] for pair in json.loads(looked.stdout)["failover"]] == ["pair"]
        beside_pf = ctl("-cf", str(tmp_path / "dhcpd.conf"), "-pf", str(tmp_path / "dhcpd.pid"),
                        "status")
        assert beside_pf.returncode == 1
        assert f"no control socket {tmp_path / 'dhcpd.ctl'}" in beside_pf.stderr
    finally:
        proc.terminate()
        proc.wait(10)


def test_ctl_and_serve_agree_on_the_default_socket(tmp_path, capsys, monkeypatch) -> None:
    # No dhcpd.conf at dhcpd's default path here: the defaults alone decide.
    monkeypatch.setattr("ops.server_files.DEFAULT_CONF", str(tmp_path / "absent.conf"))
    tried: list[object] = []

    def record(_sock: socket.socket, address: object) -> None:
        tried.append(address)
        raise FileNotFoundError(2, "No such file or directory")

    monkeypatch.setattr(socket.socket, "connect", record)
    serve_args = cli.build_parser().parse_args(["serve"])

    assert cli.main(["ctl", "status"]) == 1
    assert serve_args.control is None  # so serve derives it from its -pf default
    assert tried == [default_control_path(serve_args.pidfile)] == ["/var/run/dhcpd.ctl"]
    assert "no control socket /var/run/dhcpd.ctl" in capsys.readouterr().err
