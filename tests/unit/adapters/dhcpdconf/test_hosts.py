"""hosts: host and group declarations (messages checked against the real dhcpd -t)."""

from __future__ import annotations

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


def test_a_host_and_what_it_declares() -> None:
    ctx = read(
        "host pc.example {\n hardware ethernet 00:11:22:33:44:55;\n"
        " fixed-address 10.0.0.1, pc.example.org;\n uid 1:2:3;\n"
        ' option host-name "pc";\n}'
    )
    assert errors(ctx) == []
    host = ctx.tree.hosts["pc.example"]
    assert host.hardware == (1, bytes.fromhex("001122334455"))
    assert host.fixed_addresses == ["10.0.0.1", "pc.example.org"]
    assert host.client_identifier == b"\x01\x02\x03"
    assert host.group.parent is ctx.tree.root
    assert host.group.statements[0].name == "host-name"
    assert host.where.line == 1


def test_host_name_errors_and_duplicates() -> None:
    ctx = read('host { }\nhost "h" { }\nhost a { }\nhost a {\n}')
    assert errors(ctx) == [
        "t.conf line 1: expecting a name for host declaration.",
        "t.conf line 2: expecting a name for host declaration.",
        "t.conf line 5: host a: already exists",
    ]
    assert list(ctx.tree.hosts) == ["a"]


def test_a_deleted_host_makes_room_for_a_new_one() -> None:
    ctx = read("host x { }\nhost x { deleted; }\nhost x { dynamic; }")
    assert errors(ctx) == []
    assert ctx.tree.hosts["x"].dynamic


def test_uid_statements() -> None:
    ctx = read('host a { uid "x"; uid 1:2; }\nhost b { uid zz; }\nhost c { }')
    assert errors(ctx) == [
        "t.conf line 1: Host 'a' already has a uid '\"x\"'",
        "t.conf line 2: expecting numeric value.",
        "t.conf line 2: expecting hex list.",
        "t.conf line 3: semicolon expected.",
    ]


def test_a_client_identifier_option_becomes_the_uid() -> None:
    ctx = read(
        'host a { option dhcp-client-identifier "abc"; }\n'
        'host b { uid "q"; option dhcp-client-identifier 1:2:3; }\n'
        'host c { if true { option dhcp-client-identifier "x"; } }'
    )
    assert errors(ctx) == []
    assert ctx.tree.hosts["a"].client_identifier == b"abc"
    assert ctx.tree.hosts["b"].client_identifier == b"q"
    assert ctx.tree.hosts["c"].client_identifier is None
    assert warnings(ctx) == [
        "Warning, host declaration 'b' already has uid '\"q\"', ignoring "
        "dhcp-client-identifier '01:02:03'",
        "dhcp client identifier may not be specified conditionally.",
    ]


def test_host_identifier() -> None:
    ctx = read(
        'host a { host-identifier option agent.circuit-id "c1"; }\n'
        'host b { host-identifier option agent.circuit-id "x"; host-identifier option foo 1; }\n'
        "host c { host-identifier foo; }\nhost d { host-identifier option routerz 1; }"
    )
    assert ctx.tree.hosts["a"].host_identifier == ("agent.circuit-id", b"c1")
    assert errors(ctx) == [
        "t.conf line 2: only one host-identifier allowed per host",
        "t.conf line 3: host-identifier must be an option or v6relopt",
        "t.conf line 4: unknown option dhcp.routerz",
    ]


def test_named_groups() -> None:
    ctx = read(
        'group "g" { default-lease-time 5; }\n'
        'host a { group "g"; }\nhost b { group "g"; max-lease-time 9; }\n'
        "host c { group nosuch; }"
    )
    named = ctx.tree.named_groups["g"]
    assert ctx.tree.hosts["a"].group is named
    assert ctx.tree.hosts["b"].group.parent is named
    assert ctx.tree.hosts["a"].named_group == "g"
    assert errors(ctx) == ["t.conf line 4: unknown group nosuch in host c"]


def test_group_declarations() -> None:
    ctx = read('group g { group { host h { } } }\ngroup "g" { deleted; }')
    assert ctx.tree.named_groups == {}
    # After `deleted;` dhcpd parses the next token (`}`) as a statement too, and the
    # error recovery then runs past the group's end.
    assert errors(ctx) == [
        "t.conf line 2: expecting a parameter or declaration",
        "t.conf line 2: unexpected end of file",
    ]
    host_scope = ctx.tree.hosts["h"].group
    assert [g.kind for g in host_scope.chain()] == ["global", "group", "group", "host"]


def test_fixed_address_forms() -> None:
    assert read("host a { fixed-address6 2001:db8::1; }").tree.hosts["a"].fixed_addresses6 == [
        "2001:db8::1"
    ]
    assert errors(read('host c { fixed-address "x"; }')) == [
        "t.conf line 1: x (262): expecting IP address or hostname"
    ]
    assert errors(read("host d { fixed-prefix6 2001:db8::1/64; }")) == [
        "t.conf line 1: network mask too short"
    ]
    assert errors(read("host b { fixed-address 10.0.0.1 }\nhost e { }")) == [
        "t.conf line 1: semicolon expected.",
        "t.conf line 2: unexpected end of file",
    ]
