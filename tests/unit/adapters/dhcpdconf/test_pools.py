"""pools: ranges, implicit pools, pool merging and their errors (messages checked
against the real dhcpd -t)."""

from __future__ import annotations

import ipaddress

import pytest

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.statement import conf_file_subparse
from adapters.dhcpdconf.tree import Permit

PEER = 'failover peer "f" { primary; peer address 10.9.9.9; mclt 60; split 128; }\n'


def read(text: str) -> ParseContext:
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    return ctx


def errors(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.errors]


def ranges(pool) -> list[tuple[str, str, bool]]:
    return [(str(r.low), str(r.high), r.dynamic_bootp) for r in pool.ranges]


def test_bare_ranges_go_into_implicit_pools_by_kind() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n range 10.0.0.20 10.0.0.10;\n"
        " range dynamic-bootp 10.0.0.30;\n range 10.0.0.40 10.0.0.41;\n}"
    )
    assert errors(ctx) == []
    normal, bootp = ctx.tree.pools()
    assert normal.implicit and bootp.implicit
    assert normal.prohibit_list == [Permit("dynamic-bootp-clients")] and not normal.permit_list
    assert bootp.permit_list == [Permit("all-clients")] and not bootp.prohibit_list
    assert ranges(normal) == [
        ("10.0.0.10", "10.0.0.20", False),
        ("10.0.0.40", "10.0.0.41", False),
    ]
    assert ranges(bootp) == [("10.0.0.30", "10.0.0.30", True)]
    assert normal.group.parent is ctx.tree.shared_networks[0].group
    assert (normal.where.line, bootp.where.line) == (2, 3)


def test_a_bare_range_joins_the_pool_before_the_matching_one() -> None:
    """dhcpd finds the implicit pool but keeps the pool listed before it."""
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
        " pool { allow known-clients; range 10.0.0.1; }\n"
        " range 10.0.0.10;\n range 10.0.0.20;\n}"
    )
    explicit, implicit = ctx.tree.pools()
    assert ranges(explicit) == [("10.0.0.1", "10.0.0.1", False), ("10.0.0.20", "10.0.0.20", False)]
    assert ranges(implicit) == [("10.0.0.10", "10.0.0.10", False)]


def test_pools_without_statements_and_with_equal_permits_merge() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
        " pool { deny unknown clients; range 10.0.0.1; }\n"
        " pool { deny unknown-clients; range 10.0.0.2; }\n"
        " pool { deny unknown-clients; range 10.0.0.3; default-lease-time 5; }\n"
        " pool { allow all clients; range 10.0.0.4; }\n}"
    )
    pools = ctx.tree.pools()
    assert [ranges(p) for p in pools] == [
        [("10.0.0.1", "10.0.0.1", False), ("10.0.0.2", "10.0.0.2", False)],
        [("10.0.0.3", "10.0.0.3", False)],
        [("10.0.0.4", "10.0.0.4", False)],
    ]


def test_an_explicit_pool_like_the_implicit_one_merges_into_it() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n range 10.0.0.1;\n"
        " pool { deny dynamic bootp clients; range 10.0.0.2; }\n}"
    )
    [pool] = ctx.tree.pools()
    assert pool.implicit
    assert len(pool.ranges) == 2


def test_pools_with_different_peers_do_not_merge() -> None:
    ctx = read(
        PEER + "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
        ' pool { failover peer "f"; range 10.0.0.1; }\n pool { range 10.0.0.2; }\n}'
    )
    assert [p.failover_peer for p in ctx.tree.pools()] == ["f", None]
    assert ctx.failover_pool_count == {"f": 1}


def test_a_pool_inherits_its_shared_networks_peer() -> None:
    ctx = read(
        PEER + 'shared-network s { failover peer "f";\n'
        " subnet 10.0.0.0 netmask 255.0.0.0 { pool { range 10.0.0.1; } range 10.0.0.9; } }"
    )
    explicit, implicit = ctx.tree.pools()
    assert explicit.failover_peer == "f"
    assert implicit.failover_peer is None
    assert ctx.failover_pool_count == {"f": 0}


def test_no_failover_peer_leaves_its_semicolon_behind() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.0.0.0 { pool {\n no failover peer;\n range 10.0.0.1; } }"
    )
    assert errors(ctx) == ["t.conf line 2: expecting a parameter or declaration"]


def test_pool_errors() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n  pool {\n    allow frobs clients;\n  }\n}\n"
        'subnet 11.0.0.0 netmask 255.0.0.0 { pool { failover peer "nope"; range 11.0.0.1; } }\n'
        "subnet 12.0.0.0 netmask 255.0.0.0 { pool { pool { } } }"
    )
    assert errors(ctx) == [
        "t.conf line 3: expecting permit type.",
        "t.conf line 4: Pool declaration with no address range.",
        "t.conf line 6: failover peer nope: not found",
        "t.conf line 7: pool declared within pool.",
        "t.conf line 7: Pool declaration with no address range.",
    ]
    assert ctx.diagnostics.errors[1].lines[3:] == (
        "Pool declarations must always contain at least",
        "one range statement.",
    )


def test_a_pool_in_a_shared_network_needs_its_subnet_first() -> None:
    ctx = read(
        "shared-network s {\n pool { range 10.0.0.1; }\n"
        " subnet 10.0.0.0 netmask 255.0.0.0 { }\n pool { range 10.0.0.2; }\n}"
    )
    first = ctx.diagnostics.errors[0]
    assert first.first_line == "t.conf line 2: address range not on network s"
    assert first.lines[-1] == "Be sure to place pool statement after related subnet declarations."
    assert ranges(ctx.tree.pools()[0]) == [("10.0.0.2", "10.0.0.2", False)]


def test_addresses_declared_twice() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n range 10.0.0.10 10.0.0.12;\n"
        " pool { range 10.0.0.12 10.0.0.13; }\n}\n"
        "subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.9 10.0.0.10; }"
    )
    assert errors(ctx) == [
        "t.conf line 3: lease 10.0.0.12 is declared twice!",
        "t.conf line 5: lease 10.0.0.10 is declared twice!",
    ]


def test_a_range_outside_its_subnet_is_fatal() -> None:
    with pytest.raises(FatalConfigError) as raised:
        read("subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.250 10.0.1.5; }")
    assert raised.value.lines == (
        "bad range, address 10.0.1.5 not in subnet 10.0.0.0 netmask 255.255.255.0",
    )


def test_dynamic_bootp_in_a_failover_pool() -> None:
    ctx = read(
        PEER + 'subnet 10.0.0.0 netmask 255.0.0.0 { pool { failover peer "f";\n'
        " range dynamic-bootp 10.0.0.1; } }"
    )
    [report] = ctx.diagnostics.errors
    assert report.first_line == "t.conf line 3: dynamic-bootp flag is not permitted for address"
    assert len(report.lines) == 3 + 11
    assert report.lines[-1] == "the failover protocol specification."
    assert ranges(ctx.tree.pools()[0]) == [("10.0.0.1", "10.0.0.1", True)]


def test_range_syntax_errors() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n\trange\t10.0.0.10 10.0.0.20 junk;\n"
        " range 10.0.0;\n}"
    )
    assert errors(ctx) == ["t.conf line 2: semicolon expected.", "t.conf line 3: too few numbers."]
    assert ctx.tree.pools() == []


def test_pool6_is_refused_by_the_v4_server() -> None:
    ctx = read("subnet 10.0.0.0 netmask 255.0.0.0 { pool6 { range6 ::1 ::2; } }")
    assert errors(ctx) == [
        "t.conf line 1: range6 statement is only supported in DHCPv6 mode.",
        "t.conf line 1: Pool6 declaration with no address range6 or prefix6.",
    ]


def test_a_range_of_fourteen_million_addresses_is_dhcpds_limit() -> None:
    ctx = read("subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.0 10.215.148.51; }")
    [pool] = ctx.tree.pools()
    assert pool.ranges[0].high == ipaddress.IPv4Address("10.215.148.51")
    with pytest.raises(FatalConfigError) as raised:
        read("subnet 10.0.0.0 netmask 255.0.0.0 {\n range 10.215.148.52 10.0.0.0; }")
    assert raised.value.lines == ("Memory overflow.",)


def test_an_overly_large_range_is_reported_before_the_fatal_error() -> None:
    ctx = ParseContext.new()
    cf = Lexer(
        "subnet 10.0.0.0 netmask 255.0.0.0 { range 10.0.0.1 10.255.255.254; }",
        "t.conf",
        ctx.diagnostics,
    )
    with pytest.raises(FatalConfigError):
        conf_file_subparse(cf, ctx, ctx.tree.root, DeclKind.ROOT)
    assert errors(ctx) == [
        "t.conf line 1: 10.0.0.1-10.255.255.254 is an overly large address range."
    ]


def test_settings_dhcpd_does_not_store_do_not_stop_a_merge() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
        " pool { range 10.0.0.1; }\n pool { db-time-format local; range 10.0.0.2; }\n}"
    )
    [pool] = ctx.tree.pools()
    assert len(pool.ranges) == 2


def test_the_pool_before_the_match_shows_through_its_failover_peer() -> None:
    """Observable in dhcpd -t: the bare dynamic-bootp range lands in the failover
    pool listed before the allow-all pool it matched."""
    ctx = read(
        PEER + "subnet 10.0.0.0 netmask 255.255.255.0 {\n"
        ' pool { failover peer "f"; deny known-clients; range 10.0.0.1 10.0.0.5; }\n'
        " pool { allow all clients; range 10.0.0.10 10.0.0.15; }\n"
        " range dynamic-bootp 10.0.0.20 10.0.0.25;\n}"
    )
    assert errors(ctx) == ["t.conf line 5: dynamic-bootp flag is not permitted for address"]
    assert ranges(ctx.tree.pools()[0])[-1] == ("10.0.0.20", "10.0.0.25", True)
