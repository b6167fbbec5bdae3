"""Option values, read field by field from the option's ISC format string.

`parse_option_statement` is ISC's namesake: after `option NAME` (or a server parameter
name) it reads `;`, `= data-expression;` or a value laid out by the format, then the
`;`.  The format walk (`parse_option_data`) and the per-letter reader
(`_parse_field`) follow common/parse.c step by step — optional fields that swallow a
token they then reject, records that repeat, `Z` fields that accept after reporting —
because any deviation moves the next error message.

The value becomes an expression as in dhcpd (literal bytes concatenated, host names
as DNS lookups), and a canonical dhcpd.conf text of it is kept for display.
"""

from __future__ import annotations

import ipaddress
from typing import NoReturn

from adapters.dhcpdconf.domain_names import parse_domain_list, parse_domain_name
from adapters.dhcpdconf.expressions import ExpressionContext, parse_data_expression
from adapters.dhcpdconf.lexer import Lexer, is_identifier
from adapters.dhcpdconf.primitives import (
    convert_num,
    parse_cshl,
    parse_host_name,
    parse_numeric_aggregate,
    parse_semi,
    read_ip_addr_or_hostname,
    skip_to_semi,
)
from domain.config.expression_text import expression_text
from domain.config.expressions import Concat, ConstData, ConstInt, Expr, HostLookup, Substring
from domain.config.statements import OptionOp, OptionStatement
from domain.options.definitions import OptionDef
from domain.options.value_text import field_text, quoted

_INTEGER_SIZES = {"L": 32, "l": 32, "T": 32, "S": 16, "s": 16, "B": 8, "b": 8}
_FLAGS = {"true": 1, "on": 1, "false": 0, "off": 0, "ignore": 2}


class _FieldFailed(Exception):
    """A field could not be read (already reported, unless it was optional)."""


def parse_option_statement(
    cf: Lexer,
    ctx: ExpressionContext,
    option: OptionDef,
    op: OptionOp,
    lookups: bool = True,
    *,
    report_missing_expression: bool = False,
) -> OptionStatement | None:
    """ISC parse_option_statement: the value of `option` and the closing `;`.

    `op` is supersede, default, prepend, append or send.  A bare `option NAME;`
    consumes that `;` and then wants another one, exactly as dhcpd does.  Returns
    None after an error (reported).

    When `=` is followed by no expression at all, dhcpd decides whether to say
    "expecting a data expression." from a variable it never initialises.  On the
    Debian 4.4.3-P1 build it stays silent (and skips nothing) when called from the
    declaration parser or for a server parameter, and reports when called for the
    option keywords of an executable statement; `report_missing_expression`
    selects the latter.
    """
    fmt = option.format or ""
    tok = cf.peek()
    value: Expr | None = None
    text = ""
    if tok.kind == ";" and fmt[:1] != "Z":
        cf.skip()
    elif tok.kind == "=":
        cf.skip()
        value, lose = parse_data_expression(cf, ctx)
        if value is None:
            if not lose and report_missing_expression:
                cf.warn("expecting a data expression.")
                skip_to_semi(cf)
            return None
        text = "= " + expression_text(value)
    else:
        parsed = parse_option_data(cf, ctx, lookups, option)
        if parsed is None:
            return None
        value, text = parsed
    if not parse_semi(cf):
        return None
    return OptionStatement(op, option.universe, option.name, option.code, fmt, value, text)


def parse_option_data(
    cf: Lexer, ctx: ExpressionContext, lookups: bool, option: OptionDef
) -> tuple[Expr | None, str] | None:
    """ISC parse_option_data: every field of the value, repeating for arrays
    (`A` repeats the whole format, `a` the field before it) while a `,` follows.
    Returns (value, display text), or None after an error."""
    fmt = (option.format or "") + "\0"
    i: int | None = None
    value: Expr | None = None
    elements: list[list[str]] = [[]]
    while True:
        uniform = False
        while True:  # ISC's "and_again" entry point
            if i is not None and i != 0 and fmt[i] == "a":
                i -= 1
            elif i is None or fmt[i] == "A":
                i = 0
            if fmt[i] != "Z" and fmt[i + 1:i + 2].lower() == "a":
                uniform = True
            while True:
                if fmt[i] in "Aa":
                    break
                if fmt[i] == "o" or (fmt[i + 1:i + 2] == "o" and cf.peek().kind == ";"):
                    i += 1
                else:
                    try:
                        i, field, text = _parse_field(cf, ctx, fmt, i, uniform, lookups)
                        value = field if value is None else Concat(value, field)
                        elements[-1].append(text)
                    except _FieldFailed:
                        i = _field_end(fmt, i)
                        if fmt[i + 1:i + 2] != "o":
                            return None
                    i += 1
                if fmt[i] == "\0":
                    break
            # An `a` in mid-format with no `,` after its last element: go on with
            # the fields after it.
            if fmt[i] == "a" and fmt[i + 1] != "\0" and cf.peek().kind != ",":
                i += 1
                continue
            break
        if fmt[i] not in "Aa":
            break
        if cf.peek().kind == ",":
            cf.skip()
            elements.append([])
            continue
        break
    return value, ", ".join(" ".join(e) for e in elements if e)


def _field_end(fmt: str, i: int) -> int:
    """Where ISC's format pointer stands after the field at `i`, success or not:
    `E<space>.` and `N<enum>.` end at their dot, `Dc` at its `c`."""
    if fmt[i] in "EN":
        dot = fmt.find(".", i)
        return dot if dot >= 0 else i
    if fmt[i] == "D" and fmt[i + 1] == "c":
        return i + 1
    return i


def _parse_field(
    cf: Lexer, ctx: ExpressionContext, fmt: str, i: int, uniform: bool, lookups: bool
) -> tuple[int, Expr, str]:
    """ISC parse_option_token: the field at `fmt[i]` → (index of its last format
    character, value, display text)."""
    letter = fmt[i]
    optional = fmt[i + 1:i + 2] == "o"
    if letter == "E":
        dot = fmt.find(".", i)
        if dot < 0:
            _fail(cf, "malformed encapsulation format (bug!)")
        i, letter = dot, "X"
        optional = fmt[i + 1:i + 2] == "o"
    if letter in _INTEGER_SIZES:
        return i, *_integer_field(cf, letter, optional)
    if letter == "X":
        return i, *_string_or_hex(cf, optional)
    if letter in "tU":
        tok = cf.next()
        if not (is_identifier(tok.kind) or (letter == "t" and tok.kind == "STRING")):
            if not optional:
                cf.warn("expecting identifier." if letter == "U" else "expecting string.")
                if tok.kind != ";":
                    skip_to_semi(cf)
            raise _FieldFailed
        data = tok.text.encode("latin-1")
        return i, ConstData(data), quoted(data) if letter == "t" else tok.text
    if letter == "D":
        compress = fmt[i + 1] == "c"
        if compress:
            i += 1
        names = parse_domain_list(cf, compress)
        if names is None:
            if fmt[i + 1] != "o":
                skip_to_semi(cf)
            raise _FieldFailed
        return i, ConstData(names[0]), ", ".join(quoted(n.encode("latin-1")) for n in names[1])
    if letter == "d":
        name = parse_domain_name(cf)
        if name is None:
            _fail(cf, "not a valid domain name.")
        return i, ConstData(name[0]), name[1]
    if letter == "k":
        if cf.peek().kind == "STRING":
            key = cf.next().text
        else:
            key = parse_host_name(cf)
            if key is None:
                _fail(cf, "not a valid key name.")
        return i, ConstData(key.encode("latin-1")), key
    if letter == "N":
        return _enumeration_field(cf, ctx, fmt, i)
    if letter == "I":
        if lookups:
            address = parse_ip_addr_or_hostname_expr(cf, uniform)
            if address is None:
                raise _FieldFailed
            return i, *address
        data = _ip_address(cf)
        return i, ConstData(data), str(ipaddress.IPv4Address(data))
    if letter == "6":
        data = parse_ip6_addr(cf)
        if data is None:
            raise _FieldFailed
        return i, ConstData(data), str(ipaddress.IPv6Address(data))
    if letter == "f":
        return i, *_flag_field(cf, optional)
    if letter == "Z":
        if cf.peek().kind != ";":
            cf.warn("semicolon expected.")
            skip_to_semi(cf)
        return i, ConstData(b""), ""
    # ISC prints the letter with %c: a NUL ends the message there.
    shown = "" if letter == "\0" else f"{letter}' in parse_option_token."
    _fail(cf, f"Bad format '{shown}")


def _fail(cf: Lexer, message: str) -> NoReturn:
    cf.warn(message)
    skip_to_semi(cf)
    raise _FieldFailed


def _integer_field(cf: Lexer, letter: str, optional: bool) -> tuple[Expr, str]:
    tok = cf.next()
    if letter == "T" and tok.kind == "INFINITE":
        return ConstData(b"\xff\xff\xff\xff"), "infinite"
    if tok.kind not in ("NUMBER", "NUMBER_OR_NAME"):
        if not optional:
            cf.warn("expecting number.")
            if tok.kind != ";":
                skip_to_semi(cf)
        raise _FieldFailed
    size = _INTEGER_SIZES[letter]
    data = (convert_num(cf, tok.text, 0, size) & ((1 << size) - 1)).to_bytes(size // 8, "big")
    return ConstData(data), field_text(letter, data)


def _string_or_hex(cf: Lexer, optional: bool) -> tuple[Expr, str]:
    """`X`: a quoted string or colon-separated hex bytes."""
    if cf.peek().kind in ("NUMBER", "NUMBER_OR_NAME"):
        data = parse_cshl(cf)
        if data is None:
            raise _FieldFailed
        return ConstData(data), ":".join(f"{b:02x}" for b in data)
    tok = cf.next()
    if tok.kind != "STRING":
        if not optional:
            cf.warn("expecting string or hexadecimal data.")
            skip_to_semi(cf)
        raise _FieldFailed
    data = tok.text.encode("latin-1")
    return ConstData(data), quoted(data)


def _flag_field(cf: Lexer, optional: bool) -> tuple[Expr, str]:
    tok = cf.next()
    if not is_identifier(tok.kind):
        message = "expecting identifier."
    else:
        flag = _FLAGS.get(tok.text.lower())
        if flag is not None:
            return ConstData(bytes([flag])), field_text("f", bytes([flag]))
        message = "expecting boolean."
    if not optional:
        cf.warn(message)
        if tok.kind != ";":
            skip_to_semi(cf)
    raise _FieldFailed


def _enumeration_field(
    cf: Lexer, ctx: ExpressionContext, fmt: str, i: int
) -> tuple[int, Expr, str]:
    dot = fmt.find(".", i)
    if dot < 0:
        _fail(cf, "malformed enumeration format (bug!)")
    tok = cf.next()
    if not is_identifier(tok.kind):
        _fail(cf, "identifier expected")
    enumeration = ctx.options.enumeration(fmt[i + 1:dot])
    value = None if enumeration is None else enumeration.value_of(tok.text)
    if enumeration is None or value is None:
        _fail(cf, "unknown value")
    assert enumeration is not None and value is not None
    # ISC copies `width` bytes starting at a one-byte value (the rest is padding).
    data = bytes([value]) + bytes(enumeration.width - 1)
    return dot, ConstData(data), tok.text


def _ip_address(cf: Lexer) -> bytes:
    """ISC parse_ip_addr into four bytes (missing ones are zero after an early EOF,
    which ISC reports but accepts)."""
    parts = parse_numeric_aggregate(cf, 4, ".", 10, 8)
    if parts is None:
        raise _FieldFailed
    return bytes(p & 0xFF for p in parts) + bytes(4 - len(parts))


def parse_ip_addr_or_hostname_expr(cf: Lexer, uniform: bool) -> tuple[Expr, str] | None:
    """ISC parse_ip_addr_or_hostname: an address, or a host name looked up in DNS
    when the option is used (limited to one address unless the field is an array).
    Returns (value, text), or None after an error.

    As in ISC, a dotted number that turns out not to be an address is reported and
    then read again as a host name from wherever the error recovery stopped.
    """
    value = read_ip_addr_or_hostname(cf)
    if value is None:
        return None
    address, text = value
    if address is not None:
        return ConstData(address), text
    lookup: Expr = HostLookup(text)
    if not uniform:
        lookup = Substring(lookup, ConstInt(0), ConstInt(4))
    return lookup, text


def parse_ip6_addr(cf: Lexer) -> bytes | None:
    """ISC parse_ip6_addr: glue adjacent hex words, numbers, `:` and `.` (no
    whitespace between them) and read the result as an IPv6 address; None after an
    error (reported, skipped to `;`)."""
    tok = cf.peek()
    text = ""
    while (
        (tok.kind in ("NAME", "NUMBER_OR_NAME") and _is_hex(tok.text))
        or tok.kind in ("NUMBER", "TOKEN_ADD", ".", ":")
    ):
        cf.next_raw()
        if len(text) + len(tok.text) >= 46:
            break
        text += tok.text
        tok = cf.peek_raw()
    else:
        try:
            return ipaddress.IPv6Address(text).packed
        except ValueError:
            pass
    cf.warn("Invalid IPv6 address.")
    skip_to_semi(cf)
    return None


def _is_hex(text: str) -> bool:
    return all(c in "0123456789abcdefABCDEF" for c in text)
