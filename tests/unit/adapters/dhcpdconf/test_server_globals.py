"""server_globals: lease-id-format and server-duid (messages checked against the real
dhcpd -t, which also logs the chosen lease-id format)."""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.context import DeclKind, ParseContext
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.statement import conf_file_subparse


def read(text: str) -> ParseContext:
    ctx = ParseContext.new()
    conf_file_subparse(Lexer(text, "t.conf", ctx.diagnostics), ctx, ctx.tree.root, DeclKind.ROOT)
    return ctx


def lines(ctx: ParseContext) -> list[str]:
    return [d.first_line for d in ctx.diagnostics.reports]


def test_lease_id_format() -> None:
    ctx = read("lease-id-format hex;\nlease-id-format foo;\nlease-id-format octal\n")
    assert lines(ctx) == [
        "lease_id_format is: hex",
        "t.conf line 2: lease-id-format is invalid:  it must be octal or hex.",
        "lease_id_format is: octal",
        "t.conf line 3: corrupt lease file; expecting a semicolon",
    ]
    assert ctx.tree.lease_id_format == "octal"


@pytest.mark.parametrize(
    "text",
    [
        "server-duid llt;",
        "server-duid ll;",
        'server-duid en 2495 "abc";',
        "server-duid ll ethernet 1:2:3;",
        "server-duid llt token-ring 12345 1:2:3;",
        'server-duid 7 "raw";',
    ],
)
def test_server_duid_forms(text: str) -> None:
    assert lines(read(text)) == []


@pytest.mark.parametrize(
    ("text", "message"),
    [
        ("server-duid foo;", "DUID type of LLT, EN, or LL expected"),
        ("server-duid en x;", "enterprise number expected"),
        ("server-duid en 1 2;", "identifier expected"),
        ("server-duid ll infiniband 1:2;", "hardware type expected"),
        ("server-duid llt ethernet x 1:2;", "timestamp expected"),
        ("server-duid ll ethernet zz;", "expecting hexadecimal number."),
        ('server-duid 7 "raw" x;', "semicolon expected"),
    ],
)
def test_server_duid_errors(text: str, message: str) -> None:
    assert lines(read(text))[:1] == [f"t.conf line 1: {message}"]
