"""dhcpd.conf statements that run per request, against ISC dhcpd on the same config:
`log` in every kind of scope writes its line before the request's own, in scope
order (global, shared network, subnet, pool, class), at its level (`log (expr)` is
debug); an `on commit` body runs at the ACK and not at the offer, its `log` line
first and its `set` into the lease record, and its `execute` runs the command (its
arguments logged, its exit status too) before the ACK; the global statements also
log and run their commands at start-up, twice.  A dhclient DORA, once against each
server."""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pytest

from ops.lab.clients import run_dhclient
from ops.lab.lease_file_check import last_record
from ops.lab.netns import CLI, SRV1, Lab
from ops.lab.servers import DHCPD, LEASELEDGER_SERVE, start_dhcpd

pytestmark = pytest.mark.lab

CONF = """\
authoritative;
ping-check false;
default-lease-time 120;
max-lease-time 300;
log(info, "global scope");
execute("/bin/sh", "-c", "exit 5");
class "ethernet" { match if substring(hardware, 0, 1) = 1; log(info, "class ethernet"); }
shared-network lab {
  log(info, "shared network scope");
  subnet 10.0.0.0 netmask 255.255.255.0 {
    log(concat("subnet scope for ", binary-to-ascii(16, 8, ":", substring(hardware, 1, 6))));
    pool {
      range 10.0.0.100 10.0.0.199;
      log(error, "pool scope");
      on commit {
        set seen = "yes";
        execute("/bin/sh", "-c", "exit 3", binary-to-ascii(10, 8, ".", leased-address));
        log(info, concat("commit ", binary-to-ascii(10, 8, ".", leased-address)));
      }
    }
  }
  subnet 10.2.0.0 netmask 255.255.240.0 {
  }
}
subnet 10.1.0.0 netmask 255.255.255.0 {
}
"""
READY = "Server starting service."


def test_log_statements_and_on_commit_as_isc_dhcpd_runs_them(
    lab_prerequisites: None, tmp_path: Path, require_tool: Callable[[str], str]
) -> None:
    require_tool("dhclient")
    logs, records = {}, {}
    for name, program in (("isc", (DHCPD,)), ("ours", LEASELEDGER_SERVE)):
        with Lab(tmp_path / name) as each:
            server = start_dhcpd(each, SRV1, CONF, program=program)
            mac = each.mac_address(CLI)
            address = run_dhclient(each).lease.address
            server.process.wait_for(rf"^DHCPACK on {re.escape(address)} ", 5)
            output = server.process.output()
            # The same MAC spelled as binary-to-ascii writes it (no leading zeros).
            short = ":".join(f"{int(octet, 16):x}" for octet in mac.split(":"))
            logs[name] = [line.replace(mac, "MAC").replace(short, "MAC")
                          for line in output.splitlines()]
            records[name] = last_record(server.leases_text(), address)

    global_run = ["global scope", "execute_statement argv[0] = /bin/sh",
                  "execute_statement argv[1] = -c", "execute_statement argv[2] = exit 5",
                  "execute: /bin/sh exit status 1280"]
    for name in ("isc", "ours"):
        start = logs[name].index(READY)
        # The global statements run twice at start-up, the command each time: reading
        # the configuration (before the files are named), and just before serving.
        assert logs[name][start - 5:start] == global_run, name
        config_named = next(at for at, line in enumerate(logs[name])
                            if line.startswith("Config file:"))
        assert logs[name][config_named - 5:config_named] == global_run, name
        assert logs[name][:start].count("execute: /bin/sh exit status 1280") == 2, name
    requests = {name: lines[lines.index(READY) + 1:] for name, lines in logs.items()}
    assert requests["ours"] == requests["isc"]
    assert requests["isc"][:11] == [
        *global_run, "shared network scope", "subnet scope for MAC", "pool scope",
        "class ethernet", "DHCPDISCOVER from MAC via eth0",
        "DHCPOFFER on 10.0.0.100 to MAC via eth0",
    ]
    commit = requests["isc"].index("commit 10.0.0.100")
    assert requests["isc"][commit - 5:commit] == [  # the command ran, and was waited for
        "execute_statement argv[0] = /bin/sh", "execute_statement argv[1] = -c",
        "execute_statement argv[2] = exit 3", "execute_statement argv[3] = 10.0.0.100",
        "execute: /bin/sh exit status 768"]
    for name, record in records.items():
        assert record is not None and '  set seen = "yes";\n' in record, name
