"""One dhcpd.conf statement, and whole files of them (ISC server/confpars.c
`parse_statement`, `conf_file_subparse`, `read_conf_file`).

`parse_statement` looks at the first token and hands over to the declaration parsers
(network, hosts, classes, failover) or, for anything it does not know, to the
executable-statement parser, which turns a server parameter such as
`default-lease-time 600;` into an option setting.  Its return value is ISC's
`declaration` flag: once a declaration has been seen in a scope, an unparseable
statement is reported as "expecting a declaration" instead of "expecting a parameter
or declaration".
"""

from __future__ import annotations

import os

from adapters.dhcpdconf import classes, executable, failover, hosts, network, pools
from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.dns_declarations import crash
from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.option_definitions import (
    parse_option_code_definition,
    parse_option_name,
    parse_option_space_decl,
)
from adapters.dhcpdconf.option_values import parse_option_statement
from adapters.dhcpdconf.primitives import (
    parse_hardware_param,
    parse_semi,
    skip_to_semi,
)
from adapters.dhcpdconf.server_globals import parse_lease_id_format, parse_server_duid_conf
from adapters.dhcpdconf.tree import Group, Host
from domain.config.checks import HOST_IS_GLOBAL_WARNING

# dhcpd follows includes with no limit and dies of a stack overflow on a loop.
MAX_INCLUDE_DEPTH = 64


def read_conf_file(ctx: ParseContext, filename: str, group: Group, kind: DeclKind) -> bool:
    """ISC read_conf_file: parse one file into `group`; True when it had no errors.

    The path is used as written, relative to the process's working directory, as
    dhcpd opens it.  A file that cannot be read is fatal."""
    if ctx.include_depth >= MAX_INCLUDE_DEPTH:
        raise crash(f"includes nested more than {MAX_INCLUDE_DEPTH} deep (at {filename})")
    # dhcpd's name is a C string: it ends at a NUL (`include "\0x";` opens "").
    filename = filename.split("\0", 1)[0]
    try:
        with open(filename, "rb") as handle:
            data = handle.read()
    except IsADirectoryError as exc:
        raise FatalConfigError(f"Can't read in {filename}: {os.strerror(exc.errno)}") from None
    except OSError as exc:
        reason = os.strerror(exc.errno) if exc.errno else str(exc)
        raise FatalConfigError(f"Can't open {filename}: {reason}") from None
    ctx.tree.files.append(filename)
    cf = Lexer(data.decode("latin-1"), filename, ctx.diagnostics)
    errors_before = len(ctx.diagnostics.errors)
    ctx.include_depth += 1
    try:
        conf_file_subparse(cf, ctx, group, kind)
    finally:
        ctx.include_depth -= 1
    return len(ctx.diagnostics.errors) == errors_before


def conf_file_subparse(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind) -> None:
    """ISC conf_file_subparse: statements until the end of the file."""
    declaration = False
    while cf.peek().kind != EOF:
        declaration = parse_statement(cf, ctx, group, kind, None, declaration)
    cf.skip()


def _include(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind) -> bool:
    tok = cf.next()
    if tok.kind != "STRING":
        cf.warn("filename string expected.")
        skip_to_semi(cf)
        return True
    if not read_conf_file(ctx, tok.text, group, kind):
        cf.warn(f"{tok.text}: bad parse.")
    parse_semi(cf)
    return True


def _subnet(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind, token: str) -> bool:
    if kind in (DeclKind.HOST, DeclKind.SUBNET, DeclKind.CLASS):
        cf.warn("subnet declarations not allowed here.")
        skip_to_semi(cf)
        return True
    if token == "SUBNET6":
        # DHCPv6 statements are refused in the v4 server.
        cf.warn("subnet6 statement is only supported in DHCPv6 mode.")
        skip_to_semi(cf)
        return ctx.shared_network_of(group) is None
    share = ctx.shared_network_of(group)
    if share is not None:
        network.parse_subnet_declaration(cf, ctx, share)
        return False
    network.parse_lone_subnet(cf, ctx, group)
    return True


def _class(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind, token: str) -> bool:
    if kind is DeclKind.CLASS:
        cf.warn("class declarations not allowed here.")
        skip_to_semi(cf)
        return False
    classes.parse_class_declaration(cf, ctx, group, classes.CLASS_TYPES[token])
    return True


def _hardware(cf: Lexer, host: Host | None) -> None:
    if host is not None and host.hardware is not None:
        cf.warn(f"Host {host.name} hardware address already configured.")
        return
    hardware = parse_hardware_param(cf)
    if host is None:
        cf.warn("hardware address parameter not allowed here.")
    else:
        host.hardware = hardware


def _fixed_address(cf: Lexer, host: Host | None, token: str) -> None:
    addresses = hosts.parse_fixed_addr_param(cf, v6=token == "FIXED_ADDR6")
    if addresses is None:
        return
    if host is None:
        cf.warn("fixed-address parameter not allowed here.")
    elif host.fixed_addresses or host.fixed_addresses6:
        cf.warn("Only one fixed address declaration per host.")
    elif token == "FIXED_ADDR6":
        host.fixed_addresses6 = addresses
    else:
        host.fixed_addresses = addresses


def _dhcpv6_only(cf: Lexer, what: str) -> None:
    """range6/prefix6 (and their pool6) exist only in the DHCPv6 server."""
    cf.warn(f"{what} statement is only supported in DHCPv6 mode.")
    skip_to_semi(cf)


def parse_statement(
    cf: Lexer,
    ctx: ParseContext,
    group: Group,
    kind: DeclKind,
    host: Host | None,
    declaration: bool,
) -> bool:
    """ISC parse_statement: one parameter or declaration in scope `group`.

    Returns the new value of the scope's `declaration` flag."""
    tok = cf.peek()
    token = tok.kind
    if token == "INCLUDE":
        cf.skip()
        return _include(cf, ctx, group, kind)
    if token == "HOST":
        cf.skip()
        if kind in (DeclKind.HOST, DeclKind.CLASS):
            cf.warn("host declarations not allowed here.")
            skip_to_semi(cf)
            return True
        if ctx.host_warning_due and kind in (DeclKind.SUBNET, DeclKind.SHARED_NET):
            ctx.host_warning_due = False
            ctx.diagnostics.warning(HOST_IS_GLOBAL_WARNING)
        hosts.parse_host_declaration(cf, ctx, group)
        return True
    if token == "GROUP":
        cf.skip()
        if kind in (DeclKind.HOST, DeclKind.CLASS):
            cf.warn("group declarations not allowed here.")
            skip_to_semi(cf)
        else:
            hosts.parse_group_declaration(cf, ctx, group)
        return True
    if token == "SHARED_NETWORK":
        cf.skip()
        if kind in (DeclKind.SHARED_NET, DeclKind.HOST, DeclKind.SUBNET, DeclKind.CLASS):
            cf.warn("shared-network parameters not allowed here.")
            skip_to_semi(cf)
            return False
        network.parse_shared_net_declaration(cf, ctx, group)
        return True
    if token in ("SUBNET", "SUBNET6"):
        cf.skip()
        return _subnet(cf, ctx, group, kind, token)
    if token in classes.CLASS_TYPES:
        cf.skip()
        return _class(cf, ctx, group, kind, token)
    if token == "HARDWARE":
        cf.skip()
        _hardware(cf, host)
        return False
    if token in ("FIXED_ADDR", "FIXED_ADDR6"):
        cf.skip()
        _fixed_address(cf, host, token)
        return False
    if token == "POOL":
        cf.skip()
        if kind is DeclKind.POOL:
            cf.warn("pool declared within pool.")
            skip_to_semi(cf)
        elif kind not in (DeclKind.SUBNET, DeclKind.SHARED_NET):
            cf.warn("pool declared outside of network")
            skip_to_semi(cf)
        else:
            pools.parse_pool_statement(cf, ctx, group, kind)
        return declaration
    if token == "RANGE":
        cf.skip()
        if kind is not DeclKind.SUBNET or ctx.subnet_of(group) is None:
            cf.warn("range declaration not allowed here.")
            skip_to_semi(cf)
            return declaration
        pools.parse_address_range(cf, ctx, group, kind, None)
        return declaration
    return _parse_other(cf, ctx, group, kind, host, declaration, token)


def _parse_other(
    cf: Lexer,
    ctx: ParseContext,
    group: Group,
    kind: DeclKind,
    host: Host | None,
    declaration: bool,
    token: str,
) -> bool:
    """The rest of parse_statement: DHCPv6 declarations, authority, options,
    failover, global settings and, by default, executable statements."""
    if token in ("RANGE6", "PREFIX6"):
        cf.skip()
        what = "range6" if token == "RANGE6" else "prefix6"
        if kind is not DeclKind.SUBNET or ctx.subnet_of(group) is None:
            cf.warn(f"{what} declaration not allowed here.")
            skip_to_semi(cf)
        else:
            _dhcpv6_only(cf, what)
        return declaration
    if token == "FIXED_PREFIX6":
        cf.skip()
        if host is None:
            cf.warn("fixed-prefix6 declaration not allowed here.")
            skip_to_semi(cf)
        else:
            hosts.parse_fixed_prefix6(cf)
        return False
    if token == "POOL6":
        cf.skip()
        if kind is DeclKind.POOL:
            cf.warn("pool6 declared within pool.")
            skip_to_semi(cf)
        elif kind is not DeclKind.SUBNET:
            cf.warn("pool6 declared outside of network")
            skip_to_semi(cf)
        else:
            pools.parse_pool6_statement(cf, ctx, group)
        return declaration
    if token == "TOKEN_NOT":
        cf.skip()
        if cf.next().kind != "AUTHORITATIVE":
            cf.warn("expecting assertion")
            skip_to_semi(cf)
            return False
        group.authoritative = False
        _authoritative(cf, kind)
        return False
    if token == "AUTHORITATIVE":
        cf.skip()
        group.authoritative = True
        _authoritative(cf, kind)
        return False
    if token == "SERVER_IDENTIFIER":
        option = ctx.options.by_code("dhcp", 54)
        cf.skip()
        if option is not None:
            _insert(group, parse_option_statement(cf, ctx, option, "supersede"))
        return declaration
    if token == "OPTION":
        cf.skip()
        return _option(cf, ctx, group, kind, declaration)
    if token == "FAILOVER":
        if kind not in (DeclKind.ROOT, DeclKind.SHARED_NET):
            cf.warn("failover peers may only be defined in shared-network")
            ctx.diagnostics.warning("declarations and the outer scope.")
            skip_to_semi(cf)
            return False
        cf.next()
        failover.parse_failover_peer(cf, ctx, group, kind)
        return False
    if token == "SERVER_DUID":
        parse_server_duid_conf(cf)
        return False
    if token == "LEASE_ID_FORMAT":
        cf.next()
        parse_lease_id_format(cf, ctx)
        return False
    if token == "%":
        skip_to_semi(cf)
        return False
    ok, statement, lose = executable.parse_executable_statement(cf, ctx, "any")
    if not ok:
        if not lose:
            cf.warn(
                "expecting a declaration" if declaration else "expecting a parameter or declaration"
            )
            skip_to_semi(cf)
        return declaration
    _insert(group, statement)
    return declaration


def _authoritative(cf: Lexer, kind: DeclKind) -> None:
    if kind is DeclKind.HOST:
        cf.warn("authority makes no sense here.")
    parse_semi(cf)


def _option(cf: Lexer, ctx: ParseContext, group: Group, kind: DeclKind, declaration: bool) -> bool:
    if cf.peek().kind == "SPACE":
        if kind is not DeclKind.ROOT:
            cf.warn("option space definitions may not be scoped.")
            skip_to_semi(cf)
            return False
        parse_option_space_decl(cf, ctx)
        return declaration
    option, known = parse_option_name(cf, ctx, True)
    if option is None:
        return declaration
    if cf.peek().kind == "CODE":
        if kind is not DeclKind.ROOT:
            cf.warn("option definitions may not be scoped.")
            skip_to_semi(cf)
            return False
        cf.skip()
        parse_option_code_definition(cf, ctx, option)
        return declaration
    if not known:
        cf.warn(f"unknown option {option.universe}.{option.name}")
        skip_to_semi(cf)
        return declaration
    _insert(group, parse_option_statement(cf, ctx, option, "supersede"))
    return declaration


def _insert(group: Group, statement: object | None) -> None:
    if statement is not None:
        group.statements.append(statement)
