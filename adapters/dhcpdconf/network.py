"""shared-network and subnet declarations (ISC server/confpars.c
`parse_shared_net_declaration`, `parse_subnet_declaration`, `common_subnet_parsing`,
the implicit shared network of `parse_statement`, and mdb.c `enter_subnet`,
`new_shared_network_interface`).

A subnet written outside any shared-network gets a shared network of its own, named
`A.B.C.D/len`, and the two share one scope: whatever the subnet body sets is set on
that shared network too.  Subnets are also entered, as soon as their number and mask
are read, in one global list where dhcpd warns about overlaps.
"""

from __future__ import annotations

import ipaddress

from adapters.dhcpdconf import statement
from adapters.dhcpdconf.blocks import block_closed, parse_address, parse_lbrace, where
from adapters.dhcpdconf.context import DeclKind, ParseContext, SubnetEntry
from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.primitives import (
    parse_host_name,
    parse_semi,
    skip_to_semi,
)
from adapters.dhcpdconf.tree import Group, SharedNetwork, Subnet
from domain.config.checks import (
    bad_subnet_number,
    implicit_shared_network_name,
    lowest_mask_bit,
    subnet_overlap,
    subnet_sorts_before,
)

IFNAMSIZ = 16  # the size of the interface name buffer dhcpd copies into


def enter_shared_network(ctx: ParseContext, share: SharedNetwork) -> None:
    ctx.tree.shared_networks.append(share)


def parse_shared_net_declaration(cf: Lexer, ctx: ParseContext, group: Group) -> None:
    """`shared-network NAME { … }`: entered at its closing brace, and only if it
    holds at least one subnet."""
    share_group = Group.child_of(group, "shared-network", where(cf))
    share = SharedNetwork(name="", group=share_group, where=where(cf))
    ctx.group_shared_network[id(share_group)] = share
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        name = tok.text.split("\0")[0]
        if not name:
            cf.warn("zero-length shared network name")
            name = "<no-name-given>"
    else:
        parsed = parse_host_name(cf)
        if parsed is None:
            cf.warn("expecting a name for shared-network")
            skip_to_semi(cf)
            return
        name = parsed
    share.name = name
    share_group.name = name
    if not parse_lbrace(cf):
        return
    declaration = False
    while True:
        tok = cf.peek()
        if tok.kind == "}":
            cf.skip()
            if not share.subnets:
                cf.warn("empty shared-network decl")
            else:
                enter_shared_network(ctx, share)
            return
        if tok.kind == EOF:
            cf.skip()
            cf.warn("unexpected end of file")
            return
        if tok.kind == "INTERFACE":
            cf.skip()
            new_shared_network_interface(cf, ctx, share, cf.next().text)
            if not parse_semi(cf):
                return
            continue
        declaration = statement.parse_statement(
            cf, ctx, share_group, DeclKind.SHARED_NET, None, declaration
        )


def parse_lone_subnet(cf: Lexer, ctx: ParseContext, group: Group) -> None:
    """A subnet outside any shared-network: the implicit shared network around it."""
    share_group = Group.child_of(group, "subnet", where(cf))
    share = SharedNetwork(name="", group=share_group, where=where(cf), implicit=True)
    ctx.group_shared_network[id(share_group)] = share
    parse_subnet_declaration(cf, ctx, share)
    if share.subnets:
        entry = ctx.entry_of(share.subnets[0])
        share.name = implicit_shared_network_name(entry.net, entry.mask)
        # ISC copies the subnet's authoritative bit up; the scope is shared, so
        # this is the same bit.
        share_group.authoritative = share.subnets[0].group.authoritative
        enter_shared_network(ctx, share)


def _network(net: int, mask: int) -> ipaddress.IPv4Network:
    """The subnet as a network; a non-contiguous mask is widened to its lowest set
    bit, as dhcpd does when it prints one."""
    return ipaddress.IPv4Network((net, 32 - lowest_mask_bit(mask)), strict=False)


def parse_subnet_declaration(cf: Lexer, ctx: ParseContext, share: SharedNetwork) -> None:
    """`subnet NET netmask MASK { … }` inside `share` (explicit or implicit)."""
    declared_at = where(cf)
    group = share.group if share.implicit else Group.child_of(share.group, "subnet", declared_at)
    net = parse_address(cf)
    if net is None:
        return
    if cf.next().kind != "NETMASK":
        cf.warn("Expecting netmask")
        skip_to_semi(cf)
        return
    mask = parse_address(cf)
    if mask is None:
        return
    problem = bad_subnet_number(net, mask)
    if problem is not None:
        cf.warn(problem)
        skip_to_semi(cf)
        return
    subnet = Subnet(
        network=_network(net, mask),
        group=group,
        shared_network=share,
        where=declared_at,
        netmask=ipaddress.IPv4Address(mask),
    )
    ctx.group_subnet[id(group)] = subnet
    entry = SubnetEntry(net, mask, subnet)
    ctx.subnet_masks[id(subnet)] = entry
    _common_subnet_parsing(cf, ctx, share, entry)


def _enter_subnet(ctx: ParseContext, entry: SubnetEntry) -> None:
    """mdb.c enter_subnet: dhcpd means to compare the new subnet with every entered
    one, but its loop never advances, so only the most recently entered subnet is
    compared (and warned about); the new one then goes to the head of the list."""
    if ctx.subnets:
        head = ctx.subnets[0]
        overlap = subnet_overlap(entry.net, entry.mask, head.net, head.mask)
        if overlap.warning is not None:
            ctx.diagnostics.warning(overlap.warning)
    ctx.subnets.insert(0, entry)


def _add_to_shared_network(ctx: ParseContext, share: SharedNetwork, entry: SubnetEntry) -> None:
    """The sibling order dhcpd keeps: before the first subnet (the last one aside)
    this one is narrower than and overlaps, else at the end."""
    for index, sibling in enumerate(share.subnets[:-1]):
        other = ctx.entry_of(sibling)
        if subnet_sorts_before(entry.net, entry.mask, other.net, other.mask):
            share.subnets.insert(index, entry.subnet)
            return
    share.subnets.append(entry.subnet)


def _common_subnet_parsing(
    cf: Lexer, ctx: ParseContext, share: SharedNetwork, entry: SubnetEntry
) -> None:
    _enter_subnet(ctx, entry)
    if not parse_lbrace(cf):
        return
    group = entry.subnet.group
    declaration = False
    while True:
        if block_closed(cf):
            break
        tok = cf.peek()
        if tok.kind == "INTERFACE":
            cf.skip()
            new_shared_network_interface(cf, ctx, share, cf.next().text)
            if not parse_semi(cf):
                break
            continue
        declaration = statement.parse_statement(cf, ctx, group, DeclKind.SUBNET, None, declaration)
    _add_to_shared_network(ctx, share, entry)


def new_shared_network_interface(
    cf: Lexer, ctx: ParseContext, share: SharedNetwork, name: str
) -> None:
    """mdb.c new_shared_network_interface: `interface NAME;` ties a network to an
    interface, unless another network already claimed an interface of that name."""
    if share.interface is not None:
        cf.warn("A subnet or shared network can't be connected to two interfaces.")
        return
    name = name.split("\0")[0]
    if len(name) > IFNAMSIZ:
        name = name[: IFNAMSIZ - 1]
    if name in ctx.interfaces:
        return
    ctx.interfaces.add(name)
    share.interface = name
