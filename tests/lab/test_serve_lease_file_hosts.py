"""Hosts made and deleted through OMAPI live in dhcpd.leases: a server started on that
file must serve them as dhcpd does (a site moving from dhcpd keeps its reservations).

The same configuration (the lab's, plus a host `gone` with a fixed address) and the
same lease file (written as dhcpd writes OMAPI's hosts: a dynamic host for the
client's MAC with a fixed address, and `gone` deleted) start ISC dhcpd, then
leaseledger.  On each, dhclient gets the dynamic host's fixed address, and a client
with `gone`'s MAC gets an address from the range, not `gone`'s; both servers log the
same host lines at start-up.
"""

from __future__ import annotations

from ipaddress import IPv4Address

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.lab_config import LAB_CONF, LAB_RANGE
from ops.lab.netns import CLI, SRV1, Lab
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

GONE_MAC = "02:00:00:00:00:61"
CONF = LAB_CONF + f"""\
host gone {{
  hardware ethernet {GONE_MAC};
  fixed-address 10.0.0.61;
}}
"""
LEASES = """\
host omhost1 {{
  dynamic;
  hardware ethernet {mac};
  fixed-address 10.0.0.60;
}}
host gone {{
  deleted;
}}
"""
SERVERS = {"isc": (DHCPD,), "ours": LEASELEDGER_SERVE}


def test_the_lease_files_hosts_are_served_as_dhcpd_serves_them(lab: Lab) -> None:
    mac = lab.mac_address(CLI)
    host_lines: dict[str, list[str]] = {}
    for side, program in SERVERS.items():
        label = f"hosts-{side}"
        (lab.workdir / label).mkdir(parents=True, exist_ok=True)
        (lab.workdir / label / "dhcpd.leases").write_text(LEASES.format(mac=mac))
        lab.set_mac_address(CLI, mac)
        server = start_dhcpd(lab, SRV1, CONF, name=label, program=program)
        reserved = run_dhclient(lab, name=f"reserved-{side}")
        assert reserved.lease.address == "10.0.0.60", side
        reserved.process.stop()
        lab.set_mac_address(CLI, GONE_MAC)
        visitor = run_dhclient(lab, name=f"gone-{side}")
        assert LAB_RANGE[0] <= IPv4Address(visitor.lease.address) <= LAB_RANGE[1], side
        visitor.process.stop()
        server.process.stop()
        host_lines[side] = [line for line in server.process.output().splitlines()
                            if "host decls" in line]
    assert host_lines["isc"] == ["Wrote 1 deleted host decls to leases file.",
                                 "Wrote 0 new dynamic host decls to leases file."]
    assert host_lines["ours"] == host_lines["isc"]
