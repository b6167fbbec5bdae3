"""dhcpd.conf's `remote-port`: replies to clients go to that port instead of 68, as
dhcpd sends them (server/dhcp.c: `to.sin_port = remote_port`).

A client of the lab's own (probe_client `decline`) listens on the configured port and
gets its OFFER and ACK there; one on port 68 hears nothing.  Run against ISC dhcpd as
well, which checks the expectations themselves.
"""

from __future__ import annotations

from collections.abc import Sequence

import pytest

from ops.lab.lab_config import LAB_CONF
from ops.lab.netns import CLI, CLIENT_INTERFACE, SRV1, Lab
from ops.lab.probe_client import probe_argv
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

SERVERS = pytest.mark.parametrize("program", [LEASELEDGER_SERVE, (DHCPD,)], ids=["ours", "isc"])
REMOTE_PORT = 1068
SECONDS = 10


@SERVERS
def test_clients_are_answered_on_the_remote_port(lab: Lab, program: Sequence[str]) -> None:
    server = start_dhcpd(lab, SRV1, LAB_CONF + f"remote-port {REMOTE_PORT};\n",
                         program=program)
    mac = lab.mac_address(CLI)
    deaf = lab.start(CLI, probe_argv("decline", "--interface", CLIENT_INTERFACE, "--mac", mac,
                                     "--timeout", "3"), label="on-68")
    assert deaf.wait_exit(SECONDS) == 1
    assert "no DHCPOFFER" in deaf.output()
    server.process.wait_for(r"^DHCPOFFER on ", SECONDS)  # it was answered, elsewhere

    heard = lab.start(CLI, probe_argv("decline", "--interface", CLIENT_INTERFACE, "--mac", mac,
                                      "--client-port", str(REMOTE_PORT)), label="on-remote")
    assert heard.wait_exit(SECONDS) == 0, heard.output()
    heard.wait_for(r"^ACK 10\.0\.0\.\d+$", 1)
