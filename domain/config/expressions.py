"""The dhcp-eval expression tree (ISC `struct expression`), as typed values.

Expressions appear in class matches (`match if …`, `match …`, `spawn with …`), in
`if`/`switch` statements and as computed option values (`option foo = …;`).  The
parser builds these nodes; the server evaluates them per packet.

Every node belongs to one of ISC's four contexts — data, numeric, boolean or "any"
(variables and function calls, whose type is only known when they run) — because the
parser's acceptance rules and its error messages depend on that classification
(`Expecting a boolean expression.`, `illegal expression relating different types`).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

if TYPE_CHECKING:
    from domain.config.statements import Statement


class Context(enum.Enum):
    """ISC's expression_context: what kind of value an expression yields."""

    ANY = "any"
    DATA = "data"
    NUMERIC = "numeric"
    BOOLEAN = "boolean"
    DATA_OR_NUMERIC = "data-or-numeric"


class Expr:
    """Base of every expression node."""

    context: ClassVar[Context] = Context.ANY


# ---- data expressions --------------------------------------------------------------


@dataclass(frozen=True)
class ConstData(Expr):
    """Literal bytes: a quoted string, a colon-separated hex list or an option value."""

    context: ClassVar[Context] = Context.DATA
    data: bytes


@dataclass(frozen=True)
class HostLookup(Expr):
    """A host name in an option value: its IPv4 addresses, looked up in DNS at
    evaluation time."""

    context: ClassVar[Context] = Context.DATA
    hostname: str


@dataclass(frozen=True)
class Substring(Expr):
    context: ClassVar[Context] = Context.DATA
    expr: Expr
    offset: Expr
    length: Expr


@dataclass(frozen=True)
class Suffix(Expr):
    context: ClassVar[Context] = Context.DATA
    expr: Expr
    length: Expr


@dataclass(frozen=True)
class Lcase(Expr):
    context: ClassVar[Context] = Context.DATA
    expr: Expr


@dataclass(frozen=True)
class Ucase(Expr):
    context: ClassVar[Context] = Context.DATA
    expr: Expr


@dataclass(frozen=True)
class Concat(Expr):
    context: ClassVar[Context] = Context.DATA
    left: Expr
    right: Expr


@dataclass(frozen=True)
class BinaryToAscii(Expr):
    context: ClassVar[Context] = Context.DATA
    base: Expr
    width: Expr
    separator: Expr
    buffer: Expr


@dataclass(frozen=True)
class Reverse(Expr):
    context: ClassVar[Context] = Context.DATA
    width: Expr
    buffer: Expr


@dataclass(frozen=True)
class PickFirstValue(Expr):
    """The first of `choices` that evaluates to something."""

    context: ClassVar[Context] = Context.DATA
    choices: tuple[Expr, ...]


@dataclass(frozen=True)
class OptionValue(Expr):
    """`option SPACE.NAME`: the option's value from the packet being answered."""

    context: ClassVar[Context] = Context.DATA
    universe: str
    name: str
    code: int


@dataclass(frozen=True)
class ConfigOption(Expr):
    """`config-option SPACE.NAME`: the value the configuration gives the option."""

    context: ClassVar[Context] = Context.DATA
    universe: str
    name: str
    code: int


@dataclass(frozen=True)
class Hardware(Expr):
    """The client's hardware type byte followed by its address."""

    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class Packet(Expr):
    context: ClassVar[Context] = Context.DATA
    offset: Expr
    length: Expr


@dataclass(frozen=True)
class LeasedAddress(Expr):
    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class HostDeclName(Expr):
    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class Filename(Expr):
    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class ServerName(Expr):
    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class Null(Expr):
    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class GetHostName(Expr):
    context: ClassVar[Context] = Context.DATA


@dataclass(frozen=True)
class EncodeInt(Expr):
    """A number as `width`-bit big-endian bytes."""

    context: ClassVar[Context] = Context.DATA
    value: Expr
    width: int


@dataclass(frozen=True)
class V6Relay(Expr):
    context: ClassVar[Context] = Context.DATA
    relay: Expr
    option: Expr


# ---- numeric expressions -----------------------------------------------------------


@dataclass(frozen=True)
class ConstInt(Expr):
    context: ClassVar[Context] = Context.NUMERIC
    value: int


@dataclass(frozen=True)
class ExtractInt(Expr):
    """The first `width` bits of a data value, as a big-endian number."""

    context: ClassVar[Context] = Context.NUMERIC
    data: Expr
    width: int


@dataclass(frozen=True)
class LeaseTime(Expr):
    context: ClassVar[Context] = Context.NUMERIC


@dataclass(frozen=True)
class ClientState(Expr):
    context: ClassVar[Context] = Context.NUMERIC


# ---- boolean expressions -----------------------------------------------------------


@dataclass(frozen=True)
class Check(Expr):
    """`check "collection"` (only the `default` collection exists)."""

    context: ClassVar[Context] = Context.BOOLEAN
    collection: str


@dataclass(frozen=True)
class Exists(Expr):
    context: ClassVar[Context] = Context.BOOLEAN
    universe: str
    name: str
    code: int


@dataclass(frozen=True)
class VariableExists(Expr):
    """`defined(NAME)`."""

    context: ClassVar[Context] = Context.BOOLEAN
    name: str


@dataclass(frozen=True)
class Known(Expr):
    context: ClassVar[Context] = Context.BOOLEAN


@dataclass(frozen=True)
class Static(Expr):
    context: ClassVar[Context] = Context.BOOLEAN


@dataclass(frozen=True)
class Not(Expr):
    context: ClassVar[Context] = Context.BOOLEAN
    expr: Expr


# ---- binary operators --------------------------------------------------------------


class BinaryOp(enum.Enum):
    """The infix operators, with ISC's precedence value (higher binds tighter, so in
    dhcpd `+` binds tighter than `*`), the context of the result and the context in
    which the operator's right-hand side is parsed."""

    EQUAL = ("=", 4, Context.BOOLEAN, Context.DATA)
    NOT_EQUAL = ("!=", 4, Context.BOOLEAN, Context.DATA)
    REGEX_MATCH = ("~=", 4, Context.BOOLEAN, Context.DATA)
    IREGEX_MATCH = ("~~", 4, Context.BOOLEAN, Context.DATA)
    AND = ("and", 3, Context.BOOLEAN, Context.BOOLEAN)
    OR = ("or", 3, Context.BOOLEAN, Context.BOOLEAN)
    ADD = ("+", 2, Context.NUMERIC, Context.NUMERIC)
    SUBTRACT = ("-", 2, Context.NUMERIC, Context.NUMERIC)
    MULTIPLY = ("*", 1, Context.NUMERIC, Context.NUMERIC)
    DIVIDE = ("/", 1, Context.NUMERIC, Context.NUMERIC)
    REMAINDER = ("%", 1, Context.NUMERIC, Context.NUMERIC)
    # ISC gives the bitwise operators the precedence of a plain term.
    BINARY_AND = ("&", 100, Context.NUMERIC, Context.NUMERIC)
    BINARY_OR = ("|", 100, Context.NUMERIC, Context.NUMERIC)
    BINARY_XOR = ("^", 100, Context.NUMERIC, Context.NUMERIC)

    def __init__(
        self, symbol: str, precedence: int, result: Context, operand_context: Context
    ) -> None:
        self.symbol = symbol
        self.precedence = precedence
        self.result = result
        self.operand_context = operand_context


@dataclass(frozen=True)
class Binary(Expr):
    op: BinaryOp
    left: Expr
    right: Expr

    @property
    def context(self) -> Context:  # type: ignore[override]
        return self.op.result


# ---- context "any": known only at run time ------------------------------------------


@dataclass(frozen=True)
class VariableReference(Expr):
    name: str


@dataclass(frozen=True)
class FunCall(Expr):
    name: str
    arguments: tuple[Expr, ...]


@dataclass(frozen=True)
class Function(Expr):
    """The body of `define NAME (ARGS) { … }`."""

    parameters: tuple[str, ...]
    body: tuple[Statement, ...]


def is_boolean(expr: Expr) -> bool:
    return expr.context is Context.BOOLEAN


def is_data(expr: Expr) -> bool:
    return expr.context is Context.DATA


def is_numeric(expr: Expr) -> bool:
    return expr.context is Context.NUMERIC


def constant_bytes(expr: Expr | None) -> bytes | None:
    """The bytes `expr` always evaluates to, when they are known without a packet:
    literal data and concatenations of literal data."""
    if isinstance(expr, ConstData):
        return expr.data
    if isinstance(expr, Concat):
        left = constant_bytes(expr.left)
        right = constant_bytes(expr.right)
        if left is not None and right is not None:
            return left + right
    return None
