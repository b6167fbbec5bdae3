"""Executable statements: golden cases against dhcpd, and the (parsed, statement,
lose) triple the declaration parser acts on."""

import pytest

from adapters.dhcpdconf.executable import parse_executable_statement, parse_executable_statements
from domain.config import statements as s
from domain.config.expressions import ConstData, Known, VariableReference

ACCEPTED = [
    "if option host-name = \"a\" { } elsif option host-name = \"b\" { } else if known { } "
    "else { }\n",
    "switch (option host-name) { case \"a\": break; default: break; }\n",
    "on commit or expiry { unset x; } on release;\n",
    "define f(a, b) { return concat(a, b); }\nset v = \"x\";\n",
    "db-time-format local;\nparse-vendor-option;\n",
    "log();\n",
    "key k1 { algorithm hmac-md5; secret \"AAAA\"; };\n"
    "zone example.com. { primary 10.0.0.1; key k1; }\n",
    "switch (5) { case 1: break; case \"x\": break; }\n",
]

REJECTED = [
    "frobnicate 12;\n",
    "default-lease-time 600\nmax-lease-time 7200;\n",
    "if option host-name = \"a\" { } else foo;\n",
    "if option host-name = \"a\" { } elsif { }\n",
    "if option host-name = \"a\" { } else if { }\n",
    "if option host-name = \"a\" { supersede routers \"x\"; }\nsupersede routers 1.2.3.4;\n",
    "if option host-name = \"a\" supersede routers 1.2.3.4;\n",
    "if (option host-name = \"a\" { }\n",
    "if option host-name = \"a\" { } }\n",
    "on commit { set a = ; } on expiry { }\n",
    "on bogus { }\n",
    "switch option host-name { }\n",
    "switch (option host-name) { case \"a\" break; }\n",
    "case \"a\":\n",
    "default: break;\n",
    "define f(a, 5) { }\n",
    "define f(a) return a;\n",
    "define f(a) { return a; ]\n",
    "define 5 = 3;\n",
    "set x 5;\n",
    "unset 5;\n",
    "eval ;\n",
    "return 5\n",
    "log(fatal, \"x\";\n",
    "log(info \"a\");\n",
    "execute \"x\";\n",
    "execute(\"x\", ;\n",
    "execute(\"x\" 5);\n",
    "break 5;\n",
    "add \"nosuch\";\n",
    "allow frobs;\n",
    "db-time-format utc;\n",
    "if true { eval foo(1) }\n",
    "key k1 { algorithm hmac-md5; algorithm hmac-md5; secret \"AAAA\"; }\nbreak;\n",
    "key k1 { secret \"AA=A\"; algorithm hmac-md5; }\n",
    "key k1 { secret \"AAAAB\"; algorithm hmac-md5; }\n",
    "key k1 { secret \"AA=A\" algorithm hmac-md5 ; }\n",
    "zone example.com { primary 1.2.3.4; primary 1.2.3.5; }\n",
    "zone example.com { primary \"x\"; }\n",
    "zone other.com { primary 10.0.0.1; key k2; }\n",
]


@pytest.mark.isc
@pytest.mark.parametrize("text", ACCEPTED)
def test_accepted_like_dhcpd(same_as_dhcpd, text):
    assert same_as_dhcpd(text).errors == []


@pytest.mark.isc
@pytest.mark.parametrize("text", REJECTED)
def test_rejected_with_dhcpds_messages(same_as_dhcpd, text):
    assert same_as_dhcpd(text).errors


@pytest.mark.isc
@pytest.mark.parametrize(
    "text",
    [
        "if true { db-time-format local; supersede routers 1.2.3.4; }\n",
        "key foo { algorithm hmac-md5; }\n",
        "key foo { secret abcd; }\n",
    ],
)
def test_input_that_crashes_dhcpd_is_fatal_here(isc, top_level, text):
    code, _ = isc(text)
    assert code not in (0, 1)  # dhcpd died on a signal
    assert top_level(text).fatal is not None


def test_server_parameter_becomes_a_server_option(ctx, lexer):
    parsed, statement, lose = parse_executable_statement(lexer("ping-check false;"), ctx)
    assert (parsed, lose) == (True, False)
    assert (statement.universe, statement.name, statement.constant_value()) == (
        "server", "ping-check", b"\x00"
    )


def test_allow_sets_the_flag_even_without_semicolon(ctx, lexer):
    cf = lexer("deny duplicates }")
    parsed, statement, _ = parse_executable_statement(cf, ctx)
    assert parsed and statement.name == "duplicates" and statement.constant_value() == b"\x00"
    assert cf.diagnostics.reports[0].first_line == "t.conf line 1: semicolon expected."


def test_failed_value_leaves_lose_unset_so_the_caller_complains_too(ctx, lexer):
    parsed, statement, lose = parse_executable_statement(lexer('supersede routers "gw";'), ctx)
    assert (parsed, statement, lose) == (False, None, False)


def test_failed_name_sets_lose(ctx, lexer):
    assert parse_executable_statement(lexer("supersede nosuch 1;"), ctx) == (False, None, True)


def test_end_of_block_is_not_a_statement(ctx, lexer):
    cf = lexer("}")
    assert parse_executable_statement(cf, ctx) == (False, None, False)
    assert cf.diagnostics.reports == []


def test_eval_without_semicolon_counts_as_parsed_with_nothing_stored(ctx, lexer):
    assert parse_executable_statement(lexer("eval foo(1) }"), ctx) == (True, None, True)


def test_bare_function_call_is_an_eval(ctx, lexer):
    _, statement, _ = parse_executable_statement(lexer("frob(x);"), ctx)
    assert statement.kind == "eval"
    assert statement.expression.name == "frob"


def test_statement_kinds(ctx, lexer):
    ctx.tree.classes["c1"] = object()
    ok, statements = parse_executable_statements(
        lexer('add "c1"; break; unset v; log(info, "m"); execute("/bin/x", "a");'
              " return known; db-time-format default; }"),
        ctx,
    )
    assert ok
    assert statements == [
        s.AddStatement("c1"),
        s.BreakStatement(),
        s.UnsetStatement("v"),
        s.LogStatement("info", ConstData(b"m")),
        s.ExecuteStatement("/bin/x", (ConstData(b"a"),)),
        s.ReturnStatement(Known()),
    ]


def test_declarations_are_returned_and_registered(ctx, lexer):
    _, key, _ = parse_executable_statement(
        lexer('key k { algorithm hmac-sha1; secret "c2VjcmV0"; }'), ctx
    )
    assert key.kind == "key" and key.key.secret == b"secret"
    assert key.key.algorithm == "hmac-sha1.SIG-ALG.REG.INT."
    _, zone, _ = parse_executable_statement(lexer("zone example.com { key k; }"), ctx)
    assert zone.zone.name == "example.com." and zone.zone.key == "k"
    assert ctx.dns.key("K") == key.key
    _, fmt, _ = parse_executable_statement(lexer("db-time-format local;"), ctx)
    assert fmt == s.DbTimeFormatStatement(True)


def test_case_only_inside_switch(ctx, lexer):
    parsed, statement, _ = parse_executable_statement(lexer("case 5:"), ctx, "numeric")
    assert parsed and statement.kind == "case"
    parsed, statement, _ = parse_executable_statement(lexer("default:"), ctx, "data")
    assert parsed and statement == s.DefaultStatement()


def test_set_and_define(ctx, lexer):
    _, statement, _ = parse_executable_statement(lexer("set v = myvar;"), ctx)
    assert statement == s.SetStatement("v", VariableReference("myvar"))
