"""Real DHCP clients in the lab: ISC dhclient, busybox udhcpc, and perfdhcp for load.

Both real clients hand what they were given to a script.  Ours configures nothing (the
lab only wants to know what was offered) and appends the variables it receives to a
records file: dhclient runs its script with a cleared environment, so the file's path
is written into the script itself.  Each call is one record: `env -0` output, then
`script_argument=$1` (udhcpc passes `bound`, `renew`, ... there; dhclient sets
`reason`), then one more NUL, so a record ends at the only double NUL in the file.

perfdhcp is bounded twice: by its test period (`-p`) and by a request count (`-n`), and
its process by a deadline; rate and duration are capped so a typo cannot flood the box.
"""

from __future__ import annotations

import shlex
import time
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path

from ops.lab.netns import CLI, CLIENT_INTERFACE, PERFDHCP_INTERFACE, Lab
from ops.lab.perfdhcp_output import PerfdhcpStats, parse_perfdhcp_output
from ops.lab.processes import LabError, LabProcess

DHCLIENT = "/usr/sbin/dhclient"
UDHCPC = "/usr/sbin/udhcpc"
PERFDHCP = "/usr/sbin/perfdhcp"
DHCLIENT_BOUND = r"^bound to (?P<address>\d+\.\d+\.\d+\.\d+)"
CLIENT_TIMEOUT_SECONDS = 20.0
MAX_PERFDHCP_RATE = 20000
MAX_PERFDHCP_SECONDS = 120
# perfdhcp exits 3 when some requests were dropped: the run itself still completed.
_PERFDHCP_FINISHED = (0, 3)
_DROP_TIME_SECONDS = 1
_EXIT_WAIT_MICROSECONDS = 1_000_000
_RECORD_END = "\0\0"
_DHCLIENT_BOUND_REASONS = ("BOUND", "RENEW", "REBIND", "REBOOT")
_UDHCPC_BOUND_ARGUMENTS = ("bound", "renew")
# dhclient's variables; `ip` accepts a dotted netmask after the slash.
_CONFIGURE_ADDRESS = (
    'case "$reason" in BOUND|RENEW|REBIND|REBOOT)\n'
    '  ip addr replace "$new_ip_address/$new_subnet_mask" dev "$interface" ;;\n'
    'esac\n'
)


@dataclass(frozen=True)
class ClientLease:
    """What a client was given, from the variables it passed to its script."""

    address: str
    server_identifier: str | None
    lease_seconds: int | None
    subnet_mask: str | None
    routers: tuple[str, ...]
    variables: Mapping[str, str]


@dataclass(frozen=True)
class DhclientRun:
    """A dhclient that has bound; it keeps running (renewing) until stopped or the lab ends."""

    process: LabProcess
    lease: ClientLease
    records_path: Path
    role: str = CLI


@dataclass(frozen=True)
class PerfdhcpRun:
    """A finished perfdhcp run: its statistics, and the raw output they came from."""

    stats: PerfdhcpStats
    output: str
    exit_status: int
    seconds: int


def write_record_script(path: Path, records_path: Path, *,
                        configure_address: bool = False) -> Path:
    """Write the client script that appends one record per call to `records_path`.

    With `configure_address` (dhclient only) it also puts each address dhclient binds
    on the interface, inside the client's namespace: a renewing client sends from its
    address and the server answers it there by unicast, which an unaddressed
    interface would never receive.
    """
    target = shlex.quote(str(records_path))
    configure = _CONFIGURE_ADDRESS if configure_address else ""
    path.write_text(
        "#!/bin/sh\n"
        "# Lab client script: record what the client passed.\n"
        f"{{ /usr/bin/env -0; printf 'script_argument=%s\\0\\0' \"$1\"; }} >> {target}\n"
        f"{configure}",
        encoding="utf-8",
    )
    path.chmod(0o755)
    return path


def read_records(records_path: Path) -> list[dict[str, str]]:
    """Every record written by a `write_record_script` script, oldest first."""
    try:
        text = records_path.read_bytes().decode("utf-8", errors="replace")
    except FileNotFoundError:
        return []
    records = []
    for block in text.split(_RECORD_END)[:-1]:
        entries = (entry.partition("=") for entry in block.split("\0") if entry)
        records.append({name: value for name, _, value in entries})
    return records


def run_dhclient(lab: Lab, role: str = CLI, *, interface: str = CLIENT_INTERFACE,
                 config_lines: Sequence[str] = (), name: str = "dhclient",
                 timeout: float = CLIENT_TIMEOUT_SECONDS,
                 configure_address: bool = False) -> DhclientRun:
    """Start ISC dhclient on `interface` in `role` and return once it is bound.

    `config_lines` are added to its dhclient.conf (e.g. `send host-name "x";`).
    `configure_address` puts the bound address on the interface (needed to renew).
    Started again with the same `name`, it keeps its lease file: it asks for its old
    address first (INIT-REBOOT).
    Raises LabError, with dhclient's output, if it has not bound within `timeout`.
    """
    folder = lab.workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    config_path = folder / "dhclient.conf"
    # Retry quickly and give up within the caller's deadline.
    config_path.write_text(
        "\n".join([f"timeout {int(timeout)};", "initial-interval 1;", "backoff-cutoff 2;",
                   *config_lines, ""]),
        encoding="utf-8",
    )
    records_path = folder / "records"
    script = write_record_script(folder / "record.sh", records_path,
                                 configure_address=configure_address)
    argv = [DHCLIENT, "-d", "-1", "-v", "-cf", str(config_path),
            "-lf", str(folder / "dhclient.leases"), "-pf", str(folder / "dhclient.pid"),
            "-sf", str(script), interface]
    process = lab.start(role, argv, label=name)
    process.wait_for(DHCLIENT_BOUND, timeout)
    lease = _lease_from(records_path, _dhclient_lease, f"{name}'s script")
    return DhclientRun(process, lease, records_path, role)


def release_dhclient(lab: Lab, run: DhclientRun, *,
                     timeout: float = CLIENT_TIMEOUT_SECONDS) -> LabProcess:
    """Release the lease of a dhclient started by `run_dhclient`: stop it (by PID),
    then run `dhclient -r` with its files, which sends a DHCPRELEASE for the address
    in its lease file and exits.  Returns that finished `dhclient -r`.

    The pid file is removed first so `dhclient -r` signals no process itself (it
    would signal whatever PID the file named).  Raises LabError if it fails.
    """
    run.process.stop()
    argv = list(run.process.argv)
    pid_path = Path(argv[argv.index("-pf") + 1])
    pid_path.unlink(missing_ok=True)
    argv = [DHCLIENT, "-r", *(word for word in argv[1:] if word not in ("-d", "-1"))]
    process = lab.start(run.role, argv, label=f"{run.process.label}-release")
    status = process.wait_exit(timeout)
    if status != 0:
        raise LabError(f"dhclient -r exited with status {status}:\n{process.output()[-2000:]}")
    return process


def run_udhcpc(lab: Lab, role: str = CLI, *, interface: str = CLIENT_INTERFACE,
               name: str = "udhcpc", timeout: float = CLIENT_TIMEOUT_SECONDS) -> ClientLease:
    """Run busybox udhcpc until it has a lease (it then exits) and return that lease.

    It tries once a second, giving up after `timeout` seconds (`-n`: exit on failure).
    """
    folder = lab.workdir / name
    folder.mkdir(parents=True, exist_ok=True)
    records_path = folder / "records"
    script = write_record_script(folder / "record.sh", records_path)
    tries = max(1, int(timeout) - 1)
    argv = [UDHCPC, "-f", "-q", "-n", "-t", str(tries), "-T", "1", "-i", interface,
            "-s", str(script)]
    process = lab.start(role, argv, label=name)
    status = process.wait_exit(timeout + 5)
    if status != 0:
        raise LabError(f"udhcpc exited with status {status}:\n{process.output()[-2000:]}")
    return _lease_from(records_path, _udhcpc_lease, "udhcpc's script")


def run_perfdhcp(lab: Lab, *, rate: int, seconds: int, clients: int = 59000,
                 server: str | None = None, role: str = CLI,
                 interface: str = PERFDHCP_INTERFACE, seed: int = 1,
                 name: str = "perfdhcp") -> PerfdhcpRun:
    """Run perfdhcp's 4-way DHCPv4 exchanges at `rate` per second for `seconds`
    (whole seconds: perfdhcp's `-p`).

    perfdhcp acts as a relay (giaddr = the address of `interface`, 10.0.0.5), sending
    to `server`, or broadcasting when it is None.  `clients` distinct MAC addresses are
    used; give the server a subnet with room for them.  Raises LabError if perfdhcp
    fails or overruns, PerfdhcpOutputError if its report cannot be read.
    """
    if not 0 < rate <= MAX_PERFDHCP_RATE or not 0 < seconds <= MAX_PERFDHCP_SECONDS:
        raise LabError(f"perfdhcp is limited to 1-{MAX_PERFDHCP_RATE}/s for at most "
                       f"{MAX_PERFDHCP_SECONDS} s (asked: {rate}/s for {seconds} s)")
    argv = [PERFDHCP, "-4", "-l", interface, "-R", str(clients), "-r", str(rate),
            "-p", str(seconds), "-n", str(rate * seconds + 1),
            "-d", str(_DROP_TIME_SECONDS), "-W", str(_EXIT_WAIT_MICROSECONDS), "-s", str(seed)]
    if server is not None:
        argv.append(server)
    process = lab.start(role, argv, label=name)
    deadline = seconds + _DROP_TIME_SECONDS + _EXIT_WAIT_MICROSECONDS / 1e6 + 10
    status = process.wait_exit(deadline)
    output = process.output()
    if status not in _PERFDHCP_FINISHED:
        raise LabError(f"perfdhcp exited with status {status}:\n{output[-2000:]}")
    return PerfdhcpRun(parse_perfdhcp_output(output), output, status, seconds)


def _dhclient_lease(record: Mapping[str, str]) -> ClientLease | None:
    if record.get("reason") not in _DHCLIENT_BOUND_REASONS:
        return None
    return ClientLease(
        address=record["new_ip_address"],
        server_identifier=record.get("new_dhcp_server_identifier"),
        lease_seconds=_optional_int(record.get("new_dhcp_lease_time")),
        subnet_mask=record.get("new_subnet_mask"),
        routers=tuple(record.get("new_routers", "").split()),
        variables=dict(record),
    )


def _udhcpc_lease(record: Mapping[str, str]) -> ClientLease | None:
    if record.get("script_argument") not in _UDHCPC_BOUND_ARGUMENTS:
        return None
    return ClientLease(
        address=record["ip"],
        server_identifier=record.get("serverid"),
        lease_seconds=_optional_int(record.get("lease")),
        subnet_mask=record.get("subnet"),
        routers=tuple(record.get("router", "").split()),
        variables=dict(record),
    )


def _lease_from(records_path: Path,
                lease_of: Callable[[Mapping[str, str]], ClientLease | None],
                source: str) -> ClientLease:
    """The newest lease in the records, waiting briefly for the script's write to land."""
    deadline = time.monotonic() + 2.0
    while True:
        leases = [lease for lease in map(lease_of, read_records(records_path)) if lease]
        if leases:
            return leases[-1]
        if time.monotonic() >= deadline:
            raise LabError(f"{source} recorded no lease in {records_path}: "
                           f"{read_records(records_path)}")
        time.sleep(0.05)


def _optional_int(text: str | None) -> int | None:
    return int(text) if text and text.isdigit() else None
