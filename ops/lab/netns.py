"""The lab network: a handful of Linux network namespaces joined by a bridge.

```
                 namespace sw: bridge br0
       ┌──────────────┬─────────┴────┬─────────────────┬───────────────┐
   srv1 eth0       srv2 eth0      cli eth0          cli rly0        rly eth0 10.0.0.2
   10.0.0.10/24    10.0.0.12/24   (unnumbered:      10.0.0.5/24     rly eth1 10.1.0.1/24
                                   real clients)    (perfdhcp)          │ dhcrelay
                                                                     rcli eth0 (unnumbered)
```

Every packet stays inside these namespaces: nothing is addressed or attached in the
root namespace, so a lab can run on a developer's machine or a CI runner without
touching its network.  IPv6 is off in each namespace (no router solicitations or
MLD reports in the captures) and loopback is up in each.  The relay (`rly`) and the
client behind it (`rcli`) are only built when asked for.

Namespace names start with a prefix unique to the run, `ll<pid>-<n>-`, so parallel
runs never collide, and a leftover from a run that crashed (its PID no longer alive)
is recognised and deleted by the next lab.  The `Lab` context manager always stops
the processes it started and deletes every namespace it made, also when the test
inside it fails or is interrupted.
"""

from __future__ import annotations

import itertools
import json
import os
import re
import shutil
import subprocess
import warnings
from collections.abc import Mapping, Sequence
from pathlib import Path
from types import TracebackType

from ops.lab.processes import (
    LAB_ENVIRONMENT,
    LabError,
    LabProcess,
    ProcessSet,
    start_in_namespace,
)

SWITCH, SRV1, SRV2, CLI, RELAY, RELAYED_CLIENT = "sw", "srv1", "srv2", "cli", "rly", "rcli"
BASE_ROLES = (SWITCH, SRV1, SRV2, CLI)
RELAY_ROLES = (RELAY, RELAYED_CLIENT)
SRV1_ADDRESS = "10.0.0.10"
SRV2_ADDRESS = "10.0.0.12"
PERFDHCP_ADDRESS = "10.0.0.5"
RELAY_ADDRESS = "10.0.0.2"
RELAYED_GATEWAY = "10.1.0.1"
RELAYED_SEGMENT = "10.1.0.0/24"
CLIENT_INTERFACE = "eth0"
PERFDHCP_INTERFACE = "rly0"
RELAY_UPSTREAM_INTERFACE = "eth0"
RELAY_DOWNSTREAM_INTERFACE = "eth1"

_BRIDGE = "br0"
_IP_TIMEOUT_SECONDS = 10
# ll<pid>-<n>-<role>: the PID of the process that made it, and which of its labs.
_LAB_NAME = re.compile(rf"^ll(?P<pid>\d+)-\d+-({'|'.join(BASE_ROLES + RELAY_ROLES)})$")
_lab_numbers = itertools.count(1)

# Kernel settings made in every namespace before any link is made, so interfaces created
# afterwards inherit the `default` values.  Written through /proc/sys (which shows the
# namespace of the writer) by `sh`, so no procps is needed; a setting the kernel lacks
# (no IPv6 at all) is skipped.
_NAMESPACE_SETTINGS = (
    ("net/ipv6/conf/all/disable_ipv6", "1"),
    ("net/ipv6/conf/default/disable_ipv6", "1"),
    # cli has two legs on one bridge: answer ARP for 10.0.0.5 only on rly0, so replies
    # relayed to perfdhcp never arrive on the interface dhclient is listening on.
    ("net/ipv4/conf/all/arp_ignore", "1"),
    ("net/ipv4/conf/all/arp_announce", "2"),
)
_SETTINGS_SCRIPT = " && ".join(
    f"{{ [ ! -e /proc/sys/{key} ] || echo {value} > /proc/sys/{key}; }}"
    for key, value in _NAMESPACE_SETTINGS
)


def run_ip(*arguments: str) -> str:
    """Run one `ip` command and return its output; LabError (with ip's message) if it fails."""
    command = [_ip_program(), *arguments]
    try:
        finished = subprocess.run(command, capture_output=True, text=True,
                                  timeout=_IP_TIMEOUT_SECONDS, check=False)
    except (OSError, subprocess.TimeoutExpired) as error:
        raise LabError(f"{' '.join(command)}: {error}") from error
    if finished.returncode != 0:
        raise LabError(f"{' '.join(command)}: {finished.stderr.strip()}")
    return finished.stdout


def _ip_program() -> str:
    # Debian keeps `ip` in /usr/sbin, which a non-login PATH may lack.
    program = shutil.which("ip", path=LAB_ENVIRONMENT["PATH"])
    if program is None:
        raise LabError("the lab needs iproute2's `ip`, which is not installed")
    return program


def namespaces_named(prefix: str) -> list[str]:
    """The network namespaces whose name starts with `prefix` (a test asserts none of
    its own are left after a lab has closed)."""
    listing = json.loads(run_ip("-j", "netns", "list") or "[]")
    return sorted(entry["name"] for entry in listing if entry["name"].startswith(prefix))


def remove_leftovers(own_prefix: str) -> list[str]:
    """Delete namespaces left by labs that crashed: those named by a PID that no longer
    runs, and any already carrying `own_prefix` (a dead run that had this PID).

    Processes that may still run inside them are not touched (they were not started by
    this run); a warning names the namespaces that still had some.  Returns the names
    deleted.
    """
    removed = []
    for name in namespaces_named("ll"):
        match = _LAB_NAME.match(name)
        if match is None:
            continue
        if not name.startswith(own_prefix) and _pid_alive(int(match["pid"])):
            continue
        pids = run_ip("netns", "pids", name).split()
        if pids:
            warnings.warn(f"leftover lab namespace {name} still holds processes {pids}",
                          stacklevel=2)
        run_ip("netns", "delete", name)
        removed.append(name)
    return removed


def _pid_alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)  # signal 0: only asks whether the PID exists
    except ProcessLookupError:
        return False
    except PermissionError:  # it exists, under another user
        return True
    return True


class Lab:
    """One lab network and the programs running in it.

    `with Lab(workdir) as lab:` builds srv1, srv2 and cli around the switch (plus rly
    and rcli with `relay=True`), and on leaving stops every process started through
    `lab.start` and deletes every namespace.  Logs and files of the run go in `workdir`.
    """

    def __init__(self, workdir: Path, *, relay: bool = False) -> None:
        self.workdir = workdir
        self.relay = relay
        self.prefix = f"ll{os.getpid()}-{next(_lab_numbers)}-"
        self._made: list[str] = []
        self._processes = ProcessSet()

    def namespace(self, role: str) -> str:
        """The full name of a lab namespace (`srv1` → `ll4242-1-srv1`), for `ip -n`."""
        if role not in self.roles():
            raise LabError(f"this lab has no namespace {role!r} (roles: {self.roles()})")
        return self.prefix + role

    def roles(self) -> tuple[str, ...]:
        return BASE_ROLES + RELAY_ROLES if self.relay else BASE_ROLES

    def start(self, role: str, argv: Sequence[str], *, label: str | None = None,
              env: Mapping[str, str] | None = None) -> LabProcess:
        """Start a program in the namespace `role`; its output goes to
        `workdir/<label>.log` and it is stopped when the lab closes."""
        name = label or Path(argv[0]).name
        log_path = self.workdir / f"{name}.log"
        process = start_in_namespace(self.namespace(role), argv, log_path, label=name, env=env)
        return self._processes.add(process)

    def mac_address(self, role: str, interface: str = CLIENT_INTERFACE) -> str:
        """The hardware address of an interface, as lease files and dhcpd's log show it."""
        links = json.loads(run_ip("-n", self.namespace(role), "-j", "link", "show", interface))
        return str(links[0]["address"])

    def set_mac_address(self, role: str, mac: str, interface: str = CLIENT_INTERFACE) -> None:
        """Give an interface another hardware address: to a server, a new client."""
        namespace = self.namespace(role)
        run_ip("-n", namespace, "link", "set", interface, "down")
        run_ip("-n", namespace, "link", "set", interface, "address", mac)
        run_ip("-n", namespace, "link", "set", interface, "up")

    def __enter__(self) -> Lab:
        self.workdir.mkdir(parents=True, exist_ok=True)
        remove_leftovers(self.prefix)
        try:
            self._build()
        except BaseException:
            self.close()
            raise
        return self

    def __exit__(self, kind: type[BaseException] | None, error: BaseException | None,
                 trace: TracebackType | None) -> None:
        self.close()

    def close(self) -> None:
        """Stop the lab's processes, then delete its namespaces.  The namespaces go even
        if a stop failed or was interrupted; the first failure is raised afterwards."""
        try:
            self._processes.stop_all()
        finally:
            self._delete_namespaces()

    def _delete_namespaces(self) -> None:
        failures: list[LabError] = []
        while self._made:
            try:
                run_ip("netns", "delete", self._made.pop())
            except LabError as error:
                failures.append(error)
        if failures:
            raise failures[0]

    def _build(self) -> None:
        for role in self.roles():
            self._add_namespace(role)
        run_ip("-n", self.namespace(SWITCH), "link", "add", _BRIDGE, "type", "bridge")
        run_ip("-n", self.namespace(SWITCH), "link", "set", _BRIDGE, "up")
        self._leg(SRV1, "eth0", SRV1_ADDRESS + "/24")
        self._leg(SRV2, "eth0", SRV2_ADDRESS + "/24")
        self._leg(CLI, CLIENT_INTERFACE, None)
        self._leg(CLI, PERFDHCP_INTERFACE, PERFDHCP_ADDRESS + "/24")
        if not self.relay:
            return
        self._leg(RELAY, RELAY_UPSTREAM_INTERFACE, RELAY_ADDRESS + "/24")
        self._veth(RELAY, RELAY_DOWNSTREAM_INTERFACE, RELAYED_CLIENT, CLIENT_INTERFACE)
        self._address(RELAY, RELAY_DOWNSTREAM_INTERFACE, RELAYED_GATEWAY + "/24")
        self._up(RELAYED_CLIENT, CLIENT_INTERFACE)
        self._up(RELAY, RELAY_DOWNSTREAM_INTERFACE)
        # Servers answer a relayed request by unicast to giaddr 10.1.0.1.
        for server in (SRV1, SRV2):
            run_ip("-n", self.namespace(server), "route", "add", RELAYED_SEGMENT,
                   "via", RELAY_ADDRESS)

    def _add_namespace(self, role: str) -> None:
        name = self.namespace(role)
        run_ip("netns", "add", name)
        self._made.append(name)
        run_ip("netns", "exec", name, "sh", "-c", _SETTINGS_SCRIPT)
        self._up(role, "lo")

    def _leg(self, role: str, interface: str, address: str | None) -> None:
        """A veth from the switch's bridge to `interface` in `role`, optionally addressed."""
        port = f"{role}-{interface}"
        self._veth(SWITCH, port, role, interface)
        run_ip("-n", self.namespace(SWITCH), "link", "set", port, "master", _BRIDGE, "up")
        if address is not None:
            self._address(role, interface, address)
        self._up(role, interface)

    def _veth(self, role_a: str, name_a: str, role_b: str, name_b: str) -> None:
        run_ip("-n", self.namespace(role_a), "link", "add", name_a, "type", "veth",
               "peer", "name", name_b, "netns", self.namespace(role_b))

    def _address(self, role: str, interface: str, address: str) -> None:
        run_ip("-n", self.namespace(role), "addr", "add", address, "dev", interface)

    def _up(self, role: str, interface: str) -> None:
        run_ip("-n", self.namespace(role), "link", "set", interface, "up")
