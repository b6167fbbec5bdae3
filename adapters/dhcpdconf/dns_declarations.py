"""`key` and `zone` declarations (ISC common/parse.c parse_key, parse_zone,
parse_base64).

They may appear wherever a statement may, and dhcpd enters them in global tables
at once.  Two inputs make dhcpd 4.4.3-P1 crash (a key without a secret or without an
algorithm); those are rejected here with a fatal error instead.
"""

from __future__ import annotations

from typing import Protocol

from adapters.dhcpdconf.diagnostics import FatalConfigError
from adapters.dhcpdconf.lexer import EOF, Lexer
from adapters.dhcpdconf.option_values import parse_ip6_addr, parse_ip_addr_or_hostname_expr
from adapters.dhcpdconf.primitives import parse_host_name, parse_semi, skip_to_rbrace, skip_to_semi
from domain.config.dns import DnsDefinitions, DnsZone, TsigKey
from domain.config.expressions import Concat, ConstData, Expr

_BASE64 = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"


class DnsContext(Protocol):
    dns: DnsDefinitions


def crash(reason: str) -> FatalConfigError:
    """The error for input on which dhcpd itself dies with a segmentation fault."""
    return FatalConfigError(f"dhcpd 4.4.3-P1 crashes on this configuration: {reason}")


def _valid_base64_token(text: str) -> bool:
    return all(c in _BASE64 or c == "=" for c in text)


def parse_base64(cf: Lexer) -> bytes | None:
    """ISC parse_base64: tokens are joined for as long as the next one looks like
    base64 (a `+` or `/` splits a value into several tokens).  None when nothing
    was decoded; errors are reported."""
    pieces: list[str] = []
    while True:
        pieces.append(cf.next().text)
        following = cf.peek()
        if following.kind == EOF or not _valid_base64_token(following.text):
            break
    out = bytearray()
    acc = 0
    count = 0
    terminated = False
    for piece in pieces:
        for index, ch in enumerate(piece):
            if terminated and ch != "=":
                # ISC quotes the rest of the token it is in, not of the whole value.
                cf.warn(f"stuff after base64 '=' terminator: {piece[index:]}.")
                return None
            if ch == "=":
                terminated = True
            elif ch in _BASE64:
                acc = (acc << 6) + _BASE64.index(ch)
                phase = count % 4
                if phase == 1:
                    out.append(acc >> 4)
                    acc &= 0x0F
                elif phase == 2:
                    out.append(acc >> 2)
                    acc &= 0x03
                elif phase == 3:
                    out.append(acc)
                    acc = 0
            else:
                code = ord(ch)
                cf.warn(f"invalid base64 character {code - 256 if code > 127 else code}.")
                return None
            count += 1
    if count % 4 and acc:
        cf.warn(f"partial base64 value left over: {acc}.")
    return bytes(out) or None


def parse_key(cf: Lexer, ctx: DnsContext) -> TsigKey | None:
    """ISC parse_key: `NAME { algorithm ALG; secret BASE64; } [;]` after `key`."""
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        name: str | None = tok.text
    else:
        name = parse_host_name(cf)
        if name is None:
            cf.warn("expecting key name.")
            skip_to_semi(cf)
            return None
    if cf.next().kind != "{":
        cf.warn("expecting left brace")
        return None
    algorithm: str | None = None
    secret: bytes | None = None
    while True:
        tok = cf.next()
        if tok.kind == "ALGORITHM":
            if algorithm is not None:
                cf.warn(f"key {name}: too many algorithms")
                return _abandon(cf)
            algorithm = parse_host_name(cf)
            if algorithm is None:
                cf.warn("expecting key algorithm name.")
                return _abandon(cf)
            if not parse_semi(cf):
                return _abandon(cf)
            if "." not in algorithm:
                algorithm += ".SIG-ALG.REG.INT."
            elif not algorithm.endswith("."):
                algorithm += "."
        elif tok.kind == "SECRET":
            if secret is not None:
                cf.warn(f"key {name}: too many secrets")
                return _abandon(cf)
            secret = parse_base64(cf)
            if secret is None or not parse_semi(cf):
                return _abandon(cf)
        else:
            break
    if tok.kind != "}":
        cf.warn("expecting right brace.")
        return _abandon(cf)
    if cf.peek().kind == ";":
        cf.skip()
    if secret is None:
        raise crash(f"key {name} has no secret")
    if algorithm is None:
        raise crash(f"key {name} has no algorithm")
    key = TsigKey(name, algorithm, secret)
    if not key.usable:
        cf.diagnostics.warning(f"Unable to create tsec structure for {name}")
    ctx.dns.add_key(key)
    return key


def _abandon(cf: Lexer) -> None:
    skip_to_rbrace(cf, 1)
    return None


def parse_zone(cf: Lexer, ctx: DnsContext, name: str) -> DnsZone | None:
    """ISC parse_zone: `{ primary …; secondary …; primary6 …; secondary6 …;
    key NAME; }` after `zone NAME` (the name already ends with a dot)."""
    if cf.next().kind != "{":
        cf.warn("expecting left brace")
        return None
    servers: dict[str, Expr | None] = {
        "PRIMARY": None, "SECONDARY": None, "PRIMARY6": None, "SECONDARY6": None,
    }
    key: str | None = None
    while True:
        kind = cf.peek().kind
        if kind in servers:
            if servers[kind] is not None:
                cf.warn(f"more than one {kind.lower()}.")
                skip_to_semi(cf)
                return None
            cf.skip()
            servers[kind] = _server_list(cf, six=kind.endswith("6"))
            if servers[kind] is None:
                return None
        elif kind == "KEY":
            cf.skip()
            tok = cf.peek()
            if tok.kind == "STRING":
                cf.skip()
                key_name: str | None = tok.text
            else:
                key_name = parse_host_name(cf)
                if key_name is None:
                    cf.warn("expecting key name.")
                    skip_to_semi(cf)
                    return None
            if key is not None:
                raise FatalConfigError(f"Multiple key definitions for zone {name}.")
            if ctx.dns.key(key_name) is None:
                cf.warn(f"unknown key {key_name}")
            else:
                key = key_name
            if not parse_semi(cf):
                return None
        else:
            break
    if cf.next().kind != "}":
        cf.warn("expecting right brace.")
        return None
    zone = DnsZone(
        name, servers["PRIMARY"], servers["SECONDARY"], servers["PRIMARY6"],
        servers["SECONDARY6"], key,
    )
    ctx.dns.add_zone(zone)
    return zone


def _server_list(cf: Lexer, six: bool) -> Expr | None:
    """Comma-separated servers up to `;`, concatenated as dhcpd concatenates them."""
    servers: Expr | None = None
    while True:
        if six:
            address = parse_ip6_addr(cf)
            if address is None:
                cf.warn("expecting IPv6 addr.")
                skip_to_semi(cf)
                return None
            server: Expr = ConstData(address)
        else:
            parsed = parse_ip_addr_or_hostname_expr(cf, False)
            if parsed is None:
                cf.warn("expecting IP addr or hostname.")
                skip_to_semi(cf)
                return None
            server = parsed[0]
        servers = server if servers is None else Concat(servers, server)
        tok = cf.next()
        if tok.kind != ",":
            break
    if tok.kind != ";":
        cf.warn("expecting semicolon.")
        skip_to_semi(cf)
        return None
    return servers
