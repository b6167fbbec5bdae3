"""permits: pool allow/deny terms and how pools compare them (messages checked
against the real dhcpd -t)."""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.permits import permit_list_match
from adapters.dhcpdconf.statement import conf_file_subparse
from adapters.dhcpdconf.tree import Permit, Pool


def read_pool(body: str, before: str = "") -> tuple[ParseContext, Pool | None]:
    text = f"{before}subnet 10.0.0.0 netmask 255.0.0.0 {{ pool {{ {body} range 10.0.0.1; }} }}"
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    pools = ctx.tree.pools()
    return ctx, pools[0] if pools else None


def errors(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.errors]


@pytest.mark.parametrize(
    ("term", "permit"),
    [
        ("known-clients", Permit("known-clients")),
        ("known clients", Permit("known-clients")),
        ("unknown-clients", Permit("unknown-clients")),
        ("unknown clients", Permit("unknown-clients")),
        ("all clients", Permit("all-clients")),
        ("dynamic bootp clients", Permit("dynamic-bootp-clients")),
        ("authenticated clients", Permit("authenticated-clients")),
        ("unauthenticated clients", Permit("unauthenticated-clients")),
        ("after 4 2030/01/01 00:00:00", Permit("after", after=1893456000)),
    ],
)
def test_permit_terms(term: str, permit: Permit) -> None:
    ctx, pool = read_pool(f"allow {term}; deny {term};")
    assert errors(ctx) == (
        [] if permit.kind != "after" else ['t.conf line 1: duplicate "after" clause.']
    )
    assert pool is not None
    assert pool.permit_list == [permit]


def test_members_of_a_class() -> None:
    ctx, pool = read_pool('allow members of "c";', before='class "c" { }\n')
    assert errors(ctx) == []
    assert pool is not None and pool.permit_list == [Permit("class", class_name="c")]
    ctx, pool = read_pool('deny members of "nosuch";')
    assert errors(ctx) == ["t.conf line 1: no such class: nosuch"]
    assert pool is not None and pool.prohibit_list == [Permit("class", class_name="nosuch")]


def test_after_sets_the_pools_window() -> None:
    ctx, pool = read_pool("deny after 4 2030/01/01 00:00:00;")
    assert errors(ctx) == []
    assert pool is not None
    assert (pool.valid_from, pool.valid_until) == (None, 1893456000)
    assert pool.prohibit_list == [Permit("after", after=1893456000)]


@pytest.mark.parametrize(
    ("body", "message"),
    [
        ("allow frobs clients;", "expecting permit type."),
        ("allow dynamic foo clients;", 'expecting "bootp"'),
        ('allow members "x";', 'expecting "of"'),
        ("allow members of x;", "expecting class name."),
        ("allow known people;", 'expecting "clients"'),
        ("deny bootp;", "expecting permit type."),
    ],
)
def test_permit_errors(body: str, message: str) -> None:
    ctx, pool = read_pool(body)
    assert errors(ctx) == [f"t.conf line 1: {message}"]
    assert pool is not None and pool.permit_list == pool.prohibit_list == []


def test_permit_list_match_compares_kinds_and_known_classes() -> None:
    known = Permit("known-clients")
    members = Permit("class", class_name="a")
    assert permit_list_match([], [known], ())
    assert not permit_list_match([known], [], ())
    assert permit_list_match([known, known], [known], ())
    assert not permit_list_match([members], [Permit("class", class_name="b")], {"a", "b"})
    # Two unknown classes are the same null class to dhcpd.
    assert permit_list_match([members], [Permit("class", class_name="b")], ())
