"""Executable statements (ISC common/parse.c parse_executable_statement and friends).

`parse_executable_statement` returns ISC's three results: whether a statement was
parsed, the statement, and `lose` (an error has been reported).  The caller's
reaction depends on all three — dhcpd's parse_statement prints "expecting a parameter
or declaration" only when nothing was parsed *and* nothing was reported — so they are
kept exactly, including ISC's inconsistencies (a failed `allow` or option value leaves
`lose` unset; `log()` fails silently; `eval` without `;` counts as parsed).

Block structure (`if`, `on`, `switch`, `define … { }`) lives in `executable_blocks`.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Protocol

from adapters.dhcpdconf import executable_blocks as blocks
from adapters.dhcpdconf.dns_declarations import DnsContext, parse_key, parse_zone
from adapters.dhcpdconf.expressions import (
    ExpressionContext,
    Lose,
    data_expression,
    parse_expression,
)
from adapters.dhcpdconf.lexer import Lexer, is_identifier
from adapters.dhcpdconf.option_definitions import parse_option_name
from adapters.dhcpdconf.option_values import parse_option_statement
from adapters.dhcpdconf.primitives import parse_host_name, parse_semi, skip_to_semi
from domain.config.expressions import ConstData, Context, Expr
from domain.config.statements import (
    AddStatement,
    BreakStatement,
    DbTimeFormatStatement,
    DefaultStatement,
    EvalStatement,
    ExecuteStatement,
    KeyStatement,
    LogStatement,
    OptionOp,
    OptionStatement,
    ParseVendorOptionStatement,
    ReturnStatement,
    Statement,
    UnsetStatement,
    ZoneStatement,
)


class _Classes(Protocol):
    classes: dict


class StatementContext(ExpressionContext, DnsContext, Protocol):
    """What statement parsing needs: option spaces, DNS tables, declared classes."""

    tree: _Classes


# Statements dhcpd parses without storing anything (it registers them globally).
UNSTORED = (DbTimeFormatStatement, KeyStatement, ZoneStatement)

_OPTION_KEYWORDS: dict[str, OptionOp] = {
    "SEND": "send", "SUPERSEDE": "supersede", "OPTION": "supersede",
    "PREPEND": "prepend", "APPEND": "append",
}
_ALLOW_DENY_KEYS = {
    "TOKEN_BOOTP": "allow-bootp", "BOOTING": "allow-booting", "DYNAMIC_BOOTP": "dynamic-bootp",
    "UNKNOWN_CLIENTS": "boot-unknown-clients", "DUPLICATES": "duplicates",
    "DECLINES": "declines", "TOKEN_NEW": "client-updates", "LEASEQUERY": "leasequery",
}
_ALLOW_DENY_VALUES = {"ALLOW": (1, "true"), "DENY": (0, "false"), "IGNORE": (2, "ignore")}
_LOG_PRIORITIES = {"FATAL": "fatal", "ERROR": "error", "TOKEN_DEBUG": "debug", "INFO": "info"}

Result = tuple[bool, Statement | None]
Handler = Callable[[Lexer, "StatementContext", Lose, Context], Result]


def parse_executable_statement(
    cf: Lexer, ctx: StatementContext, case_context: str = "any"
) -> tuple[bool, Statement | None, bool]:
    """ISC parse_executable_statement → (parsed, statement, lose).

    `case_context` is "any" outside a switch, else "data" or "numeric".  A
    `db-time-format`, `key` or `zone` statement is returned although dhcpd stores
    none: it has been applied (registered in `ctx.dns`) and is returned so the
    caller can see it; it should not be executed.
    """
    lose = Lose()
    parsed, statement = statement_with(cf, ctx, lose, Context(case_context.replace("_", "-")))
    return parsed, statement, lose.value


def parse_executable_statements(
    cf: Lexer, ctx: StatementContext, case_context: str = "any"
) -> tuple[bool, list[Statement]]:
    """ISC parse_executable_statements: statements until one does not parse (the
    closing `}` normally).  False when that stop was an error already reported."""
    lose = Lose()
    statements = blocks.statement_list(cf, ctx, lose, Context(case_context.replace("_", "-")))
    return not lose.value, statements


def statement_with(cf: Lexer, ctx: StatementContext, lose: Lose, case_context: Context) -> Result:
    """parse_executable_statement with the caller's `lose` flag."""
    tok = cf.peek()
    kind = tok.kind
    if kind in _OPTION_KEYWORDS:
        cf.skip()
        return _option(cf, ctx, lose, _OPTION_KEYWORDS[kind])
    if kind == "DEFAULT":
        cf.skip()
        if cf.peek().kind == ":":
            cf.skip()
            if case_context is Context.ANY:
                cf.warn("switch default statement in inappropriate scope.")
                lose.value = True
                return False, None
            return True, DefaultStatement()
        return _option(cf, ctx, lose, "default")
    handler = _HANDLERS.get(kind)
    if handler is not None:
        cf.skip()
        return handler(cf, ctx, lose, case_context)
    if is_identifier(kind):
        server_option = ctx.options.server_option(tok.text)
        if server_option is not None:
            cf.skip()
            return _finish(parse_option_statement(cf, ctx, server_option, "supersede"))
    if kind in ("NAME", "NUMBER_OR_NAME"):
        # A bare function call is a data expression: dhcpd makes it an eval.
        return _expression_statement(
            cf, ctx, lose, EvalStatement, "expecting function call.", parsed_without_semi=False
        )
    lose.value = False
    return False, None


def _finish(statement: OptionStatement | None) -> Result:
    return statement is not None, statement


def _option(cf: Lexer, ctx: StatementContext, lose: Lose, op: OptionOp) -> Result:
    option, _ = parse_option_name(cf, ctx, False)
    if option is None:
        lose.value = True
        return False, None
    return _finish(parse_option_statement(cf, ctx, option, op, report_missing_expression=True))


def _allow_deny(cf: Lexer, ctx: StatementContext, lose: Lose, flag_word: str) -> Result:
    """ISC parse_allow_deny: `allow|deny|ignore KEY;` sets a server flag."""
    value, text = _ALLOW_DENY_VALUES[flag_word]
    tok = cf.next()
    name = _ALLOW_DENY_KEYS.get(tok.kind)
    if name is None:
        cf.warn("expecting allow/deny key")
        skip_to_semi(cf)
        return False, None
    option = ctx.options.server.by_name(name)
    assert option is not None and option.format is not None
    parse_semi(cf)  # dhcpd keeps the setting even when the `;` is missing
    return True, OptionStatement(
        "supersede", option.universe, option.name, option.code, option.format,
        ConstData(bytes([value])), text,
    )


def _db_time_format(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    tok = cf.next()
    if tok.kind not in ("DEFAULT", "LOCAL"):
        cf.warn("Expecting 'local' or 'default'.")
        if tok.kind != ";":
            skip_to_semi(cf)
        lose.value = True
        return False, None
    if cf.next().kind != ";":
        cf.warn("Expecting a semicolon.")
        lose.value = True
        return False, None
    return True, DbTimeFormatStatement(tok.kind == "LOCAL")


def _add(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    tok = cf.next()
    if tok.kind != "STRING":
        cf.warn("expecting class name.")
        skip_to_semi(cf)
        lose.value = True
        return False, None
    if tok.text not in ctx.tree.classes:
        cf.warn(f"class {tok.text}: not found")
        skip_to_semi(cf)
        lose.value = True
        return False, None
    if not parse_semi(cf):
        lose.value = True
        return False, None
    return True, AddStatement(tok.text)


def _keyword_only(make: type[Statement]) -> Handler:
    def parse(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
        if not parse_semi(cf):
            lose.value = True
            return False, None
        return True, make()

    return parse


def _case(cf: Lexer, ctx: StatementContext, lose: Lose, case_context: Context) -> Result:
    if case_context is Context.ANY:
        cf.warn("case statement in inappropriate scope.")
        lose.value = True
        skip_to_semi(cf)
        return False, None
    return blocks.case_statement(cf, ctx, lose, case_context)


def _unset(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    tok = cf.next()
    if tok.kind not in ("NAME", "NUMBER_OR_NAME"):
        cf.warn(f"{tok.text} can't be a variable name")
        skip_to_semi(cf)
        lose.value = True
        return False, None
    if not parse_semi(cf):
        lose.value = True
        return False, None
    return True, UnsetStatement(tok.text)


def _expression_statement(
    cf: Lexer,
    ctx: StatementContext,
    lose: Lose,
    make: type,
    message: str,
    parsed_without_semi: bool,
) -> Result:
    """`eval EXPR;`, `return EXPR;` and a bare call.  A missing `;` after `eval`
    still counts as parsed (with nothing stored), as in dhcpd."""
    expr = parse_expression(cf, ctx, lose, Context.DATA)
    if expr is None:
        if not lose.value:
            cf.warn(message)
        else:
            lose.value = True
        skip_to_semi(cf)
        return False, None
    if not parse_semi(cf):
        lose.value = True
        return parsed_without_semi, None
    return True, make(expr)


def _execute(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    if cf.next().kind != "(":
        return _statement_error(cf, lose, "left parenthesis expected.")
    command = cf.next()
    if command.kind != "STRING":
        return _statement_error(cf, lose, "Expecting a quoted string.")
    arguments: list[Expr] = []
    tok = cf.next()
    while tok.kind == ",":
        argument = data_expression(cf, ctx, lose)
        if argument is None:
            if not lose.value:
                cf.warn("expecting expression.")
            skip_to_semi(cf)
            lose.value = True
            return False, None
        arguments.append(argument)
        tok = cf.next()
    if tok.kind != ")":
        return _statement_error(cf, lose, "right parenthesis expected.")
    if not parse_semi(cf):
        lose.value = True
        return True, None
    return True, ExecuteStatement(command.text, tuple(arguments))


def _statement_error(cf: Lexer, lose: Lose, message: str) -> Result:
    cf.warn(message)
    skip_to_semi(cf)
    lose.value = True
    return False, None


def _log(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    if cf.next().kind != "(":
        return _statement_error(cf, lose, "left parenthesis expected.")
    priority = _LOG_PRIORITIES.get(cf.peek().kind)
    if priority is not None:
        cf.skip()
        if cf.next().kind != ",":
            return _statement_error(cf, lose, "comma expected.")
    expr = data_expression(cf, ctx, lose)
    if expr is None:
        # No message of its own: `log ();` is silently dropped by dhcpd.
        skip_to_semi(cf)
        lose.value = True
        return False, None
    if cf.next().kind != ")":
        return _statement_error(cf, lose, "right parenthesis expected.")
    if cf.next().kind != ";":
        return _statement_error(cf, lose, "semicolon expected.")
    return True, LogStatement(priority or "debug", expr)


def _zone(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    name = parse_host_name(cf)
    if name is None:
        cf.warn("expecting hostname.")
    else:
        zone = parse_zone(cf, ctx, name if name.endswith(".") else name + ".")
        if zone is not None:
            return True, ZoneStatement(zone)
    lose.value = True
    skip_to_semi(cf)
    return False, None


def _key(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
    key = parse_key(cf, ctx)
    if key is None:
        lose.value = True
        return False, None
    return True, KeyStatement(key)


def _flag(word: str) -> Handler:
    def parse(cf: Lexer, ctx: StatementContext, lose: Lose, cc: Context) -> Result:
        return _allow_deny(cf, ctx, lose, word)

    return parse


_HANDLERS: dict[str, Handler] = {
    "DB_TIME_FORMAT": _db_time_format,
    "IF": lambda cf, ctx, lose, cc: blocks.if_statement(cf, ctx, lose),
    "TOKEN_ADD": _add,
    "BREAK": _keyword_only(BreakStatement),
    "ALLOW": _flag("ALLOW"),
    "DENY": _flag("DENY"),
    "IGNORE": _flag("IGNORE"),
    "ON": lambda cf, ctx, lose, cc: blocks.on_statement(cf, ctx, lose),
    "SWITCH": lambda cf, ctx, lose, cc: blocks.switch_statement(cf, ctx, lose),
    "CASE": _case,
    "DEFINE": lambda cf, ctx, lose, cc: blocks.set_statement(cf, ctx, lose, cc, define=True),
    "TOKEN_SET": lambda cf, ctx, lose, cc: blocks.set_statement(cf, ctx, lose, cc, define=False),
    "UNSET": _unset,
    "EVAL": lambda cf, ctx, lose, cc: _expression_statement(
        cf, ctx, lose, EvalStatement, "expecting data expression.", parsed_without_semi=True
    ),
    "EXECUTE": _execute,
    "RETURN": lambda cf, ctx, lose, cc: _expression_statement(
        cf, ctx, lose, ReturnStatement, "expecting data expression.", parsed_without_semi=False
    ),
    "LOG": _log,
    "PARSE_VENDOR_OPT": _keyword_only(ParseVendorOptionStatement),
    "ZONE": _zone,
    "KEY": _key,
}
