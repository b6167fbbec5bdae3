"""The declarations of a dhcpd.conf as validated, frozen values.

Each declaration carries its `Scope` (statements, authoritative bit, parent id), so a
subnet's own options are `subnet.scope.options`; what applies to a lease is worked out
by `DhcpConfig`, which knows every scope.  Subnets and pools also carry their effective
`parameters`, resolved once, because the server reads lease times and flags on every
request.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Collection

from pydantic import model_validator

from domain.config.frozen_model import FrozenModel
from domain.config.parameters import ServerParameters
from domain.config.permits import PoolPermit, permits_admit
from domain.config.scopes import ExpressionValue, Scope, SourceLocation

HARDWARE_TYPE_NAMES = {1: "ethernet", 6: "token-ring", 8: "fddi", 32: "infiniband"}


class AddressRange(FrozenModel):
    """`range [dynamic-bootp] LOW HIGH;` with the ends in ascending order.

    `subnet_id` is the subnet the range's leases belong to (`SubnetConfig.id`): the
    subnet it was written in, or for a range in a shared-network pool the first of the
    network's subnets holding it (server/confpars.c `parse_address_range`).  `subnet`
    is that subnet's network, for display.  The parser has already checked that the
    range lies inside it with dhcpd's own rule.
    """

    low: ipaddress.IPv4Address
    high: ipaddress.IPv4Address
    dynamic_bootp: bool = False
    subnet_id: int
    subnet: ipaddress.IPv4Network
    where: SourceLocation | None = None

    @model_validator(mode="after")
    def _ascending(self) -> AddressRange:
        if self.low > self.high:
            raise ValueError(f"range {self.low} {self.high} is not in ascending order")
        return self

    def __contains__(self, address: object) -> bool:
        return isinstance(address, ipaddress.IPv4Address) and self.low <= address <= self.high

    @property
    def size(self) -> int:
        return int(self.high) - int(self.low) + 1


class PoolConfig(FrozenModel):
    """A pool: its ranges, who may use it, and the parameters its leases get.

    `id` numbers the pools of the whole configuration in declaration order.  `implicit`
    marks the pool dhcpd makes for bare `range` statements.  `parameters` are those of
    the subnet of the first range followed by the pool's own scope, as dhcpd applies
    them to a lease from this pool (before classes and hosts).  `valid_from` and
    `valid_until` (seconds since the epoch) come from `allow after` / `deny after`:
    dhcpd NAKs outside that window and shortens leases to end by `valid_until`.
    """

    id: int
    shared_network: str
    scope: Scope
    ranges: tuple[AddressRange, ...]
    permit_list: tuple[PoolPermit, ...] = ()
    prohibit_list: tuple[PoolPermit, ...] = ()
    failover_peer: str | None = None
    valid_from: int | None = None
    valid_until: int | None = None
    implicit: bool = False
    parameters: ServerParameters = ServerParameters()
    where: SourceLocation | None = None

    def __contains__(self, address: object) -> bool:
        return any(address in r for r in self.ranges)

    @property
    def size(self) -> int:
        return sum(r.size for r in self.ranges)

    def admits(self, *, known: bool, bootp: bool, classes: Collection[str], now: int) -> bool:
        """Whether a client may get a lease from this pool (see `permits_admit`)."""
        return permits_admit(
            self.permit_list, self.prohibit_list,
            known=known, bootp=bootp, classes=classes, now=now,
        )


class SubnetConfig(FrozenModel):
    """A subnet: its network, the shared network it belongs to, its scope and the
    parameters that chain global → group → shared-network → subnet gives.  `id`
    numbers the subnets of the whole configuration in declaration order; dhcpd accepts
    the same subnet declared twice, so the network alone does not identify one.

    `netmask` is the mask as written when it is not contiguous (dhcpd accepts
    255.0.255.0); `network` then only approximates the subnet, and membership follows
    dhcpd's rule, address AND mask == subnet number.
    """

    id: int
    network: ipaddress.IPv4Network
    shared_network: str
    scope: Scope
    parameters: ServerParameters = ServerParameters()
    netmask: ipaddress.IPv4Address | None = None
    where: SourceLocation | None = None

    @property
    def authoritative(self) -> bool:
        return self.scope.authoritative

    def contains(self, address: ipaddress.IPv4Address) -> bool:
        """Whether dhcpd counts `address` as on this subnet (common `addr_eq(
        subnet_number(addr, mask), net)`)."""
        if self.netmask is None:
            return address in self.network
        mask = int(self.netmask)
        return int(address) & mask == int(self.network.network_address) & mask


class SharedNetworkConfig(FrozenModel):
    """A shared network.  A lone subnet gets an `implicit` one named after it that
    shares the subnet's scope, as in dhcpd.  `interface` is the network interface an
    `interface NAME;` statement tied it to."""

    name: str
    implicit: bool = False
    scope: Scope
    subnets: tuple[SubnetConfig, ...] = ()
    pools: tuple[PoolConfig, ...] = ()
    failover_peer: str | None = None
    interface: str | None = None
    where: SourceLocation | None = None

    @property
    def authoritative(self) -> bool:
        return self.scope.authoritative


class HardwareAddress(FrozenModel):
    """`hardware TYPE XX:XX:…` — the ARP hardware type and the address bytes."""

    htype: int
    address: bytes

    def __str__(self) -> str:
        kind = HARDWARE_TYPE_NAMES.get(self.htype, f"type-{self.htype}")
        return f"{kind} {self.address.hex(':')}"


class HostIdentifier(FrozenModel):
    """`host-identifier option NAME VALUE;`: a host matched by an option's value.
    `option` is the qualified name (`agent.circuit-id`, `dhcp.dhcp-client-identifier`)."""

    option: str
    value: bytes


class HostConfig(FrozenModel):
    """A host declaration.  Hosts are global whatever block they sit in; a client that
    matches one is "known".  `fixed_addresses` are as written (addresses or DNS names,
    which dhcpd resolves when it needs them)."""

    name: str
    scope: Scope
    hardware: HardwareAddress | None = None
    client_identifier: bytes | None = None
    fixed_addresses: tuple[str, ...] = ()
    host_identifier: HostIdentifier | None = None
    named_group: str | None = None
    where: SourceLocation | None = None

    def fixed_ipv4_addresses(self) -> tuple[ipaddress.IPv4Address, ...]:
        """The fixed addresses written as dotted quads (names need a resolver)."""
        found: list[ipaddress.IPv4Address] = []
        for written in self.fixed_addresses:
            try:
                found.append(ipaddress.IPv4Address(written))
            except ValueError:
                continue
        return tuple(found)


class ClassConfig(FrozenModel):
    """A `class` (or, with `superclass` and `hash_key` set, a `subclass`).

    `match_if`, `match` and the expressions are the parser's typed expression trees,
    evaluated per packet; `spawn` means `match` was written `spawn with`, so unknown
    values create new subclasses.  `lease_limit` caps the active leases billed to the
    class (inherited by spawned subclasses).
    """

    name: str
    scope: Scope
    superclass: str | None = None
    hash_key: bytes | None = None
    match_if: ExpressionValue | None = None
    match: ExpressionValue | None = None
    spawn: bool = False
    lease_limit: int | None = None
    subclasses: tuple[ClassConfig, ...] = ()
    where: SourceLocation | None = None

    @property
    def is_subclass(self) -> bool:
        return self.superclass is not None

    def subclass_by_key(self, key: bytes) -> ClassConfig | None:
        """The subclass `match`/`spawn with` selected for a packet whose value is `key`."""
        for subclass in self.subclasses:
            if subclass.hash_key == key:
                return subclass
        return None
