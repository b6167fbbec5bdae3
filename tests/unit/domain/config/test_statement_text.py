"""Statements written back as dhcpd.conf text: dhcpd's layout, and text that the
parser reads back to the same statements."""

from __future__ import annotations

import pytest

from adapters.dhcpdconf.statement_body import parse_statement_body
from domain.config import expressions as e
from domain.config import statements as s
from domain.config.statement_text import UnwritableStatement, statements_text

BODIES = [
    'execute("/usr/local/sbin/fw-drop", binary-to-ascii(10, 8, ".", leased-address));',
    'log(info, concat("gone ", binary-to-ascii(16, 8, ":", substring(hardware, 1, 6))));',
    'log("debug is the default");',
    'set who = pick-first-value(option host-name, "unknown"); unset who;',
    'if known { log(error, "a"); } elsif option host-name = "x" { eval 1; } '
    'else { unset x; }',
    'switch (option host-name) { case "a": log(info, "a"); break; default: log(info, "b"); }',
    'on expiry or release { log(info, "nested"); } on commit;',
    'define cap = 10; return cap;',
    'supersede domain-name "example.org"; default host-name = concat("h", "1");',
    'option routers 10.0.0.1, 10.0.0.2; append domain-search "a.example";',
    'if not exists agent.remote-id and (known or static) { parse-vendor-option; }',
]


@pytest.mark.parametrize("body", BODIES)
def test_the_text_reads_back_as_the_same_statements(body: str) -> None:
    statements = parse_statement_body(body)
    assert statements
    assert parse_statement_body(statements_text(statements, 4)) == statements


def test_dhcpds_layout_one_statement_a_line_blocks_two_columns_in() -> None:
    statements = parse_statement_body(
        'if known { execute("/bin/true", "a b"); } else { log(info, "x"); }'
        ' switch (option host-name) { case "a": break; default: set v = "1"; }'
    )
    assert statements_text(statements, 4) == (
        "\n    if known {"
        '\n      execute ("/bin/true", "a b");'
        "\n    } else {"
        '\n      log (info, "x");'
        "\n    }"
        "\n    switch (option host-name) {"
        '\n     case "a":'
        "\n      break;"
        "\n     default:"
        '\n      set v = "1";'
        "\n    }"
    )


def test_a_function_definition_has_no_text() -> None:
    define = s.DefineStatement("f", e.Function(("x",), ()))
    with pytest.raises(UnwritableStatement):
        statements_text((define,), 4)
