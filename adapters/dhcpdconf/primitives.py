"""Small parsing steps every dhcpd.conf statement is built from.

Each function consumes tokens exactly as its ISC counterpart in common/parse.c does
(named in its docstring), reports the same messages at the same token, and recovers the
same way (usually by skipping to the next `;`).  Keeping the token consumption identical
is what makes our first error line equal to dhcpd's: one token too many or too few and
every later message moves.

Functions return None (or False) where ISC returns 0 after reporting an error.
"""

from __future__ import annotations

import ipaddress

from adapters.dhcpdconf.lexer import EOF, Lexer, Token, is_identifier
from adapters.dhcpdconf.token_codes import TOKEN_CODES

MAX_TIME = 0x7FFFFFFF  # ISC's "never"
_MONTH_DAYS_BEFORE = (31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
HARDWARE_TYPES = {"ETHERNET": 1, "TOKEN_RING": 6, "TOKEN_FDDI": 8, "TOKEN_INFINIBAND": 32}


def skip_to_rbrace(cf: Lexer, brace_count: int) -> None:
    """ISC skip_to_rbrace: skip to the `}` closing `brace_count` open braces, or to
    the next `;` at depth zero; either is consumed."""
    while True:
        tok = cf.peek()
        if tok.kind == "}":
            if brace_count > 0:
                brace_count -= 1
            if brace_count == 0:
                cf.skip()
                return
        elif tok.kind == "{":
            brace_count += 1
        elif tok.kind == ";" and brace_count == 0:
            cf.skip()
            return
        if cf.next().kind == EOF:
            return


def skip_to_semi(cf: Lexer) -> None:
    """ISC skip_to_semi: error recovery to the end of the current statement."""
    skip_to_rbrace(cf, 0)


def parse_semi(cf: Lexer) -> bool:
    """ISC parse_semi."""
    if cf.next().kind != ";":
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        return False
    return True


def parse_string(cf: Lexer) -> str | None:
    """ISC parse_string: a quoted string followed by `;`."""
    tok = cf.next()
    if tok.kind != "STRING":
        cf.warn("expecting a string")
        skip_to_semi(cf)
        return None
    if not parse_semi(cf):
        return None
    return tok.text


def parse_boolean(cf: Lexer) -> bool | None:
    """ISC parse_boolean: true/on/false/off, then `;`."""
    tok = cf.next()
    word = tok.text.lower()
    if word in ("true", "on"):
        value = True
    elif word in ("false", "off"):
        value = False
    else:
        cf.warn("boolean value (true/false/on/off) expected")
        skip_to_semi(cf)
        return None
    parse_semi(cf)
    return value


def convert_num(cf: Lexer, text: str, base: int, size: int) -> int:
    """ISC convert_num: the value of a number token in `base` (0 = detect from
    `0x`/leading-zero prefix), warning as ISC does about bad digits and values
    that do not fit in `size` bits.  Returns the value ISC would store: unsigned
    for a positive number, negative for a `-` number, truncated to `size` bits."""
    ptr = text
    negative = ptr.startswith("-")
    if negative:
        ptr = ptr[1:]
    if base == 0:
        if ptr[:1] == "0" and ptr[1:2] == "x":
            base, ptr = 16, ptr[2:]
        elif ptr[:1] == "0" and ptr[1:2].isdigit():
            base, ptr = 8, ptr[1:]
        else:
            base = 10
    val = 0
    for ch in ptr or "\0":
        o = ord(ch)
        if o >= ord("a"):
            digit = o - ord("a") + 10
        elif o >= ord("A"):
            digit = o - ord("A") + 10
        elif o >= ord("0"):
            digit = o - ord("0")
        else:
            cf.warn(f"Bogus number: {text}.")
            break
        if digit >= base:
            cf.warn(f"Bogus number {text}: digit {digit} not in base {base}")
            break
        val = (val * base + digit) & 0xFFFFFFFF
    half = 1 << (size - 1)
    if size == 32:
        # C int arithmetic: the unsigned limit wraps to -1 (never exceeded) and the
        # signed one to INT_MIN.
        limit, shown = (half, -half) if negative else (None, -1)
    else:
        limit = half if negative else half + half - 1
        shown = limit
    if limit is not None and val > limit:
        sign = "-" if negative else ""
        digits = {8: f"{val:o}", 16: f"{val:x}"}.get(base, str(val))
        cf.warn(f"{sign}{digits} exceeds max ({shown}) for precision.")
    mask = (1 << size) - 1
    return -(val & mask) if negative else val & mask


def parse_numeric_aggregate(
    cf: Lexer, count: int, separator: str, base: int, size: int
) -> list[int] | None:
    """ISC parse_numeric_aggregate: `count` numbers separated by `separator`
    (count 0 = as many as there are).  With count 0 ISC keeps the texts and converts
    them only at the end, last one first, so its range warnings come in that order
    and point past the whole list; so do ours."""
    texts: list[str] = []
    values: list[int] = []
    while True:
        if texts:
            tok = cf.peek()
            if tok.kind != separator:
                if count == 0:
                    break
                if tok.kind not in ("}", "{"):
                    tok = cf.next()
                cf.warn("too few numbers.")
                if tok.kind != ";":
                    skip_to_semi(cf)
                return None
            cf.skip()
        tok = cf.next()
        if tok.kind == EOF:
            cf.warn("unexpected end of file")
            break
        if tok.kind != "NUMBER" and not (base == 16 and tok.kind == "NUMBER_OR_NAME"):
            cf.warn("expecting numeric value.")
            skip_to_semi(cf)
            return None
        texts.append(tok.text)
        if count:
            values.append(convert_num(cf, tok.text, base, size))
        if len(texts) == count:
            break
    if count == 0:
        values = [convert_num(cf, text, base, size) for text in reversed(texts)][::-1]
    return values


def parse_ip_addr(cf: Lexer) -> ipaddress.IPv4Address | None:
    """ISC parse_ip_addr: a dotted IPv4 address."""
    parts = parse_numeric_aggregate(cf, 4, ".", 10, 8)
    if parts is None or len(parts) != 4:
        return None
    return ipaddress.IPv4Address(bytes(p & 0xFF for p in parts))


def parse_host_name(cf: Lexer) -> str | None:
    """ISC parse_host_name: identifiers and numbers joined by dots, with an
    optional trailing dot."""
    labels: list[str] = []
    trailing_dot = False
    while True:
        tok = cf.peek()
        if not is_identifier(tok.kind) and tok.kind != "NUMBER":
            break
        cf.skip()
        labels.append(tok.text)
        if cf.peek().kind == ".":
            cf.next()
            trailing_dot = True
            continue
        trailing_dot = False
        break
    if not labels:
        return None
    return ".".join(labels) + ("." if trailing_dot else "")


def read_ip_addr_or_hostname(cf: Lexer) -> tuple[bytes | None, str] | None:
    """ISC parse_ip_addr_or_hostname: an IPv4 address or a DNS name that dhcpd
    resolves later, as (the four address bytes, or None for a name; the text).
    A dotted number that fails as an address is reported and then, as in ISC, read
    again as a name from where the error recovery stopped (which can swallow the
    first word of the next statement)."""
    tok = cf.peek()
    if tok.kind == "NUMBER":
        state = cf.save_state()
        cf.skip()
        looks_like_ip = cf.next().kind == "." and cf.next().kind == "NUMBER"
        cf.restore_state(state)
        if looks_like_ip:
            parts = parse_numeric_aggregate(cf, 4, ".", 10, 8)
            if parts is not None:
                data = bytes(part & 0xFF for part in parts) + bytes(4 - len(parts))
                return data, str(ipaddress.IPv4Address(data))
    if is_identifier(tok.kind) or tok.kind == "NUMBER":
        name = parse_host_name(cf)
        return None if name is None else (None, name)
    if tok.kind not in ("}", "{"):
        tok = cf.next()
    cf.warn(f"{tok.text} ({token_number(tok)}): expecting IP address or hostname")
    if tok.kind != ";":
        skip_to_semi(cf)
    return None


def parse_ip_addr_or_hostname(cf: Lexer) -> str | None:
    """`read_ip_addr_or_hostname` for values kept as text (fixed-address, failover
    addresses): the dotted address or the name."""
    value = read_ip_addr_or_hostname(cf)
    return None if value is None else value[1]


def parse_cshl(cf: Lexer) -> bytes | None:
    """ISC parse_cshl: colon-separated hex octets (`1:2:ab`)."""
    out = bytearray()
    while True:
        tok = cf.next()
        if tok.kind not in ("NUMBER", "NUMBER_OR_NAME"):
            cf.warn("expecting hexadecimal number.")
            skip_to_semi(cf)
            return None
        out.append(convert_num(cf, tok.text, 16, 8) & 0xFF)
        if cf.peek().kind != ":":
            return bytes(out)
        cf.skip()


def parse_hardware_param(cf: Lexer) -> tuple[int, bytes] | None:
    """ISC parse_hardware_param: `TYPE xx:xx:…;` → (htype, address).

    None only when the type is not one; once the type is read ISC keeps it even if
    the address then fails (so the host counts as having hardware), and so do we."""
    tok = cf.next()
    if tok.kind in HARDWARE_TYPES:
        htype = HARDWARE_TYPES[tok.kind]
    elif tok.text.startswith("unknown-"):
        htype = _atoi(tok.text[8:]) & 0xFF
    else:
        cf.warn("expecting a network hardware type")
        skip_to_semi(cf)
        return None
    address = b""
    if cf.peek().kind != ";":
        octets = parse_numeric_aggregate(cf, 0, ":", 16, 8)
        if octets is None:
            return (htype, b"")
        if len(octets) + 1 > 21:  # ISC's hbuf holds htype + 20 bytes
            cf.warn("hardware address too long")
        else:
            address = bytes(o & 0xFF for o in octets)
    if cf.next().kind != ";":
        cf.warn("expecting semicolon.")
        skip_to_semi(cf)
    return (htype, address)


def parse_lease_time(cf: Lexer) -> int | None:
    """ISC parse_lease_time: a decimal number then `;`."""
    tok = cf.next()
    if tok.kind != "NUMBER":
        cf.warn("Expecting numeric lease time")
        skip_to_semi(cf)
        return None
    value = convert_num(cf, tok.text, 10, 32)
    parse_semi(cf)
    return value


def _expect(cf: Lexer, kind: str, message: str) -> Token | None:
    """One step of parse_date_core: peek, and on a mismatch skip (unless `;`) and warn."""
    tok = cf.peek()
    if tok.kind != kind:
        if tok.kind != ";":
            cf.skip()
        cf.warn(message)
        return None
    cf.skip()
    return tok


def _atoi(text: str) -> int:
    digits = ""
    for i, ch in enumerate(text):
        if ch.isdigit() or (i == 0 and ch in "+-"):
            digits += ch
        else:
            break
    try:
        return int(digits)
    except ValueError:
        return 0


def parse_date_core(cf: Lexer) -> int:
    """ISC parse_date_core: `never`, `epoch N`, or `W YYYY/MM/DD HH:MM:SS [tzoff]`
    in UTC.  Returns seconds since the epoch; 0 after an error (reported);
    MAX_TIME for `never` and any year from 2038 on.  Fields are not range-checked,
    exactly as in ISC (month 13 is accepted)."""
    tok = cf.peek()
    if tok.kind == "NEVER":
        cf.skip()
        return MAX_TIME
    if tok.kind == "EPOCH":
        cf.skip()
        num = _expect(cf, "NUMBER", "Seconds since epoch expected.")
        return 0 if num is None else _atoi(num.text)
    steps = [
        ("NUMBER", "numeric day of week expected."),
        ("NUMBER", "numeric year expected."),
        ("/", "expected slash separating year from month."),
        ("NUMBER", "numeric month expected."),
        ("/", "expected slash separating month from day."),
        ("NUMBER", "numeric day of month expected."),
        ("NUMBER", "numeric hour expected."),
        (":", "expected colon separating hour from minute."),
        ("NUMBER", "numeric minute expected."),
        (":", "expected colon separating minute from second."),
        ("NUMBER", "numeric second expected."),
    ]
    values: list[int] = []
    for kind, message in steps:
        got = _expect(cf, kind, message)
        if got is None:
            return 0
        if kind == "NUMBER":
            values.append(_atoi(got.text))
    _, year, month, mday, hour, minute, second = values
    tzoff = 0
    tok = cf.peek()
    if tok.kind == "NUMBER":
        cf.skip()
        tzoff = _atoi(tok.text)
    elif tok.kind != ";":
        cf.skip()
        cf.warn("Time zone offset or semicolon expected.")
        return 0
    if year > 1900:
        year -= 1900
    if year >= 138:
        return MAX_TIME
    mon = month - 1
    days = 365 * (year - 70) + int((year - 69) / 4)  # C division truncates
    if mon > 0:
        days += _MONTH_DAYS_BEFORE[min(mon - 1, 10)]
    if mon > 1 and not ((year - 72) & 3):
        days += 1
    days += mday - 1
    return ((days * 24 + hour) * 60 + minute) * 60 + second + tzoff


def parse_date(cf: Lexer) -> int:
    """ISC parse_date: a date followed by `;` (0 when the `;` is missing)."""
    value = parse_date_core(cf)
    if not parse_semi(cf):
        return 0
    return value


def token_number(tok: Token) -> int:
    """The numeric token code ISC prints in a few messages (`gw (262): …`)."""
    if len(tok.kind) == 1:
        return ord(tok.kind)
    return TOKEN_CODES.get(tok.kind, 0)
