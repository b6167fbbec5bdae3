"""Pools and address ranges (ISC server/confpars.c `parse_pool_statement`,
`parse_address_range`, `parse_pool6_statement`; mdb.c `new_address_range`).

Two dhcpd behaviours shape the pools a configuration ends up with:
- A `range` outside any pool goes into an implicit pool of its shared network: one
  that denies dynamic BOOTP clients, or, for `range dynamic-bootp`, one that allows
  all clients.  dhcpd looks for an existing pool of that kind but then uses the pool
  *before* the one it found (the first pool when it found the first): that slip is
  kept, because it decides which pool's permits apply to the range.
- A pool whose body sets no statements is merged into an earlier pool of the same
  shared network that also sets none, has the same failover peer and the same
  permit lists: its ranges join that pool.
"""

from __future__ import annotations

from ipaddress import IPv4Address

from adapters.dhcpdconf import statement
from adapters.dhcpdconf.blocks import parse_address, parse_lbrace, where
from adapters.dhcpdconf.context import DeclKind, ParseContext, stores_statements
from adapters.dhcpdconf.diagnostics import Diagnostic, FatalConfigError
from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.permits import get_permit, same_permits
from adapters.dhcpdconf.primitives import parse_semi, skip_to_semi
from adapters.dhcpdconf.tree import Group, Permit, Pool, Range, SharedNetwork, Subnet, Where
from domain.config.checks import (
    DYNAMIC_BOOTP_WITH_FAILOVER,
    DYNAMIC_BOOTP_WITH_FAILOVER_HINT,
    MEMORY_OVERFLOW_FATAL,
    PLACE_POOL_AFTER_SUBNETS,
    POOL_WITHOUT_RANGE,
    POOL_WITHOUT_RANGE_HINT,
    in_subnet,
    lease_declared_twice,
    overly_large_range,
    range_outside_subnet,
)


def _warn_with_hint(cf: Lexer, message: str, hint: tuple[str, ...]) -> None:
    """A parse error followed by dhcpd's explanatory log lines."""
    cf.diagnostics.add(Diagnostic(cf.warn_lines(message) + hint))


def _is_implicit_kind(pool: Pool, dynamic: bool) -> bool:
    if dynamic:
        return (
            not pool.prohibit_list
            and len(pool.permit_list) == 1
            and pool.permit_list[0].kind == "all-clients"
        )
    return (
        not pool.permit_list
        and len(pool.prohibit_list) == 1
        and pool.prohibit_list[0].kind == "dynamic-bootp-clients"
    )


def _implicit_pool(share: SharedNetwork, dynamic: bool, declared_at: Where) -> Pool:
    """The pool a range outside any pool statement goes into."""
    last: Pool | None = None
    for pool in share.pools:
        if _is_implicit_kind(pool, dynamic):
            return last if last is not None else share.pools[0]
        last = pool
    created = Pool(
        group=Group.child_of(share.group, "pool", declared_at),
        shared_network=share,
        where=declared_at,
        implicit=True,
    )
    if dynamic:
        created.permit_list.append(Permit("all-clients"))
    else:
        created.prohibit_list.append(Permit("dynamic-bootp-clients"))
    share.pools.append(created)
    return created


def _range_subnet(
    cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind, low: int
) -> Subnet | None:
    """The subnet a range belongs to: the enclosing one, or for a pool directly in a
    shared network, the first of its subnets holding the low address."""
    if kind is DeclKind.SUBNET:
        return ctx.subnet_of(group)
    share = ctx.shared_network_of(group)
    assert share is not None  # parse_statement only sends pools from networks here
    for subnet in share.subnets:
        entry = ctx.entry_of(subnet)
        if in_subnet(low, entry.net, entry.mask):
            return subnet
    _warn_with_hint(cf, f"address range not on network {share.name}", (PLACE_POOL_AFTER_SUBNETS,))
    return None


def parse_address_range(
    cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind, in_pool: Pool | None
) -> bool:
    """`range [dynamic-bootp] LOW [HIGH];` in a subnet (`in_pool` None) or a pool.
    Returns True when addresses were declared (ISC's lease chain is not empty)."""
    declared_at = where(cf)
    dynamic = False
    if cf.peek().kind == "DYNAMIC_BOOTP":
        cf.skip()
        dynamic = True
    low = parse_address(cf)
    if low is None:
        return False
    if cf.peek().kind == ";":
        high = low
    else:
        parsed = parse_address(cf)
        if parsed is None:
            return False
        high = parsed
    if cf.next().kind != ";":
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        return False
    subnet = _range_subnet(cf, ctx, group, kind, low)
    if subnet is None:
        return False
    pool = (
        in_pool
        if in_pool is not None
        else _implicit_pool(subnet.shared_network, dynamic, declared_at)
    )
    if pool.failover_peer is not None and dynamic:
        _warn_with_hint(cf, DYNAMIC_BOOTP_WITH_FAILOVER, DYNAMIC_BOOTP_WITH_FAILOVER_HINT)
    first, last = _new_address_range(cf, ctx, low, high, subnet)
    pool.ranges.append(Range(IPv4Address(first), IPv4Address(last), dynamic, declared_at))
    return True


def _new_address_range(
    cf: Lexer, ctx: ParseContext, low: int, high: int, subnet: Subnet
) -> tuple[int, int]:
    """mdb.c new_address_range: check both ends lie in the subnet (fatal otherwise)
    and declare each address, reporting those an earlier range declared."""
    entry = ctx.entry_of(subnet)
    for end in (low, high):
        problem = range_outside_subnet(end, entry.net, entry.mask)
        if problem is not None:
            raise FatalConfigError(problem)
    host_mask = ~entry.mask & 0xFFFFFFFF
    first, last = sorted((low & host_mask, high & host_mask))
    first |= entry.net
    last |= entry.net
    too_large = overly_large_range(low, high, last - first + 1)
    if too_large is not None:
        cf.warn(too_large)
        raise FatalConfigError(MEMORY_OVERFLOW_FATAL)
    for address in ctx.declared.overlap(first, last):
        cf.warn(lease_declared_twice(address))
    ctx.declared.add(first, last)
    return first, last


def _pool_failover_peer(cf: Lexer, ctx: ParseContext, pool: Pool) -> None:
    """`failover peer "NAME";` inside a pool: the peer must already be declared."""
    if cf.next().kind != "PEER":
        cf.warn("expecting 'peer'.")
        skip_to_semi(cf)
        return
    name = cf.next()
    if name.kind != "STRING":
        cf.warn("expecting string.")
        skip_to_semi(cf)
        return
    pool.failover_peer = None
    peer_name = name.text.split("\0")[0]
    if peer_name not in ctx.tree.failover_peers:
        cf.warn(f"failover peer {peer_name}: not found")
    else:
        pool.failover_peer = peer_name
        ctx.failover_pool_count[peer_name] = ctx.failover_pool_count.get(peer_name, 0) + 1
    parse_semi(cf)


def parse_pool_statement(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind) -> None:
    """`pool { … }` in a subnet or shared network."""
    declared_at = where(cf)
    if kind is DeclKind.SUBNET:
        subnet = ctx.subnet_of(group)
        assert subnet is not None
        share = subnet.shared_network
    else:
        found = ctx.shared_network_of(group)
        assert found is not None
        share = found
    pool = Pool(
        group=Group.child_of(share.group, "pool", declared_at),
        shared_network=share,
        where=declared_at,
        failover_peer=share.failover_peer,
    )
    if not parse_lbrace(cf):
        return
    has_addresses = False
    declaration = False
    while True:
        tok = cf.peek()
        if tok.kind == "TOKEN_NO":
            cf.skip()
            if cf.next().kind != "FAILOVER" or cf.next().kind != "PEER":
                cf.warn('expecting "failover peer".')
                skip_to_semi(cf)
                continue
            # The `;` is left for the next statement, which is then an error.
            pool.failover_peer = None
        elif tok.kind == "FAILOVER":
            cf.skip()
            _pool_failover_peer(cf, ctx, pool)
        elif tok.kind == "RANGE":
            cf.skip()
            has_addresses |= parse_address_range(cf, ctx, group, kind, pool)
        elif tok.kind in ("ALLOW", "DENY"):
            cf.skip()
            get_permit(cf, ctx, pool, tok.kind == "ALLOW")
        elif tok.kind == "}":
            cf.skip()
            break
        elif tok.kind == EOF:
            cf.warn("unexpected end of file")
            return
        else:
            declaration = statement.parse_statement(
                cf, ctx, pool.group, DeclKind.POOL, None, declaration
            )
    _merge_or_add(ctx, share, pool)
    if not has_addresses:
        _warn_with_hint(cf, POOL_WITHOUT_RANGE, POOL_WITHOUT_RANGE_HINT)


def _merge_or_add(ctx: ParseContext, share: SharedNetwork, pool: Pool) -> None:
    for existing in share.pools:
        # ISC compares statement-list pointers: only two empty lists are equal.
        if stores_statements(existing.group) or stores_statements(pool.group):
            continue
        if existing.failover_peer != pool.failover_peer:
            continue
        if not same_permits(existing, pool, ctx.tree.classes):
            continue
        existing.ranges.extend(pool.ranges)
        return
    share.pools.append(pool)


def parse_pool6_statement(cf: Lexer, ctx: ParseContext, group: Group) -> None:
    """`pool6 { … }` in a subnet: parsed as dhcpd does, though every range6 or
    prefix6 in it is refused by the v4 server, so it always ends in an error."""
    subnet = ctx.subnet_of(group)
    assert subnet is not None
    pond = Pool(
        group=Group.child_of(group, "pool", where(cf)),
        shared_network=subnet.shared_network,
        where=where(cf),
    )
    if not parse_lbrace(cf):
        return
    declaration = False
    while True:
        tok = cf.peek()
        if tok.kind in ("RANGE6", "PREFIX6"):
            cf.skip()
            what = "range6" if tok.kind == "RANGE6" else "prefix6"
            cf.warn(f"{what} statement is only supported in DHCPv6 mode.")
            skip_to_semi(cf)
        elif tok.kind in ("ALLOW", "DENY"):
            cf.skip()
            get_permit(cf, ctx, pond, tok.kind == "ALLOW")
        elif tok.kind == "}":
            cf.skip()
            break
        elif tok.kind == EOF:
            cf.warn("unexpected end of file")
            return
        else:
            declaration = statement.parse_statement(
                cf, ctx, pond.group, DeclKind.POOL, None, declaration
            )
    _warn_with_hint(
        cf,
        "Pool6 declaration with no address range6 or prefix6.",
        ("Pool6 declarations must always contain at least", "one range6 or prefix6 statement."),
    )
