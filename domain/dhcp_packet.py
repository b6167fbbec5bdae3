"""A DHCP/BOOTP message as the decision core sees it.

The wire codec (`adapters/dhcp_wire`) turns datagrams into these and back; `decide()`
reads and builds them.  They are plain frozen values with no parsing left to do:
options that arrived split over several instances (RFC 3396) or spread into the
`sname`/`file` fields by option overload (52) are already joined, so the core never
deals with encodings.

Addresses are dotted-quad strings, as in the lease records; the hardware address is
`chaddr` cut to `hlen` bytes.
"""

from __future__ import annotations

import enum
import ipaddress
from collections.abc import Mapping
from dataclasses import dataclass, field
from functools import lru_cache

BOOTREQUEST = 1
BOOTREPLY = 2
BROADCAST_FLAG = 0x8000
ZERO = "0.0.0.0"


@lru_cache(maxsize=1 << 17)
def ipv4(address: str | bytes | int) -> ipaddress.IPv4Address:
    """`ipaddress.IPv4Address(address)`, remembered: one exchange converts the same
    few addresses (giaddr, the lease's, the requested one) a dozen times, and parsing
    a dotted quad costs more than the lookups it serves.  Bad input raises as before."""
    return ipaddress.IPv4Address(address)


class MessageType(enum.IntEnum):
    """Option 53 values (RFC 2132 §9.6)."""

    DHCPDISCOVER = 1
    DHCPOFFER = 2
    DHCPREQUEST = 3
    DHCPDECLINE = 4
    DHCPACK = 5
    DHCPNAK = 6
    DHCPRELEASE = 7
    DHCPINFORM = 8


# by value, looked up without the enum's call machinery (asked a dozen times a request)
_MESSAGE_TYPES = {kind.value: kind for kind in MessageType}


class Opt(enum.IntEnum):
    """The option codes the server itself reads or writes."""

    PAD = 0
    SUBNET_MASK = 1
    ROUTERS = 3
    DOMAIN_NAME_SERVERS = 6
    HOST_NAME = 12
    DOMAIN_NAME = 15
    BROADCAST_ADDRESS = 28
    VENDOR_ENCAPSULATED = 43
    REQUESTED_ADDRESS = 50
    LEASE_TIME = 51
    OVERLOAD = 52
    MESSAGE_TYPE = 53
    SERVER_IDENTIFIER = 54
    PARAMETER_REQUEST_LIST = 55
    MESSAGE = 56
    MAX_MESSAGE_SIZE = 57
    RENEWAL_TIME = 58
    REBINDING_TIME = 59
    VENDOR_CLASS_IDENTIFIER = 60
    CLIENT_IDENTIFIER = 61
    USER_CLASS = 77
    FQDN = 81
    RELAY_AGENT_INFORMATION = 82
    ASSOCIATED_IP = 92
    SUBNET_SELECTION = 118
    END = 255


class AgentSubOpt(enum.IntEnum):
    """Relay agent information sub-options (RFC 3046, 3527)."""

    CIRCUIT_ID = 1
    REMOTE_ID = 2
    AGENT_ID = 3
    LINK_SELECTION = 5
    RELAY_PORT = 19


@dataclass(frozen=True, slots=True)
class DhcpPacket:
    """One BOOTP/DHCP message (RFC 2131 §2), options decoded to raw bytes by code.

    `options` keeps arrival order (the order a reply writes them in is the core's
    business).  `has_cookie` is False for a BOOTP message without the magic cookie,
    which therefore has no options at all."""

    op: int
    htype: int
    hlen: int
    hops: int
    xid: int
    secs: int
    flags: int
    ciaddr: str
    yiaddr: str
    siaddr: str
    giaddr: str
    chaddr: bytes
    sname: bytes = b""
    file: bytes = b""
    options: Mapping[int, bytes] = field(default_factory=dict)
    has_cookie: bool = True

    def option(self, code: int) -> bytes | None:
        return self.options.get(code)

    @property
    def message_type(self) -> MessageType | None:
        """Option 53, or None for BOOTP (ISC: no option 53 means BOOTP; ISC reads the
        first byte of any non-empty option 53)."""
        raw = self.options.get(Opt.MESSAGE_TYPE)
        return _MESSAGE_TYPES.get(raw[0]) if raw else None

    @property
    def broadcast(self) -> bool:
        return bool(self.flags & BROADCAST_FLAG)

    def agent_suboptions(self) -> dict[int, bytes]:
        """Option 82's sub-options by code; empty when absent or malformed."""
        raw = self.options.get(Opt.RELAY_AGENT_INFORMATION)
        out: dict[int, bytes] = {}
        i = 0
        while raw and i + 2 <= len(raw):
            code, length = raw[i], raw[i + 1]
            if i + 2 + length > len(raw):
                return {}
            out[code] = raw[i + 2 : i + 2 + length]
            i += 2 + length
        return out


@dataclass(frozen=True, slots=True)
class Inbound:
    """A received message and where it came from: the interface it arrived on (the
    core needs it to find the shared network of a non-relayed client) and the IP
    source, which DHCPINFORM and unicast renewals use.  `interface_address` is the
    interface's own (primary) address; `interface_network` the shared network the
    start-up check attached the interface to, when it knows one (a secondary address
    may be what put it there)."""

    packet: DhcpPacket
    interface: str
    source_address: str
    source_port: int
    interface_address: str | None = None
    interface_network: str | None = None
