"""Option values written back as dhcpd.conf text, for display.

The text is canonical rather than a copy of the input: numbers in decimal, addresses
dotted, strings quoted with dhcpd's escapes (`\\"`, `\\\\`, and three-digit octal for
anything that is not printable ASCII, as in dhcpd.leases).
"""

from __future__ import annotations

_SIGNED = {"l": 32, "s": 16, "b": 8}
_FLAG_WORDS = {0: "false", 1: "true", 2: "ignore"}


def quoted(data: bytes) -> str:
    out = ['"']
    for byte in data:
        ch = chr(byte)
        if ch in '"\\':
            out.append("\\" + ch)
        elif 32 <= byte < 127:
            out.append(ch)
        else:
            out.append(f"\\{byte:03o}")
    out.append('"')
    return "".join(out)


def field_text(letter: str, data: bytes) -> str:
    """One integer (`L l S s B b T`) or flag (`f`) field."""
    value = int.from_bytes(data, "big")
    if letter == "f":
        return _FLAG_WORDS.get(value, str(value))
    if letter == "T" and value == 0xFFFFFFFF:
        return "infinite"
    bits = _SIGNED.get(letter)
    if bits is not None and value >= 1 << (bits - 1):
        value -= 1 << bits
    return str(value)
