"""Lease-file bodies read back as statements: ours, dhcpd's wrapped layout, and text
that is not a statement list (refused, with the parser's message)."""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.statement_body import UnreadableBody, parse_statement_body
from domain.config import statements as s

# As dhcpd 4.4 writes an `on expiry` body (write_statements wraps at 79 columns).
ISC_BODY = (
    '\n    set gone = "yes" ;'
    "\n    if defined (gone) {"
    "\n      log (info, "
    '\n          concat ("expired ", '
    '\n                  binary-to-ascii (10, 8, ".", leased-address)));'
    "\n    }"
    '\n    execute ("/bin/sh", "-c", "exit 6");'
    "\n  "
)


def test_dhcpds_own_layout_reads() -> None:
    statements = parse_statement_body(ISC_BODY)
    assert [type(statement) for statement in statements] == [
        s.SetStatement, s.IfStatement, s.ExecuteStatement]
    assert statements == parse_statement_body(
        'set gone = "yes"; if defined(gone) { log(info, concat("expired ",'
        ' binary-to-ascii(10, 8, ".", leased-address))); }'
        ' execute("/bin/sh", "-c", "exit 6");')


def test_an_empty_body_is_no_statements() -> None:
    assert parse_statement_body("\n  ") == ()


@pytest.mark.parametrize("text", [
    'log(info, "unfinished"',
    'log(info, "x"); }',
    'nonsense here;',
    'execute();',
])
def test_what_is_not_a_statement_list_is_refused(text: str) -> None:
    with pytest.raises(UnreadableBody) as refused:
        parse_statement_body(text)
    assert str(refused.value)
