"""Global settings with a grammar of their own (ISC server/confpars.c
`parse_lease_id_format`, `parse_server_duid_conf`).

`lease-id-format` decides how the lease file writes client identifiers; `server-duid`
is a DHCPv6 setting that the v4 server still parses and checks.  Both are read with
their own token sequences and messages, not as options.
"""

from __future__ import annotations

from adapters.dhcpdconf.context import ParseContext
from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.primitives import parse_cshl, skip_to_semi

_LL_TYPES = frozenset({"ETHERNET", "TOKEN_RING", "TOKEN_FDDI"})


def parse_lease_id_format(cf: Lexer, ctx: ParseContext) -> None:
    """After `lease-id-format`: `octal;` or `hex;`."""
    tok = cf.next()
    if tok.kind not in ("TOKEN_OCTAL", "TOKEN_HEX"):
        cf.warn("lease-id-format is invalid:  it must be octal or hex.")
        skip_to_semi(cf)
        return
    ctx.tree.lease_id_format = "octal" if tok.kind == "TOKEN_OCTAL" else "hex"
    ctx.diagnostics.warning(f"lease_id_format is: {ctx.tree.lease_id_format}")
    if cf.next().kind != ";":
        cf.warn("corrupt lease file; expecting a semicolon")
        skip_to_semi(cf)


def _link_layer(cf: Lexer, with_time: bool) -> bool:
    """`ll`/`llt` followed by a hardware type, [a time,] and an address."""
    if cf.peek().kind == ";":
        return True
    if cf.next().kind not in _LL_TYPES:
        cf.warn("hardware type expected")
        skip_to_semi(cf)
        return False
    if with_time and cf.next().kind != "NUMBER":
        cf.warn("timestamp expected")
        skip_to_semi(cf)
        return False
    return parse_cshl(cf) is not None


def parse_server_duid_conf(cf: Lexer) -> None:
    """`server-duid llt|ll|en|N …;` (the `server-duid` token not yet consumed)."""
    cf.skip()
    tok = cf.next()
    if tok.kind == "EN":
        if cf.next().kind != "NUMBER":
            cf.warn("enterprise number expected")
            skip_to_semi(cf)
            return
        if cf.next().kind != "STRING":
            cf.warn("identifier expected")
            skip_to_semi(cf)
            return
    elif tok.kind in ("LL", "LLT"):
        if not _link_layer(cf, tok.kind == "LLT"):
            return
    elif tok.kind == "NUMBER":
        if cf.next().kind != "STRING":
            cf.warn("identifier expected")
            skip_to_semi(cf)
            return
    else:
        cf.warn("DUID type of LLT, EN, or LL expected")
        skip_to_semi(cf)
        return
    if cf.next().kind != ";":
        cf.warn("semicolon expected")
        skip_to_semi(cf)
