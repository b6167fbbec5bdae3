"""classes: class, subclass, vendor-class and user-class declarations (messages
checked against the real dhcpd -t)."""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.statement import conf_file_subparse
from domain.config.expressions import ConstData


def read(text: str) -> ParseContext:
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    return ctx


def errors(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.errors]


def test_a_class_with_matches_and_a_limit() -> None:
    ctx = read(
        'class "c" { match if substring(option vendor-class-identifier, 0, 4) = "MSFT";\n'
        ' spawn with option host-name; lease limit 4; option domain-name "x"; }'
    )
    assert errors(ctx) == []
    c = ctx.tree.classes["c"]
    assert c.match_if is not None and c.match is not None
    assert (c.spawn, c.lease_limit) == (True, 4)
    assert c.group.statements[0].name == "domain-name"
    assert c.group.parent is ctx.tree.root


def test_a_second_class_statement_adds_to_the_first() -> None:
    ctx = read('class "c" { lease limit 2; }\nclass "c" { default-lease-time 5; }')
    assert list(ctx.tree.classes) == ["c"]
    c = ctx.tree.classes["c"]
    assert c.lease_limit == 2
    assert c.group.statements[0].name == "default-lease-time"


def test_subclasses() -> None:
    ctx = read(
        'class "c" { match hardware; lease limit 3; }\n'
        'subclass "c" "abc";\nsubclass "c" 1:2:3 { option host-name "x"; }\n'
        'subclass "c" "abc" { default-lease-time 9; }'
    )
    assert errors(ctx) == []
    c = ctx.tree.classes["c"]
    assert set(c.subclasses) == {b"abc", b"\x01\x02\x03"}
    plain = c.subclasses[b"abc"]
    assert (plain.superclass, plain.hash_key, plain.lease_limit) == ("c", b"abc", 3)
    assert plain.group.parent is c.group
    assert c.subclasses[b"\x01\x02\x03"].group.parent is c.group


def test_a_class_is_known_only_after_its_closing_brace() -> None:
    ctx = read('class "a" { }\nsubclass "b" "x";\nclass "b" { }\nsubclass "b" foo;')
    assert errors(ctx) == [
        "t.conf line 2: no class named b",
        "t.conf line 4: Expecting string or hex list.",
    ]


@pytest.mark.parametrize(
    ("text", "first_error"),
    [
        ("class x { }", "t.conf line 1: Expecting class name"),
        (
            'class "c" { match if true; match if false; }',
            "t.conf line 1: A class may only have one 'match if' clause.",
        ),
        (
            'class "c" { spawn with hardware; match hardware; }',
            "t.conf line 1: can't override existing submatch/spawn.",
        ),
        ('class "c" { spawn hardware; }', "t.conf line 1: expecting with after spawn"),
        ('class "c" { lease limit; }', "t.conf line 1: expecting a number"),
        ('class "c" { lease foo; }', 't.conf line 1: expecting "limit"'),
        (
            'class "p" { }\nsubclass "p" "a" { match if true; }',
            "t.conf line 2: invalid match in subclass.",
        ),
        (
            'class "p" { }\nsubclass "p" "a" { spawn with hardware; }',
            "t.conf line 2: invalid spawn in subclass.",
        ),
        ('class "c" { match if 1; }', "t.conf line 1: Expecting a boolean expression."),
    ],
)
def test_class_errors(text: str, first_error: str) -> None:
    assert errors(read(text))[:1] == [first_error]


def test_a_negative_lease_limit_is_fatal() -> None:
    with pytest.raises(FatalConfigError) as raised:
        read('class "c" { lease limit -1; }')
    assert raised.value.lines == ("no memory for billed leases.",)


def test_deleted_classes() -> None:
    ctx = read('class "c" { }\nsubclass "c" "x" { deleted; }\nclass "c" { deleted; }')
    assert errors(ctx) == []
    assert ctx.tree.classes == {}


def test_vendor_class_needs_a_class_of_that_name() -> None:
    ctx = read('vendor-class "v" { }\nclass "v" { }\nuser-class "v" { option host-name "h"; }')
    assert errors(ctx) == ["t.conf line 1: no class named v"]
    [sub] = ctx.tree.classes["v"].subclasses.values()
    assert sub.name == "implicit-user-class"
    assert sub.hash_key == bytes(1)
    assert isinstance(sub.group.statements[0].value, ConstData)
