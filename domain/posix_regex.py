"""POSIX extended regular expressions, as dhcpd's `~=` and `~~` use them.

dhcpd hands the pattern to the C library's `regcomp(REG_EXTENDED | REG_NOSUB
[| REG_ICASE])` and asks `regexec` only whether it matches anywhere, in the C locale.
Python's `re` speaks a different dialect, so the pattern is translated token by
token into an equivalent Python pattern over bytes:

- `.` matches any byte (newline included) and `$` only the very end;
- bracket expressions take `]` first as a literal, backslash as a literal,
  `[:class:]`, `[=c=]` and `[.c.]`;
- `\\` outside brackets quotes the next character, except glibc's extras `\\w \\W \\s
  \\S \\b \\B \\< \\>` and back-references `\\1`-`\\9`;
- a repetition after a repetition applies to the whole repeated item (Python would
  read `*+` as possessive), a repetition with nothing before it is an error, an
  unmatched `)` is a literal, `{m,n}` must be a valid interval.

Only matching matters (no sub-matches are reported), so POSIX's leftmost-longest rule
never changes an answer.  A pattern glibc would reject is `None`: the `~=` is false.
"""

from __future__ import annotations

import re
from functools import lru_cache

_DUP_MAX = 0x7FFF  # RE_DUP_MAX in glibc

_CLASSES = {
    b"alpha": rb"a-zA-Z",
    b"digit": rb"0-9",
    b"alnum": rb"0-9a-zA-Z",
    b"upper": rb"A-Z",
    b"lower": rb"a-z",
    b"space": rb" \t\n\r\f\v",
    b"blank": rb" \t",
    b"punct": rb"!-/:-@\[-`{-~",
    b"print": rb" -~",
    b"graph": rb"!-~",
    b"cntrl": rb"\x00-\x1f\x7f",
    b"xdigit": rb"0-9A-Fa-f",
}
_GNU_SETS = {ord("w"): rb"\w", ord("W"): rb"\W", ord("s"): rb"\s", ord("S"): rb"\S"}
_GNU_ANCHORS = {
    ord("b"): rb"\b", ord("B"): rb"\B", ord("<"): rb"\b(?=\w)", ord(">"): rb"\b(?<=\w)",
    ord("`"): rb"\A", ord("'"): rb"\Z",
}
_NEVER = b"(?!)"
_INTERVAL = re.compile(rb"\{(\d*)(,?)(\d*)\}")


class _Invalid(Exception):
    """The pattern is not a valid POSIX extended regular expression."""


def _literal(byte: int) -> bytes:
    return re.escape(bytes([byte]))


def _class_member(byte: int) -> bytes:
    """One byte inside a Python character class, escaped."""
    return b"\\x%02x" % byte


class _Translator:
    def __init__(self, pattern: bytes, ignore_case: bool) -> None:
        self.pattern = pattern
        self.ignore_case = ignore_case
        self.i = 0
        self._equivalence = False  # the last bracket element was `[=c=]`
        self.out: list[bytes] = []
        # For each open group: (index in `out` where it starts, group number).
        # `last_item` is where the most recent repeatable item starts (None when a
        # repetition would have nothing to repeat) and `repeated` whether it already
        # carries a repetition.
        self.groups: list[tuple[int, int]] = []
        self.last_item: int | None = None
        self.repeated = False
        self.group_count = 0
        self.closed_groups: set[int] = set()

    def translate(self) -> bytes:
        p = self.pattern
        while self.i < len(p):
            c = p[self.i]
            self.i += 1
            if c in b"*+?":
                self._repeat(bytes([c]))
            elif c == ord("{"):
                self._interval()
            elif c == ord("("):
                self.group_count += 1
                self.groups.append((len(self.out), self.group_count))
                self.out.append(b"(")
                self.last_item = None
            elif c == ord(")") and self.groups:
                start, number = self.groups.pop()
                self.closed_groups.add(number)
                self.out.append(b")")
                self._item_at(start)
            elif c == ord("|"):
                self.out.append(b"|")
                self.last_item = None
            elif c == ord("^"):
                self._anchor(rb"\A")
            elif c == ord("$"):
                self._anchor(rb"\Z")
            elif c == ord("\\") and self._next_is_anchor():
                self._anchor(_GNU_ANCHORS[self.pattern[self.i]])
                self.i += 1
            elif c == ord("."):
                self._item(b".")
            elif c == ord("["):
                self._item(self._bracket())
            elif c == ord("\\"):
                self._item(self._escape())
            else:
                self._item(_literal(c))
        if self.groups:
            raise _Invalid("unmatched (")
        return b"".join(self.out)

    def _anchor(self, text: bytes) -> None:
        """glibc parses nothing after an anchor as its repetition: `^*` is an error."""
        self.out.append(text)
        self.last_item = None

    def _next_is_anchor(self) -> bool:
        return self.i < len(self.pattern) and self.pattern[self.i] in _GNU_ANCHORS

    def _item(self, text: bytes) -> None:
        self._item_at(len(self.out))
        self.out.append(text)

    def _item_at(self, start: int) -> None:
        self.last_item = start
        self.repeated = False

    def _repeat(self, operator: bytes) -> None:
        if self.last_item is None:
            raise _Invalid("repetition with nothing to repeat")
        if self.repeated:
            inner = b"".join(self.out[self.last_item :])
            del self.out[self.last_item :]
            self.out.append(b"(?:" + inner + b")")
        self.out.append(operator)
        self.repeated = True

    def _interval(self) -> None:
        found = _INTERVAL.match(self.pattern, self.i - 1)
        if found is None:
            raise _Invalid("bad interval")
        low_text, comma, high_text = found.groups()
        if not low_text and not comma:
            raise _Invalid("empty interval")
        low = int(low_text) if low_text else 0
        high = int(high_text) if high_text else (None if comma else low)
        if low > _DUP_MAX or (high is not None and (high > _DUP_MAX or high < low)):
            raise _Invalid("bad interval bounds")
        self.i = found.end()
        upper = b"" if high is None else str(high).encode()
        self._repeat(b"{%d,%s}" % (low, upper) if comma else b"{%d}" % low)

    def _escape(self) -> bytes:
        if self.i >= len(self.pattern):
            raise _Invalid("trailing backslash")
        c = self.pattern[self.i]
        self.i += 1
        if c in _GNU_SETS:
            return _GNU_SETS[c]
        if ord("1") <= c <= ord("9"):
            if c - ord("0") not in self.closed_groups:
                raise _Invalid("invalid back reference")
            return b"(?:\\%d)" % (c - ord("0"))
        if self.ignore_case and ord("a") <= c <= ord("z"):
            # glibc folds the subject to upper case but not a quoted pattern letter,
            # so a quoted lower-case letter never matches under REG_ICASE.
            return _NEVER
        return _literal(c)

    def _bracket(self) -> bytes:
        p = self.pattern
        negate = self.i < len(p) and p[self.i] == ord("^")
        if negate:
            self.i += 1
        members: list[bytes] = []
        first = True
        after_range = False
        while True:
            if self.i >= len(p):
                raise _Invalid("unterminated bracket expression")
            if p[self.i] == ord("]") and not first:
                self.i += 1
                break
            if after_range and self._dash_starts_range():
                raise _Invalid("a range cannot start where another ended")
            first = False
            after_range = False
            low = self._bracket_element(members)
            if low is None:
                continue
            if self._dash_starts_range():
                if self._equivalence:
                    raise _Invalid("an equivalence class cannot start a range")
                self.i += 1
                high = self._bracket_element(members)
                if high is None or high < low or self._equivalence:
                    raise _Invalid("bad range")
                members.append(_class_member(low) + b"-" + _class_member(high))
                after_range = True
            else:
                members.append(_class_member(low))
        return (b"[^" if negate else b"[") + b"".join(members) + b"]"

    def _dash_starts_range(self) -> bool:
        """A `-` here is a range operator unless it comes just before the closing `]`."""
        p = self.pattern
        return self.i + 1 < len(p) and p[self.i] == ord("-") and p[self.i + 1] != ord("]")

    def _bracket_element(self, members: list[bytes]) -> int | None:
        """One element: a byte (returned, so a range can follow), or a `[:class:]`
        appended to `members` (None).  `_equivalence` says whether the byte came as
        `[=c=]`, which glibc refuses as either end of a range (`[.c.]` it takes)."""
        p = self.pattern
        c = p[self.i]
        self._equivalence = False
        if c == ord("[") and self.i + 1 < len(p) and p[self.i + 1] in b":=.":
            kind = p[self.i + 1]
            end = p.find(bytes([kind]) + b"]", self.i + 2)
            if end < 0:
                raise _Invalid("unterminated [: :]")
            name = p[self.i + 2 : end]
            self.i = end + 2
            if kind == ord(":"):
                if name not in _CLASSES:
                    raise _Invalid("unknown character class")
                members.append(_CLASSES[name])
                return None
            if len(name) != 1:
                raise _Invalid("unknown collating element")
            self._equivalence = kind == ord("=")
            return name[0]
        self.i += 1
        return c


@lru_cache(maxsize=256)
def compile_posix_extended(pattern: bytes, ignore_case: bool) -> re.Pattern[bytes] | None:
    """The Python equivalent of `regcomp(pattern, REG_EXTENDED|REG_NOSUB[|REG_ICASE])`
    in the C locale, or None where regcomp would fail."""
    try:
        translated = _Translator(pattern, ignore_case).translate()
        flags = re.DOTALL | (re.IGNORECASE if ignore_case else 0)
        return re.compile(translated, flags)
    except (_Invalid, re.error, OverflowError, RecursionError):
        return None


def posix_search(pattern: bytes, subject: bytes, *, ignore_case: bool) -> bool | None:
    """Whether `pattern` matches anywhere in `subject`; None if the pattern is invalid.

    Both are C strings to regexec: each ends at its first NUL byte.
    """
    compiled = compile_posix_extended(pattern.split(b"\0", 1)[0], ignore_case)
    if compiled is None:
        return None
    return compiled.search(subject.split(b"\0", 1)[0]) is not None
