"""The parse tree of a dhcpd.conf: scopes and what was declared in them.

This is the contract between the parser (which fills it while it reads, as ISC's
`confpars.c` fills its C structures) and `adapters/dhcpdconf/to_model.py` (which turns a
valid tree into the pydantic model in `domain/config`).  It keeps what dhcpd keeps and
in the same shape — a `Group` is ISC's `struct group` (a scope: its parent, its
statements, its authoritative bit) — because scope inheritance, the
`authoritative` copy-on-create quirk and pool merging only come out right in that shape.

Every object records the `Where` it was declared so that later checks can point at it.
"""

from __future__ import annotations

import ipaddress
from dataclasses import dataclass, field
from typing import Any, Literal

from domain.config.dns import TsigKey

GroupKind = Literal["global", "group", "shared-network", "subnet", "pool", "host", "class"]


@dataclass(frozen=True)
class Where:
    """File and line a declaration started on."""

    file: str
    line: int


@dataclass
class Group:
    """A scope (ISC `struct group`).

    `statements` are executable statements in source order: option settings,
    server parameters (which ISC stores as options in the `server` space), `if`,
    `on` and the rest — the objects from `adapters/dhcpdconf/statements.py`.
    `authoritative` is copied from the parent when the scope is created (ISC
    `clone_group`), which is why a global `authoritative;` only reaches scopes
    declared after it.
    """

    kind: GroupKind
    parent: Group | None
    where: Where | None = None
    name: str | None = None
    authoritative: bool = False
    statements: list[Any] = field(default_factory=list)

    @classmethod
    def child_of(
        cls, parent: Group, kind: GroupKind, where: Where | None, name: str | None = None
    ) -> Group:
        return cls(
            kind=kind, parent=parent, where=where, name=name, authoritative=parent.authoritative
        )

    def chain(self) -> list[Group]:
        """This scope and its ancestors, outermost first."""
        out: list[Group] = []
        g: Group | None = self
        while g is not None:
            out.append(g)
            g = g.parent
        return out[::-1]


@dataclass
class Range:
    low: ipaddress.IPv4Address
    high: ipaddress.IPv4Address
    dynamic_bootp: bool
    where: Where


@dataclass(frozen=True)
class Permit:
    """One pool permit term (ISC `struct permit`).

    kind: "known-clients", "unknown-clients", "all-clients", "dynamic-bootp-clients",
    "authenticated-clients", "unauthenticated-clients", "class" (with `class_name`),
    "after" (with `after`, seconds since the epoch).
    """

    kind: str
    class_name: str | None = None
    after: int | None = None


@dataclass
class Pool:
    group: Group
    shared_network: SharedNetwork
    where: Where
    ranges: list[Range] = field(default_factory=list)
    permit_list: list[Permit] = field(default_factory=list)
    prohibit_list: list[Permit] = field(default_factory=list)
    failover_peer: str | None = None
    valid_from: int | None = None
    valid_until: int | None = None
    implicit: bool = False  # made for a bare `range` in a subnet or shared-network


@dataclass
class Subnet:
    network: ipaddress.IPv4Network
    group: Group
    shared_network: SharedNetwork
    where: Where
    # The mask as written: dhcpd accepts non-contiguous masks (255.0.255.0), which
    # `network` can only approximate (it is widened to the mask's lowest set bit).
    netmask: ipaddress.IPv4Address | None = None


@dataclass
class SharedNetwork:
    """A shared network; a lone subnet gets an implicit one named `A.B.C.D/len`
    that shares the subnet's scope (`group`)."""

    name: str
    group: Group
    where: Where
    implicit: bool = False
    subnets: list[Subnet] = field(default_factory=list)
    pools: list[Pool] = field(default_factory=list)
    failover_peer: str | None = None
    interface: str | None = None  # `interface NAME;` in the shared network or subnet


@dataclass
class Host:
    name: str
    group: Group
    where: Where
    hardware: tuple[int, bytes] | None = None  # (htype, address)
    client_identifier: bytes | None = None
    fixed_addresses: list[str] = field(default_factory=list)  # IPs or DNS names, as written
    host_identifier: tuple[str, bytes] | None = None  # (option name, value)
    named_group: str | None = None
    # `fixed-address6` (accepted by the v4 server, and sharing the one fixed-address
    # slot with `fixed-address`).
    fixed_addresses6: list[str] = field(default_factory=list)
    dynamic: bool = False  # `dynamic;`: the host was created through OMAPI
    host_identifier_relays: int = 0  # `host-identifier v6relopt N …`


@dataclass
class ClientClass:
    """A `class` or `subclass` declaration.  Expressions are the typed trees from
    `domain/config/expressions.py`."""

    name: str
    group: Group
    where: Where
    superclass: str | None = None  # set for a subclass
    hash_key: bytes | None = None  # a subclass's match value
    match_if: Any = None
    match: Any = None
    spawn: bool = False
    lease_limit: int | None = None
    subclasses: dict[bytes, ClientClass] = field(default_factory=dict)


@dataclass
class FailoverPeer:
    """A `failover peer "name" { … }` block, with ISC's defaults already filled in
    where ISC fills them (port 647, max-response-delay 20, max-unacked-updates 100,
    max-lease-misbalance 15, max-lease-ownership 10, min-balance 60, max-balance 3600)."""

    name: str
    where: Where
    role: Literal["primary", "secondary"] = "primary"
    address: str | None = None
    port: int = 647
    peer_address: str | None = None
    peer_port: int = 647
    max_response_delay: int = 20
    max_unacked_updates: int = 100
    mclt: int | None = None
    split: int | None = None
    hba: bytes | None = None
    load_balance_max_seconds: int = 0
    auto_partner_down: int = 0
    max_lease_misbalance: int = 15
    max_lease_ownership: int = 10
    min_balance: int = 60
    max_balance: int = 3600
    peer_max_response_delay: int = 0
    peer_max_unacked_updates: int = 0


@dataclass
class ConfTree:
    """Everything one configuration read produced."""

    root: Group
    shared_networks: list[SharedNetwork] = field(default_factory=list)
    hosts: dict[str, Host] = field(default_factory=dict)
    classes: dict[str, ClientClass] = field(default_factory=dict)  # declaration order
    named_groups: dict[str, Group] = field(default_factory=dict)
    failover_peers: dict[str, FailoverPeer] = field(default_factory=dict)
    files: list[str] = field(default_factory=list)  # the main file, then each include
    lease_id_format: str | None = None  # `lease-id-format octal|hex;` (global)
    # `key` declarations by folded name, as dhcpd registers them (OMAPI signs with one).
    keys: dict[str, TsigKey] = field(default_factory=dict)

    def subnets(self) -> list[Subnet]:
        return [s for sn in self.shared_networks for s in sn.subnets]

    def pools(self) -> list[Pool]:
        return [p for sn in self.shared_networks for p in sn.pools]
