"""`-user` and `-group`, against ISC dhcpd on the same command line: both servers open
their ports and files as root, then run as nobody:nogroup, and still serve a client and
record its lease; an unknown user or group stops either at once with dhcpd's line.
As nobody ours still rotates its lease log and saves its index.  `--no-pid` writes no
pid file."""

from __future__ import annotations

import os
import re
import subprocess
import tempfile
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.failover_runs import load
from ops.lab.lease_file_check import last_record
from ops.lab.netns import SRV1, SRV1_ADDRESS, Lab, namespaces_named
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

CONF = """\
authoritative;
ping-check false;
default-lease-time 600;
max-lease-time 600;
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.199;
}
"""
PROGRAMS = {"isc": (DHCPD,), "ours": tuple(LEASELEDGER_SERVE)}
NOBODY = 65534  # nobody and nogroup on Debian


@pytest.fixture
def open_lab(lab_prerequisites: None) -> Iterator[Path]:
    """A work directory every user may enter and write (the server writes its lease
    log's index there after dropping root), removed afterwards."""
    with tempfile.TemporaryDirectory(prefix="ll-privileges-") as folder:
        os.chmod(folder, 0o1777)
        yield Path(folder)


def _ids(pid: int) -> tuple[int, int, str]:
    status = Path(f"/proc/{pid}/status").read_text()
    uid = int(re.search(r"^Uid:\s+\d+\s+(\d+)", status, re.MULTILINE)[1])  # type: ignore[index]
    gid = int(re.search(r"^Gid:\s+\d+\s+(\d+)", status, re.MULTILINE)[1])  # type: ignore[index]
    groups = re.search(r"^Groups:(.*)$", status, re.MULTILINE)[1].strip()  # type: ignore[index]
    return uid, gid, groups


@pytest.mark.parametrize("name", list(PROGRAMS))
def test_the_server_serves_as_nobody_after_opening_everything_as_root(
    open_lab: Path, name: str, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    folder = open_lab / name
    folder.mkdir(mode=0o777)
    os.chmod(folder, 0o777)
    with Lab(folder / "lab") as lab:
        (lab.workdir / "server").mkdir(parents=True, mode=0o777)
        os.chmod(lab.workdir, 0o777)
        os.chmod(lab.workdir / "server", 0o777)
        server = start_dhcpd(lab, SRV1, CONF, name="server", program=(
            *PROGRAMS[name], "-user", "nobody", "-group", "nogroup"))
        assert _ids(server.process.pid) == (NOBODY, NOBODY, "")
        address = run_dhclient(lab).lease.address
        server.process.wait_for(rf"^DHCPACK on {re.escape(address)} ", 5)
        record = last_record(server.leases_text(), address)
        assert record is not None and "binding state active;" in record
    assert namespaces_named(lab.prefix) == []


@pytest.mark.parametrize("option", ["-user", "-group"])
def test_an_unknown_user_or_group_stops_the_server_with_dhcpds_line(
    open_lab: Path, option: str
) -> None:
    config = open_lab / "dhcpd.conf"
    config.write_text(CONF)
    lines = {}
    for name, program in PROGRAMS.items():
        finished = subprocess.run(
            [*program, "-t", "-cf", str(config), option, "no-such-name-here"],
            capture_output=True, text=True, timeout=60, check=False)
        assert finished.returncode != 0, (name, finished.stderr)
        lines[name] = [line for line in (finished.stdout + finished.stderr).splitlines()
                       if line.startswith("no such ")]
    word = "user" if option == "-user" else "group"
    assert lines["ours"] == lines["isc"] == [f"no such {word}: no-such-name-here"]


def test_no_pid_writes_no_pid_file(open_lab: Path) -> None:
    with Lab(open_lab / "lab") as lab:
        server = start_dhcpd(lab, SRV1, CONF, name="server",
                             program=(*LEASELEDGER_SERVE, "--no-pid"))
        assert server.process.is_running()
        assert not server.pid_path.exists()


def test_as_nobody_the_lease_log_rotates_and_stops_cleanly(open_lab: Path) -> None:
    """What the server writes after the drop: a new segment when the log passes its
    limit (owned by nobody) and the index at the end, in a folder nobody may write."""
    with Lab(open_lab / "lab") as lab:
        os.chmod(lab.workdir, 0o777)
        (lab.workdir / "server").mkdir(mode=0o777)
        os.chmod(lab.workdir / "server", 0o777)
        server = start_dhcpd(lab, SRV1, CONF, name="server", program=(
            *LEASELEDGER_SERVE, "-user", "nobody", "-group", "nogroup",
            "--rotate-bytes", "4096"))
        given = load(lab, SRV1_ADDRESS, first=0, count=20, name="load")
        assert len(given) == 20
        folder = server.lease_path.parent
        assert sorted(path.name for path in folder.glob("dhcpd.leases.seg-*"))
        assert server.lease_path.stat().st_uid == NOBODY  # the new live segment
        assert server.process.stop() == 0
        output = server.process.output()
        assert "Traceback" not in output and "Permission denied" not in output, output[-2000:]
        addresses = {address for _mac, address in given}
        assert all(last_record(server.leases_text(), address) for address in addresses)
