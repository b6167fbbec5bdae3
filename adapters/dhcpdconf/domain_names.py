"""Domain-name option fields (ISC common/parse.c parse_domain_list, parse_domain_name)."""

from __future__ import annotations

from adapters.dhcpdconf.lexer import Lexer
from adapters.dhcpdconf.primitives import parse_host_name
from domain.options.dns_names import DomainNameError, encode_list, encode_name, name_to_labels


def parse_domain_list(cf: Lexer, compress: bool) -> tuple[bytes, list[str]] | None:
    """`"name"[, "name"…]` → (wire bytes, names as written), or None after an error
    (reported; the caller decides whether to skip to `;`)."""
    names: list[str] = []
    while True:
        if names:
            cf.skip()  # the `,` peeked below
        tok = cf.next()
        if tok.kind != "STRING":
            cf.warn("Expecting a domain string.")
            return None
        names.append(tok.text)
        try:
            encoded = encode_list([n.encode("latin-1") for n in names], compress)
        except DomainNameError as error:
            verb = "compressing" if compress else "assembling"
            cf.warn(f"Error {verb} domain list: {error.strerror}")
            return None
        if cf.peek().kind != ",":
            return encoded, names


def parse_domain_name(cf: Lexer) -> tuple[bytes, str] | None:
    """An unquoted dotted name (a `d` field) → (wire bytes, name), or None; the
    caller reports "not a valid domain name." in both failure cases, as ISC does."""
    name = parse_host_name(cf)
    if name is None:
        return None
    try:
        return encode_name(name_to_labels(name.encode("latin-1"))), name
    except DomainNameError as error:
        cf.warn(f"Error assembling domain name: {error.strerror}")
        return None
