"""The dhcpd.conf tokenizer, modelled on the state ISC dhcpd 4.4's lexer keeps.

Why a model and not a plain regex tokenizer: admins compare our error output with
`dhcpd -t`, and dhcpd's error position depends on lexer internals — one character of
look-ahead that is already in the displayed line, two alternating line buffers, and a
peeked token that carries its own position.  This class keeps the same state
(`line`, `lpos`, the two line buffers, `lexline`/`lexchar`, the peeked token) so that a
`warn()` here reports the same line, text and caret as ISC's `parse_warn`.

The two line buffers are not stored: the buffer of line L holds the first 80
characters of line L that have been read, and only lines `line` and `line - 1` can be
in a buffer, so both are recomputed from offsets when an error is shown.

Input is bytes decoded as Latin-1, so a character is a byte, as in C.
"""

from __future__ import annotations

import re
from typing import NamedTuple

from adapters.dhcpdconf.diagnostics import Diagnostic, Diagnostics, FatalConfigError, caret_line
from adapters.dhcpdconf.keywords import KEYWORDS

EOF = "END_OF_FILE"
MAX_TOKEN = 1500  # ISC's tokbuf size: strings longer than 1499 bytes are cut
_SPACE = " \t\n\r\v\f"
_WS_RUN = re.compile(r"[ \t\n\r\v\f]*")
_NAME_RUN = re.compile(r"[A-Za-z0-9_-]*")
_HEX = frozenset("0123456789abcdefABCDEF")
_DIGITS = frozenset("0123456789")
_ALNUM = frozenset("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789")


class Token(NamedTuple):
    """A token: `kind` is ISC's token name (`NAME`, `STRING`, `SUBNET` …) or, for
    punctuation, the character itself (`;`, `{`); `text` is its value (for a STRING
    the unescaped bytes as Latin-1 text)."""

    kind: str
    text: str


def is_identifier(kind: str) -> bool:
    """ISC's is_identifier(): any word token — NAME, NUMBER_OR_NAME or a keyword."""
    return len(kind) > 1 and kind not in ("STRING", "NUMBER", EOF, "MINUS")


def is_number(kind: str) -> bool:
    return kind in ("NUMBER", "NUMBER_OR_NAME")


class Lexer:
    """One configuration (or included) file being read: ISC's `struct parse`."""

    def __init__(self, text: str, filename: str, diagnostics: Diagnostics) -> None:
        self.src = text
        self.n = len(text)
        self.filename = filename
        self.diagnostics = diagnostics
        self.bufix = 0  # next character to read
        self.ugflag = False  # the character at bufix was read once already
        self.line = 1
        self.line_start = 0  # offset where the current line's buffer begins
        self.prev_line_start = 0
        # ISC's parse struct starts zeroed: an error while the first token is only
        # peeked reports "line 0" with an empty source line.
        self.lexline = 0
        self.lexchar = 0
        self.token_line_parity = 1  # which buffer ISC's token_line points at (line % 2)
        self.peeked: Token | None = None
        self._tokbuf = ""
        self._char_value = ""
        self._value_is_char = False
        self.tline = 0
        self.tlpos = 0

    # ---- character level ------------------------------------------------------
    @property
    def lpos(self) -> int:
        return self.bufix + (1 if self.ugflag else 0) - self.line_start + 1

    def _read_to(self, end: int) -> None:
        """Consume characters up to offset `end` as get_char would, one by one."""
        start = self.bufix
        if self.ugflag and start < end:
            start += 1  # the re-read character changes no line state
            self.ugflag = False
        seg_nl = self.src.rfind("\n", start, end)
        if seg_nl >= 0:
            newlines = self.src.count("\n", start, end)
            if newlines == 1:
                self.prev_line_start = self.line_start
            else:
                self.prev_line_start = self.src.rfind("\n", start, seg_nl) + 1
            self.line += newlines
            self.line_start = seg_nl + 1
        self.bufix = end

    def _get_char(self) -> str:
        if self.bufix >= self.n:
            return ""
        c = self.src[self.bufix]
        self._read_to(self.bufix + 1)
        return c

    def _unget(self, c: str) -> None:
        if c:
            self.bufix -= 1
            self.ugflag = True

    def _buffer_text(self, parity: int) -> str:
        """The text ISC would show for the line buffer of that parity."""
        if parity == self.line % 2:
            hi = self.bufix + (1 if self.ugflag else 0)
            end = min(hi, self.n)
            return self.src[self.line_start : min(end, self.line_start + 80)].replace("\n", "")
        if self.line == 1:
            return ""
        end = self.line_start - 1
        return self.src[self.prev_line_start : min(end, self.prev_line_start + 80)]

    # ---- reporting -------------------------------------------------------------
    def warn_lines(self, message: str) -> tuple[str, ...]:
        text = self._buffer_text(self.token_line_parity)
        return (
            f"{self.filename} line {self.lexline}: {message}",
            text,
            caret_line(text, self.lexchar),
        )

    def warn(self, message: str) -> None:
        """ISC's parse_warn(): record a three-line error at the current position."""
        self.diagnostics.add(Diagnostic(self.warn_lines(message)))

    def fatal(self, message: str) -> FatalConfigError:
        """A parse_warn followed by log_fatal: raise the returned exception."""
        return FatalConfigError(self.warn_lines(message))

    # ---- token level -----------------------------------------------------------
    def _raw_token(self) -> Token:
        while True:
            line, pos = self.line, self.lpos
            c = self._get_char()
            if c == "":
                return Token(EOF, self._stale_value())
            if c in _SPACE:
                # read_whitespace: take the run, then read one more and put it back.
                start = self.bufix
                m = _WS_RUN.match(self.src, start)
                self._read_to(m.end())
                run = c + self.src[start : m.end()]
                nxt = self._get_char()
                if nxt == "":
                    # ISC returns before terminating its token buffer or pointing
                    # the token value at it.
                    self._tokbuf = run + self._tokbuf[len(run) :]
                    return Token(EOF, self._stale_value())
                self._unget(nxt)
                self._keep(run)
                return Token("WHITESPACE", run)
            if c == "#":
                nl = self.src.find("\n", self.bufix)
                self._read_to(self.n if nl < 0 else nl + 1)
                continue
            self.lexline, self.lexchar = line, pos
            if c == '"':
                tok = self._read_string()
            elif c in _DIGITS or c == "-":
                tok = self._read_number(c)
            elif c.isascii() and c.isalpha():
                tok = self._read_name(c)
            else:
                self._value_is_char = True
                self._char_value = c
                return Token(c, c)
            self._keep(tok.text)
            return tok

    def _keep(self, text: str) -> None:
        """ISC copies every word, number, string and whitespace run into one token
        buffer and points the token value at it; a punctuation token points the
        value at a one-character buffer instead."""
        self._tokbuf = text
        self._value_is_char = False

    def _stale_value(self) -> str:
        """The text ISC shows for END_OF_FILE: its token value is left pointing at
        whatever the previous token put there (up to the first NUL, as C prints it)."""
        text = self._char_value if self._value_is_char else self._tokbuf
        return text.split("\0", 1)[0]

    def _read_string(self) -> Token:
        out: list[str] = []
        bs = 0
        value = 0
        hexmode = False
        while len(out) < MAX_TOKEN:
            c = self._get_char()
            if c == "":
                self.warn("eof in string constant")
                break
            if bs == 1:
                if c in "tnrb":
                    out.append({"t": "\t", "r": "\r", "n": "\n", "b": "\b"}[c])
                elif c in "0123":
                    hexmode, value, bs = False, ord(c) - 48, 2
                    continue
                elif c == "x":
                    hexmode, value, bs = True, 0, 2
                    continue
                else:
                    out.append(c)
                bs = 0
            elif bs > 1:
                if hexmode:
                    if c not in _HEX:
                        # ISC moves on a byte, leaving an undefined one behind.
                        self.warn(f"invalid hex digit: {ord(c):x}")
                        out.append("\0")
                        bs = 0
                        continue
                    value = value * 16 + int(c, 16)
                else:
                    if c not in "01234567":
                        if value != 0:
                            self.warn(f"invalid octal digit {ord(c):x}")
                            out.append("\0")
                            continue
                        # "\0" then a non-octal: ISC drops both and treats the
                        # next character as escaped.
                        bs = 1
                        continue
                    value = value * 8 + int(c)
                bs += 1
                if bs == 4:
                    out.append(chr(value & 0xFF))
                    bs = 0
            elif c == "\\":
                bs = 1
            elif c == '"':
                break
            else:
                out.append(c)
        if len(out) >= MAX_TOKEN:
            self.warn("string constant larger than internal buffer")
            del out[MAX_TOKEN - 1 :]
        return Token("STRING", "".join(out))

    def _read_number(self, first: str) -> Token:
        chars = [first]
        kind = "NUMBER"
        while len(chars) < MAX_TOKEN:
            c = self._get_char()
            if c and c.isascii():
                if kind == "NUMBER" and c in _DIGITS:
                    chars.append(c)
                    continue
                if kind in ("NUMBER", "NUMBER_OR_NAME") and c in _HEX:
                    kind = "NUMBER_OR_NAME"
                    chars.append(c)
                    continue
                if len(chars) == 2 and c in _HEX and chars[0] == "0" and chars[1] in "xX":
                    kind = "NUMBER_OR_NAME"
                    chars.append(c)
                    continue
                if c in "-_" or c in _ALNUM:
                    kind = "NAME"
                    chars.append(c)
                    continue
            self._unget(c)
            break
        else:
            self.warn("numeric token larger than internal buffer")
            chars.pop()
        # ISC means a lone "-" to be MINUS but tests the byte after it (the
        # terminating NUL), so a lone "-" stays a NUMBER.
        return Token(kind, "".join(chars))

    def _read_name(self, first: str) -> Token:
        m = _NAME_RUN.match(self.src, self.bufix)
        end = min(m.end(), self.bufix + MAX_TOKEN - 1)
        text = first + self.src[self.bufix : end]
        self._read_to(end)
        nxt = self._get_char()
        self._unget(nxt)
        if len(text) >= MAX_TOKEN:
            self.warn("token larger than internal buffer")
            text = text[: MAX_TOKEN - 1]
        keyword = KEYWORDS.get(text.lower())
        if keyword is not None:
            return Token(keyword, text)
        # ISC never tests the first letter: "g" and "ga" are NUMBER_OR_NAME.
        if all(ch in _HEX for ch in text[1:]):
            return Token("NUMBER_OR_NAME", text)
        return Token("NAME", text)

    def _next(self, raw: bool) -> Token:
        if self.peeked is not None:
            if self.lexline != self.tline:
                self.token_line_parity = self.line % 2
            self.lexchar = self.tlpos
            self.lexline = self.tline
            tok = self.peeked
            self.peeked = None
        else:
            tok = self._raw_token()
            self.token_line_parity = self.line % 2
        if not raw:
            while tok.kind == "WHITESPACE":
                tok = self._raw_token()
                self.token_line_parity = self.line % 2
        return tok

    def next(self) -> Token:
        """Consume and return the next token (ISC next_token)."""
        return self._next(False)

    def next_raw(self) -> Token:
        """Consume the next token, whitespace included (ISC next_raw_token)."""
        return self._next(True)

    def _peek(self, raw: bool) -> Token:
        if self.peeked is None or (not raw and self.peeked.kind == "WHITESPACE"):
            self.tlpos = self.lexchar
            self.tline = self.lexline
            tok = self._raw_token()
            while not raw and tok.kind == "WHITESPACE":
                tok = self._raw_token()
            self.peeked = tok
            if self.lexline != self.tline:
                self.token_line_parity = (self.line - 1) % 2
            self.lexchar, self.tlpos = self.tlpos, self.lexchar
            self.lexline, self.tline = self.tline, self.lexline
        return self.peeked

    def peek(self) -> Token:
        """Return the next token without consuming it (ISC peek_token)."""
        return self._peek(False)

    def peek_raw(self) -> Token:
        return self._peek(True)

    _STATE = (
        "bufix", "ugflag", "line", "line_start", "prev_line_start", "lexline", "lexchar",
        "token_line_parity", "peeked", "tline", "tlpos", "_tokbuf", "_char_value",
        "_value_is_char",
    )

    def save_state(self) -> tuple:
        """ISC save_parse_state: a snapshot for a bounded look-ahead."""
        return tuple(getattr(self, name) for name in self._STATE)

    def restore_state(self, state: tuple) -> None:
        """ISC restore_parse_state."""
        for name, value in zip(self._STATE, state, strict=True):
            setattr(self, name, value)

    def skip(self) -> None:
        """Consume the token just peeked (ISC skip_token)."""
        self._next(False)
