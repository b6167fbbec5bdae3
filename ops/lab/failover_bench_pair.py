"""A failover pair sized for benchmarks: the tutorial's relationship (ops/lab/failover_pair)
around a pool large enough for perfdhcp's clients or for tens of thousands of leases.

perfdhcp in cli acts as a relay (giaddr 10.0.0.5) and broadcasts, so both servers hear
every client and the load balancing (split 128, `load balance max seconds 3`) decides
which one answers.  Its giaddr selects the shared network, whose 10.2.0.0/16 subnet
holds the failover pool.

`active_lease_file` writes what an ISC primary that ran this pool for a while would
hold once its secondary died with its disk: `count` active leases acknowledged by the
partner, and a failover state record saying the partner was last seen normal and the
primary has been in communications-interrupted since.  (With both recorded normal, a
secondary coming back without a database meets a normal primary, and ISC then resolves
a potential conflict with an UPDREQ, which sends nothing: only a primary that has lost
its partner answers the newcomer's recover with UPDREQALL, failover.c
dhcp_failover_peer_state_changed.)  It is written from a template in ISC's own record
format (spec/dhcpd.md: the lease file) so it is the same input for every server, and
`dhcpd -T` is the judge of whether ISC reads it.
"""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta
from ipaddress import IPv4Address

from ops.lab.netns import SRV1_ADDRESS, SRV2_ADDRESS
from ops.lab.processes import LabError, LabProcess
from ops.lab.servers import DhcpServer

PEER_NAME = "dhcp-failover"
POOL_START = IPv4Address("10.2.0.1")
SUBNET_LAST = IPv4Address("10.2.255.254")
BOTH_NORMAL = rf"^failover peer {PEER_NAME}: Both servers normal$"
UPDATE_COMPLETED = rf"^failover peer {PEER_NAME}: peer update completed\.$"
REACHED_NORMAL = rf"^failover peer {PEER_NAME}: I move from \S+ to normal$"
_ISC_TIME = "%w %Y/%m/%d %H:%M:%S"
_POLL_SECONDS = 0.2
SETTLE_TIMEOUT = 180.0  # how long a pair may take to settle (normal, file quiet)
QUIET_SECONDS = 2.0  # a lease file unchanged this long has settled


def pool_end(size: int) -> IPv4Address:
    """The last address of a pool of `size` addresses from POOL_START (inside the /16)."""
    end = POOL_START + size - 1
    if size < 1 or end > SUBNET_LAST:
        raise LabError(f"a pool of {size} addresses does not fit in 10.2.0.0/16")
    return end


def pair_configs(pool_size: int, *, mclt: int, max_unacked_updates: int = 10,
                 lease_seconds: int = 3600) -> tuple[str, str]:
    """The primary's and the secondary's dhcpd.conf: one shared body, two peer blocks."""
    shared = (
        "ddns-update-style none;\nauthoritative;\nping-check false;\n"
        f"default-lease-time {lease_seconds};\nmax-lease-time {2 * lease_seconds};\n"
        "shared-network bench {\n"
        "  subnet 10.0.0.0 netmask 255.255.255.0 {\n  }\n"
        "  subnet 10.2.0.0 netmask 255.255.0.0 {\n"
        "    pool {\n"
        f'      failover peer "{PEER_NAME}";\n'
        "      deny dynamic bootp clients;\n"
        f"      range {POOL_START} {pool_end(pool_size)};\n"
        "    }\n  }\n}\n"
    )

    def peer(role: str, address: str, port: int, peer_address: str, peer_port: int) -> str:
        primary_only = f"  mclt {mclt};\n  split 128;\n" if role == "primary" else ""
        return (
            f'failover peer "{PEER_NAME}" {{\n  {role};\n'
            f"  address {address};\n  port {port};\n"
            f"  peer address {peer_address};\n  peer port {peer_port};\n"
            f"  max-response-delay 10;\n  max-unacked-updates {max_unacked_updates};\n"
            f"{primary_only}  load balance max seconds 3;\n}}\n"
        )

    return (peer("primary", SRV1_ADDRESS, 847, SRV2_ADDRESS, 647) + shared,
            peer("secondary", SRV2_ADDRESS, 647, SRV1_ADDRESS, 847) + shared)


def active_lease_file(count: int, now: datetime, *, mclt: int,
                      lease_seconds: int = 3600) -> str:
    """An ISC primary's dhcpd.leases: `count` active leases from POOL_START on (each
    with its own MAC), started a minute ago, acknowledged by the partner, and the
    state record of a relationship in which both servers were normal."""
    pool_end(count)
    start = now - timedelta(seconds=60)
    end = start + timedelta(seconds=lease_seconds)
    partner_end = end + timedelta(seconds=mclt)
    starts, ends, peer_ends = (_isc_time(moment) for moment in (start, end, partner_end))
    records = [
        "# The format of this file is documented in the dhcpd.leases(5) manual page.\n"
        "# This lease file was written by isc-dhcp-4.4.3-P1\n\n"
        "# authoring-byte-order entry is generated, DO NOT DELETE\n"
        "authoring-byte-order little-endian;\n\n"
    ]
    for number in range(count):
        mac = ":".join(f"{byte:02x}" for byte in (2, 0, *(number + 1).to_bytes(4, "big")))
        records.append(
            f"lease {POOL_START + number} {{\n  starts {starts};\n  ends {ends};\n"
            f"  tstp {peer_ends};\n  tsfp {peer_ends};\n  atsfp {peer_ends};\n"
            f"  cltt {starts};\n  binding state active;\n  next binding state expired;\n"
            f"  hardware ethernet {mac};\n}}\n"
        )
    records.append(
        f'\nfailover peer "{PEER_NAME}" state {{\n'
        f"  my state communications-interrupted at {starts};\n"
        f"  partner state normal at {starts};\n}}\n"
    )
    return "".join(records)


def _isc_time(moment: datetime) -> str:
    return moment.astimezone(UTC).strftime(_ISC_TIME)


def active_addresses(lease_text: str) -> int:
    """How many addresses a lease file leaves active: the last record of each counts."""
    states: dict[str, str] = {}
    address = None
    for line in lease_text.splitlines():
        if line.startswith("lease "):
            address = line.split()[1]
        elif address is not None and line.startswith("  binding state "):
            states[address] = line.split()[2].rstrip(";")
        elif line == "}":
            address = None
    return sum(1 for state in states.values() if state == "active")


def wait_until_quiet(server: DhcpServer, *, quiet_seconds: float, timeout: float) -> float:
    """Wait until the server's lease file has not grown for `quiet_seconds` (the pool
    balancing updates have landed); returns the seconds waited.  LabError on timeout
    or if the server ends."""
    started = time.monotonic()
    deadline = started + timeout
    size, since = -1, started
    while True:
        now = time.monotonic()
        _require_running(server.process)
        current = server.lease_path.stat().st_size
        if current != size:
            size, since = current, now
        elif now - since >= quiet_seconds:
            return now - started
        if now >= deadline:
            raise LabError(f"{server.process.label}: lease file still growing after "
                           f"{timeout:g} s")
        time.sleep(_POLL_SECONDS)


def _require_running(process: LabProcess) -> None:
    if not process.is_running():
        raise LabError(f"{process.label} ended (status {process.returncode}):\n"
                       f"{process.output()[-2000:]}")


def answers(process: LabProcess, since: int) -> int:
    """How many DHCPACKs a server has logged since an output mark."""
    return process.output()[since:].count("\nDHCPACK on ")
