"""Bodies of if/on/switch/define, and where parsing resumes after an error in one."""

import pytest

from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.executable import parse_executable_statement, parse_executable_statements
from domain.config import statements as s
from domain.config.expressions import (
    Binary,
    BinaryOp,
    ConstData,
    ConstInt,
    Function,
    Known,
    OptionValue,
    Static,
)


def _parse(ctx, lexer, text):
    cf = lexer(text)
    return parse_executable_statement(cf, ctx), cf


def test_elsif_and_else_if_chain(ctx, lexer):
    (parsed, statement, _), _ = _parse(
        ctx, lexer, "if known { break; } elsif static { } else if known { } else { break; }"
    )
    assert parsed
    assert statement == s.IfStatement(
        Known(), (s.BreakStatement(),),
        (s.IfStatement(Static(), (), (s.IfStatement(Known(), (), (s.BreakStatement(),)),)),),
    )


def test_parenthesised_condition(ctx, lexer):
    (parsed, statement, _), _ = _parse(ctx, lexer, 'if (option host-name = "a") { }')
    assert parsed
    assert statement.condition == Binary(BinaryOp.EQUAL, OptionValue("dhcp", "host-name", 12),
                                         ConstData(b"a"))


def test_error_in_body_eats_to_the_closing_brace(ctx, lexer):
    (result, cf) = _parse(ctx, lexer, "if known { unset 5; break; } break;")
    assert result == (False, None, True)
    # the rest of the body after the error was consumed through `}`
    assert parse_executable_statement(cf, ctx)[1] == s.BreakStatement()


def test_on_events_and_empty_on(ctx, lexer):
    (_, statement, _), _ = _parse(ctx, lexer, "on commit or release { break; }")
    assert statement == s.OnStatement(frozenset({"commit", "release"}), (s.BreakStatement(),))
    (_, statement, _), _ = _parse(ctx, lexer, "on expiry;")
    assert statement == s.OnStatement(frozenset({"expiry"}), ())


def test_switch_cases_take_the_switch_expressions_kind(ctx, lexer):
    (_, statement, _), _ = _parse(
        ctx, lexer, "switch (extract-int(hardware, 8)) { case 1: break; default: break; }"
    )
    assert statement.body == (s.CaseStatement(ConstInt(1)), s.BreakStatement(),
                              s.DefaultStatement(), s.BreakStatement())
    (_, statement, _), _ = _parse(ctx, lexer, 'switch (option host-name) { case "a": }')
    assert statement.body == (s.CaseStatement(ConstData(b"a")),)
    # in a data switch `1:` starts a hex list, which then wants another number
    (parsed, _, _), cf = _parse(ctx, lexer, "switch (option host-name) { case 1: }")
    assert not parsed
    assert cf.diagnostics.reports[0].first_line == "t.conf line 1: expecting hexadecimal number."


def test_define_function(ctx, lexer):
    (_, statement, _), _ = _parse(ctx, lexer, "define fn(a, b) { return a; }")
    assert statement.kind == "define"
    assert isinstance(statement.expression, Function)
    assert statement.expression.parameters == ("a", "b")
    assert statement.expression.body[0].kind == "return"


def test_set_with_arguments_is_a_function_too(ctx, lexer):
    (_, statement, _), _ = _parse(ctx, lexer, "set fn() { }")
    assert statement == s.SetStatement("fn", Function((), ()))


def test_a_list_stops_cleanly_at_the_closing_brace(ctx, lexer):
    ok, statements = parse_executable_statements(lexer("break; break; }"), ctx)
    assert ok and len(statements) == 2


def test_declarations_in_a_block_are_not_stored(ctx, lexer):
    ok, statements = parse_executable_statements(lexer("db-time-format local; }"), ctx)
    assert ok and statements == []


@pytest.mark.parametrize(
    "body",
    [
        "db-time-format local; break; }",
        'key k { algorithm hmac-md5; secret "AAAA"; } break; }',
        "eval fn(1) break; break; }",
    ],
)
def test_storing_after_an_unstored_statement_is_what_crashes_dhcpd(ctx, lexer, body):
    with pytest.raises(FatalConfigError):
        parse_executable_statements(lexer(body), ctx)
