"""Field readers shared by the token-by-token lease and host readers.

Each mirrors the ISC function named in its docstring: same tokens consumed, same
messages, same recovery, so that a damaged file yields the records (and the error
lines) dhcpd itself would.
"""

from __future__ import annotations

from dataclasses import dataclass

from adapters.dhcpdconf.lexer import EOF
from adapters.dhcpdconf.primitives import convert_num, parse_date, skip_to_semi
from adapters.leasefile.dates import as_c_int
from adapters.leasefile.lease_lexer import LeaseLexer
from domain.lease import Hardware

_HARDWARE_TYPES = {"ETHERNET": 1, "TOKEN_RING": 6, "TOKEN_FDDI": 8, "TOKEN_INFINIBAND": 32}
_HBUF_SIZE = 21  # ISC's hardware buffer: the type octet and up to 20 address octets
_INT64 = 1 << 63


class LeaseFileFatal(Exception):
    """ISC's log_fatal while reading the lease file: dhcpd stops there."""


class RecordDropped(Exception):
    """ISC's `return 0` from parse_lease_declaration: the record is not entered."""


def c_atoi(text: str) -> int:
    """glibc atoi/atol: optional sign and leading digits (strtol saturating at 64 bits)."""
    i = 1 if text[:1] in "+-" else 0
    j = i
    while j < len(text) and text[j].isdigit() and text[j].isascii():
        j += 1
    if j == i:
        return 0
    value = int(text[i:j])
    value = -value if text[:1] == "-" else value
    return max(-_INT64, min(_INT64 - 1, value))


def read_date(cf: LeaseLexer) -> int | None:
    """ISC parse_date, returning None where ISC stores 0 (no date, or a bad one)."""
    value = as_c_int(parse_date(cf))
    return value or None


def octets(cf: LeaseLexer) -> bytes | None:
    """A colon-separated hex list of any length: ISC's parse_numeric_aggregate with no
    size given (base 16).  None after "expecting numeric value." (skipped to `;`).

    ISC converts the numbers only once the list is read, last one first, so warnings
    about a bad number come in that order and show the whole list."""
    texts: list[str] = []
    while True:
        if texts:
            if cf.peek().kind != ":":
                break
            cf.skip()
        tok = cf.next()
        if tok.kind == EOF:
            cf.warn("unexpected end of file")
            break
        if tok.kind not in ("NUMBER", "NUMBER_OR_NAME"):
            cf.warn("expecting numeric value.")
            skip_to_semi(cf)
            return None
        texts.append(tok.text)
    values = [convert_num(cf, text, 16, 8) & 0xFF for text in reversed(texts)]
    return bytes(reversed(values))


def read_hardware(cf: LeaseLexer, current: Hardware | None) -> Hardware | None:
    """ISC parse_hardware_param after `hardware`: what the lease's hardware becomes.

    Quirks kept: `hardware ethernet ;` and an unreadable address both give the type
    with no address octets; an address over 20 octets is refused but the type octet
    is still overwritten."""
    tok = cf.next()
    htype = _HARDWARE_TYPES.get(tok.kind)
    if htype is None:
        if not tok.text.startswith("unknown-"):
            cf.warn("expecting a network hardware type")
            skip_to_semi(cf)
            return current
        htype = as_c_int(c_atoi(tok.text[8:])) & 0xFF
    if cf.peek().kind == ";":
        cf.skip()
        return Hardware(htype, b"")
    address = octets(cf)
    if address is None:
        return Hardware(htype, b"")
    if len(address) + 1 > _HBUF_SIZE:
        cf.warn("hardware address too long")
        result = None if current is None else Hardware(htype, current.address)
    else:
        result = Hardware(htype, address)
    if cf.next().kind != ";":
        cf.warn("expecting semicolon.")
        skip_to_semi(cf)
    return result


def read_hex_or_string(cf: LeaseLexer, limit: int) -> bytes:
    """ISC parse_X: a quoted string or colon hex, at most `limit` octets.  After an
    error (reported, and skipped to the `;`) it yields no octets, as ISC does."""
    tok = cf.peek()
    if tok.kind in ("NUMBER", "NUMBER_OR_NAME"):
        out = bytearray()
        while True:
            tok = cf.next()
            if tok.kind not in ("NUMBER", "NUMBER_OR_NAME"):
                cf.warn("expecting hexadecimal constant.")
                skip_to_semi(cf)
                return b""
            if len(out) >= limit:
                cf.warn("hexadecimal constant too long.")
                skip_to_semi(cf)
                return b""
            out.append(convert_num(cf, tok.text, 16, 8) & 0xFF)
            if cf.peek().kind != ":":
                return bytes(out)
            cf.skip()
    if tok.kind == "STRING":
        cf.skip()
        if len(tok.text) + 1 > limit:
            cf.warn("string constant too long.")
            skip_to_semi(cf)
            return b""
        return tok.text.encode("latin-1")
    cf.warn("expecting string or hexadecimal data")
    skip_to_semi(cf)
    return b""


@dataclass(frozen=True, slots=True)
class Block:
    """A `{ … }` body read without interpreting it: the text between the braces, and
    whether it holds any token at all (ISC ignores an `on` block with no statements)."""

    body: str
    has_tokens: bool


def read_block_body(cf: LeaseLexer) -> Block | None:
    """Everything up to the `}` that closes a `{` just read, nested braces included.

    None when the file ends first ("right brace expected.", as ISC's parse_on_statement
    reports it).  The statements inside are kept as text; ISC would parse them, so a
    malformed statement that makes dhcpd drop the record is accepted here."""
    start = cf.last_end
    depth = 0
    has_tokens = False
    while True:
        tok = cf.next()
        if tok.kind == EOF:
            cf.warn("right brace expected.")
            return None
        if tok.kind == "}":
            if depth == 0:
                return Block(cf.src[start : cf.last_end - 1], has_tokens)
            depth -= 1
        elif tok.kind == "{":
            depth += 1
        has_tokens = True


def read_statement_text(cf: LeaseLexer) -> str:
    """One statement kept verbatim, from the end of the previous token (so its leading
    white space comes with it) to its `;` or the `}` that closes a block it opened
    (ISC's skip_to_semi decides where that is)."""
    start = cf.last_end
    skip_to_semi(cf)
    return cf.src[start : cf.last_end]
