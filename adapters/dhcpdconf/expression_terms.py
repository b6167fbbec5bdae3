"""The terms of a dhcp-eval expression (ISC common/parse.c parse_non_binary).

A term is a literal, a keyword (`hardware`, `known`…), a function-like form
(`substring (…)`, `option NAME`…), a parenthesised expression, `not TERM`, or a
variable or user function call.  Each form reports exactly ISC's messages at ISC's
token, and — like ISC — some recover by skipping to `;` and some leave the rest of the
statement for the caller.  Returning None with `lose.value` False means "not an
expression here", which callers turn into their own message.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TYPE_CHECKING

from adapters.dhcpdconf import expressions as ex
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.option_definitions import parse_option_name, signed_atoi
from adapters.dhcpdconf.primitives import parse_cshl, skip_to_semi
from domain.config import expressions as e

if TYPE_CHECKING:
    from adapters.dhcpdconf.expressions import ExpressionContext, Lose

_NULLARY: dict[str, Callable[[], e.Expr]] = {
    "STATIC": e.Static,
    "KNOWN": e.Known,
    "HARDWARE": e.Hardware,
    "LEASED_ADDRESS": e.LeasedAddress,
    "CLIENT_STATE": e.ClientState,
    "FILENAME": e.Filename,
    "SERVER_NAME": e.ServerName,
    "LEASE_TIME": e.LeaseTime,
    "TOKEN_NULL": e.Null,
    "HOST_DECL_NAME": e.HostDeclName,
}

# DNS result keywords (as DNS RCODEs) and client states (ISC's enum dhcp_state).
_CONSTANTS = {
    "NS_NOERROR": 0, "NS_FORMERR": 1, "NS_SERVFAIL": 2, "NS_NXDOMAIN": 3, "NS_NOTIMP": 4,
    "NS_REFUSED": 5, "NS_YXDOMAIN": 6, "NS_YXRRSET": 7, "NS_NXRRSET": 8, "NS_NOTAUTH": 9,
    "NS_NOTZONE": 10,
    "REBOOT": 1, "BOOTING": 2, "SELECT": 3, "REQUEST": 4, "BOUND": 5, "RENEW": 6,
    "REBIND": 7,
}


class _Stop(Exception):
    """A term failed; the message (if any) has been reported."""


class _Reader:
    """The steps shared by the function-like forms, each with ISC's failure message."""

    def __init__(self, cf: Lexer, ctx: ExpressionContext, lose: Lose) -> None:
        self.cf, self.ctx, self.lose = cf, ctx, lose

    def punct(self, kind: str) -> None:
        if self.cf.next().kind != kind:
            message = {
                "(": "left parenthesis expected.",
                ",": "comma expected.",
                ")": "right parenthesis expected.",
            }[kind]
            self.cf.warn(message)
            self.lose.value = True
            raise _Stop

    def _checked(self, expr: e.Expr | None, message: str) -> e.Expr:
        if expr is None:
            if not self.lose.value:
                self.cf.warn(message)
                skip_to_semi(self.cf)
                self.lose.value = True
            raise _Stop
        return expr

    def data(self) -> e.Expr:
        return self._checked(ex.data_expression(self.cf, self.ctx, self.lose),
                             "expecting data expression.")

    def numeric(self) -> e.Expr:
        return self._checked(ex.numeric_expression(self.cf, self.ctx, self.lose),
                             "expecting numeric expression.")

    def numeric_as_data(self) -> e.Expr:
        """A numeric argument whose failure ISC reports as a missing data expression."""
        return self._checked(ex.numeric_expression(self.cf, self.ctx, self.lose),
                             "expecting data expression.")

    def width(self) -> int:
        tok = self.cf.next()
        if tok.kind != "NUMBER":
            self.cf.warn("number expected.")
            self.lose.value = True
            raise _Stop
        width = signed_atoi(tok.text)
        if width not in (8, 16, 32):
            self.cf.warn(f"unsupported integer size {width}")
            self.lose.value = True
            skip_to_semi(self.cf)
            raise _Stop
        return width


def parse_non_binary(
    cf: Lexer, ctx: ExpressionContext, lose: Lose, context: e.Context
) -> e.Expr | None:
    """ISC parse_non_binary: one term, or None."""
    try:
        return _term(_Reader(cf, ctx, lose), context)
    except _Stop:
        return None


def _term(r: _Reader, context: e.Context) -> e.Expr | None:
    cf = r.cf
    tok = cf.peek()
    kind = tok.kind
    if kind in _NULLARY:
        cf.skip()
        return _NULLARY[kind]()
    if kind in _CONSTANTS:
        cf.skip()
        return e.ConstInt(_CONSTANTS[kind])
    if kind == "STRING":
        cf.skip()
        return e.ConstData(tok.text.encode("latin-1"))
    if kind == "NUMBER" and context in (e.Context.NUMERIC, e.Context.DATA_OR_NUMERIC):
        cf.skip()
        return e.ConstInt(signed_atoi(tok.text))
    if kind in ("NUMBER", "NUMBER_OR_NAME"):
        data = parse_cshl(cf)
        return None if data is None else e.ConstData(data)
    form = _FORMS.get(kind)
    if form is not None:
        cf.skip()
        return form(r, context)
    if kind != "NAME":
        return None
    return _variable_or_call(r, tok.text)


def _check(r: _Reader, context: e.Context) -> e.Expr:
    tok = r.cf.next()
    if tok.kind != "STRING":
        r.cf.warn("string expected.")
        skip_to_semi(r.cf)
        r.lose.value = True
        raise _Stop
    if tok.text != "default":
        r.cf.warn("unknown collection.")
        r.lose.value = True
        raise _Stop
    return e.Check(tok.text)


def _not(r: _Reader, context: e.Context) -> e.Expr:
    inner = parse_non_binary(r.cf, r.ctx, r.lose, e.Context.BOOLEAN)
    if inner is None:
        if not r.lose.value:
            r.cf.warn("expression expected")
            skip_to_semi(r.cf)
        r.lose.value = True
        raise _Stop
    if not e.is_boolean(inner):
        r.lose.value = True
        r.cf.warn("boolean expression expected")
        skip_to_semi(r.cf)
        raise _Stop
    return e.Not(inner)


def _parenthesised(r: _Reader, context: e.Context) -> e.Expr:
    inner = ex.parse_expression(r.cf, r.ctx, r.lose, context)
    if inner is None:
        if not r.lose.value:
            r.cf.warn("expression expected")
            skip_to_semi(r.cf)
        r.lose.value = True
        raise _Stop
    if r.cf.next().kind != ")":
        r.lose.value = True
        r.cf.warn("right paren expected")
        skip_to_semi(r.cf)
        raise _Stop
    return inner


def _option_term(r: _Reader, make: Callable[[str, str, int], e.Expr]) -> e.Expr:
    option, _ = parse_option_name(r.cf, r.ctx, False)
    if option is None:
        r.lose.value = True
        raise _Stop
    return make(option.universe, option.name, option.code)


def _substring(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    data = r.data()
    r.punct(",")
    offset = r.numeric()
    r.punct(",")
    length = r.numeric()
    r.punct(")")
    return e.Substring(data, offset, length)


def _suffix(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    data = r.data()
    r.punct(",")
    length = r.numeric()
    r.punct(")")
    return e.Suffix(data, length)


def _case_change(make: Callable[[e.Expr], e.Expr]) -> Callable[[_Reader, e.Context], e.Expr]:
    def parse(r: _Reader, context: e.Context) -> e.Expr:
        r.punct("(")
        data = r.data()
        r.punct(")")
        return make(data)

    return parse


def _concat(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    result = r.data()
    r.punct(",")
    while True:
        result = e.Concat(result, r.data())
        tok = r.cf.next()
        if tok.kind != ",":
            break
    if tok.kind != ")":
        r.cf.warn("right parenthesis expected.")
        r.lose.value = True
        raise _Stop
    return result


def _binary_to_ascii(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    base = r.numeric_as_data()
    r.punct(",")
    width = r.numeric_as_data()
    r.punct(",")
    separator = r.data()
    r.punct(",")
    buffer = r.data()
    r.punct(")")
    return e.BinaryToAscii(base, width, separator, buffer)


def _reverse(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    width = r.numeric_as_data()
    r.punct(",")
    buffer = r.data()
    r.punct(")")
    return e.Reverse(width, buffer)


def _pick(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    choices = []
    while True:
        choices.append(r.data())
        tok = r.cf.next()
        if tok.kind != ",":
            break
    if tok.kind != ")":
        r.cf.warn("right parenthesis expected.")
        r.lose.value = True
        raise _Stop
    return e.PickFirstValue(tuple(choices))


def _packet(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    offset = r.numeric()
    r.punct(",")
    length = r.numeric()
    r.punct(")")
    return e.Packet(offset, length)


def _extract_int(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    data = r.data()
    r.punct(",")
    width = r.width()
    r.punct(")")
    return e.ExtractInt(data, width)


def _encode_int(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    value = ex.numeric_expression(r.cf, r.ctx, r.lose)
    if value is None:
        # ISC reports this one even when the inner error was already reported.
        r.cf.warn("expecting numeric expression.")
        skip_to_semi(r.cf)
        r.lose.value = True
        raise _Stop
    r.punct(",")
    width = r.width()
    r.punct(")")
    return e.EncodeInt(value, width)


def _defined(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    tok = r.cf.next()
    if tok.kind not in ("NAME", "NUMBER_OR_NAME"):
        r.cf.warn(f"{tok.text} can't be a variable name")
        skip_to_semi(r.cf)
        r.lose.value = True
        raise _Stop
    r.punct(")")
    return e.VariableExists(tok.text)


def _gethostname(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    r.punct(")")
    return e.GetHostName()


def _gethostbyname(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    tok = r.cf.next()
    if tok.kind != "STRING":
        r.cf.warn('Expecting quoted literal: "foo.example.com"')
        skip_to_semi(r.cf)
        r.lose.value = True
        raise _Stop
    r.punct(")")
    return e.HostLookup(tok.text)


def _v6relay(r: _Reader, context: e.Context) -> e.Expr:
    r.punct("(")
    relay = r.numeric_as_data()
    r.punct(",")
    option = r.data()
    r.punct(")")
    return e.V6Relay(relay, option)


def _variable_or_call(r: _Reader, name: str) -> e.Expr:
    """A variable reference, or `NAME (args)`: a call of a `define`d function."""
    cf = r.cf
    cf.skip()
    if cf.peek().kind != "(":
        return e.VariableReference(name)
    cf.skip()
    arguments = []
    while True:
        argument = ex.parse_expression(cf, r.ctx, r.lose, e.Context.ANY)
        if argument is None:
            if not r.lose.value:
                cf.warn("expecting expression.")
                r.lose.value = True
            skip_to_semi(cf)
            raise _Stop
        arguments.append(argument)
        tok = cf.next()
        if tok.kind != ",":
            break
    if tok.kind != ")":
        cf.warn("Right parenthesis expected.")
        skip_to_semi(cf)
        r.lose.value = True
        raise _Stop
    return e.FunCall(name, tuple(arguments))


_FORMS: dict[str, Callable[[_Reader, e.Context], e.Expr]] = {
    "CHECK": _check,
    "TOKEN_NOT": _not,
    "(": _parenthesised,
    "EXISTS": lambda r, c: _option_term(r, e.Exists),
    "OPTION": lambda r, c: _option_term(r, e.OptionValue),
    "CONFIG_OPTION": lambda r, c: _option_term(r, e.ConfigOption),
    "SUBSTRING": _substring,
    "SUFFIX": _suffix,
    "LCASE": _case_change(e.Lcase),
    "UCASE": _case_change(e.Ucase),
    "CONCAT": _concat,
    "BINARY_TO_ASCII": _binary_to_ascii,
    "REVERSE": _reverse,
    "PICK": _pick,
    "PACKET": _packet,
    "EXTRACT_INT": _extract_int,
    "ENCODE_INT": _encode_int,
    "DEFINED": _defined,
    "GETHOSTNAME": _gethostname,
    "GETHOSTBYNAME": _gethostbyname,
    "V6RELAY": _v6relay,
}
