"""A lease's life with `leaseledger serve` and real clients: renewal, restart of the
client (INIT-REBOOT) and of the server, release, and decline.

dhclient renews by unicast from its address, so the renewal test lets its script put
the address on the interface.  No real client in the lab declines on demand, so the
lab's probe client (ops/lab/probe_client.py) does: it gets a lease on the client's
interface and declines it, as a client whose ARP probe found the address in use.
Restart and decline run against ISC dhcpd as well, which checks the expectations
against the reference.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence

import pytest

from ops.lab.clients import read_records, release_dhclient, run_dhclient, run_udhcpc
from ops.lab.lease_file_check import isc_complaints, last_record, lease_table
from ops.lab.netns import CLI, CLIENT_INTERFACE, PERFDHCP_ADDRESS, SRV1, SRV1_ADDRESS, Lab
from ops.lab.probe_client import acked_leases, probe_argv
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

SERVERS = pytest.mark.parametrize("program", [LEASELEDGER_SERVE, (DHCPD,)], ids=["ours", "isc"])
CONF = """\
authoritative;
ping-check false;
default-lease-time {lease};
max-lease-time {lease};
subnet 10.0.0.0 netmask 255.255.255.0 {{
  range 10.0.0.100 10.0.0.199;
}}
"""
# dhclient renews at half the lease time: a 4 s lease renews 2 s after binding.
SHORT_LEASE = 4
LEASE = 300
_SECONDS = 10


def assert_isc_reads(server: DhcpServer, lab: Lab) -> None:
    assert isc_complaints(server.config_path, server.lease_path, lab.workdir / "isc") == []


def test_a_renewing_client_keeps_its_address(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    server = start_dhcpd(lab, SRV1, CONF.format(lease=SHORT_LEASE), program=LEASELEDGER_SERVE)
    mac = lab.mac_address(CLI)
    client = run_dhclient(lab, configure_address=True)
    address = client.lease.address
    mark = server.process.output_mark()

    client.process.wait_for(rf"^bound to {re.escape(address)} -- renewal in",
                            timeout=_SECONDS, since=client.process.output_mark())

    reasons = [record.get("reason") for record in read_records(client.records_path)]
    assert reasons[:2] == ["PREINIT", "BOUND"]
    assert "RENEW" in reasons[2:]
    renewal = server.process.output()[mark:]
    # A renewal names no server (it is sent to one) and is answered by unicast.
    assert (f"DHCPREQUEST for {address} from {mac} via eth0\n"
            f"DHCPACK on {address} to {mac} via eth0\n") in renewal
    record = last_record(server.leases_text(), address)
    assert record is not None and "binding state active;" in record
    assert_isc_reads(server, lab)


@SERVERS
def test_after_a_restart_of_both_the_client_keeps_its_address_then_releases_it(
    lab: Lab, require_tool: Callable[[str], str], program: Sequence[str]
) -> None:
    require_tool("dhclient")
    config = CONF.format(lease=LEASE)
    server = start_dhcpd(lab, SRV1, config, program=program)
    mac = lab.mac_address(CLI)
    first = run_dhclient(lab)
    address = first.lease.address
    first.process.stop()
    server.process.stop()

    server = start_dhcpd(lab, SRV1, config, program=program)
    # Another client now gets another address: the restarted server knows it is taken.
    other = lab.start(CLI, probe_argv("load", "--server", SRV1_ADDRESS,
                                      "--relay", PERFDHCP_ADDRESS, "--count", "1"),
                      label="other-client")
    assert other.wait_exit(_SECONDS) == 0
    [(_other_mac, other_address)] = acked_leases(other.output())
    assert other_address != address
    # dhclient, started again with its lease file, asks for its old address first.
    again = run_dhclient(lab)
    assert again.lease.address == address
    assert again.lease.variables["reason"] == "REBOOT"
    output = server.process.output()
    assert f"DHCPREQUEST for {address} from {mac} via eth0\n" in output
    assert f"DHCPACK on {address} to {mac} via eth0\n" in output
    assert "DHCPDISCOVER from " + mac not in output

    release_dhclient(lab, again)

    server.process.wait_for(
        rf"^DHCPRELEASE of {re.escape(address)} from {mac} via eth0 \(found\)$", _SECONDS)
    record = last_record(server.leases_text(), address)
    assert record is not None and "binding state free;" in record
    assert_isc_reads(server, lab)


def test_the_lease_table_shows_a_released_lease_as_free(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    server = start_dhcpd(lab, SRV1, CONF.format(lease=LEASE), program=LEASELEDGER_SERVE)
    client = run_dhclient(lab)
    mac = lab.mac_address(CLI)

    release_dhclient(lab, client)
    server.process.wait_for(r"^DHCPRELEASE of .* \(found\)$", _SECONDS)

    rows = lease_table(server.config_path, server.lease_path)
    assert [(row["ip"], row["state"], row["hardware"]) for row in rows] == [
        (client.lease.address, "free", mac)]


@SERVERS
def test_a_declined_address_is_abandoned_and_not_handed_out_again(
    lab: Lab, require_tool: Callable[[str], str], program: Sequence[str]
) -> None:
    require_tool("udhcpc")
    server = start_dhcpd(lab, SRV1, CONF.format(lease=LEASE), program=program)
    mac = lab.mac_address(CLI)

    decliner = lab.start(CLI, probe_argv("decline", "--interface", CLIENT_INTERFACE,
                                         "--mac", mac), label="decliner")

    assert decliner.wait_exit(_SECONDS) == 0, decliner.output()
    address = decliner.wait_for(r"^DECLINE (\S+)$", 1)[1]
    server.process.wait_for(
        rf"^DHCPDECLINE of {re.escape(address)} from {mac} via eth0: abandoned$", _SECONDS)
    assert f"Abandoning IP address {address}: declined." in server.process.output()
    record = last_record(server.leases_text(), address)
    assert record is not None and "binding state abandoned;" in record
    assert_isc_reads(server, lab)
    # The same client asks again: free addresses come before an abandoned one.
    assert run_udhcpc(lab).address != address
