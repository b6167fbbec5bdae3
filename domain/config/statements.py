"""Executable statements (ISC `struct executable_statement`), as typed values.

A scope of dhcpd.conf — global, group, shared-network, subnet, pool, host, class — is
a list of these, run in order each time the scope applies to a client.  Option
settings and server parameters are `OptionStatement`s (server parameters live in the
`server` option space); everything else has its own class.  Each class names its
kind in `kind`, the keyword that introduces it.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar, Literal

from domain.config.dns import DnsZone, TsigKey
from domain.config.expressions import Expr, constant_bytes

OptionOp = Literal["supersede", "default", "prepend", "append", "send"]


@dataclass(frozen=True)
class Statement:
    kind: ClassVar[str] = ""


@dataclass(frozen=True)
class OptionStatement(Statement):
    """`option`/`supersede`/`default`/`prepend`/`append`/`send`, or a server parameter.

    `value` is None for `option NAME;` (dhcpd accepts it and stores no value).
    `text` is the value as it would be written in dhcpd.conf, in canonical form.
    """

    kind: ClassVar[str] = "option"
    op: OptionOp
    universe: str
    name: str
    code: int
    format: str
    value: Expr | None
    text: str

    def constant_value(self) -> bytes | None:
        """The value's wire bytes when they do not depend on the packet or on DNS."""
        return constant_bytes(self.value)

    def display_value(self) -> str:
        return self.text


@dataclass(frozen=True)
class IfStatement(Statement):
    """`if`; an `elsif` or `else if` chain is an IfStatement alone in `otherwise`."""

    kind: ClassVar[str] = "if"
    condition: Expr
    then: tuple[Statement, ...]
    otherwise: tuple[Statement, ...] = ()


@dataclass(frozen=True)
class SwitchStatement(Statement):
    kind: ClassVar[str] = "switch"
    expression: Expr
    body: tuple[Statement, ...]


@dataclass(frozen=True)
class CaseStatement(Statement):
    """A `case VALUE:` label inside a switch body."""

    kind: ClassVar[str] = "case"
    expression: Expr


@dataclass(frozen=True)
class DefaultStatement(Statement):
    """The `default:` label inside a switch body."""

    kind: ClassVar[str] = "default"


@dataclass(frozen=True)
class OnStatement(Statement):
    """`on commit | expiry | release | transmission { … }`."""

    kind: ClassVar[str] = "on"
    events: frozenset[str]
    body: tuple[Statement, ...]


@dataclass(frozen=True)
class SetStatement(Statement):
    kind: ClassVar[str] = "set"
    name: str
    expression: Expr


@dataclass(frozen=True)
class DefineStatement(Statement):
    """`define NAME = expr;` or `define NAME (args) { … }` (a `Function` value)."""

    kind: ClassVar[str] = "define"
    name: str
    expression: Expr


@dataclass(frozen=True)
class UnsetStatement(Statement):
    kind: ClassVar[str] = "unset"
    name: str


@dataclass(frozen=True)
class EvalStatement(Statement):
    """`eval expr;`, and a bare function call written as a statement."""

    kind: ClassVar[str] = "eval"
    expression: Expr


@dataclass(frozen=True)
class ReturnStatement(Statement):
    kind: ClassVar[str] = "return"
    expression: Expr


@dataclass(frozen=True)
class LogStatement(Statement):
    """`log ([fatal|error|info|debug,] expr);` — priority defaults to debug."""

    kind: ClassVar[str] = "log"
    priority: str
    expression: Expr


@dataclass(frozen=True)
class ExecuteStatement(Statement):
    kind: ClassVar[str] = "execute"
    command: str
    arguments: tuple[Expr, ...]


@dataclass(frozen=True)
class AddStatement(Statement):
    """`add "class";`: put the client in a class."""

    kind: ClassVar[str] = "add"
    class_name: str


@dataclass(frozen=True)
class BreakStatement(Statement):
    kind: ClassVar[str] = "break"


@dataclass(frozen=True)
class ParseVendorOptionStatement(Statement):
    kind: ClassVar[str] = "parse-vendor-option"


@dataclass(frozen=True)
class DbTimeFormatStatement(Statement):
    """`db-time-format local|default;`: how dates are written to the lease file.
    dhcpd applies it at once and globally; it is kept here so the model can see it."""

    kind: ClassVar[str] = "db-time-format"
    local: bool


@dataclass(frozen=True)
class KeyStatement(Statement):
    """A key definition met where a statement may appear; dhcpd registers it
    globally at once."""

    kind: ClassVar[str] = "key"
    key: TsigKey


@dataclass(frozen=True)
class ZoneStatement(Statement):
    """A zone definition met where a statement may appear; registered globally."""

    kind: ClassVar[str] = "zone"
    zone: DnsZone
