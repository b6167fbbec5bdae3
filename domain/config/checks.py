"""The semantic checks dhcpd runs on a configuration, and their exact message texts.

The parser decides *when* a check runs (the moment ISC runs it, so the message lands
at the same token and in the same order); these pure functions decide *whether* it
fails and *what* dhcpd prints.  Keeping the texts here, away from token handling,
lets them be tested one by one against the outputs recorded from the real
`dhcpd -t` (spec/dhcpd.md §2, spec/failover.md §12).

Addresses and masks are plain 32-bit integers, as in ISC's `struct iaddr` arithmetic,
because dhcpd accepts netmasks that are not contiguous (255.0.255.0) and
`ipaddress.IPv4Network` cannot hold those.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

HOST_IS_GLOBAL_WARNING = (
    "WARNING: Host declarations are global.  They are not limited to the scope you "
    "declared them in."
)
CONFIG_ERRORS_FATAL = "Configuration file errors encountered -- exiting"
FAILOVER_SANITY_FATAL = "Failover configuration sanity check failed"
PLACE_POOL_AFTER_SUBNETS = "Be sure to place pool statement after related subnet declarations."
POOL_WITHOUT_RANGE = "Pool declaration with no address range."
POOL_WITHOUT_RANGE_HINT = ("Pool declarations must always contain at least", "one range statement.")
DYNAMIC_BOOTP_WITH_FAILOVER = "dynamic-bootp flag is not permitted for address"
DYNAMIC_BOOTP_WITH_FAILOVER_HINT = (
    "range declarations where there is a failover",
    "peer in scope.   If you wish to declare an",
    "address range from which dynamic bootp leases",
    "can be allocated, please declare it within a",
    'pool declaration that also contains the "no',
    'failover" statement.   The failover protocol',
    "itself does not permit dynamic bootp - this",
    "is not a limitation specific to the ISC DHCP",
    "server.   Please don't ask me to defend this",
    "until you have read and really tried to understand",
    "the failover protocol specification.",
)
DDNS_AD_HOC = 1  # the ddns-styles enumeration value of `ad-hoc`


def dotted(address: int) -> str:
    """ISC piaddr for an IPv4 address (as IPv4Address writes it, in a fifth of the time:
    the allocator writes a free-queue head with it on every DISCOVER)."""
    address &= 0xFFFFFFFF
    return f"{address >> 24}.{address >> 16 & 255}.{address >> 8 & 255}.{address & 255}"


def bad_subnet_number(net: int, mask: int) -> str | None:
    """The error for a subnet number with host bits set (confpars.c
    parse_subnet_declaration), or None when the pair is valid."""
    if net & ~mask & 0xFFFFFFFF:
        return f"subnet {dotted(net)} netmask {dotted(mask)}: bad subnet number/mask combination."
    return None


def lowest_mask_bit(mask: int) -> int:
    """Index (0 = least significant) of the lowest set bit of a netmask; 32 for 0.

    dhcpd measures a mask by its lowest set bit, never by counting bits, so a
    non-contiguous mask 255.0.255.0 counts as /24 in names and warnings."""
    for bit in range(32):
        if mask & (1 << bit):
            return bit
    return 32


def prefix_length(mask: int) -> int:
    """The prefix length dhcpd prints for a mask (inet.c piaddrmask)."""
    return 32 - lowest_mask_bit(mask)


def implicit_shared_network_name(net: int, mask: int) -> str:
    """The name dhcpd gives the shared network it makes for a lone subnet."""
    return f"{dotted(net)}/{prefix_length(mask)}"


def in_subnet(address: int, net: int, mask: int) -> bool:
    return address & mask == net


def range_outside_subnet(address: int, net: int, mask: int) -> str | None:
    """The fatal error for a range end outside its subnet (mdb.c new_address_range)."""
    if in_subnet(address, net, mask):
        return None
    return (
        f"bad range, address {dotted(address)} not in subnet {dotted(net)} netmask {dotted(mask)}"
    )


# dhcpd allocates a range's leases in one block of (count + 1) leases, sized in a
# 32-bit unsigned; 304 is sizeof(struct lease) in the Debian amd64 build (measured:
# 14128180 addresses pass, one more fails).
LEASE_STRUCT_SIZE = 304
MEMORY_OVERFLOW_FATAL = "Memory overflow."


def overly_large_range(low: int, high: int, count: int) -> str | None:
    """The error for a range too big for dhcpd's lease block, reported just before
    the fatal "Memory overflow."; `low`/`high` as written."""
    if (count + 1) * LEASE_STRUCT_SIZE < 1 << 32:
        return None
    return f"{dotted(low)}-{dotted(high)} is an overly large address range."


def lease_declared_twice(address: int) -> str:
    return f"lease {dotted(address)} is declared twice!"


@dataclass(frozen=True)
class Overlap:
    """The outcome of comparing a new subnet with one already entered (mdb.c
    subnet_inner_than): `warning` when they overlap, `inner` when the new one has the
    narrower mask and so goes first in dhcpd's subnet list."""

    warning: str | None
    inner: bool


# For a zero mask, dhcpd's bit search runs past the mask into the bytes before it in
# `struct iaddr` (its length, 4, little-endian) and stops at bit 2 of the length.
_ZERO_MASK_BIT = 58


def _overlap_bit(mask: int) -> int:
    return lowest_mask_bit(mask) if mask else _ZERO_MASK_BIT


def subnet_overlap(new_net: int, new_mask: int, old_net: int, old_mask: int) -> Overlap:
    """Compare a new subnet with an entered one, as dhcpd does when entering it
    (a /0 subnet is printed as `/-26`, exactly as dhcpd prints it)."""
    if new_net & old_mask != old_net and old_net & new_mask != new_net:
        return Overlap(None, False)
    i = _overlap_bit(new_mask)
    j = _overlap_bit(old_mask)
    warning = (
        f"Warning: subnet {dotted(new_net)}/{32 - i} overlaps subnet {dotted(old_net)}/{32 - j}"
    )
    return Overlap(warning, i < j)


def subnet_sorts_before(new_net: int, new_mask: int, old_net: int, old_mask: int) -> bool:
    """subnet_inner_than without the warning: used to order a shared network's subnets."""
    return subnet_overlap(new_net, new_mask, old_net, old_mask).inner


def hba_from_split(split: int) -> bytes:
    """The 32-byte hash bucket assignment `split N` stands for (the first N buckets)."""
    hba = bytearray(32)
    for bucket in range(split):
        hba[bucket // 8] |= 1 << (bucket & 7)
    return bytes(hba)


@dataclass(frozen=True)
class PeerSettings:
    """What the end-of-block failover peer checks look at."""

    primary: bool
    has_peer_address: bool
    has_hba: bool
    mclt: int


def failover_peer_problems(peer: PeerSettings) -> list[str]:
    """Errors dhcpd reports at the closing brace of a failover peer block, in order."""
    problems = []
    if not peer.has_peer_address:
        problems.append("peer address may not be omitted")
    if peer.primary:
        if not peer.has_hba:
            problems.append("primary failover server must have hba or split.")
        elif not peer.mclt:
            problems.append("primary failover server must have mclt.")
    return problems


@dataclass(frozen=True)
class SanityLine:
    text: str
    is_error: bool


def failover_sanity(peers: Iterable[tuple[str, int, int]]) -> tuple[list[SanityLine], str | None]:
    """dhcpd's failover sanity check after parsing (failover.c).

    `peers` are (name, referring pool count, load balance max seconds) in dhcpd's own
    order, newest declaration first.  Returns the lines it logs and the fatal message,
    if any: a peer no pool names with `failover peer` fails the configuration."""
    lines: list[SanityLine] = []
    failures = 0
    for name, pool_count, load_balance_max_seconds in peers:
        if pool_count == 0:
            lines.append(
                SanityLine(
                    f"ERROR: Failover peer, {name}, has no referring pools. You must refer "
                    "to each peer in at least one pool declaration.",
                    True,
                )
            )
            failures += 1
        if load_balance_max_seconds == 0:
            lines.append(
                SanityLine(
                    f"WARNING: load balancing will be disabled for failover peer, {name}, "
                    "because its load balance max secs is 0",
                    False,
                )
            )
    return lines, (FAILOVER_SANITY_FATAL if failures else None)


def ddns_update_style_fatal(value: bytes | None) -> str | None:
    """The fatal error for the global ddns-update-style value (dhcpd.c
    postconf_initialization); None when it is acceptable or not set."""
    if value is None:
        return None
    if len(value) != 1:
        return "invalid dns update type"
    if value[0] == DDNS_AD_HOC:
        return "ddns-update-style ad_hoc no longer supported"
    return None


# Global server parameters dhcpd reads once after parsing, and the value length each
# must have (dhcpd.c postconf_initialization).
_POSTCONF_LENGTHS = {
    "omapi-port": (2, "invalid omapi port data length"),
    "local-port": (2, "invalid local port data length"),
    "remote-port": (2, "invalid remote port data length"),
    "limited-broadcast-address": (4, "invalid broadcast address data length"),
    "local-address": (4, "invalid local address data length"),
}


def postconf_fatal(name: str, value: bytes | None) -> str | None:
    """The fatal error for a global server parameter whose value has the wrong size."""
    if value is None:
        return None
    if name == "ddns-update-style":
        return ddns_update_style_fatal(value)
    rule = _POSTCONF_LENGTHS.get(name)
    if rule is not None and len(value) != rule[0]:
        return rule[1]
    return None


POSTCONF_ORDER = (
    "omapi-port",
    "local-port",
    "remote-port",
    "limited-broadcast-address",
    "local-address",
    "ddns-update-style",
)


def hex_or_string(data: bytes, limit: int = 255) -> str:
    """ISC print_hex_or_string: quoted text when every byte is printable ASCII, else
    colon-separated hex (empty when it would not fit in `limit`)."""
    if all(0x20 <= b < 0x7F for b in data[: max(limit - 3, 0)]):
        return '"' + data[: limit - 3].decode("latin-1") + '"'
    if not data or len(data) * 3 > limit:
        return ""
    return ":".join(f"{b:02x}" for b in data)


def host_uid_conflict(host: str, uid: bytes, option_value: bytes) -> str:
    """The warning for a host with both `uid` and an `option dhcp-client-identifier`."""
    return (
        f"Warning, host declaration '{host}' already has uid '{hex_or_string(uid)}', "
        f"ignoring dhcp-client-identifier '{hex_or_string(option_value)}'"
    )
