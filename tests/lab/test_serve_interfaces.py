"""`leaseledger serve` chooses its interfaces at start-up as ISC dhcpd does.

srv1 gets a second leg, `eth1` (10.9.0.1/24), to cli, on a segment no subnet covers.
ISC dhcpd runs first, in each case, and its lines are the reference: the warning
block for an interface on no subnet, then either service on the rest or the refusal
"Not configured to listen on any interfaces!" (exit 1).  Both leave out what differs
by design: how each opens its sockets (`Listening on`, `Sending on`) and the
bug-report trailer of a fatal error (leaseledger prints no trailer).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from pathlib import Path

import pytest

from domain.interface_check import NO_INTERFACES
from ops.lab.clients import run_dhclient
from ops.lab.lab_config import LAB_CONF
from ops.lab.netns import CLI, SRV1, Lab, run_ip
from ops.lab.probe_client import probe_argv
from ops.lab.processes import LabError
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

UNCOVERED = "eth1"
UNCOVERED_ADDRESS = "10.9.0.1/24"
ELSEWHERE = """\
ping-check false;
subnet 10.5.0.0 netmask 255.255.255.0 {
  range 10.5.0.100 10.5.0.199;
}
"""
_PROGRAMS = {"isc": (DHCPD,), "ours": LEASELEDGER_SERVE}
_NOT_COMPARED = ("Listening on ", "Sending on ", "Wrote ")
_CLIENT_SECONDS = 2.0


def add_uncovered_leg(lab: Lab) -> None:
    """srv1 eth1 10.9.0.1/24 <-> cli eth1 (unaddressed), both up; the lab's namespaces
    take the pair with them when they are deleted."""
    run_ip("-n", lab.namespace(SRV1), "link", "add", UNCOVERED, "type", "veth", "peer",
           "name", UNCOVERED, "netns", lab.namespace(CLI))
    run_ip("-n", lab.namespace(SRV1), "addr", "add", UNCOVERED_ADDRESS, "dev", UNCOVERED)
    for role in (SRV1, CLI):
        run_ip("-n", lab.namespace(role), "link", "set", UNCOVERED, "up")


def check_lines(output: str) -> list[str]:
    """The interface check's lines: from the blank line before the first warning to
    `Server starting service.` or the fatal line, without the lines not compared."""
    lines = output.splitlines()
    first = next(i for i, line in enumerate(lines)
                 if line.startswith("No subnet declaration for "))
    last = next(i for i, line in enumerate(lines)
                if line in (NO_INTERFACES, "Server starting service."))
    return [line for line in lines[first - 1:last + 1] if not line.startswith(_NOT_COMPARED)]


def log_of(lab: Lab, name: str) -> str:
    return (lab.workdir / f"{name}.log").read_text(encoding="utf-8", errors="replace")


def test_an_interface_on_no_subnet_is_warned_about_and_its_requests_ignored(
    lab: Lab,
) -> None:
    add_uncovered_leg(lab)
    mac = lab.mac_address(CLI, UNCOVERED)
    seen: dict[str, list[str]] = {}
    for label, program in _PROGRAMS.items():
        server = start_dhcpd(lab, SRV1, LAB_CONF, name=label, program=program,
                             interfaces=("eth0", UNCOVERED))
        seen[label] = check_lines(server.process.output())

        client = lab.start(CLI, probe_argv("decline", "--interface", UNCOVERED, "--mac", mac,
                                           "--timeout", str(_CLIENT_SECONDS)),
                           label=f"client-{label}")

        assert client.wait_exit(_CLIENT_SECONDS + 5) == 1, client.output()
        assert f"via {UNCOVERED}" not in server.process.output()
        server.process.stop()

    assert f"No subnet declaration for {UNCOVERED} (10.9.0.1)." in seen["isc"]
    assert seen["ours"] == seen["isc"]


@pytest.mark.parametrize(("interfaces", "config"), [
    ((), ELSEWHERE),
    (("nosuch",), LAB_CONF),
], ids=["every-interface-on-no-subnet", "named-interface-missing"])
def test_with_no_interface_left_the_server_refuses_to_start(
    lab: Lab, interfaces: Sequence[str], config: str
) -> None:
    add_uncovered_leg(lab)
    seen: dict[str, list[str]] = {}
    for label, program in _PROGRAMS.items():
        with pytest.raises(LabError, match=r"ended \(status 1\)"):
            start_dhcpd(lab, SRV1, config, name=label, program=program,
                        interfaces=interfaces)
        seen[label] = check_lines(log_of(lab, label))
        assert not Path(lab.workdir / label / "dhcpd.pid").exists()

    assert seen["isc"][-1] == NO_INTERFACES
    assert seen["ours"] == seen["isc"]


def test_an_interface_whose_other_address_is_on_a_declared_subnet_is_served_from_it(
    lab: Lab, require_tool: Callable[[str], str]
) -> None:
    # srv1's eth1 gets a second address, 10.6.0.250/24, on a declared subnet: dhcpd
    # (getifaddrs) attaches the interface to that subnet's network and serves it,
    # with its first address, 10.9.0.1, as the server identifier.
    require_tool("dhclient")
    add_uncovered_leg(lab)
    run_ip("-n", lab.namespace(SRV1), "addr", "add", "10.6.0.250/24", "dev", UNCOVERED)
    config = LAB_CONF + "subnet 10.6.0.0 netmask 255.255.255.0 { range 10.6.0.100 10.6.0.199; }\n"
    seen: dict[str, tuple[str, str | None, str]] = {}
    for label, program in _PROGRAMS.items():
        server = start_dhcpd(lab, SRV1, config, name=label, program=program,
                             interfaces=("eth0", UNCOVERED))
        client = run_dhclient(lab, CLI, interface=UNCOVERED, name=f"dhclient-{label}")
        lease = client.lease
        client.process.stop()
        output = server.process.output()
        server.process.stop()
        seen[label] = (lease.address, lease.server_identifier,
                       "warned" if "No subnet declaration" in output else "quiet")

    assert seen["isc"][0].startswith("10.6.0.")
    assert seen["isc"][1:] == ("10.9.0.1", "quiet")
    assert seen["ours"] == seen["isc"]
