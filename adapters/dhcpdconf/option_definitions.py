"""Option names, option spaces and option definitions (ISC common/parse.c).

`parse_option_name` resolves `NAME` or `SPACE.NAME` against the option spaces of the
current read; `parse_option_space_decl` and `parse_option_code_definition` add spaces
and options to them.  Each mirrors its ISC namesake token for token, including the
places where ISC leaves tokens unconsumed after an error, because the next error
message (and the line it names) depends on where the parser stands.
"""

from __future__ import annotations

import re
from typing import Protocol

from adapters.dhcpdconf.lexer import EOF, Lexer, is_identifier
from adapters.dhcpdconf.primitives import skip_to_rbrace, skip_to_semi
from domain.options.definitions import DEFAULT_OPTION_FORMAT, OptionDef, OptionSpace
from domain.options.universes import OptionUniverses

_MAX_FORMAT = 128  # ISC builds a format in a 128-byte buffer
_ATOI = re.compile(r"[ \t\n\v\f\r]*([+-]?\d+)")


class OptionsContext(Protocol):
    """The part of the parse context the option parsers use."""

    options: OptionUniverses


def atoi(text: str) -> int:
    """C atoi() on a token, as an unsigned 32-bit value (how ISC stores codes)."""
    m = _ATOI.match(text)
    if m is None:
        return 0
    value = max(min(int(m.group(1)), 2**63 - 1), -(2**63))
    return value & 0xFFFFFFFF


def signed_atoi(text: str) -> int:
    """C atoi() as a signed int (for widths and sizes ISC prints with %d)."""
    value = atoi(text)
    return value - 2**32 if value >= 2**31 else value


def parse_option_name(
    cf: Lexer, ctx: OptionsContext, allocate: bool
) -> tuple[OptionDef | None, bool]:
    """ISC parse_option_name: `NAME` (dhcp space) or `SPACE.NAME`.

    Returns (option, known).  An `unknown-NNN` name is known and resolves to the
    option with that code, or to a new option of format `X`.  With `allocate`, an
    unknown name gives a fresh, unregistered option (code 0, no format) for a
    definition to complete; without it, it is an error.  Errors are reported and
    give (None, False).
    """
    tok = cf.next()
    if not is_identifier(tok.kind):
        cf.warn("expecting identifier after option keyword.")
        if tok.kind != ";":
            skip_to_semi(cf)
        return None, False
    name = tok.text
    space: OptionSpace | None = ctx.options.dhcp
    if cf.peek().kind == ".":
        cf.skip()
        tok = cf.next()
        if not is_identifier(tok.kind):
            cf.warn("expecting identifier after '.'")
            if tok.kind != ";":
                skip_to_semi(cf)
            return None, False
        space = ctx.options.space(name)
        if space is None:
            cf.warn(f"no option space named {name}.")
            skip_to_semi(cf)
            return None, False
        name = tok.text
    assert space is not None
    option = space.by_name(name)
    if option is not None:
        return option, True
    if name[:8].lower() == "unknown-":
        return _unknown_option(cf, ctx, space, name)
    if allocate:
        return OptionDef(space.name, name, 0, None), False
    cf.warn(f"no option named {name} in space {space.name}")
    skip_to_semi(cf)
    return None, False


def _unknown_option(
    cf: Lexer, ctx: OptionsContext, space: OptionSpace, name: str
) -> tuple[OptionDef | None, bool]:
    """`unknown-NNN`: the option with code NNN, made up when there is none."""
    code = atoi(name[8:])
    if code == 0 or code == space.end:
        cf.warn(f"Option codes 0 and {space.end} are illegal in the {space.name} space.")
        skip_to_semi(cf)
        return None, False
    existing = space.by_code(code)
    if existing is None:
        return OptionDef(space.name, name, code, DEFAULT_OPTION_FORMAT), True
    cf.diagnostics.warning(
        f"option {name} has been redefined as option {existing.name}.  "
        "Please update your configs if necessary."
    )
    return existing, True


def parse_option_space_decl(cf: Lexer, ctx: OptionsContext) -> None:
    """ISC parse_option_space_decl: `space NAME [code width N] [length width N]
    [hash size N];` — the caller has peeked `space`; this consumes it.

    After a bad width the rest of the statement is left unread, as ISC leaves it.
    """
    cf.skip()
    tok = cf.next()
    if not is_identifier(tok.kind):
        cf.warn("expecting identifier.")
        skip_to_semi(cf)
        return
    space = OptionSpace(tok.text)
    while True:
        tok = cf.next()
        if tok.kind == ";":
            break
        if tok.kind == "CODE":
            width = _width_clause(
                cf, "WIDTH", "expecting width token.", "expecting number 1, 2, 4."
            )
            if width is None:
                return
            if width not in (1, 2, 4):
                cf.warn(f"invalid code width ({width}), expecting a 1, 2 or 4.")
                return
            space.tag_size = width
        elif tok.kind == "LENGTH":
            width = _width_clause(
                cf, "WIDTH", "expecting width token.", "expecting number 1 or 2."
            )
            if width is None:
                return
            if width not in (1, 2):
                cf.warn(f"invalid length width ({width}) expecting 1 or 2.")
                return
            space.length_size = width
        elif tok.kind == "HASH":
            size = _width_clause(cf, "SIZE", "expecting size token.", "expecting a 10base number")
            if size is None:
                return
            if size < 0:
                cf.warn(f"invalid hash length: {size}")
                return
        else:
            cf.warn("Unexpected token.")
            if tok.kind == EOF:
                # ISC loops here for ever; stopping is the only sane equivalent.
                return
    ctx.options.add_space(space)


def _width_clause(cf: Lexer, keyword: str, keyword_msg: str, number_msg: str) -> int | None:
    if cf.next().kind != keyword:
        cf.warn(keyword_msg)
        return None
    tok = cf.next()
    if tok.kind != "NUMBER":
        cf.warn(number_msg)
        return None
    return signed_atoi(tok.text)


class _DefinitionError(Exception):
    """Raised inside a definition after the error has been reported and skipped."""


def _fail(cf: Lexer, message: str, rbraces: int, then_semi: bool) -> _DefinitionError:
    """Report, then recover as ISC does: skip to the closing brace(s), then maybe to `;`."""
    cf.warn(message)
    skip_to_rbrace(cf, rbraces)
    if then_semi:
        skip_to_semi(cf)
    return _DefinitionError()


def parse_option_code_definition(cf: Lexer, ctx: OptionsContext, option: OptionDef) -> None:
    """ISC parse_option_code_definition: `N = TYPE;` after `option NAME code`.

    A known option being redefined is first taken out of its space's tables (dhcpd's
    parse_statement does that just before the call; doing it here is equivalent and
    happens at most once), so a definition that then fails leaves it undefined, as
    in dhcpd.  On success the new definition hides any option with the same code.
    """
    space = ctx.options.space(option.universe)
    if space is None:
        return
    if space.by_name(option.name) is option or space.by_code(option.code) is option:
        space.delete_name(option.name)
        space.delete_code(option.code)
    tok = cf.next()
    if tok.kind != "NUMBER":
        cf.warn("expecting option code number.")
        skip_to_semi(cf)
        return
    code = atoi(tok.text)
    if cf.next().kind != "=":
        cf.warn('expecting "="')
        skip_to_semi(cf)
        return
    try:
        fmt, encapsulated = _parse_type(cf, ctx)
    except _DefinitionError:
        return
    defined = OptionDef(option.universe, option.name, code, fmt)
    if space.by_code(code) is not None:
        space.delete_code(code)
    space.add(defined)
    if encapsulated is not None:
        encapsulated.encapsulated_by = defined


def _parse_type(cf: Lexer, ctx: OptionsContext) -> tuple[str, OptionSpace | None]:
    """The `TYPE;` part of a definition → (ISC format string, encapsulated space)."""
    fmt = ""
    array = 0  # 1: array of the whole type; record + 1: array of a field in a record
    record = 0
    no_more_in_record = False
    encapsulated: OptionSpace | None = None
    tok = cf.next()
    if tok.kind == "ARRAY":
        if cf.next().kind != "OF":
            raise _fail(cf, 'expecting "of".', 0, False)
        array = 1
        tok = cf.next()
    if tok.kind == "{":
        record = 1
        tok = cf.next()
    while True:
        if encapsulated is not None:
            raise _fail(cf, "encapsulate must always be the last item.", 0, False)
        if tok.kind == "ARRAY":
            if array:
                raise _fail(cf, "no nested arrays.", record, bool(record))
            if cf.next().kind != "OF":
                raise _fail(cf, 'expecting "of".', 0, False)
            array = record + 1
            tok = cf.next()
            if record and tok.kind == "{":
                raise _fail(cf, "only uniform array inside record.", record + 1, True)
            continue
        field_type, prefix, no_more = _field_type(cf, ctx, tok, array, record)
        if prefix.startswith("E"):
            encapsulated = ctx.options.space(prefix[1:])
            if len(prefix) + len(fmt) + 1 > _MAX_FORMAT:
                raise _fail(cf, "too many types in record.", record, bool(record))
        no_more_in_record = no_more_in_record or no_more
        if len(fmt) + len(prefix) >= _MAX_FORMAT:
            raise _fail(cf, "too many types in record.", record, bool(record))
        fmt += prefix + field_type
        if not record:
            break
        tok = cf.next()
        if array > record:
            if len(fmt) >= _MAX_FORMAT:
                raise _fail(cf, "too many types in record.", 1, True)
            array = 0
            fmt += "a"
        if tok.kind == ",":
            if no_more_in_record:
                what = "text" if field_type == "t" else "string"
                raise _fail(cf, f"{what} must be at end of record.", 1, True)
            tok = cf.next()
            continue
        if tok.kind != "}":
            raise _fail(cf, "expecting right brace.", 1, True)
        break
    if cf.next().kind != ";":
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        cf.warn("semicolon expected.")
        skip_to_semi(cf)
        if record:
            skip_to_semi(cf)
        raise _DefinitionError()
    if encapsulated is not None and array:
        cf.warn("Arrays of encapsulations don't make sense.")
        raise _DefinitionError()
    if array:
        fmt += "a" if array > record else "A"
    return fmt, encapsulated


def _field_type(
    cf: Lexer, ctx: OptionsContext, tok, array: int, record: int
) -> tuple[str, str, bool]:
    """One simple type → (format letter, text that precedes it, ends-the-record flag)."""
    kind = tok.kind
    if kind == "BOOLEAN":
        return "f", "", False
    if kind in ("INTEGER", "SIGNED", "UNSIGNED"):
        return _integer_type(cf, kind, record), "", False
    if kind == "IP_ADDRESS":
        return "I", "", False
    if kind == "IP6_ADDRESS":
        return "6", "", False
    if kind == "ENCAPSULATE":
        tok = cf.next()
        if not is_identifier(tok.kind):
            raise _fail(cf, "expecting option space identifier", 0, False)
        if ctx.options.space(tok.text) is None:
            raise _fail(cf, f"unknown option space {tok.text}", 0, False)
        return ".", "E" + tok.text, False
    if kind == "ZEROLEN":
        if array:
            raise _fail(cf, "array incompatible with zerolen.", record, bool(record))
        return "Z", "", True
    prefix = ""
    if kind == "DOMAIN_NAME":
        letter = "d"
    elif kind == "DOMAIN_LIST":
        letter = "D"
        if cf.peek().kind == "COMPRESSED":
            cf.skip()
            prefix, letter = "D", "c"
    elif kind == "TEXT":
        letter = "t"
    elif kind == "STRING_TOKEN":
        letter = "X"
    else:
        raise _fail(cf, f"unknown data type {tok.text}", record, bool(record))
    if array:
        raise _fail(cf, "arrays of text strings not yet supported.", record, bool(record))
    return letter, prefix, True


def _integer_type(cf: Lexer, kind: str, record: int) -> str:
    """`integer N`, `signed integer N` or `unsigned integer N` → b/B, s/S, l/L."""
    signed = kind != "UNSIGNED"
    if kind != "INTEGER" and cf.next().kind != "INTEGER":
        raise _fail(cf, 'expecting "integer" keyword.', record, bool(record))
    tok = cf.next()
    if tok.kind != "NUMBER":
        raise _fail(cf, "expecting number.", record, bool(record))
    letter = {8: "b", 16: "s", 32: "l"}.get(signed_atoi(tok.text))
    if letter is None:
        raise _fail(cf, f"{tok.text} bit precision is not supported.", record, bool(record))
    return letter if signed else letter.upper()
