"""dhcp-eval expressions (ISC common/parse.c parse_expression and its wrappers).

ISC parses an expression as a chain of terms joined by infix operators, deciding
precedence on the fly, and then checks the *kind* of the result against what the
caller wanted.  Both the operator handling and the checks are mirrored here because
their messages ("expecting right-hand side.", "illegal expression relating different
types", "Expecting a boolean expression.") and the tokens they consume are part of
dhcpd's observable behaviour.  Terms are read by `expression_terms.parse_non_binary`.

ISC threads an `int *lose` through every call: set when an error has already been
reported, so callers know not to report another.  `Lose` is that flag.
"""

from __future__ import annotations

from typing import Protocol

from adapters.dhcpdconf import expression_terms
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.primitives import skip_to_semi
from domain.config.expressions import (
    Binary,
    BinaryOp,
    Context,
    Expr,
    FunCall,
    VariableReference,
    is_boolean,
    is_data,
    is_numeric,
)
from domain.options.universes import OptionUniverses


class ExpressionContext(Protocol):
    """What the expression parsers need from the parse context."""

    options: OptionUniverses


class Lose:
    """ISC's `*lose`: True once an error in this construct has been reported."""

    __slots__ = ("value",)

    def __init__(self) -> None:
        self.value = False


_SIMPLE_OPERATORS = {
    "=": BinaryOp.EQUAL,
    "AND": BinaryOp.AND,
    "OR": BinaryOp.OR,
    "+": BinaryOp.ADD,
    "MINUS": BinaryOp.SUBTRACT,
    "/": BinaryOp.DIVIDE,
    "*": BinaryOp.MULTIPLY,
    "%": BinaryOp.REMAINDER,
    "&": BinaryOp.BINARY_AND,
    "|": BinaryOp.BINARY_OR,
    "^": BinaryOp.BINARY_XOR,
}
_ARITHMETIC = frozenset(
    op for op in BinaryOp if op.result is Context.NUMERIC
)


def _untyped(expr: Expr) -> bool:
    """Variables and function calls pass every type check: their type is unknown."""
    return isinstance(expr, VariableReference | FunCall)


def parse_boolean_expression(cf: Lexer, ctx: ExpressionContext) -> tuple[Expr | None, bool]:
    """ISC parse_boolean_expression → (expression, lose)."""
    lose = Lose()
    return boolean_expression(cf, ctx, lose), lose.value


def parse_data_expression(cf: Lexer, ctx: ExpressionContext) -> tuple[Expr | None, bool]:
    """ISC parse_data_expression → (expression, lose)."""
    lose = Lose()
    return data_expression(cf, ctx, lose), lose.value


def parse_numeric_expression(cf: Lexer, ctx: ExpressionContext) -> tuple[Expr | None, bool]:
    """ISC parse_numeric_expression → (expression, lose)."""
    lose = Lose()
    return numeric_expression(cf, ctx, lose), lose.value


def boolean_expression(cf: Lexer, ctx: ExpressionContext, lose: Lose) -> Expr | None:
    expr = parse_expression(cf, ctx, lose, Context.BOOLEAN)
    if expr is None:
        return None
    if not is_boolean(expr) and not _untyped(expr):
        cf.warn("Expecting a boolean expression.")
        lose.value = True
        return None
    return expr


def data_expression(cf: Lexer, ctx: ExpressionContext, lose: Lose) -> Expr | None:
    expr = parse_expression(cf, ctx, lose, Context.DATA)
    if expr is None:
        return None
    if not is_data(expr) and not _untyped(expr):
        cf.warn("Expecting a data expression.")
        lose.value = True
        return None
    return expr


def numeric_expression(cf: Lexer, ctx: ExpressionContext, lose: Lose) -> Expr | None:
    expr = parse_expression(cf, ctx, lose, Context.NUMERIC)
    if expr is None:
        return None
    if not is_numeric(expr) and not _untyped(expr):
        cf.warn("Expecting a numeric expression.")
        lose.value = True
        return None
    return expr


def _operator(cf: Lexer, lose: Lose) -> tuple[BinaryOp | None, bool]:
    """Peek at the operator after a term → (operator or None, ok).  For `!=`, `~=`
    and `~~` the first character is consumed here, as ISC does."""
    kind = cf.peek().kind
    if kind == "!":
        cf.skip()
        if cf.peek().kind != "=":
            cf.warn("! in boolean context without =")
            lose.value = True
            skip_to_semi(cf)
            return None, False
        return BinaryOp.NOT_EQUAL, True
    if kind == "~":
        cf.skip()
        second = cf.peek().kind
        if second == "~":
            return BinaryOp.IREGEX_MATCH, True
        if second == "=":
            return BinaryOp.REGEX_MATCH, True
        cf.warn("expecting ~= or ~~ operator")
        lose.value = True
        skip_to_semi(cf)
        return None, False
    return _SIMPLE_OPERATORS.get(kind), True


def _operand_error(binop: BinaryOp, rhs: Expr) -> str | None:
    """The message ISC gives when the right-hand side does not suit the operator."""
    rc = rhs.context
    if binop in (BinaryOp.EQUAL, BinaryOp.NOT_EQUAL):
        if rc not in (Context.DATA_OR_NUMERIC, Context.DATA, Context.NUMERIC, Context.ANY):
            return "expecting data/numeric expression"
    elif binop is BinaryOp.REGEX_MATCH:
        if rc is not Context.DATA:
            return "expecting data expression"
    elif binop in (BinaryOp.AND, BinaryOp.OR):
        if rc not in (Context.BOOLEAN, Context.ANY):
            return "expecting boolean expressions"
    elif binop in _ARITHMETIC and rc not in (Context.NUMERIC, Context.ANY):
        return "expecting numeric expressions"
    return None


def parse_expression(
    cf: Lexer,
    ctx: ExpressionContext,
    lose: Lose,
    context: Context,
    lhs: Expr | None = None,
    binop: BinaryOp | None = None,
) -> Expr | None:
    """ISC parse_expression: terms joined by operators.  An operator that binds
    tighter than the pending one (by ISC's table) starts a recursive parse of the
    right-hand side.  Returns None on failure (`lose` says if it was reported)."""
    while True:
        rhs = expression_terms.parse_non_binary(cf, ctx, lose, context)
        if rhs is None:
            if lhs is not None and not lose.value:
                cf.warn("expecting right-hand side.")
                lose.value = True
                skip_to_semi(cf)
            return None
        next_op, ok = _operator(cf, lose)
        if not ok:
            return None
        if next_op is not None:
            context = rhs.context
        if lhs is None:
            if next_op is None:
                return rhs
            lhs, binop = rhs, next_op
            cf.skip()
            continue
        if binop is not None and next_op is not None and binop.precedence < next_op.precedence:
            cf.skip()
            rhs = parse_expression(cf, ctx, lose, next_op.operand_context, rhs, next_op)
            if rhs is None:
                if not lose.value:
                    cf.warn("expecting a subexpression")
                    lose.value = True
                return None
            next_op = None
        assert binop is not None
        rc, lc = rhs.context, lhs.context
        if rc is not Context.ANY and lc is not Context.ANY and rc is not lc:
            cf.warn("illegal expression relating different types")
            skip_to_semi(cf)
            lose.value = True
            return None
        message = _operand_error(binop, rhs)
        if message is not None:
            cf.warn(message)
            skip_to_semi(cf)
            lose.value = True
            return None
        if next_op is None:
            return Binary(binop, lhs, rhs)
        cf.skip()
        lhs, binop = Binary(binop, lhs, rhs), next_op
