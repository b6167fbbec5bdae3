"""omshell against ISC dhcpd 4.4 and against `leaseledger serve`, on one configuration:
what the administrator sees must be the same.

Each server in turn runs in srv1 with `omapi-port` and `omapi-key`; omshell runs in
srv1 too (traffic stays on srv1's loopback).  Standalone: a dhclient in cli takes a
lease, then the lease is looked up by address and by hardware address, an unknown
address and a failover relationship that does not exist are refused, the control
object opens.  In a failover pool whose peer never answers: the relationship's
attributes, then partner-down by `set local-state = 4` + `update`, as dhcpd's manual
tells an administrator whose peer is known to be down.

A host is made with omshell (`create`), served to dhclient with its fixed address and
statements, kept over a restart (from the lease file), then removed.

Known differences, left out of the comparisons: dhcpd sends 8 bytes of a pointer as a
failover-state's `partner-address`/`local-address` (we send the addresses); times
differ by run.
"""

from __future__ import annotations

import re
import subprocess
import time

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.lab_config import LAB_CONF
from ops.lab.netns import CLI, SRV1, Lab
from ops.lab.servers import DHCPD, LEASELEDGER, LEASELEDGER_SERVE, DhcpServer, start_dhcpd

pytestmark = pytest.mark.lab

SECRET = "c2VjcmV0c2VjcmV0MTIzNA=="
OMAPI = f"""\
key omkey {{ algorithm hmac-md5; secret "{SECRET}"; }}
omapi-port 7911;
omapi-key omkey;
"""
FAILOVER_CONF = """\
authoritative;
ping-check false;
failover peer "fo" {
  primary;
  address 10.0.0.10;
  port 647;
  peer address 10.0.0.12;
  peer port 647;
  max-response-delay 15;
  max-unacked-updates 10;
  mclt 30;
  split 128;
  load balance max seconds 3;
}
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool {
    failover peer "fo";
    range 10.0.0.100 10.0.0.199;
  }
}
"""
SERVERS = {"isc": (DHCPD,), "ours": LEASELEDGER_SERVE}
TIMES = ("ends", "starts", "tstp", "tsfp", "atsfp", "cltt")
# Time-valued, or (dhcpd) a pointer's bytes: compared by presence only.
FAILOVER_VARYING = {"partner-address", "local-address", "partner-stos", "local-stos",
                    "last-packet-sent", "last-timestamp-received", "local-state",
                    "partner-state"}


def omshell(lab: Lab, *lines: str) -> str:
    script = "\n".join([f"key omkey {SECRET}", "server 127.0.0.1", "port 7911", "connect",
                        *lines, ""])
    done = subprocess.run(["ip", "netns", "exec", lab.namespace(SRV1), "omshell"],
                          input=script, capture_output=True, text=True, timeout=30, check=False)
    return done.stdout + done.stderr


def opened(lab: Lab, type_name: str, *sets: str) -> tuple[str, dict[str, str]]:
    """Open one object; omshell's verdict line (or "") and the values it then shows."""
    out = omshell(lab, f"new {type_name}", *sets, "open")
    last = out.rsplit("> ", 2)[-2]  # what `open` printed
    verdict = last.splitlines()[0] if last.startswith("can't") else ""
    values = dict(re.findall(r"^([\w-]+) = (.*)$", last, re.MULTILINE))
    return verdict, values


def hex_number(text: str) -> int:
    return int(text.replace(":", ""), 16)


def start(lab: Lab, side: str, conf: str) -> DhcpServer:
    return start_dhcpd(lab, SRV1, conf + OMAPI, name=f"omapi-{side}", program=SERVERS[side])


def test_leases_and_refusals_look_the_same_through_omshell(lab: Lab) -> None:
    seen: dict[str, dict[str, tuple[str, dict[str, str]]]] = {}
    mac = lab.mac_address(CLI)
    for side in SERVERS:
        server = start(lab, side, LAB_CONF)
        client = run_dhclient(lab, name=f"dhclient-{side}")
        address = client.lease.address
        seen[side] = {
            "by address": opened(lab, "lease", f"set ip-address = {address}"),
            "by hardware": opened(lab, "lease", f"set hardware-address = {mac}"),
            "unknown": opened(lab, "lease", "set ip-address = 10.9.9.9"),
            "no keys": opened(lab, "lease"),
            "no relationship": opened(lab, "failover-state", 'set name = "nope"'),
            "control": opened(lab, "control"),
            "host": opened(lab, "host", 'set name = "h1"'),
        }
        client.process.stop()
        server.process.stop()

    isc, ours = seen["isc"], seen["ours"]
    for query in ("by address", "by hardware"):
        durations = []
        for side in (isc, ours):
            verdict, values = side[query]
            assert verdict == "" and values["state"] == "00:00:00:02", (query, side[query])
            durations.append(hex_number(values["ends"]) - hex_number(values["starts"]))
            assert values["cltt"] == values["starts"]  # the client's last contact
        assert durations[0] == durations[1] > 0
        strip = {name: value for name, value in isc[query][1].items() if name not in TIMES}
        assert {n: v for n, v in ours[query][1].items() if n not in TIMES} == strip
        assert list(ours[query][1]) == list(isc[query][1])  # dhcpd's order
    for query in ("unknown", "no keys", "no relationship", "control", "host"):
        assert ours[query] == isc[query], query
    assert ours["host"][0] == "can't open object: not found"


def test_partner_down_by_omshell_as_dhcpds_manual_says(lab: Lab) -> None:
    seen: dict[str, tuple[dict[str, str], dict[str, str], str]] = {}
    for side in SERVERS:
        server = start(lab, side, FAILOVER_CONF)
        _, before = opened(lab, "failover-state", 'set name = "fo"')
        omshell(lab, "new failover-state", 'set name = "fo"', "open",
                "set local-state = 4", "update")
        server.process.wait_for(r"I move from \S+ to partner-down", 15)
        _, after = opened(lab, "failover-state", 'set name = "fo"')
        server.process.stop()
        seen[side] = (before, after, server.leases_text())

    (isc_before, isc_after, isc_leases), (ours_before, ours_after, ours_leases) = (
        seen["isc"], seen["ours"])
    assert list(ours_before) == list(isc_before)  # the same attributes, in dhcpd's order
    assert {n: v for n, v in ours_before.items() if n not in FAILOVER_VARYING} == {
        n: v for n, v in isc_before.items() if n not in FAILOVER_VARYING}
    assert ours_before["mclt"] == "00:00:00:1e" and ours_before["hierarchy"] == "00:00:00:00"
    for after, leases in ((isc_after, isc_leases), (ours_after, ours_leases)):
        assert after["local-state"] == "00:00:00:04"
        assert "my state partner-down" in leases


def test_a_host_made_with_omshell_is_served_kept_over_a_restart_and_removed(lab: Lab) -> None:
    mac = lab.mac_address(CLI)
    seen: dict[str, tuple[dict[str, str], str, str]] = {}
    for side in SERVERS:
        server = start(lab, side, LAB_CONF)
        made = omshell(lab, "new host", 'set name = "omhost1"', f"set hardware-address = {mac}",
                       "set hardware-type = 1", "set ip-address = 10.0.0.60",
                       'set statements = "option host-name \\"pxe-1\\";"', "create")
        assert "can't" not in made, (side, made)
        _, values = opened(lab, "host", 'set name = "omhost1"')
        client = run_dhclient(lab, name=f"reserved-{side}")
        assert (client.lease.address, client.lease.variables.get("new_host_name")) == (
            "10.0.0.60", "pxe-1"), side
        client.process.stop()
        server.process.stop()

        server = start(lab, side, LAB_CONF)  # the same files: a restart
        again = run_dhclient(lab, name=f"after-restart-{side}")
        assert again.lease.address == "10.0.0.60", side
        again.process.stop()
        omshell(lab, "new host", f"set hardware-address = {mac}", "open", "remove")
        verdict, _ = opened(lab, "host", 'set name = "omhost1"')
        server.process.stop()
        seen[side] = (values, verdict, server.leases_text())

    (isc_values, isc_verdict, isc_leases), (our_values, our_verdict, our_leases) = (
        seen["isc"], seen["ours"])
    assert our_values == isc_values and list(our_values) == list(isc_values)
    assert isc_verdict == our_verdict == "can't open object: not found"
    for leases in (isc_leases, our_leases):
        assert "host omhost1 {\n  dynamic;\n  deleted;\n}" in leases
        assert f"  hardware ethernet {mac};\n  fixed-address 10.0.0.60;" in leases


def test_setting_a_leases_end_to_0_expires_it_as_dhcpd_does(lab: Lab) -> None:
    """What scripts do to free an address: `set ends = 00:00:00:00`, `update`."""
    seen: dict[str, tuple[str, str, list[str]]] = {}
    for side in SERVERS:
        server = start(lab, side, LAB_CONF)
        client = run_dhclient(lab, name=f"expired-{side}")
        address = client.lease.address
        client.process.stop()  # (dhclient releases nothing when stopped this way)
        said = omshell(lab, "new lease", f"set ip-address = {address}", "open",
                       "set ends = 00:00:00:00", "update")
        server.process.wait_for(rf"^lease {re.escape(address)} end changed from \d+ to 0$", 5)
        deadline = time.monotonic() + 10
        while (state := opened(lab, "lease", f"set ip-address = {address}")[1]["state"]) \
                == "00:00:00:02" and time.monotonic() < deadline:
            time.sleep(0.5)
        server.process.stop()
        lines = [line for line in server.process.output().splitlines()
                 if address in line and not line.startswith("DHCP")]
        seen[side] = (said.rsplit("> ", 2)[-2], state, lines)
        if side == "ours":  # the change is in the lease history, with its cause
            audit = subprocess.run([LEASELEDGER, "audit", "-lf", str(server.lease_path),
                                    address], capture_output=True, text=True, timeout=30,
                                   check=True).stdout
            assert "Administered" in audit and "OMAPI: end changed from" in audit, audit
    (isc_said, isc_state, isc_lines), (our_said, our_state, our_lines) = (
        seen["isc"], seen["ours"])
    assert "can't" not in isc_said and "can't" not in our_said
    assert our_state == isc_state != "00:00:00:02"  # no longer active, on both
    assert [re.sub(r"\d{6,}", "T", line) for line in our_lines] == [
        re.sub(r"\d{6,}", "T", line) for line in isc_lines]


def test_setting_a_leases_state_frees_it_as_dhcpd_does(lab: Lab) -> None:
    """`set state = 1`, `update`: what an administrator does to take an address back
    at once; a state dhcpd does not define is refused, the state a lease has is left."""
    seen: dict[str, tuple[list[str], str, list[str]]] = {}
    for side in SERVERS:
        server = start(lab, side, LAB_CONF)
        client = run_dhclient(lab, name=f"state-{side}")
        address = client.lease.address
        client.process.stop()  # (dhclient releases nothing when stopped this way)
        opening = ["new lease", f"set ip-address = {address}", "open"]
        said = [omshell(lab, *opening, f"set state = {state}", "update").rsplit("> ", 2)[-2]
                for state in (9, 1)]
        server.process.wait_for(
            rf"^lease {re.escape(address)} state changed from active to free$", 5)
        said.append(omshell(lab, *opening, "set state = 1", "update").rsplit("> ", 2)[-2])
        state = opened(lab, "lease", f"set ip-address = {address}")[1]["state"]
        server.process.stop()
        lines = [line for line in server.process.output().splitlines()
                 if address in line and not line.startswith("DHCP")]
        seen[side] = ([re.sub(r"^(\w+) = .*$", r"\1", line, flags=re.MULTILINE)
                       for line in said], state, lines)
        if side == "ours":  # the change is in the lease history, with its cause
            audit = subprocess.run([LEASELEDGER, "audit", "-lf", str(server.lease_path),
                                    address], capture_output=True, text=True, timeout=30,
                                   check=True).stdout
            assert "OMAPI: state changed from active to free" in audit, audit
    (isc_said, isc_state, isc_lines), (our_said, our_state, our_lines) = (
        seen["isc"], seen["ours"])
    assert "can't" in isc_said[0] and "can't" not in isc_said[1]
    assert our_said == isc_said
    assert our_state == isc_state == "00:00:00:01"
    assert our_lines == isc_lines


def test_a_variable_set_on_a_lease_is_written_with_its_value(lab: Lab) -> None:
    """Any other name sets a variable of the lease: `set NAME = value;` in its record.
    The omshell transcripts are the same.  dhcpd 4.4.3-P1 keeps the names but loses the
    values (omapi.c `binding_scope_set_value` never sets the binding's type: it writes
    `set NAME = true;`) and writes omshell's `remote-handle` as a variable too; we keep
    the value, written as dhcpd writes data (`quotify_buf`)."""
    seen: dict[str, tuple[str, list[str]]] = {}
    for side in SERVERS:
        server = start(lab, side, LAB_CONF)
        client = run_dhclient(lab, name=f"variable-{side}")
        address = client.lease.address
        client.process.stop()
        said = omshell(lab, "new lease", f"set ip-address = {address}", "open",
                       'set site-note = "rack 4"', "set rack = 7", "update")
        server.process.stop()
        text = server.lease_path.read_text()
        record = text[text.rindex(f"lease {address} {{"):]
        record = record[:record.index("\n}") + 2]
        seen[side] = (re.sub(r"^(\w+) = .*$", r"\1", said.rsplit("> ", 2)[-2],
                             flags=re.MULTILINE),
                      [line for line in record.splitlines() if line.startswith("  set ")])
    assert "can't" not in seen["ours"][0] and seen["ours"][0] == seen["isc"][0]
    assert seen["ours"][1] == ['  set site-note = "rack 4";', r'  set rack = "\000\000\000\007";']
    assert {"  set site-note = true;", "  set rack = true;"} <= set(seen["isc"][1])
