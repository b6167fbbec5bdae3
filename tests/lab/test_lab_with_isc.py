"""The lab harness, proven with ISC dhcpd as the server and real clients.

Each test builds its own namespaces (tests/lab/conftest.py), runs ISC dhcpd 4.4 in srv1
(or srv2), and checks a real client's view against the server's log and lease file.
All traffic stays inside the lab's namespaces.  The module takes about 7 s (4 s of it perfdhcp).
"""

from __future__ import annotations

import os
import re
import subprocess
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from adapters.leasefile.codec import format_record, parse_lease_file
from ops.lab.clients import run_dhclient, run_perfdhcp, run_udhcpc
from ops.lab.lab_config import LAB_CONF, LAB_RANGE
from ops.lab.netns import (
    BASE_ROLES,
    CLI,
    PERFDHCP_ADDRESS,
    RELAYED_CLIENT,
    RELAYED_GATEWAY,
    RELAYED_SEGMENT,
    SRV1,
    SRV1_ADDRESS,
    SRV2,
    SRV2_ADDRESS,
    Lab,
    namespaces_named,
    remove_leftovers,
)
from ops.lab.processes import LabError
from ops.lab.servers import start_dhcpd, start_dhcrelay

pytestmark = pytest.mark.lab



def lease_block(leases: str, address: str) -> str:
    """The last record for `address` in a dhcpd.leases text (the one that counts)."""
    blocks = re.findall(rf"^lease {re.escape(address)} \{{\n(.*?)^\}}", leases,
                        re.MULTILINE | re.DOTALL)
    assert blocks, f"no lease {address} in the lease file:\n{leases}"
    return blocks[-1]


def test_dhclient_gets_a_lease_that_dhcpd_records(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    server = start_dhcpd(lab, SRV1, LAB_CONF)
    mac = lab.mac_address(CLI)
    mark = server.process.output_mark()

    client = run_dhclient(lab, config_lines=['send host-name "labclient";'])

    lease = client.lease
    assert LAB_RANGE[0] <= IPv4Address(lease.address) <= LAB_RANGE[1]
    assert lease.server_identifier == SRV1_ADDRESS
    assert lease.subnet_mask == "255.255.255.0"
    assert lease.variables["interface"] == "eth0"
    server.process.wait_for(
        rf"^DHCPACK on {re.escape(lease.address)} to {mac} \(labclient\) via eth0$",
        timeout=5, since=mark,
    )
    record = lease_block(server.leases_text(), lease.address)
    assert "binding state active;" in record
    assert f"hardware ethernet {mac};" in record
    assert 'client-hostname "labclient";' in record
    # dhclient stays in the foreground after binding; the lab stops it by PID.
    assert client.process.is_running()
    # The file dhcpd wrote for a real client reads back through our codec byte for
    # byte: every record, and the client's lease with its hardware and hostname.
    text = server.leases_text()
    parsed = parse_lease_file(text)
    assert parsed.fatal is None and not parsed.diagnostics
    records = [entry for entry in parsed.entries if entry.record is not None]
    assert records
    for entry in records:
        assert format_record(entry.record) == text[entry.start : entry.end].lstrip("\n")
    ours = [r for r in parsed.records() if getattr(r, "ip", None) == lease.address][-1]
    assert ours.hardware is not None and ours.hardware.address.hex(":") == mac
    assert ours.client_hostname == "labclient"


def test_udhcpc_gets_a_lease_from_the_second_server(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("udhcpc")
    server = start_dhcpd(lab, SRV2, LAB_CONF)
    mac = lab.mac_address(CLI)

    lease = run_udhcpc(lab)

    assert lease.server_identifier == SRV2_ADDRESS
    assert lease.lease_seconds is not None and 0 < lease.lease_seconds <= 300
    assert lease.variables["script_argument"] == "bound"
    assert f"DHCPACK on {lease.address} to {mac} via eth0" in server.process.output()
    assert f"hardware ethernet {mac};" in lease_block(server.leases_text(), lease.address)


def test_a_client_behind_dhcrelay_gets_an_address_of_its_own_segment(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    require_tool("dhcrelay")
    server = start_dhcpd(lab, SRV1, LAB_CONF)
    start_dhcrelay(lab, [SRV1_ADDRESS])
    mac = lab.mac_address(RELAYED_CLIENT)

    lease = run_dhclient(lab, RELAYED_CLIENT).lease

    assert IPv4Address(lease.address) in IPv4Network(RELAYED_SEGMENT)
    assert lease.routers == (RELAYED_GATEWAY,)
    assert f"DHCPACK on {lease.address} to {mac} via {RELAYED_GATEWAY}" in (
        server.process.output()
    )
    assert "binding state active;" in lease_block(server.leases_text(), lease.address)


def test_perfdhcp_completes_a_bounded_run(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("perfdhcp")
    server = start_dhcpd(lab, SRV1, LAB_CONF)

    run = run_perfdhcp(lab, rate=100, seconds=3)

    stats = run.stats
    # 100/s for 3 s: about 300 DISCOVERs, never more than the -n bound of 301.
    assert 250 <= stats.discover_offer.sent <= 301
    assert stats.completion_ratio > 0.9
    assert stats.request_ack.avg_delay_ms is not None
    acks = re.findall(rf"^DHCPACK on \S+ to \S+ via {re.escape(PERFDHCP_ADDRESS)}$",
                      server.process.output(), re.MULTILINE)
    assert len(acks) >= stats.completed_exchanges


def test_a_restarted_server_keeps_its_lease_file_and_only_its_new_output_counts(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("udhcpc")
    first = start_dhcpd(lab, SRV1, LAB_CONF)
    lease = run_udhcpc(lab)
    first.process.stop()

    second = start_dhcpd(lab, SRV1, LAB_CONF)

    assert second.lease_path == first.lease_path
    assert f"lease {lease.address} {{" in second.leases_text()
    assert "DHCPACK" not in second.process.output()
    assert "DHCPACK" in second.process.log_path.read_text()


def test_the_lab_is_torn_down_when_the_test_inside_it_fails(
    lab_prerequisites: None, tmp_path: Path
) -> None:
    with pytest.raises(RuntimeError, match="test failed"), Lab(tmp_path) as lab:
        server = start_dhcpd(lab, SRV1, LAB_CONF)
        assert namespaces_named(lab.prefix) == sorted(lab.prefix + role for role in BASE_ROLES)
        raise RuntimeError("test failed")

    assert namespaces_named(lab.prefix) == []
    assert server.process.returncode is not None
    assert not Path(f"/proc/{server.process.pid}").exists()


def test_lab_programs_see_a_fixed_environment_not_the_callers(
    lab: Lab, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CALLER_ONLY", "leak")

    process = lab.start(CLI, ["/usr/bin/env"], env={"LAB_EXTRA": "given"})

    assert process.wait_exit(timeout=5) == 0
    variables = dict(line.partition("=")[::2] for line in process.output().splitlines())
    assert variables["LAB_EXTRA"] == "given"
    assert variables["LC_ALL"] == "C"
    assert variables["PYTHONUNBUFFERED"] == "1"
    assert "CALLER_ONLY" not in variables


def test_a_server_that_cannot_start_is_reported_with_its_output(lab: Lab) -> None:
    # dhcpd's refusal ends with "exiting."; the error quotes the end of its output.
    with pytest.raises(LabError, match=r"(?s)dhcpd-srv1 in \S+ ended \(status 1\).*exiting\."):
        start_dhcpd(lab, SRV1, "subnet 10.0.0.0 netmask 255.255.255.0 {\n", timeout=10)


def test_namespaces_left_by_a_crashed_run_are_removed(lab_prerequisites: None) -> None:
    # A PID that is certainly not running any more: a child we started and reaped.
    child = subprocess.Popen(["true"])
    child.wait()
    dead = f"ll{child.pid}-1-srv1"
    alive = f"ll{os.getpid()}-999-srv1"  # a live run's namespace must survive
    for name in (dead, alive):
        subprocess.run(["ip", "netns", "add", name], check=True)
    try:
        removed = remove_leftovers(own_prefix="ll0-0-")

        assert dead in removed
        assert alive not in removed
        assert namespaces_named(dead) == []
        assert namespaces_named(alive) == [alive]
    finally:
        for name in (dead, alive):
            subprocess.run(["ip", "netns", "delete", name], check=False,
                           capture_output=True)
