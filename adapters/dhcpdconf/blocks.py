"""Pieces every declaration parser uses: where a declaration starts, a dotted
address read into an integer, and the opening brace of a body (ISC server/confpars.c
`parse_lbrace`).

A missing `{` is recovered from the way dhcpd does: the rest of the statement is
skipped, so the body that follows is read as statements of the enclosing scope.
"""

from __future__ import annotations

from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.primitives import (
    parse_numeric_aggregate,
    skip_to_semi,
)
from adapters.dhcpdconf.tree import Where


def parse_lbrace(cf: Lexer) -> bool:
    """Consume a `{`; otherwise report it, skip to the next `;` and return False."""
    if cf.next().kind != "{":
        cf.warn("expecting left brace.")
        skip_to_semi(cf)
        return False
    return True


def where(cf: Lexer) -> Where:
    """The position of the keyword just read."""
    return Where(cf.filename, cf.lexline)


def parse_address(cf: Lexer) -> int | None:
    """Four dotted decimal octets as an integer (ISC reads them into a 4-byte buffer;
    an early end of file, already reported, leaves the missing octets zero)."""
    parts = parse_numeric_aggregate(cf, 4, ".", 10, 8)
    if parts is None:
        return None
    octets = [p & 0xFF for p in parts] + [0] * (4 - len(parts))
    return int.from_bytes(bytes(octets), "big")


def block_closed(cf: Lexer) -> bool:
    """Whether the block being read has ended: at its `}` (consumed), or at the end
    of the file (consumed and reported, as ISC's declaration loops report it)."""
    tok = cf.peek()
    if tok.kind == "}":
        cf.skip()
        return True
    if tok.kind == EOF:
        cf.skip()
        cf.warn("unexpected end of file")
        return True
    return False
