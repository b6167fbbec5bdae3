"""network: shared networks, subnets and the implicit shared network of a lone subnet
(behaviour and messages checked against the real dhcpd -t)."""

from __future__ import annotations

import ipaddress

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.statement import conf_file_subparse


def read(text: str) -> ParseContext:
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    return ctx


def errors(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.errors]


def warnings(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.reports if not d.is_error]


def test_a_lone_subnet_shares_its_scope_with_an_implicit_shared_network() -> None:
    ctx = read("subnet 10.1.0.0 netmask 255.255.0.0 { default-lease-time 60; }")
    [share] = ctx.tree.shared_networks
    assert share.implicit
    assert share.name == "10.1.0.0/16"
    [subnet] = share.subnets
    assert subnet.group is share.group
    assert subnet.network == ipaddress.IPv4Network("10.1.0.0/16")
    assert subnet.netmask == ipaddress.IPv4Address("255.255.0.0")
    assert subnet.group.parent is ctx.tree.root
    assert share.group.statements[0].name == "default-lease-time"


def test_an_explicit_shared_network_gives_each_subnet_its_own_scope() -> None:
    ctx = read(
        'shared-network lan { option domain-name "x";\n'
        "  subnet 10.0.0.0 netmask 255.255.255.0 { }\n"
        "  subnet 10.0.1.0 netmask 255.255.255.0 { } }"
    )
    [share] = ctx.tree.shared_networks
    assert (share.name, share.implicit) == ("lan", False)
    assert [str(s.network) for s in share.subnets] == ["10.0.0.0/24", "10.0.1.0/24"]
    assert all(s.group.parent is share.group for s in share.subnets)
    assert share.group.name == "lan"


def test_shared_network_names() -> None:
    ctx = read(
        'shared-network "" { subnet 10.0.0.0 netmask 255.0.0.0 { } }\n'
        "shared-network a.b.c { subnet 11.0.0.0 netmask 255.0.0.0 { } }\n"
        "shared-network { }"
    )
    assert errors(ctx) == [
        "t.conf line 1: zero-length shared network name",
        "t.conf line 3: expecting a name for shared-network",
    ]
    assert [s.name for s in ctx.tree.shared_networks] == ["<no-name-given>", "a.b.c"]


def test_an_empty_shared_network_is_an_error_and_not_entered() -> None:
    ctx = read("shared-network s {\n}")
    assert errors(ctx) == ["t.conf line 2: empty shared-network decl"]
    assert ctx.tree.shared_networks == []


def test_subnet_number_errors() -> None:
    ctx = read(
        "subnet 10.0.0.1 netmask 255.255.255.0 { }\nsubnet 10.0.0.0 mask;\n"
        "subnet 11.0.0.0 netmask 255.0.0.0 { }"
    )
    assert errors(ctx) == [
        "t.conf line 1: subnet 10.0.0.1 netmask 255.255.255.0: bad subnet number/mask combination.",
        "t.conf line 2: Expecting netmask",
    ]
    assert [s.name for s in ctx.tree.shared_networks] == ["11.0.0.0/8"]


def test_a_non_contiguous_mask_is_accepted() -> None:
    ctx = read("subnet 10.0.0.0 netmask 255.0.255.0 { }")
    [subnet] = ctx.tree.subnets()
    assert errors(ctx) == []
    assert subnet.netmask == ipaddress.IPv4Address("255.0.255.0")
    assert subnet.network == ipaddress.IPv4Network("10.0.0.0/24")
    assert ctx.tree.shared_networks[0].name == "10.0.0.0/24"


def test_overlaps_are_only_checked_against_the_last_subnet_entered() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.0.0 { }\nsubnet 10.1.0.0 netmask 255.255.0.0 { }\n"
        "subnet 10.0.1.0 netmask 255.255.255.0 { }\nsubnet 10.0.1.0 netmask 255.255.255.0 { }"
    )
    assert errors(ctx) == []
    assert warnings(ctx) == ["Warning: subnet 10.0.1.0/24 overlaps subnet 10.0.1.0/24"]


def test_subnets_of_a_shared_network_in_dhcpds_order() -> None:
    """A narrower overlapping subnet goes before a wider one, except that dhcpd never
    compares against the last subnet already in the list."""
    ctx = read(
        "shared-network s {\n subnet 10.0.0.0 netmask 255.0.0.0 { }\n"
        " subnet 11.0.0.0 netmask 255.0.0.0 { }\n subnet 10.1.0.0 netmask 255.255.0.0 { }\n"
        " subnet 11.1.0.0 netmask 255.255.0.0 { }\n}"
    )
    order = [str(s.network) for s in ctx.tree.shared_networks[0].subnets]
    assert order == ["10.1.0.0/16", "10.0.0.0/8", "11.0.0.0/8", "11.1.0.0/16"]


def test_interface_statements() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.0.0.0 {\n interface eth0;\n interface eth1;\n}\n"
        "shared-network s { interface eth0; subnet 11.0.0.0 netmask 255.0.0.0 { } }"
    )
    assert errors(ctx) == [
        "t.conf line 3: A subnet or shared network can't be connected to two interfaces."
    ]
    assert [s.interface for s in ctx.tree.shared_networks] == ["eth0", None]


def test_a_subnet_in_a_group_in_a_shared_network_gets_its_own_shared_network() -> None:
    ctx = read("shared-network s { group { subnet 10.0.0.0 netmask 255.0.0.0 { } } }")
    assert errors(ctx) == ["t.conf line 1: empty shared-network decl"]
    assert [(s.name, s.implicit) for s in ctx.tree.shared_networks] == [("10.0.0.0/8", True)]


def test_end_of_file_inside_declarations() -> None:
    assert errors(read("shared-network s { ")) == ["t.conf line 1: unexpected end of file"]
    ctx = read("subnet 10.0.0.0 netmask 255.0.0.0 {")
    assert errors(ctx) == ["t.conf line 1: unexpected end of file"]
    assert len(ctx.tree.subnets()) == 1
