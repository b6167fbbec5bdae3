"""statement.parse_statement: which statement is allowed where, and what it does.

Message texts and the lines they name were checked against the real dhcpd -t.
"""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.statement import conf_file_subparse
from domain.config.statements import OptionStatement


def read(text: str) -> ParseContext:
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    return ctx


def errors(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.errors]


@pytest.mark.parametrize(
    ("text", "first_error"),
    [
        ("host h { host g { } }", "t.conf line 1: host declarations not allowed here."),
        ('class "c" { group { } }', "t.conf line 1: group declarations not allowed here."),
        (
            "subnet 10.0.0.0 netmask 255.0.0.0 { shared-network s { } }",
            "t.conf line 1: shared-network parameters not allowed here.",
        ),
        (
            "subnet 10.0.0.0 netmask 255.0.0.0 { subnet 10.1.0.0 netmask 255.255.0.0 { } }",
            "t.conf line 1: subnet declarations not allowed here.",
        ),
        ('class "c" { class "d" { } }', "t.conf line 1: class declarations not allowed here."),
        (
            "hardware ethernet 1:2:3:4:5:6;",
            "t.conf line 1: hardware address parameter not allowed here.",
        ),
        ("fixed-address 10.0.0.1;", "t.conf line 1: fixed-address parameter not allowed here."),
        ("range 10.0.0.1;", "t.conf line 1: range declaration not allowed here."),
        ("pool { }", "t.conf line 1: pool declared outside of network"),
        ("not foo;", "t.conf line 1: expecting assertion"),
        ("host h { authoritative; }", "t.conf line 1: authority makes no sense here."),
        ("group { option space s; }", "t.conf line 1: option space definitions may not be scoped."),
        (
            "host h { option foo code 1 = text; }",
            "t.conf line 1: option definitions may not be scoped.",
        ),
        ("option routerz 10.0.0.1;", "t.conf line 1: unknown option dhcp.routerz"),
        (
            "subnet6 2001:db8::/64 { }",
            "t.conf line 1: subnet6 statement is only supported in DHCPv6 mode.",
        ),
        ("frobnicate 12;", "t.conf line 1: semicolon expected."),
    ],
)
def test_statement_errors(text: str, first_error: str) -> None:
    assert errors(read(text))[:1] == [first_error]


def test_failover_outside_the_outer_scope_or_a_shared_network() -> None:
    ctx = read('group { failover peer "f" { } }')
    assert ctx.diagnostics.reports[0].lines[0] == (
        "t.conf line 1: failover peers may only be defined in shared-network"
    )
    assert ctx.diagnostics.reports[1].lines == ("declarations and the outer scope.",)
    assert not ctx.diagnostics.reports[1].is_error


def test_after_a_declaration_dhcpd_expects_another() -> None:
    assert errors(read("}"))[0] == "t.conf line 0: expecting a parameter or declaration"
    # A peeked token is reported at the position of the token before it (dhcpd -t).
    assert errors(read("host h { }\n}"))[0] == "t.conf line 1: expecting a declaration"


def test_hardware_twice_stops_at_the_second_keyword() -> None:
    ctx = read("host h1 {\n hardware ethernet 1:2:3:4:5:6;\n hardware ethernet 1:2:3:4:5:7;\n}")
    assert errors(ctx) == [
        "t.conf line 3: Host h1 hardware address already configured.",
        "t.conf line 3: expecting a parameter or declaration",
    ]
    assert ctx.tree.hosts["h1"].hardware == (1, bytes.fromhex("010203040506"))


def test_a_host_keeps_the_hardware_type_after_a_bad_address() -> None:
    ctx = read("host h { hardware ethernet zz; hardware ethernet 1:2; }")
    assert errors(ctx)[-2] == "t.conf line 1: Host h hardware address already configured."


def test_a_bad_hardware_type_leaves_no_hardware() -> None:
    ctx = read("host h { hardware ether 1:2; hardware ethernet 1:2; }")
    assert errors(ctx) == ["t.conf line 1: expecting a network hardware type"]
    assert ctx.tree.hosts["h"].hardware == (1, b"\x01\x02")


def test_one_fixed_address_statement_per_host() -> None:
    ctx = read("host h {\n fixed-address 10.0.0.5;\n fixed-address6 2001:db8::5;\n}")
    assert errors(ctx) == ["t.conf line 3: Only one fixed address declaration per host."]
    assert ctx.tree.hosts["h"].fixed_addresses == ["10.0.0.5"]


def test_authoritative_is_copied_when_a_scope_is_created() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.0.0.0 { }\nauthoritative;\n"
        "subnet 11.0.0.0 netmask 255.0.0.0 { }\n"
        "subnet 12.0.0.0 netmask 255.0.0.0 { not authoritative; }"
    )
    assert ctx.tree.root.authoritative
    assert [s.group.authoritative for s in ctx.tree.subnets()] == [False, True, False]


def test_parameters_become_statements_of_their_scope() -> None:
    ctx = read(
        "default-lease-time 600;\nserver-identifier 10.0.0.1;\n"
        "subnet 10.0.0.0 netmask 255.0.0.0 { option routers 10.0.0.1; }"
    )
    names = [(s.universe, s.name) for s in ctx.tree.root.statements]
    assert names == [("server", "default-lease-time"), ("dhcp", "dhcp-server-identifier")]
    subnet_statements = ctx.tree.subnets()[0].group.statements
    assert isinstance(subnet_statements[0], OptionStatement)
    assert subnet_statements[0].name == "routers"


def test_option_definitions_and_spaces_at_global_scope() -> None:
    ctx = read('option space s;\noption s.x code 1 = text;\noption s.x "hi";')
    assert errors(ctx) == []
    assert ctx.options.lookup("s", "x") is not None
    assert ctx.tree.root.statements[0].universe == "s"


def test_percent_lines_are_skipped() -> None:
    assert errors(read("% anything at all;\ndefault-lease-time 5;")) == []


def test_the_host_warning_is_printed_once() -> None:
    ctx = read(
        "subnet 10.0.0.0 netmask 255.0.0.0 { host a { } host b { } }\n"
        "shared-network s { subnet 11.0.0.0 netmask 255.0.0.0 { } host c { } }"
    )
    warnings = [d.first_line for d in ctx.diagnostics.reports if not d.is_error]
    assert warnings == [
        "WARNING: Host declarations are global.  They are not limited to the scope you "
        "declared them in."
    ]
    assert set(ctx.tree.hosts) == {"a", "b", "c"}


def test_a_host_in_a_group_does_not_warn() -> None:
    ctx = read("group { host a { } }")
    assert ctx.diagnostics.reports == []
