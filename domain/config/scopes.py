"""Scopes (ISC `struct group`) and the order in which dhcpd runs them.

Every `group`, shared-network, subnet, pool, host and class block is a scope with a
parent.  dhcpd answers a request by running the statements of several scope chains
into one option state (server/dhcp.c `ack_lease`): the subnet's chain, then the
pool's, then each matching class's, then the host's — and it stops each later chain
at the scopes an earlier one already ran (common/execute.c
`execute_statements_in_scope` with its limiting scope).  That walk is reproduced here
on scope ids so that the frozen model can answer "what applies to this lease" without
pointers between models.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated, Literal

from pydantic import InstanceOf, PlainSerializer

from domain.config.expression_text import expression_text
from domain.config.expressions import Expr
from domain.config.frozen_model import FrozenModel
from domain.config.option_settings import OptionSetting
from domain.config.statements import OptionStatement, Statement

ScopeKind = Literal["global", "group", "shared-network", "subnet", "pool", "host", "class"]
ROOT_SCOPE = 0

# Statements and expressions are the parser's frozen dataclasses, kept as they are for
# the request-time evaluator.  In JSON, expressions are written in dhcp-eval syntax and
# statements (which have no such writer yet) as their repr, for inspection.
StatementValue = Annotated[
    InstanceOf[Statement], PlainSerializer(repr, return_type=str, when_used="json")
]
ExpressionValue = Annotated[
    InstanceOf[Expr], PlainSerializer(expression_text, return_type=str, when_used="json")
]

# Statements dhcpd acts on once, while reading the file, not per request.
_READ_TIME_KINDS = frozenset({"db-time-format", "key", "zone"})


class SourceLocation(FrozenModel):
    """Where a declaration starts, so later messages can point at it."""

    file: str
    line: int


class Scope(FrozenModel):
    """One scope: its parent, its authoritative bit and its statements.

    `statements` are all of the scope's statements in source order, for the
    request-time evaluator (`if`, `switch`, `on commit`, `set` … only make sense per
    request).  `options` are the option and parameter statements among them at the top
    level — the part that can be resolved when the file is read.
    """

    id: int
    kind: ScopeKind
    parent: int | None
    name: str | None = None
    authoritative: bool = False
    options: tuple[OptionSetting, ...] = ()
    statements: tuple[StatementValue, ...] = ()
    where: SourceLocation | None = None

    @property
    def runtime_statements(self) -> tuple[Statement, ...]:
        """The statements only a request can settle: conditionals, `on`, `set`, … and
        options whose value is an expression."""
        return tuple(
            statement for statement in self.statements
            if statement.kind not in _READ_TIME_KINDS
            and not (
                isinstance(statement, OptionStatement)
                and statement.constant_value() is not None
            )
        )


def scope_chain(scopes: Sequence[Scope], scope_id: int) -> list[int]:
    """The ids of `scope_id` and its ancestors, outermost first."""
    chain: list[int] = []
    current: int | None = scope_id
    while current is not None:
        chain.append(current)
        current = scopes[current].parent
    chain.reverse()
    return chain


def scopes_to_run(scopes: Sequence[Scope], scope_id: int, limit: int | None) -> list[int]:
    """The scopes dhcpd runs for `scope_id` when `limit` is the limiting scope.

    The walk goes outwards from `scope_id` and stops at the limiting scope or any of its
    ancestors, because those already ran; what remains runs outermost first.
    """
    already_run = set(scope_chain(scopes, limit)) if limit is not None else set()
    run: list[int] = []
    current: int | None = scope_id
    while current is not None and current not in already_run:
        run.append(current)
        current = scopes[current].parent
    run.reverse()
    return run


def reply_scope_order(
    scopes: Sequence[Scope],
    *,
    subnet: int | None = None,
    pool: int | None = None,
    pool_network: int | None = None,
    classes: Sequence[int] = (),
    host: int | None = None,
) -> list[int]:
    """The scopes dhcpd runs to build a reply, in order; later ones win.

    server/dhcp.c `ack_lease`: the subnet's whole chain; then the pool's chain stopping
    at its shared network (`pool_network`); then each matched class, in reverse match
    order so the first-matched class wins, and the host, both stopping at the pool (or
    the subnet when there is no pool).  Arguments are scope ids; `classes` are in the
    order the client matched them.  With nothing given, only the global scope runs.
    """
    order: list[int] = []
    if subnet is not None:
        order += scope_chain(scopes, subnet)
    if pool is not None:
        order += scopes_to_run(scopes, pool, pool_network)
    inner_limit = pool if pool is not None else subnet
    for client_class in reversed(classes):
        order += scopes_to_run(scopes, client_class, inner_limit)
    if host is not None:
        order += scopes_to_run(scopes, host, inner_limit)
    return order or [ROOT_SCOPE]
