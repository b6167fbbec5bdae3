"""The state one configuration read carries from statement to statement.

dhcpd keeps this state in globals (the subnet list, the lease hash, the failover peer
list, the `global_host_once` flag, the pointers a `struct group` has to its subnet and
shared network).  Here it lives in one `ParseContext` per read, so two reads never
share anything and a read can be tested alone.
"""

from __future__ import annotations

import bisect
import enum
from dataclasses import dataclass, field

from adapters.dhcpdconf.diagnostics import Diagnostics
from adapters.dhcpdconf.executable import UNSTORED
from adapters.dhcpdconf.tree import ConfTree, Group, SharedNetwork, Subnet
from domain.config.dns import DnsDefinitions
from domain.options.universes import OptionUniverses


class DeclKind(enum.Enum):
    """The kind of scope a statement is parsed in (ISC's ROOT_GROUP, HOST_DECL …):
    it decides which statements are allowed there."""

    ROOT = "root"
    HOST = "host"
    SHARED_NET = "shared-network"
    SUBNET = "subnet"
    CLASS = "class"
    GROUP = "group"
    POOL = "pool"


@dataclass
class SubnetEntry:
    """A subnet in dhcpd's global subnet list, with its mask as an integer (the
    mask may be non-contiguous, which `Subnet.network` cannot express)."""

    net: int
    mask: int
    subnet: Subnet


@dataclass
class DeclaredAddresses:
    """The addresses every `range` has declared so far, as merged intervals.

    dhcpd keeps one lease object per address in a hash; intervals give the same
    answer to "was this address declared before?" without one object per address,
    which matters for /8-sized ranges."""

    starts: list[int] = field(default_factory=list)
    ends: list[int] = field(default_factory=list)

    def overlap(self, low: int, high: int) -> list[int]:
        """Every address in [low, high] already declared, in ascending order."""
        out: list[int] = []
        i = max(bisect.bisect_right(self.starts, low) - 1, 0)
        while i < len(self.starts) and self.starts[i] <= high:
            lo = max(self.starts[i], low)
            hi = min(self.ends[i], high)
            if lo <= hi:
                out.extend(range(lo, hi + 1))
            i += 1
        return out

    def add(self, low: int, high: int) -> None:
        i = bisect.bisect_left(self.starts, low)
        if i > 0 and self.ends[i - 1] >= low - 1:
            i -= 1
            low = self.starts[i]
        j = i
        while j < len(self.starts) and self.starts[j] <= high + 1:
            high = max(high, self.ends[j])
            j += 1
        self.starts[i:j] = [low]
        self.ends[i:j] = [high]


@dataclass
class ParseContext:
    """Everything the parse functions share during one configuration read."""

    diagnostics: Diagnostics
    tree: ConfTree
    options: OptionUniverses
    # TSIG keys and DNS zones, registered globally as they are read.
    dns: DnsDefinitions = field(default_factory=DnsDefinitions)
    # ISC's `global_host_once`: the host-is-global warning is printed once per read.
    host_warning_due: bool = True
    # ISC's global subnet list, in its order (narrowest overlapping subnet first).
    subnets: list[SubnetEntry] = field(default_factory=list)
    declared: DeclaredAddresses = field(default_factory=DeclaredAddresses)
    # group->shared_network and group->subnet: only the scope a shared network or a
    # subnet owns points at it (clone_group does not copy these pointers).
    group_shared_network: dict[int, SharedNetwork] = field(default_factory=dict)
    group_subnet: dict[int, Subnet] = field(default_factory=dict)
    # pool_count of each failover peer: pools that name it with `failover peer`.
    failover_pool_count: dict[str, int] = field(default_factory=dict)
    # The integer mask of each subnet, for range checks.
    subnet_masks: dict[int, SubnetEntry] = field(default_factory=dict)
    # Interface names already tied to a network (`interface NAME;`).
    interfaces: set[str] = field(default_factory=set)
    include_depth: int = 0

    @classmethod
    def new(cls, diagnostics: Diagnostics | None = None) -> ParseContext:
        return cls(
            diagnostics=diagnostics if diagnostics is not None else Diagnostics(),
            tree=(tree := ConfTree(root=Group(kind="global", parent=None))),
            options=OptionUniverses.standard(),
            dns=DnsDefinitions(keys=tree.keys),
        )

    def shared_network_of(self, group: Group) -> SharedNetwork | None:
        return self.group_shared_network.get(id(group))

    def subnet_of(self, group: Group) -> Subnet | None:
        return self.group_subnet.get(id(group))

    def entry_of(self, subnet: Subnet) -> SubnetEntry:
        return self.subnet_masks[id(subnet)]


def stores_statements(group: Group) -> bool:
    """Whether dhcpd would hold a statement list for this scope.  `db-time-format`,
    `key` and `zone` are kept in the tree for the model but dhcpd stores nothing for
    them, and pool merging and named-group attachment test for an empty list."""
    return any(not isinstance(s, UNSTORED) for s in group.statements)
