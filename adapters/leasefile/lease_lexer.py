"""ISC's lexer, as dhcpd uses it on the lease file, able to resume at any offset.

dhcpd reads dhcpd.leases with the tokenizer it uses for dhcpd.conf, so the lease
reader uses the same model of it (`adapters.dhcpdconf.lexer.Lexer`): same tokens, same
error lines.  Two things are added for the lease file:

- `move_to(offset)`: the reader handles most records with a fast line-by-line path
  and hands only the others to the tokenizer, which must then carry on at that offset
  with the line count (and the line buffers ISC shows in errors) it would have had.
- `last_end` and `reached_eof`: where the last consumed token ends (a record's text
  ends there) and whether the record ran into the end of the file (a torn write).
"""

from __future__ import annotations

from adapters.dhcpdconf.diagnostics import Diagnostics
from adapters.dhcpdconf.lexer import EOF, Lexer, Token

_SPACE = " \t\n\r\v\f"


class LeaseLexer(Lexer):
    """The tokenizer over one lease file."""

    def __init__(self, text: str, filename: str) -> None:
        super().__init__(text, filename, Diagnostics())
        self.last_end = 0
        self.reached_eof = False

    def move_to(self, offset: int) -> None:
        """Carry on reading at `offset` as if the text before it had just been read,
        forgetting any token that was peeked beyond it.

        `offset` is where a statement starts.  When white space comes before it, ISC's
        lexer has read the statement's first character once already (to see where the
        white space ends) and put it back, which moves the caret of its messages one
        column right; the state set here is that one."""
        current = self.bufix + (1 if self.ugflag else 0)  # where `line` is counted to
        if offset >= current:
            self.line += self.src.count("\n", current, offset)
        else:
            self.line -= self.src.count("\n", offset, current)
        self.bufix = offset
        self.ugflag = offset > 0 and self.src[offset - 1] in _SPACE and not self._ends_comment(
            offset - 1
        )
        self.peeked = None
        self.line_start = self.src.rfind("\n", 0, offset) + 1
        self.prev_line_start = (
            self.src.rfind("\n", 0, self.line_start - 1) + 1 if self.line_start else 0
        )
        self.token_line_parity = self.line % 2
        self.last_end = offset

    def _ends_comment(self, index: int) -> bool:
        """Whether the character at `index` is the newline of a `#` comment (which
        ISC's lexer consumes without reading ahead)."""
        if self.src[index] != "\n":
            return False
        line = self.src[self.src.rfind("\n", 0, index) + 1 : index]
        hash_at = line.find("#")
        return hash_at >= 0 and '"' not in line[:hash_at]

    def begin_record(self, offset: int) -> Diagnostics:
        """Start a new top-level statement at `offset`; its messages go to the result."""
        self.move_to(offset)
        self.reached_eof = False
        self.diagnostics = Diagnostics()
        return self.diagnostics

    def next(self) -> Token:
        token = super().next()
        if token.kind == EOF:
            self.reached_eof = True
        else:
            self.last_end = self.bufix
        return token

    def skip(self) -> None:
        self.next()
