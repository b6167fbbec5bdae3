"""The tutorial's two-pool subnet (ops/examples/known-unknown/dhcpd.conf) with real
clients: a client with a host entry is "known" and gets the staff pool, every other
client the guest pool, and when the guest pool is used up an unknown client gets
nothing — never an address from the pool that denies unknown clients.

The test runs against ISC dhcpd too, so every expectation is checked against the
reference as well as against `leaseledger serve`.  The lab client plays the unknown
clients by changing the MAC address of its interface.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address
from pathlib import Path

import pytest

from ops.lab.clients import run_dhclient, run_udhcpc
from ops.lab.netns import CLI, SRV1, Lab
from ops.lab.processes import LabError
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

EXAMPLE = Path(__file__).resolve().parents[2] / "ops/examples/known-unknown/dhcpd.conf"
GUEST_RANGE = "range 10.0.0.100 10.0.0.250;"
# One guest address, so the second unknown client finds the guest pool used up.
TINY_GUEST_RANGE = "range 10.0.0.100 10.0.0.100;"
UNKNOWN_MACS = ("02:00:00:00:0a:01", "02:00:00:00:0a:02")


def lab_config(known_mac: str) -> str:
    """The tutorial's configuration with no ping before offers, a one-address guest
    pool, and a host entry that makes the lab client known."""
    example = EXAMPLE.read_text(encoding="utf-8")
    assert GUEST_RANGE in example, "the tutorial's guest range changed: update this test"
    return (
        "ping-check false;\n"
        + example.replace(GUEST_RANGE, TINY_GUEST_RANGE)
        + f"\nhost lab-client {{\n  hardware ethernet {known_mac};\n}}\n"
    )


@pytest.mark.parametrize("program", [LEASELEDGER_SERVE, (DHCPD,)], ids=["ours", "isc"])
def test_known_and_unknown_clients_get_their_own_pool_and_nothing_else(
    lab: Lab, require_tool: Callable[[str], str], program: Sequence[str]
) -> None:
    require_tool("dhclient")
    require_tool("udhcpc")
    known_mac = lab.mac_address(CLI)
    server = start_dhcpd(lab, SRV1, lab_config(known_mac), program=program)

    # The known client: the staff pool, the internal name servers, up to 8 hours.
    known = run_dhclient(lab, name="known")
    known.process.stop()
    assert IPv4Address("10.0.0.5") <= IPv4Address(known.lease.address) <= IPv4Address(
        "10.0.0.99")
    assert known.lease.variables["new_domain_name_servers"] == "10.0.0.251 10.0.0.252"
    assert known.lease.lease_seconds is not None and 0 < known.lease.lease_seconds <= 28800

    # An unknown client: the guest pool, the guest name server, five minutes at most.
    lab.set_mac_address(CLI, UNKNOWN_MACS[0])
    guest = run_dhclient(lab, name="guest")
    guest.process.stop()
    assert guest.lease.address == "10.0.0.100"
    assert guest.lease.variables["new_domain_name_servers"] == "10.0.0.254"
    assert guest.lease.lease_seconds is not None and 0 < guest.lease.lease_seconds <= 300

    # A second unknown client: the guest pool is used up, and the staff pool, which has
    # room, denies it.  No offer at all.
    lab.set_mac_address(CLI, UNKNOWN_MACS[1])
    with pytest.raises(LabError, match="udhcpc exited with status 1"):
        run_udhcpc(lab, name="turned-away", timeout=3)
    output = server.process.output()
    assert re.search(rf"^DHCPDISCOVER from {UNKNOWN_MACS[1]} via eth0: "
                     r"network 10\.0\.0\.0/24: no free leases$", output, re.MULTILINE)
    assert f"to {UNKNOWN_MACS[1]}" not in output
    assert f"DHCPACK on {known.lease.address} to {known_mac} via eth0" in output
    assert f"DHCPACK on 10.0.0.100 to {UNKNOWN_MACS[0]} via eth0" in output
