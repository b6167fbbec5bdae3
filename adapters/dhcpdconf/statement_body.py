"""A lease's `on expiry` / `on release` body, read back into statements.

dhcpd.leases keeps such a body as dhcpd.conf text (dhcpd's, or ours from
`domain.config.statement_text`); when the lease expires or is released the body runs,
so the text is parsed as dhcpd parses it when it reads the lease file: as a statement
list, with the standard option spaces.  A body that does not parse is refused with the
parser's own message; the caller logs it and runs nothing.
"""

from __future__ import annotations

from adapters.dhcpdconf.context import ParseContext
from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.executable_blocks import statement_list
from adapters.dhcpdconf.expressions import Lose
from adapters.dhcpdconf.lexer import EOF, Lexer
from domain.config.expressions import Context
from domain.config.statements import Statement


class UnreadableBody(ValueError):
    """The body's text is not a dhcpd.conf statement list."""


def parse_statement_body(text: str) -> tuple[Statement, ...]:
    """The statements of a body (the text between its braces)."""
    ctx = ParseContext.new()
    cf = Lexer(text, "dhcpd.leases", ctx.diagnostics)
    lose = Lose()
    try:
        statements = statement_list(cf, ctx, lose, Context.ANY)
        trailing = cf.next()
    except (FatalConfigError, RecursionError) as error:
        raise UnreadableBody(str(error) or type(error).__name__) from error
    problems = [" ".join(d.lines) for d in ctx.diagnostics.errors]
    if lose.value or problems or trailing.kind != EOF:
        raise UnreadableBody(problems[0] if problems else f"unexpected {trailing.text!r}")
    return tuple(statements)
