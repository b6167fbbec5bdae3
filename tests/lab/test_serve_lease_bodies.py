"""`on release` and `on expiry` bodies, against ISC dhcpd on the same config: the ACK
writes both bodies into the lease record (the same statements as dhcpd's, and dhcpd
reads our record back without a word), a DHCPRELEASE
runs the release body (its `log` line and its `execute` command, before the request's
own line) and not the expiry body, and a lease left to run out runs the expiry body.
dhclient takes a lease and releases it; udhcpc then takes one and leaves it to expire."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from adapters.dhcpdconf.statement_body import parse_statement_body
from domain.config.statements import Statement
from ops.lab.clients import release_dhclient, run_dhclient, run_udhcpc
from ops.lab.lease_file_check import isc_complaints, last_record
from ops.lab.netns import CLI, SRV1, Lab
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

LEASE_SECONDS = 4
CONF = f"""\
authoritative;
ping-check false;
default-lease-time {LEASE_SECONDS};
max-lease-time {LEASE_SECONDS};
subnet 10.0.0.0 netmask 255.255.255.0 {{
  pool {{
    range 10.0.0.100 10.0.0.199;
    on release {{
      log(info, concat("released ", binary-to-ascii(10, 8, ".", leased-address)));
      execute("/bin/sh", "-c", "exit 4", binary-to-ascii(16, 8, ":", substring(hardware, 1, 6)));
    }}
    on expiry {{
      set gone = "yes";
      if defined(gone) {{
        log(info, concat("expired ", binary-to-ascii(10, 8, ".", leased-address)));
      }}
      execute("/bin/sh", "-c", "exit 6");
    }}
  }}
}}
"""
READY = "Server starting service."


def _bodies(record: str | None) -> dict[str, tuple[Statement, ...]]:
    """The `on …` blocks of a lease record: event -> the statements of its body."""
    assert record is not None
    blocks = re.findall(r"^  on ([a-z ]+) \{(.*?)\n  \}$", record, re.MULTILINE | re.DOTALL)
    return {event: parse_statement_body(body) for event, body in blocks}


def test_release_and_expiry_bodies_as_isc_dhcpd_runs_them(
    lab_prerequisites: None, tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    require_tool("udhcpc")
    logs, bodies = {}, {}
    for name, program in (("isc", (DHCPD,)), ("ours", LEASELEDGER_SERVE)):
        with Lab(tmp_path / name) as each:
            server = start_dhcpd(each, SRV1, CONF, program=program)
            mac = each.mac_address(CLI)
            client = run_dhclient(each)
            address = client.lease.address
            server.process.wait_for(rf"^DHCPACK on {re.escape(address)} ", 5)
            bodies[name] = _bodies(last_record(server.leases_text(), address))
            # dhcpd reads the bodies in the file back without a word (a rollback works).
            assert isc_complaints(server.config_path, server.lease_path,
                                  each.workdir / "isc-check") == [], name
            release_dhclient(each, client)
            server.process.wait_for(rf"^DHCPRELEASE of {re.escape(address)} ", 5)
            again = run_udhcpc(each).address
            server.process.wait_for(rf"^DHCPACK on {re.escape(again)} ", 5)
            server.process.wait_for(rf"^expired {re.escape(again)}$", LEASE_SECONDS + 10)
            server.process.wait_for(r"^execute: /bin/sh exit status 1536$", 5)
            # The same MAC spelled as binary-to-ascii writes it (no leading zeros).
            short = ":".join(f"{int(octet, 16):x}" for octet in mac.split(":"))
            output = server.process.output().replace(mac, "MAC").replace(short, "MAC")
            lines = output.splitlines()
            logs[name] = lines[lines.index(READY) + 1:]

    # The same blocks with the same statements; dhcpd wraps long lines at 79 columns
    # and writes `concat (`, ours keeps a statement on one line.
    assert bodies["ours"].keys() == bodies["isc"].keys() == {"expiry", "release"}
    assert bodies["ours"] == bodies["isc"]
    # dhclient's release carries no hostname; udhcpc's requests carry one (the lines
    # differ only by what each client sent, so compare all of them).
    assert logs["ours"] == logs["isc"]
    released = logs["isc"].index("released 10.0.0.100")
    assert logs["isc"][released:released + 7] == [
        "released 10.0.0.100",
        "execute_statement argv[0] = /bin/sh", "execute_statement argv[1] = -c",
        "execute_statement argv[2] = exit 4", "execute_statement argv[3] = MAC",
        "execute: /bin/sh exit status 1024",
        "DHCPRELEASE of 10.0.0.100 from MAC via eth0 (found)",
    ]
    expired = logs["isc"].index("expired 10.0.0.100")
    assert logs["isc"][expired:expired + 5] == [
        "expired 10.0.0.100",
        "execute_statement argv[0] = /bin/sh", "execute_statement argv[1] = -c",
        "execute_statement argv[2] = exit 6", "execute: /bin/sh exit status 1536",
    ]
    assert sum("exit status" in line for line in logs["isc"]) == 2  # each body ran once
