"""A request refused after its statements ran still runs their `execute` commands, as
dhcpd runs a command while it runs the statements: with `min-secs 3`, dhclient's first
DISCOVERs (secs below 3) are dropped, each after the pool's command ran; later ones
are answered.  Against ISC dhcpd on the same config: the same lines, command by
command, up to the lease."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.netns import CLI, SRV1, Lab
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

CONF = """\
authoritative;
ping-check false;
min-secs 3;
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool {
    range 10.0.0.100 10.0.0.199;
    execute("/bin/sh", "-c", "exit 7");
  }
}
"""
READY = "Server starting service."
COMMAND = ["execute_statement argv[0] = /bin/sh", "execute_statement argv[1] = -c",
           "execute_statement argv[2] = exit 7", "execute: /bin/sh exit status 1792"]
DROPPED = re.compile(r"^DHCPDISCOVER from MAC via eth0: configured min-secs value \(3\) is"
                     r" greater than secs field \(\d\)\.  message dropped\.$")


def test_a_request_dropped_for_min_secs_still_runs_its_command_as_isc_does(
    lab_prerequisites: None, tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    first_drop = {}
    for name, program in (("isc", (DHCPD,)), ("ours", LEASELEDGER_SERVE)):
        with Lab(tmp_path / name) as each:
            server = start_dhcpd(each, SRV1, CONF, program=program)
            mac = each.mac_address(CLI)
            address = run_dhclient(each, timeout=20).lease.address
            server.process.wait_for(rf"^DHCPACK on {re.escape(address)} ", 5)
            lines = server.process.output().replace(mac, "MAC").splitlines()
            lines = lines[lines.index(READY) + 1:]
        drops = [at for at, line in enumerate(lines) if DROPPED.match(line)]
        assert drops, (name, lines)
        # Every dropped DISCOVER ran the command just before its line.
        for at in drops:
            assert lines[at - 4:at] == COMMAND, (name, lines[at - 6:at + 1])
        first_drop[name] = lines[:drops[0] + 1]
    assert first_drop["ours"] == first_drop["isc"] == [*COMMAND, first_drop["isc"][-1]]
