"""Statements with bodies: statement lists, `if`, `on`, `switch`/`case`, `set`/`define`
(ISC common/parse.c parse_executable_statements, parse_if_statement,
parse_on_statement, parse_switch_statement, parse_case_statement, and the DEFINE/SET
case of parse_executable_statement).

Error recovery differs per construct (eat to the next `}`, skip to `;`, skip past one
`}`, or nothing at all); each is kept as dhcpd has it, since it decides where parsing
resumes and so which error comes next.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from adapters.dhcpdconf import executable as ex
from adapters.dhcpdconf.dns_declarations import crash
from adapters.dhcpdconf.expressions import Lose, boolean_expression, parse_expression
from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.primitives import parse_semi, skip_to_rbrace, skip_to_semi
from domain.config.expressions import Context, Function, is_data
from domain.config.statements import (
    CaseStatement,
    DefineStatement,
    IfStatement,
    OnStatement,
    SetStatement,
    Statement,
    SwitchStatement,
)

if TYPE_CHECKING:
    from adapters.dhcpdconf.executable import Result, StatementContext

_EVENTS = {
    "EXPIRY": "expiry", "COMMIT": "commit", "RELEASE": "release", "TRANSMISSION": "transmission",
}
_VARIABLE_NAME = ("NAME", "NUMBER_OR_NAME")


def statement_list(
    cf: Lexer, ctx: StatementContext, lose: Lose, case_context: Context
) -> list[Statement]:
    """Statements until one does not parse; `lose` tells whether that was an error.

    dhcpd links each statement to the previous one; after a statement that parsed
    without producing anything (`eval f()` missing its `;`, `db-time-format`,
    `key`, `zone`), storing the next one dereferences a null pointer and dhcpd
    dies.  That case is a fatal error here.
    """
    statements: list[Statement] = []
    dangling = False
    while True:
        parsed, statement = ex.statement_with(cf, ctx, lose, case_context)
        stored = statement is not None and not isinstance(statement, ex.UNSTORED)
        if dangling and (stored or (not parsed and lose.value)):
            raise crash("a statement follows one that stored nothing in the same block")
        if not parsed:
            return statements
        if stored:
            assert statement is not None
            statements.append(statement)
        else:
            dangling = True


def _fail(cf: Lexer, lose: Lose, message: str, skip: bool = True) -> Result:
    cf.warn(message)
    if skip:
        skip_to_semi(cf)
    lose.value = True
    return False, None


def _eat_block(cf: Lexer) -> None:
    """"Try to even things up": consume tokens through the next `}`."""
    while cf.next().kind not in (EOF, "}"):
        pass


def if_statement(cf: Lexer, ctx: StatementContext, lose: Lose) -> Result:
    """`if [(]BOOL[)] { … } [elsif …| else if …| else { … }]` after `if`."""
    parenthesised = cf.peek().kind == "("
    if parenthesised:
        cf.skip()
    condition = boolean_expression(cf, ctx, lose)
    if condition is None:
        if not lose.value:
            cf.warn("boolean expression expected.")
        lose.value = True
        return False, None
    if parenthesised and cf.next().kind != ")":
        return _fail(cf, lose, "expecting right paren.", skip=False)
    if cf.next().kind != "{":
        return _fail(cf, lose, "left brace expected.")
    then = statement_list(cf, ctx, lose, Context.ANY)
    if lose.value:
        _eat_block(cf)
        return False, None
    if cf.next().kind != "}":
        return _fail(cf, lose, "right brace expected.")
    otherwise: tuple[Statement, ...] = ()
    kind = cf.peek().kind
    if kind == "ELSE":
        cf.skip()
        kind = cf.peek().kind
        if kind == "IF":
            cf.skip()
            otherwise = _nested_if(cf, ctx, lose, "expecting if statement")
            if not otherwise:
                return False, None
        elif kind != "{":
            return _fail(cf, lose, "left brace or if expected.")
        else:
            cf.skip()
            otherwise = tuple(statement_list(cf, ctx, lose, Context.ANY))
            if lose.value:
                return False, None
            if cf.next().kind != "}":
                return _fail(cf, lose, "right brace expected.")
    elif kind == "ELSIF":
        cf.skip()
        otherwise = _nested_if(cf, ctx, lose, "expecting conditional.")
        if not otherwise:
            return False, None
    return True, IfStatement(condition, tuple(then), otherwise)


def _nested_if(
    cf: Lexer, ctx: StatementContext, lose: Lose, message: str
) -> tuple[Statement, ...]:
    parsed, statement = if_statement(cf, ctx, lose)
    if not parsed or statement is None:
        if not lose.value:
            cf.warn(message)
        lose.value = True
        return ()
    return (statement,)


def on_statement(cf: Lexer, ctx: StatementContext, lose: Lose) -> Result:
    """`on EVENT [or EVENT…] { … }` (or `;` for no statements) after `on`."""
    events: set[str] = set()
    while True:
        event = _EVENTS.get(cf.next().kind)
        if event is None:
            return _fail(cf, lose, "expecting a lease event type")
        events.add(event)
        tok = cf.next()
        if tok.kind != "OR":
            break
    if tok.kind == ";":
        return True, OnStatement(frozenset(events), ())
    if tok.kind != "{":
        return _fail(cf, lose, "left brace expected.")
    body = statement_list(cf, ctx, lose, Context.ANY)
    if lose.value:
        _eat_block(cf)
        return False, None
    if cf.next().kind != "}":
        return _fail(cf, lose, "right brace expected.")
    return True, OnStatement(frozenset(events), tuple(body))


def switch_statement(cf: Lexer, ctx: StatementContext, lose: Lose) -> Result:
    """`switch (EXPR) { case …: … default: … }` after `switch`."""
    if cf.next().kind != "(":
        return _fail(cf, lose, "expecting left brace.")
    expr = parse_expression(cf, ctx, lose, Context.DATA_OR_NUMERIC)
    if expr is None:
        if not lose.value:
            return _fail(cf, lose, "expecting data or numeric expression.")
        return False, None
    if cf.next().kind != ")":
        return _fail(cf, lose, "right paren expected.")
    if cf.next().kind != "{":
        return _fail(cf, lose, "left brace expected.")
    case_context = Context.DATA if is_data(expr) else Context.NUMERIC
    body = statement_list(cf, ctx, lose, case_context)
    if lose.value:
        skip_to_rbrace(cf, 1)
        return False, None
    if cf.next().kind != "}":
        return _fail(cf, lose, "right brace expected.")
    return True, SwitchStatement(expr, tuple(body))


def case_statement(cf: Lexer, ctx: StatementContext, lose: Lose, case_context: Context) -> Result:
    """`case EXPR:` inside a switch, after `case`."""
    expr = parse_expression(cf, ctx, lose, case_context)
    if expr is None:
        if not lose.value:
            kind = "data" if case_context is Context.DATA else "numeric"
            cf.warn(f"expecting {kind} expression.")
        skip_to_semi(cf)
        lose.value = True
        return False, None
    if cf.next().kind != ":":
        return _fail(cf, lose, "colon expected.")
    return True, CaseStatement(expr)


def set_statement(
    cf: Lexer, ctx: StatementContext, lose: Lose, case_context: Context, define: bool
) -> Result:
    """`set|define NAME = EXPR;` or `set|define NAME (ARGS) { … }`."""
    tok = cf.next()
    if tok.kind not in _VARIABLE_NAME:
        return _fail(cf, lose, f"{tok.text} can't be a variable name")
    name = tok.text
    tok = cf.next()
    make = DefineStatement if define else SetStatement
    if tok.kind == "(":
        parameters: list[str] = []
        while True:
            tok = cf.next()
            if tok.kind == ")":
                break
            if tok.kind not in _VARIABLE_NAME:
                cf.warn("expecting argument name")
                skip_to_rbrace(cf, 0)
                lose.value = True
                return False, None
            parameters.append(tok.text)
            tok = cf.next()
            if tok.kind != ",":
                break
        if tok.kind != ")":
            return _fail(cf, lose, "expecting right paren.")
        if cf.next().kind != "{":
            return _fail(cf, lose, "expecting left brace.")
        body = statement_list(cf, ctx, lose, case_context)
        if lose.value:
            skip_to_semi(cf)
            return False, None
        if cf.next().kind != "}":
            return _fail(cf, lose, "expecting right brace.")
        return True, make(name, Function(tuple(parameters), tuple(body)))
    if tok.kind != "=":
        return _fail(cf, lose, f"expecting '=' in {'define' if define else 'set'} statement.")
    expr = parse_expression(cf, ctx, lose, Context.ANY)
    if expr is None:
        if not lose.value:
            cf.warn("expecting expression.")
        skip_to_semi(cf)
        return False, None
    if not parse_semi(cf):
        lose.value = True
        return False, None
    return True, make(name, expr)
