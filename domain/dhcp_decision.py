"""What the DHCP core answers for one received message: `Decision`.

`decide()` is pure, so everything the server must *do* about a packet comes back as
data: the reply to send (or none), the log lines dhcpd would write, the lease records
that must be durable before the reply leaves, the offers held in memory only, and —
because ping-check is on by default — an ICMP probe the adapter must run before the
offer may go out.  The adapter carries these out in a fixed order:

1. apply `holds` to the lease view (never persisted, exactly like dhcpd's in-memory
   offer) and write `log`;
2. persist `changes` (the group committer) — a reply never leaves before them;
3. if `ping` is set, send the echo and wait `ping.timeout` seconds: an echo reply means
   `domain.dhcp_discover.ping_answered(...)` decides what happens instead (persist its
   changes, write its log, send nothing); silence means go on;
4. send `reply` (routed by `domain.reply_route`, with `unicast_to_ciaddr` as ISC's
   extra input) and write `reply_log`.

The helpers at the bottom render the pieces of dhcpd's log lines (server/dhcp.c) so
that every handler words them identically.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.dhcp_packet import ZERO, DhcpPacket, Inbound
from domain.lease import Hardware, Lease
from domain.lease_events import LeaseEvent

HOSTNAME_PRINT_LIMIT = 64
UNPRINTABLE_HOSTNAME = "Hostname Unsuitable for Printing"


class LogLevel(enum.StrEnum):
    """The syslog level dhcpd uses for a line (spec §4.11)."""

    INFO = "info"
    ERROR = "error"
    DEBUG = "debug"


@dataclass(frozen=True, slots=True)
class LogLine:
    level: LogLevel
    text: str


def info(text: str) -> LogLine:
    return LogLine(LogLevel.INFO, text)


def error(text: str) -> LogLine:
    return LogLine(LogLevel.ERROR, text)


def debug(text: str) -> LogLine:
    return LogLine(LogLevel.DEBUG, text)


@dataclass(frozen=True, slots=True)
class LeaseChange:
    """One lease event to persist: its class, the whole new record and the cause.

    The domain does not know aggregate versions, so the daemon turns each change into
    the event (`AddressLease.begin`/`record`) when it commits."""

    event: type[LeaseEvent]
    lease: Lease
    cause: str


@dataclass(frozen=True, slots=True)
class PingCheck:
    """Probe `address` before offering it; `lease` is the offer hold being probed.

    `timeout` is in seconds (ping-timeout, or ping-timeout-ms when that is set)."""

    address: str
    timeout: float
    lease: Lease


@dataclass(frozen=True, slots=True)
class PendingCommand:
    """A command an `execute` statement asked for: dhcpd runs it, and waits for it,
    once the first `at` lines of the decision's log are written; the lines after
    those, and the reply, wait for it too."""

    at: int
    command: str
    arguments: tuple[bytes, ...]


@dataclass(frozen=True, slots=True)
class Decision:
    """The whole answer to one message (see the module docstring for the order).

    `max_message_size` is what the client (or the scope) allows for the reply, option
    57 as dhcpd reads it; the wire codec clamps it.  The reply's `options` are already
    selected and ordered as dhcpd's `cons_options` would store them.  `commands` are
    the `execute` statements' commands, at their places in `log`."""

    reply: DhcpPacket | None = None
    log: tuple[LogLine, ...] = ()
    reply_log: tuple[LogLine, ...] = ()
    changes: tuple[LeaseChange, ...] = ()
    holds: tuple[Lease, ...] = ()
    ping: PingCheck | None = None
    unicast_to_ciaddr: bool = False
    max_message_size: int | None = None
    commands: tuple[PendingCommand, ...] = ()


# ---- pieces of dhcpd's log lines -------------------------------------------------------


def hardware_text(htype: int, address: bytes) -> str:
    """ISC `print_hw_addr`: lower-case colon hex of the address (the type is not shown)."""
    del htype  # dhcpd takes it but never prints it
    return address.hex(":")


def hex_or_string(data: bytes, limit: int = 60) -> str:
    """ISC `print_hex_1`: a quoted string when every shown byte is printable ASCII,
    else colon hex (empty when it would not fit in `limit`)."""
    shown = data[: max(limit - 3, 0)]
    if all(0x20 <= byte < 0x7F for byte in shown):
        return '"' + shown.decode("ascii") + '"'
    if not data or len(data) * 3 > limit:
        return ""
    return data.hex(":")


def client_text(packet: DhcpPacket, lease: Lease | None) -> str:
    """Who sent it, as dhcpd's handlers print it: the hardware address, or for htype 0
    the uid of the lease found, or `<no identifier>`."""
    if packet.htype:
        return hardware_text(packet.htype, packet.chaddr[: packet.hlen])
    if lease is not None:
        return hex_or_string(lease.uid or b"")
    return "<no identifier>"


def hostname_text(lease: Lease | None) -> str:
    """`(name) ` when the lease has a client hostname, as dhcpd inserts it."""
    if lease is None or lease.client_hostname is None:
        return ""
    name = lease.client_hostname.split("\0", 1)[0]
    printable = all(0x20 <= ord(c) < 0x7F and c not in '"\\' for c in name)
    if len(name) <= HOSTNAME_PRINT_LIMIT and printable:
        return f"({name}) "
    return f"({UNPRINTABLE_HOSTNAME}) "


def via_text(inbound: Inbound) -> str:
    """The relay address when relayed, else the arrival interface's name."""
    giaddr = inbound.packet.giaddr
    return giaddr if giaddr != ZERO else inbound.interface


def lease_client_text(lease: Lease) -> str:
    """The client of a lease as `dhcp_reply` prints it (hardware, else uid)."""
    hardware: Hardware | None = lease.hardware
    if hardware is not None:
        return hardware_text(hardware.htype, hardware.address)
    return hex_or_string(lease.uid or b"")
