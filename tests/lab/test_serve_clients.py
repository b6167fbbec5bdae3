"""`leaseledger serve` in the lab, answering real clients: ISC dhclient, busybox udhcpc,
a client behind ISC dhcrelay, and perfdhcp's load.

Each test starts our server in srv1 with dhcpd's own command line (ops/lab/servers.py)
and checks three witnesses: what the client was given, the lines the server logged
(dhcpd's words), and the lease file — which the real `dhcpd -4 -T` must read without a
word.  One test runs the same clients against ISC dhcpd and our server and compares
the two logs line by line.  All traffic stays inside the lab's namespaces.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from ipaddress import IPv4Address, IPv4Network
from pathlib import Path

import pytest

from ops.lab.clients import run_dhclient, run_perfdhcp, run_udhcpc
from ops.lab.lab_config import LAB_CONF, LAB_RANGE, SHARED_NETWORK
from ops.lab.lease_file_check import isc_complaints, last_record
from ops.lab.netns import (
    CLI,
    PERFDHCP_ADDRESS,
    RELAYED_CLIENT,
    RELAYED_GATEWAY,
    RELAYED_SEGMENT,
    SRV1,
    SRV1_ADDRESS,
    Lab,
)
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, DhcpServer, start_dhcpd, start_dhcrelay

pytestmark = pytest.mark.lab



def start_ours(lab: Lab, config: str = LAB_CONF) -> DhcpServer:
    return start_dhcpd(lab, SRV1, config, program=LEASELEDGER_SERVE)


def assert_isc_reads(server: DhcpServer, lab: Lab) -> None:
    assert isc_complaints(server.config_path, server.lease_path, lab.workdir / "isc") == []


def dhcp_lines(output: str, mac: str) -> list[str]:
    """The server's lines about requests (DHCP... and reuse_lease), with the MAC and
    the lease's age in whole seconds (which depends on when the second ticked) made
    neutral."""
    return [re.sub(r"lease age \d+", "lease age N", line.replace(mac, "MAC"))
            for line in output.splitlines() if line.startswith(("DHCP", "reuse_lease"))]


def test_dhclient_gets_a_lease_logged_and_written_as_dhcpd_would(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    server = start_ours(lab)
    mac = lab.mac_address(CLI)

    lease = run_dhclient(lab, config_lines=['send host-name "labclient";']).lease

    address = lease.address
    assert LAB_RANGE[0] <= IPv4Address(address) <= LAB_RANGE[1]
    assert lease.server_identifier == SRV1_ADDRESS
    assert lease.subnet_mask == "255.255.255.0"
    # dhclient asks for 7200 s; max-lease-time caps it.
    assert lease.lease_seconds == 300
    server.process.wait_for(rf"^DHCPACK on {re.escape(address)} to {mac} \(labclient\) via eth0$",
                            timeout=5)
    assert dhcp_lines(server.process.output(), mac) == [
        "DHCPDISCOVER from MAC via eth0",
        f"DHCPOFFER on {address} to MAC (labclient) via eth0",
        f"DHCPREQUEST for {address} ({SRV1_ADDRESS}) from MAC (labclient) via eth0",
        f"DHCPACK on {address} to MAC (labclient) via eth0",
    ]
    record = last_record(server.leases_text(), address)
    assert record is not None
    assert "binding state active;" in record
    assert f"hardware ethernet {mac};" in record
    assert 'client-hostname "labclient";' in record
    assert_isc_reads(server, lab)


def test_udhcpc_gets_a_lease_with_the_default_lease_time(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("udhcpc")
    server = start_ours(lab)
    mac = lab.mac_address(CLI)

    lease = run_udhcpc(lab)

    assert LAB_RANGE[0] <= IPv4Address(lease.address) <= LAB_RANGE[1]
    assert lease.server_identifier == SRV1_ADDRESS
    assert lease.variables["script_argument"] == "bound"
    assert lease.lease_seconds is not None and 0 < lease.lease_seconds <= 300
    assert f"DHCPACK on {lease.address} to {mac} via eth0" in server.process.output()
    record = last_record(server.leases_text(), lease.address)
    assert record is not None and "binding state active;" in record
    assert f"hardware ethernet {mac};" in record
    assert_isc_reads(server, lab)


def test_a_client_behind_dhcrelay_gets_an_address_of_its_own_segment(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    require_tool("dhcrelay")
    server = start_ours(lab)
    start_dhcrelay(lab, [SRV1_ADDRESS])
    mac = lab.mac_address(RELAYED_CLIENT)

    lease = run_dhclient(lab, RELAYED_CLIENT).lease

    assert IPv4Address(lease.address) in IPv4Network(RELAYED_SEGMENT)
    assert lease.routers == (RELAYED_GATEWAY,)
    server.process.wait_for(
        rf"^DHCPACK on {re.escape(lease.address)} to {mac} via {re.escape(RELAYED_GATEWAY)}$",
        timeout=5,
    )
    assert f"DHCPDISCOVER from {mac} via {RELAYED_GATEWAY}" in server.process.output()
    record = last_record(server.leases_text(), lease.address)
    assert record is not None and "binding state active;" in record
    assert f"hardware ethernet {mac};" in record
    assert_isc_reads(server, lab)


def test_perfdhcp_completes_a_bounded_run_and_every_ack_is_on_disk(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("perfdhcp")
    server = start_ours(lab)

    run = run_perfdhcp(lab, rate=100, seconds=3, server=SRV1_ADDRESS)

    stats = run.stats
    assert 250 <= stats.discover_offer.sent <= 301
    assert stats.completion_ratio > 0.9
    assert stats.request_ack.avg_delay_ms is not None
    acks = re.findall(rf"^DHCPACK on (\S+) to (\S+) via {re.escape(PERFDHCP_ADDRESS)}$",
                      server.process.output(), re.MULTILINE)
    assert len(acks) >= stats.completed_exchanges
    leases = server.leases_text()
    for address, mac in acks:
        assert any(IPv4Address(address) in subnet for subnet in SHARED_NETWORK)
        record = last_record(leases, address)
        assert record is not None and f"hardware ethernet {mac};" in record
        assert "binding state active;" in record
    assert_isc_reads(server, lab)


def test_the_same_clients_see_the_same_log_lines_from_isc_dhcpd_and_from_us(
    lab_prerequisites: None, tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    # A first lease, a restart of dhclient (INIT-REBOOT with its lease file, which the
    # server answers from the lease it holds), then udhcpc with the same MAC.
    require_tool("dhclient")
    require_tool("udhcpc")
    logs = {}
    for name, program in (("isc", (DHCPD,)), ("ours", LEASELEDGER_SERVE)):
        with Lab(tmp_path / name) as each:
            server = start_dhcpd(each, SRV1, LAB_CONF, program=program)
            mac = each.mac_address(CLI)
            for _ in range(2):
                run_dhclient(each, config_lines=['send host-name "labclient";']).process.stop()
            run_udhcpc(each)
            server.process.wait_for(r"(?:^DHCPACK on .*$[\s\S]*?){3}", 5)  # udhcpc's is 3rd
            logs[name] = dhcp_lines(server.process.output(), mac)

    assert len(logs["isc"]) == 11
    assert logs["ours"] == logs["isc"]
