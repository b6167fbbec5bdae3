"""How ISC writes octets and names into dhcpd.leases (common/print.c, server/db.c).

Three different rules are in use, depending on the field:

- `quotify_buf` (uid, `set` data, server-duid): quoted; printable ASCII as is except
  `"` and `\\` which get a backslash; every other byte as a 3-digit octal escape.
- `lease-id-format hex` (uid, server-duid): lower-case, zero-padded colon hex.
- the agent-option printer (`pretty_print_option`): quoted text when every byte is
  printable (a single trailing NUL is allowed and dropped), with `"'$`\\|&` escaped;
  otherwise colon hex WITHOUT zero padding (`1:2:3`).

Names (host, class, group, peer) ISC prints raw between quotes; a `"` or `\\` in one
would make the file unreadable, so for those two characters only we write an escape,
which ISC's reader understands.

`unquote_canonical` is the inverse for the fast reader: it only accepts what ISC's
writers produce and leaves everything else to the token-by-token reader.
"""

from __future__ import annotations

import re

_PRINTABLE = frozenset(range(0x20, 0x7F))
_QUOTIFY = tuple(
    (f"\\{b:03o}" if b not in _PRINTABLE else "\\" + chr(b) if b in (0x22, 0x5C) else chr(b))
    for b in range(256)
)
_AGENT_ESCAPED = frozenset(b"\"'$`\\|&")
_CANONICAL_ESCAPE = re.compile(r"\\(?:([0-3][0-7]{2})|(.))", re.DOTALL)
# A body whose every escape is a 3-digit octal one or a backslash before `"`, `\\` or
# `'`: what Python's unicode_escape codec reads exactly as ISC's lexer does.
_PYTHON_ESCAPES_ONLY = re.compile(r"(?:[^\\]|\\[0-3][0-7]{2}|\\[\"\\'])*", re.DOTALL)


def quotify(data: bytes) -> str:
    """ISC's quotify_buf with `"` as the enclosing character."""
    return '"' + "".join(map(_QUOTIFY.__getitem__, data)) + '"'


def colon_hex(data: bytes) -> str:
    """Lower-case zero-padded colon hex (`00:1a:2b`), as print_hw_addr and
    lease-id-format hex write octets."""
    return data.hex(":")


def format_lease_id(data: bytes, hex_ids: bool) -> str:
    """ISC's format_lease_id: a uid or server DUID under lease-id-format octal or hex.

    An empty value is quoted in both formats (`""`): its hex form would be nothing at
    all, which no reader accepts."""
    return colon_hex(data) if hex_ids and data else quotify(data)


_DB_PRINTABLE = re.compile(r'[ !#-\[\]-~]*')


def db_printable(text: str) -> bool:
    """ISC's db_printable: printable ASCII without `"` or `\\` (else the field is
    left out, or written as hex, depending on the field)."""
    return _DB_PRINTABLE.fullmatch(text) is not None


def quote_name(name: str) -> str:
    """A name between quotes as ISC prints it (`"%s"`), with `"` and `\\` escaped."""
    return '"' + name.replace("\\", "\\\\").replace('"', '\\"') + '"'


def agent_text_or_hex(data: bytes) -> str:
    """How pretty_print_option shows an agent sub-option of format X (text or octets)."""
    body = data[:-1] if data and data[-1] == 0 else data
    if all(b in _PRINTABLE for b in body):
        return '"' + "".join("\\" + chr(b) if b in _AGENT_ESCAPED else chr(b)
                             for b in body) + '"'
    return ":".join(f"{b:x}" for b in data)


def subclass_key(data: bytes) -> str:
    """ISC's print_hash_string: a subclass key as quoted text when it is all printable,
    else zero-padded colon hex."""
    if all(b in _PRINTABLE for b in data):
        return quote_name(data.decode("latin-1"))
    return colon_hex(data)


# Every 3-digit octal escape and its character: a uid is mostly escapes, and a table
# look-up costs a fraction of converting the digits each time.
_OCTAL_ESCAPES = {f"\\{code:03o}": chr(code) for code in range(256)}


def _unescape(match: re.Match[str]) -> str:
    escape = match[0]
    return _OCTAL_ESCAPES.get(escape) or escape[1]


def unquote_canonical(body: str) -> str:
    """The value of a quoted string body the way ISC's lexer reads it, for bodies that
    hold only raw characters, 3-digit octal escapes (`\\ooo`, first digit 0-3) and a
    backslash before a character that stands for itself: what ISC's writers produce.
    The caller checks that shape first."""
    if "\\" not in body:
        return body
    if _PYTHON_ESCAPES_ONLY.fullmatch(body):
        # Escapes Python's codec reads the same way: a uid is mostly escapes, and the
        # codec reads them many times faster than a substitution can.
        try:
            return body.encode("latin-1").decode("unicode_escape")
        except UnicodeEncodeError:
            pass
    return _CANONICAL_ESCAPE.sub(_unescape, body)
