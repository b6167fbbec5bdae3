"""`lease limit` on a class spawned per relay circuit, with real clients behind ISC
dhcrelay: two clients on the circuit get addresses, the third is refused with dhcpd's
"no available billing" line, and the leases carry their billing subclass on disk.

dhcrelay's `-a` adds option 82 with the circuit-id set to the downstream interface's
name, so every client of the relayed segment is on one circuit.  The test runs against
ISC dhcpd too, so the expectations hold for the reference as well.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Sequence
from ipaddress import IPv4Address, IPv4Network

import pytest

from ops.lab.clients import run_udhcpc
from ops.lab.lab_config import LAB_CONF
from ops.lab.netns import (
    RELAY_DOWNSTREAM_INTERFACE,
    RELAYED_CLIENT,
    RELAYED_GATEWAY,
    RELAYED_SEGMENT,
    SRV1,
    Lab,
)
from ops.lab.processes import LabError
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd, start_dhcrelay

pytestmark = pytest.mark.lab

PER_CIRCUIT = LAB_CONF + """\
class "perrelay" { spawn with option agent.circuit-id; lease limit 2; }
"""
MACS = ("02:00:00:00:0b:01", "02:00:00:00:0b:02", "02:00:00:00:0b:03")
REFUSAL = "no available billing: lease limit reached in all matching classes (last: 'perrelay')"


@pytest.mark.parametrize("program", [LEASELEDGER_SERVE, (DHCPD,)], ids=["ours", "isc"])
def test_the_third_client_on_a_circuit_is_refused(
    lab: Lab, require_tool: Callable[[str], str], program: Sequence[str]
) -> None:
    require_tool("udhcpc")
    require_tool("dhcrelay")
    server = start_dhcpd(lab, SRV1, PER_CIRCUIT, program=program)
    start_dhcrelay(lab, agent_options=True)

    addresses = []
    for mac in MACS[:2]:
        lab.set_mac_address(RELAYED_CLIENT, mac)
        addresses.append(run_udhcpc(lab, RELAYED_CLIENT, name=f"client-{mac[-2:]}").address)
    assert all(IPv4Address(a) in IPv4Network(RELAYED_SEGMENT) for a in addresses)

    lab.set_mac_address(RELAYED_CLIENT, MACS[2])
    with pytest.raises(LabError, match="udhcpc exited with status 1"):
        run_udhcpc(lab, RELAYED_CLIENT, name="refused", timeout=3)
    output = server.process.output()
    assert re.search(
        rf"^DHCPDISCOVER from {MACS[2]} via {re.escape(RELAYED_GATEWAY)}: {re.escape(REFUSAL)}$",
        output, re.MULTILINE,
    ), output[-3000:]
    assert f"to {MACS[2]}" not in output
    billing = f'billing subclass "perrelay" "{RELAY_DOWNSTREAM_INTERFACE}";'
    assert server.leases_text().count(billing) >= 2
