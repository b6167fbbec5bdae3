"""host and group declarations (ISC server/confpars.c `parse_host_declaration`,
`parse_group_declaration`, `parse_fixed_addr_param`, `parse_fixed_prefix6`;
mdb.c `enter_host`).

Hosts are global whatever scope they are written in: the scope only gives them a
parent for inherited statements.  A `group "name";` line in a host re-parents the
host's scope onto that named group, or replaces it outright when the host set nothing
of its own, which is how dhcpd does it.
"""

from __future__ import annotations

import ipaddress

from adapters.dhcpdconf import statement
from adapters.dhcpdconf.blocks import block_closed, parse_lbrace, where
from adapters.dhcpdconf.context import DeclKind, ParseContext, stores_statements
from adapters.dhcpdconf.lexer import Lexer, is_identifier
from adapters.dhcpdconf.option_definitions import parse_option_name, signed_atoi
from adapters.dhcpdconf.option_values import parse_option_data
from adapters.dhcpdconf.primitives import (
    parse_host_name,
    parse_ip_addr_or_hostname,
    parse_numeric_aggregate,
    parse_semi,
    skip_to_rbrace,
    skip_to_semi,
)
from adapters.dhcpdconf.tree import Group, Host
from domain.config.checks import hex_or_string, host_uid_conflict
from domain.config.expressions import constant_bytes
from domain.config.statements import IfStatement, OnStatement, OptionStatement, SwitchStatement

_DHCP_CLIENT_IDENTIFIER = 61
_V6_TEXT_MAX = 46  # ISC's buffer for the text of an IPv6 address


def parse_ip6_addr(cf: Lexer) -> str | None:
    """ISC parse_ip6_addr: adjacent hex words, numbers, `:` and `.` glued together
    (whitespace ends the address) and read as an IPv6 address."""
    tok = cf.peek()
    text = ""
    while (
        tok.kind in ("NAME", "NUMBER_OR_NAME")
        and all(c in "0123456789abcdefABCDEF" for c in tok.text)
    ) or tok.kind in ("NUMBER", "TOKEN_ADD", ".", ":"):
        cf.next_raw()
        if len(text) + len(tok.text) >= _V6_TEXT_MAX:
            cf.warn("Invalid IPv6 address.")
            skip_to_semi(cf)
            return None
        text += tok.text
        tok = cf.peek_raw()
    try:
        return str(ipaddress.IPv6Address(text))
    except ValueError:
        cf.warn("Invalid IPv6 address.")
        skip_to_semi(cf)
        return None


def parse_fixed_addr_param(cf: Lexer, v6: bool) -> list[str] | None:
    """`fixed-address A[, B…];` (or fixed-address6): the addresses as written."""
    addresses: list[str] = []
    while True:
        address = parse_ip6_addr(cf) if v6 else parse_ip_addr_or_hostname(cf)
        if address is None:
            return None
        addresses.append(address)
        if cf.peek().kind != ",":
            break
        cf.next()
    if not parse_semi(cf):
        return None
    return addresses


def parse_fixed_prefix6(cf: Lexer) -> None:
    """`fixed-prefix6 ADDR/LEN;` in a host: checked as dhcpd checks it, and then of
    no use to a v4 server."""
    address = parse_ip6_addr(cf)
    if address is None:
        return
    tok = cf.next()
    if tok.kind != "/":
        cf.warn("expecting '/'")
        if tok.kind != ";":
            skip_to_semi(cf)
        return
    bits = cf.next()
    if bits.kind != "NUMBER":
        cf.warn("expecting number")
        if bits.kind != ";":
            skip_to_semi(cf)
        return
    if cf.next().kind != ";":
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        return
    length = signed_atoi(bits.text)
    if not 0 <= length <= 128:
        cf.warn("networks have 0 to 128 bits")
        return
    host_bits = int(ipaddress.IPv6Address(address)) & ((1 << (128 - length)) - 1)
    if host_bits:
        cf.warn("network mask too short")


def _uid(cf: Lexer, host: Host) -> bool:
    """`uid "text";` or `uid 1:2:3;` — False when the host body must end here."""
    if host.client_identifier:
        cf.warn(f"Host '{host.name}' already has a uid '{hex_or_string(host.client_identifier)}'")
        skip_to_rbrace(cf, 1)
        return False
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        value = tok.text.encode("latin-1")
    else:
        octets = parse_numeric_aggregate(cf, 0, ":", 16, 8)
        if octets is None:
            cf.warn("expecting hex list.")
            skip_to_semi(cf)
        value = bytes(o & 0xFF for o in octets or [])
    host.client_identifier = value or None
    return parse_semi(cf)


def _host_identifier(cf: Lexer, ctx: ParseContext, host: Host) -> bool:
    """`host-identifier option NAME VALUE;` (or `v6relopt N option …`)."""
    if host.host_identifier is not None:
        cf.warn("only one host-identifier allowed per host")
        skip_to_rbrace(cf, 1)
        return False
    cf.skip()
    tok = cf.next()
    if tok.kind == "V6RELOPT":
        count = cf.next()
        if count.kind != "NUMBER":
            cf.warn("host-identifier v6relopt must have a number")
            skip_to_rbrace(cf, 1)
            return False
        host.host_identifier_relays = signed_atoi(count.text)
        if host.host_identifier_relays < 0:
            cf.warn("host-identifier v6relopt must have a number >= 0")
            skip_to_rbrace(cf, 1)
            return False
    elif tok.kind != "OPTION":
        cf.warn("host-identifier must be an option or v6relopt")
        skip_to_rbrace(cf, 1)
        return False
    option, known = parse_option_name(cf, ctx, True)
    if option is None:
        return False
    if not known:
        cf.warn(f"unknown option {option.universe}.{option.name}")
        skip_to_rbrace(cf, 1)
        return False
    parsed = parse_option_data(cf, ctx, True, option)
    if parsed is None:
        skip_to_rbrace(cf, 1)
        return False
    if not parse_semi(cf):
        skip_to_rbrace(cf, 1)
        return False
    host.host_identifier = (option.qualified_name, constant_bytes(parsed[0]) or b"")
    return True


def _named_group(cf: Lexer, ctx: ParseContext, host: Host) -> bool:
    cf.skip()
    tok = cf.next()
    if tok.kind != "STRING" and not is_identifier(tok.kind):
        cf.warn("expecting string or identifier.")
        skip_to_rbrace(cf, 1)
        return False
    name = tok.text.split("\0")[0]
    if name not in ctx.tree.named_groups:
        cf.warn(f"unknown group {name} in host {host.name}")
    else:
        host.named_group = name
    return parse_semi(cf)


def parse_host_declaration(cf: Lexer, ctx: ParseContext, group: Group) -> None:
    """`host NAME { … }`."""
    declared_at = where(cf)
    name = parse_host_name(cf)
    if name is None:
        cf.warn("expecting a name for host declaration.")
        skip_to_semi(cf)
        return
    host = Host(
        name=name, group=Group.child_of(group, "host", declared_at, name), where=declared_at
    )
    if not parse_lbrace(cf):
        return
    deleted = False
    declaration = False
    while True:
        if block_closed(cf):
            break
        tok = cf.peek()
        if tok.kind in ("DYNAMIC", "TOKEN_DELETED"):
            cf.skip()
            if tok.kind == "DYNAMIC":
                host.dynamic = True
            else:
                deleted = True
            if not parse_semi(cf):
                break
            continue
        if tok.kind == "GROUP":
            if not _named_group(cf, ctx, host):
                break
            continue
        if tok.kind == "UID":
            cf.skip()
            if not _uid(cf, host):
                break
            continue
        if tok.kind == "HOST_IDENTIFIER":
            if not _host_identifier(cf, ctx, host):
                break
            continue
        declaration = statement.parse_statement(
            cf, ctx, host.group, DeclKind.HOST, host, declaration
        )
    if deleted:
        ctx.tree.hosts.pop(host.name, None)
        return
    _attach_named_group(ctx, host)
    _enter_host(cf, ctx, host)


def _attach_named_group(ctx: ParseContext, host: Host) -> None:
    if host.named_group is None:
        return
    named = ctx.tree.named_groups[host.named_group]
    if stores_statements(host.group) or host.group.authoritative != named.authoritative:
        host.group.parent = named
    else:
        host.group = named


def _enter_host(cf: Lexer, ctx: ParseContext, host: Host) -> None:
    """mdb.c enter_host: names are unique; a client identifier given as an option
    statement becomes the host's uid."""
    if host.name in ctx.tree.hosts:
        cf.warn(f"host {host.name}: already exists")
        return
    ctx.tree.hosts[host.name] = host
    found: list[OptionStatement] = []
    _find_uid_statement(ctx, host.group.statements, conditional=False, found=found)
    if not found:
        return
    cid = found[0].constant_value() or b""
    if host.client_identifier and cid:
        ctx.diagnostics.warning(host_uid_conflict(host.name, host.client_identifier, cid))
    else:
        host.client_identifier = cid or None


def _find_uid_statement(
    ctx: ParseContext, statements: list | tuple, conditional: bool, found: list[OptionStatement]
) -> None:
    """ISC find_uid_statement walked over a statement tree, in its order."""
    for stmt in statements:
        if (
            isinstance(stmt, OptionStatement)
            and stmt.op == "supersede"
            and stmt.universe == "dhcp"
            and stmt.code == _DHCP_CLIENT_IDENTIFIER
        ):
            if conditional:
                ctx.diagnostics.warning(
                    "dhcp client identifier may not be specified conditionally."
                )
            elif not found:
                found.append(stmt)
            else:
                ctx.diagnostics.warning("only one dhcp client identifier may be specified")
        if isinstance(stmt, IfStatement):
            _find_uid_statement(ctx, stmt.then, True, found)
            _find_uid_statement(ctx, stmt.otherwise, True, found)
        elif isinstance(stmt, OnStatement | SwitchStatement):
            _find_uid_statement(ctx, stmt.body, True, found)


def parse_group_declaration(cf: Lexer, ctx: ParseContext, group: Group) -> None:
    """`group [NAME] { … }`: a scope, entered by name when it has one."""
    declared_at = where(cf)
    g = Group.child_of(group, "group", declared_at)
    name: str | None = None
    tok = cf.peek()
    if is_identifier(tok.kind) or tok.kind == "STRING":
        cf.skip()
        name = tok.text.split("\0")[0]
    if not parse_lbrace(cf):
        return
    deleted = False
    declaration = False
    while True:
        if block_closed(cf):
            break
        tok = cf.peek()
        if tok.kind in ("TOKEN_DELETED", "DYNAMIC", "STATIC"):
            # ISC reads the `;` and then goes on to parse the next token as a
            # statement in the same round.
            cf.skip()
            parse_semi(cf)
            deleted = deleted or tok.kind == "TOKEN_DELETED"
        declaration = statement.parse_statement(cf, ctx, g, DeclKind.GROUP, None, declaration)
    if name is None:
        return
    if deleted:
        ctx.tree.named_groups.pop(name, None)
    else:
        g.name = name
        ctx.tree.named_groups[name] = g
