"""Domain names in DNS wire format, as dhcpd encodes them into option values.

Options of format `d` (one name), `D` (a list) and `Dc` (a list with RFC 1035
compression pointers, e.g. domain-search) carry names as length-prefixed labels.
dhcpd uses BIND's ns_name_pton and ns_name_pack; the same rules are kept here
because they decide which names are rejected (`EMSGSIZE`) and the exact bytes sent.
"""

from __future__ import annotations

from typing import ClassVar

MAX_NAME = 255  # NS_MAXCDNAME: longest name on the wire
MAX_POINTER_OFFSET = 0x4000
MAX_SAVED_LABELS = 253  # room in dhcpd's table of compression targets


class DomainNameError(ValueError):
    """The name cannot be encoded; dhcpd reports errno EMSGSIZE."""

    strerror: ClassVar[str] = "Message too long"


def name_to_labels(text: bytes) -> list[bytes]:
    """Presentation form → labels (ns_name_pton): `.` separates labels, `\\.` and
    `\\DDD` escape, a trailing `.` is allowed, an empty label elsewhere is not.
    The root name is an empty list."""
    labels: list[bytes] = []
    current = bytearray()
    i = 0
    n = len(text)
    if text == b".":
        return []
    while i < n:
        c = text[i]
        i += 1
        if c == ord("\\"):
            if i >= n:
                break
            c = text[i]
            i += 1
            if chr(c).isdigit():
                digits = text[i - 1:i + 2]
                if len(digits) < 3 or not digits.isdigit() or int(digits) > 255:
                    raise DomainNameError(text)
                c = int(digits)
                i += 2
            current.append(c)
            continue
        if c == ord("."):
            if len(current) & 0xC0 or (not current and i < n):
                raise DomainNameError(text)
            if not current:
                break
            labels.append(bytes(current))
            current = bytearray()
            if i < n and text[i] == ord("."):
                raise DomainNameError(text)
            continue
        current.append(c)
    if current:
        if len(current) & 0xC0:
            raise DomainNameError(text)
        labels.append(bytes(current))
    if sum(len(label) + 1 for label in labels) + 1 > MAX_NAME:
        raise DomainNameError(text)
    return labels


def encode_name(labels: list[bytes]) -> bytes:
    return b"".join(bytes([len(label)]) + label for label in labels) + b"\0"


def encode_list(names: list[bytes], compress: bool) -> bytes:
    """Names one after another; with `compress`, each name's longest suffix already
    written is replaced by a pointer to it (ns_name_pack's search order: the
    earliest written occurrence wins, names compared case-insensitively)."""
    out = bytearray()
    written: list[tuple[int, tuple[bytes, ...]]] = []
    for text in names:
        labels = name_to_labels(text)
        if not compress:
            out += encode_name(labels)
            continue
        folded = tuple(label.lower() for label in labels)
        for i in range(len(labels)):
            target = next((off for off, seen in written if seen == folded[i:]), None)
            if target is not None:
                out += bytes([0xC0 | (target >> 8), target & 0xFF])
                break
            if len(out) < MAX_POINTER_OFFSET and len(written) < MAX_SAVED_LABELS:
                written.append((len(out), folded[i:]))
            out += bytes([len(labels[i])]) + labels[i]
        else:
            out.append(0)
    return bytes(out)
