"""`leaseledger serve` as an admin runs it: a real process, signals, pid file, -t."""

from __future__ import annotations

import signal
import socket
import subprocess
import sys
import time
from pathlib import Path

import pytest
import trio

from ops import cli
from ops.loopback_client import RelayClient

EXAMPLE = Path(__file__).resolve().parents[3] / "ops/examples/known-unknown/dhcpd.conf"
PORT = 26767


def serve(tmp: Path, *extra: str, port: int = PORT) -> tuple[subprocess.Popen, Path]:
    conf = tmp / "dhcpd.conf"
    if not conf.exists():
        conf.write_text("ping-check false;\n" + EXAMPLE.read_text())
    (tmp / "dhcpd.leases").touch()
    log = tmp / f"serve-{time.monotonic_ns()}.log"
    argv = [sys.executable, "-m", "ops.cli", "serve", "-d", "-p", str(port), "--listen",
            "127.0.0.1", "-cf", str(conf), "-lf", str(tmp / "dhcpd.leases"),
            "-pf", str(tmp / "dhcpd.pid"), *extra]
    with log.open("w") as out:
        proc = subprocess.Popen(argv, stdout=out, stderr=subprocess.STDOUT)
    return proc, log


def wait_for(log: Path, text: str, proc: subprocess.Popen, seconds: float = 20) -> None:
    deadline = time.monotonic() + seconds
    while text not in log.read_text():
        if proc.poll() is not None or time.monotonic() > deadline:
            raise AssertionError(f"{text!r} never came:\n{log.read_text()}")
        time.sleep(0.05)


@pytest.fixture
def running(tmp_path: Path):
    proc, log = serve(tmp_path)
    try:
        wait_for(log, "Server starting service.", proc)
        yield proc, log
    finally:
        if proc.poll() is None:
            proc.kill()
            proc.wait()


def dora(mac: bytes) -> str | None:
    async def go() -> str | None:
        client = await RelayClient(("127.0.0.1", PORT), "127.0.0.2", "10.0.0.1").open()
        try:
            return (await client.dora(mac)).address
        finally:
            client.close()

    return trio.run(go)


@pytest.mark.parametrize("stop", [signal.SIGTERM, signal.SIGHUP])
def test_it_serves_and_stops_cleanly_on_a_signal(running, tmp_path, stop) -> None:
    proc, log = running
    assert (tmp_path / "dhcpd.pid").read_text().strip() == str(proc.pid)
    assert dora(bytes.fromhex("02aa00000009")) == "10.0.0.100"
    proc.send_signal(stop)
    assert proc.wait(10) == 0
    assert not (tmp_path / "dhcpd.pid").exists()
    assert "DHCPACK on 10.0.0.100 to 02:aa:00:00:00:09 via 127.0.0.2" in log.read_text()
    assert "lease 10.0.0.100 {" in (tmp_path / "dhcpd.leases").read_text()


def test_a_second_server_on_the_same_pid_file_is_refused(running, tmp_path) -> None:
    second, log = serve(tmp_path, port=PORT + 10)
    assert second.wait(20) == 1
    assert "There's already a DHCP server running." in log.read_text()


def test_a_second_writer_of_the_lease_file_is_refused(running, tmp_path) -> None:
    second, log = serve(tmp_path, "-pf", str(tmp_path / "other.pid"), port=PORT + 20)
    assert second.wait(20) == 1
    assert "Can't open lease database" in log.read_text()


def test_dash_t_checks_the_configuration_only(tmp_path: Path) -> None:
    proc, log = serve(tmp_path, "-t")
    assert proc.wait(20) == 0
    assert "Config file:" in log.read_text()
    assert "server-id-check" not in log.read_text()
    conf = tmp_path / "dhcpd.conf"
    conf.write_text('server-id-check true;\nlog(info, "global");\n' + conf.read_text())
    proc, log = serve(tmp_path, "-t")
    assert proc.wait(20) == 0
    written = log.read_text().splitlines()
    assert written[-1] == "Setting server-id-check true"  # as dhcpd
    # dhcpd runs the global statements before it names its files
    assert written.index("global") == written.index(f"Config file: {conf}") - 1
    marker = tmp_path / "ran"
    conf.write_text(f'execute("/bin/sh", "-c", "echo ran >> {marker}; exit 2");\n'
                    + conf.read_text())
    proc, log = serve(tmp_path, "-t")
    assert proc.wait(20) == 0
    written = log.read_text().splitlines()
    assert marker.read_text() == "ran\n"  # run once, and waited for
    assert written.index("execute: /bin/sh exit status 512") < written.index("global")
    (tmp_path / "dhcpd.conf").write_text("subnet 10.0.0.1 netmask 255.255.255.0 { }\n")
    proc, log = serve(tmp_path, "-t")
    assert proc.wait(20) == 1
    assert "bad subnet number/mask combination" in log.read_text()


def test_dash_cap_t_reads_the_lease_file_without_touching_it(running, tmp_path) -> None:
    del running  # the server holding the lease file meanwhile
    assert dora(bytes.fromhex("02aa0000000a")) == "10.0.0.100"
    before = (tmp_path / "dhcpd.leases").read_bytes()
    check, log = serve(tmp_path, "-T", "-pf", str(tmp_path / "t.pid"), port=PORT + 30)
    assert check.wait(20) == 0  # beside the running server: no lock taken
    assert "Lease file test successful: 1 leases" in log.read_text()
    assert (tmp_path / "dhcpd.leases").read_bytes() == before


def test_on_the_wildcard_address_an_interface_on_no_subnet_is_refused(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    conf = tmp_path / "dhcpd.conf"
    conf.write_text("subnet 10.0.0.0 netmask 255.255.255.0 { }\n")
    files = ["-cf", str(conf), "-lf", str(tmp_path / "dhcpd.leases"),
             "-pf", str(tmp_path / "dhcpd.pid")]

    assert cli.main(["serve", "-d", *files, "lo"]) == 1  # loopback exists everywhere

    lines = capsys.readouterr().err.splitlines()
    assert "No subnet declaration for lo (127.0.0.1)." in lines
    assert lines[-3:] == ["", "", "Not configured to listen on any interfaces!"]
    assert not (tmp_path / "dhcpd.pid").exists()
    assert cli.main(["serve", "-d", *files, "a-name-of-17-char"]) == 1
    assert capsys.readouterr().err == "a-name-of-17-char: interface name too long (is 17)\n"


def test_an_execute_in_on_commit_has_run_before_the_ack_leaves(tmp_path: Path) -> None:
    # dhcpd runs the command and waits for it before it answers: so do we (without
    # holding up other clients meanwhile).
    notes = tmp_path / "notes"
    (tmp_path / "dhcpd.conf").write_text(
        "ping-check false;\nauthoritative;\n"
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  range 10.0.0.100 10.0.0.110;\n"
        "  on commit {\n    execute(\"/bin/sh\", \"-c\", \"sleep 0.3; echo $0 >> "
        f"{notes}\", binary-to-ascii(10, 8, \".\", leased-address));\n"
        "    execute(\"/bin/sh\", \"-c\", \"exit 2\");\n  }\n}\n")
    proc, log = serve(tmp_path)
    try:
        wait_for(log, "Server starting service.", proc)
        assert dora(bytes.fromhex("02aa0000000b")) == "10.0.0.100"
        assert notes.read_text() == "10.0.0.100\n"  # written before the ACK came
        written = log.read_text().splitlines()
        assert written[written.index("execute: /bin/sh exit status 512") - 1:][:3] == [
            "execute_statement argv[2] = exit 2", "execute: /bin/sh exit status 512",
            "DHCPREQUEST for 10.0.0.100 (127.0.0.1) from 02:aa:00:00:00:0b via 127.0.0.2"]
    finally:
        proc.kill()
        proc.wait()


def test_the_configurations_file_names_and_port_win_over_the_command_line(
    tmp_path: Path, require_tool
) -> None:
    """As dhcpd: `lease-file-name`, `pid-file-name` and `local-port` in dhcpd.conf
    replace -lf, -pf and -p (compared with `dhcpd -t`; then served on them)."""
    dhcpd = require_tool("dhcpd")
    leases, pid = tmp_path / "conf.leases", tmp_path / "conf.pid"
    conf = tmp_path / "dhcpd.conf"
    conf.write_text(f'lease-file-name "{leases}";\npid-file-name "{pid}";\n'
                    f"local-port {PORT + 40};\nping-check false;\n" + EXAMPLE.read_text())
    isc = subprocess.run([dhcpd, "-t", "-cf", str(conf), "-lf", str(tmp_path / "x.leases"),
                          "-pf", str(tmp_path / "x.pid")],
                         capture_output=True, text=True, timeout=30, check=False)
    named = [line for line in (isc.stdout + isc.stderr).splitlines()
             if line.startswith(("Database file:", "PID file:"))]
    assert named == [f"Database file: {leases}", f"PID file: {pid}"]
    leases.touch()
    proc, log = serve(tmp_path)  # -lf dhcpd.leases -pf dhcpd.pid -p PORT given
    try:
        wait_for(log, "Server starting service.", proc)
        assert [line for line in log.read_text().splitlines()
                if line.startswith(("Database file:", "PID file:"))] == named
        assert pid.read_text().strip() == str(proc.pid)

        async def go() -> str | None:
            client = await RelayClient(("127.0.0.1", PORT + 40), "127.0.0.2",
                                       "10.0.0.1").open()
            try:
                return (await client.dora(bytes.fromhex("02aa0000000b"))).address
            finally:
                client.close()

        address = trio.run(go)
        assert address is not None and f"lease {address} {{" in leases.read_text()
        assert (tmp_path / "dhcpd.leases").read_text() == ""
    finally:
        proc.send_signal(signal.SIGTERM)
        proc.wait(20)


def test_a_relative_lease_file_is_named_by_its_full_path_as_dhcpd_names_it(
    tmp_path: Path, require_tool
) -> None:
    """dhcpd resolves a relative -lf at once (a server in the background works from /);
    a relative lease-file-name from dhcpd.conf it leaves as written.  Compared with
    `dhcpd -t` run in the same folder."""
    dhcpd = require_tool("dhcpd")
    (tmp_path / "here.leases").touch()
    (tmp_path / "plain.conf").write_text(EXAMPLE.read_text())
    (tmp_path / "named.conf").write_text('lease-file-name "there.leases";\n' + EXAMPLE.read_text())

    def database_lines(program: list[str], conf: str) -> list[str]:
        done = subprocess.run([*program, "-t", "-cf", conf, "-lf", "here.leases"],
                              cwd=tmp_path, capture_output=True, text=True, timeout=30,
                              check=False)
        return [line for line in (done.stdout + done.stderr).splitlines()
                if line.startswith("Database file:")]

    ours = [sys.executable, "-m", "ops.cli", "serve"]
    assert database_lines([dhcpd], "plain.conf") == [f"Database file: {tmp_path}/here.leases"]
    assert database_lines(ours, "plain.conf") == database_lines([dhcpd], "plain.conf")
    assert database_lines([dhcpd], "named.conf") == ["Database file: there.leases"]
    assert database_lines(ours, "named.conf") == database_lines([dhcpd], "named.conf")


def test_log_facility_sends_the_servers_lines_to_that_syslog_facility(tmp_path: Path) -> None:
    """`log-facility local7;` (sites route `local7.*` to /var/log/dhcpd.log): the
    start-up lines up to the configuration's go under `daemon`, then the banner once
    more and every line after under local7, as dhcpd does.  The server logs to a
    syslog socket of the test's own (`/dev/log` is the machine's)."""
    log_socket = socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM)
    log_socket.bind(str(tmp_path / "log"))
    log_socket.settimeout(20)
    (tmp_path / "dhcpd.conf").write_text("log-facility local7;\nping-check false;\n"
                                        + EXAMPLE.read_text())
    runner = ("import sys, ops.dhcpd_log as d; d.SYSLOG_PATH = sys.argv[1];"
              " from ops.cli import main; sys.exit(main(sys.argv[2:]))")
    proc = subprocess.Popen(
        [sys.executable, "-c", runner, str(tmp_path / "log"), "serve", "-f", "-p", str(PORT),
         "--listen", "127.0.0.1", "-cf", str(tmp_path / "dhcpd.conf"),
         "-lf", str(tmp_path / "dhcpd.leases"), "-pf", str(tmp_path / "dhcpd.pid")],
        stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        lines: list[tuple[int, str]] = []
        while not lines or lines[-1][1] != "Server starting service.":
            data = log_socket.recv(4096).decode().rstrip("\0")
            priority, text = data[1:].split(">", 1)
            lines.append((int(priority) >> 3, text.split("]: ", 1)[1]))
    finally:
        proc.send_signal(signal.SIGTERM)
        _out, err = proc.communicate(timeout=20)
        log_socket.close()
    daemon, local7 = 3, 23
    banner = "leaseledger DHCP server (drop-in for ISC dhcpd 4.4)"
    switch = lines.index((local7, banner))
    assert [text for _f, text in lines[:switch]][:1] == [banner]
    assert {facility for facility, _t in lines[:switch]} == {daemon}
    assert lines[switch - 1][1].startswith("PID file: ")
    assert {facility for facility, _t in lines[switch:]} == {local7}
    # stderr had the start-up lines too (no -q), but not the banner a second time
    assert err.count(banner) == 1 and "Server starting service." not in err


def test_keep_segments_bounds_the_archives_a_busy_server_leaves(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    proc, log = serve(tmp_path, "--rotate-bytes", "1500", "--keep-segments", "1")
    try:
        wait_for(log, "Server starting service.", proc)
        given = [dora(bytes.fromhex(f"02cc000000{n:02x}")) for n in range(12)]
        assert None not in given
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
    archives = sorted(path.name for path in tmp_path.glob("dhcpd.leases.seg-*"))
    assert len(archives) == 1 and archives[0] != "dhcpd.leases.seg-000001"
    assert "(keeping the newest 1 archived segments)" in log.read_text()
    live = (tmp_path / "dhcpd.leases").read_text()
    assert all(f"lease {address} {{" in live for address in given)  # all in the checkpoint
    # An audit says where the history now starts, rather than look complete.
    assert cli.main(["audit", "-lf", str(tmp_path / "dhcpd.leases"), str(given[0])]) == 0
    assert (f"leaseledger: note: the segments before {archives[0]} were removed"
            " (serve --keep-segments); the history starts at ") in capsys.readouterr().err


def test_keep_segments_takes_a_count(tmp_path: Path, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", "--keep-segments=-1"])
    assert exited.value.code == 2
    assert "not a count: '-1'" in capsys.readouterr().err



@pytest.mark.parametrize("value", ["0", "-5", "soon"])
def test_rotate_seconds_takes_a_positive_number(value: str, capsys) -> None:
    with pytest.raises(SystemExit) as exited:
        cli.main(["serve", f"--rotate-seconds={value}"])
    assert exited.value.code == 2
    assert f"not a number of seconds: {value!r}" in capsys.readouterr().err


def test_rotate_seconds_reaches_the_lease_log(tmp_path: Path) -> None:
    """Wiring only (the timing is LeaseLog's, tested with an injected clock): a live
    segment older than a millisecond rotates at the first write."""
    proc, log = serve(tmp_path, "--rotate-seconds", "0.001")
    try:
        wait_for(log, "Server starting service.", proc)
        assert dora(bytes.fromhex("02dd00000001")) is not None
        wait_for(log, "(--rotate-seconds 0.001); archived as dhcpd.leases.seg-000001", proc)
    finally:
        proc.send_signal(signal.SIGTERM)
        assert proc.wait(20) == 0
