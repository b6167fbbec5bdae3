"""The lease-file lexer resumes anywhere with the position dhcpd's lexer would have.

The carets below are dhcpd's own: fixtures/isc/damaged.log shows `host {` at the start
of a line after a newline reported with its caret in column 2 (` ^`).
"""

from __future__ import annotations

from adapters.leasefile.lease_lexer import LeaseLexer

TEXT = "lease 1.2.3.4 {\n}\n\n  host {\n# note\nhost x;\n"


def _warn_at(lexer: LeaseLexer, offset: int) -> tuple[str, ...]:
    diagnostics = lexer.begin_record(offset)
    lexer.next()
    lexer.warn("here")
    return diagnostics.reports[0].lines


def test_a_statement_after_white_space_has_its_caret_one_column_right() -> None:
    lexer = LeaseLexer(TEXT, "f")
    assert _warn_at(lexer, TEXT.index("host {")) == ("f line 4: here", "  host ", "   ^")


def test_a_statement_after_a_comment_or_at_the_start_has_its_caret_in_place() -> None:
    lexer = LeaseLexer(TEXT, "f")
    assert _warn_at(lexer, 0) == ("f line 1: here", "lease ", "^")
    assert _warn_at(lexer, TEXT.index("host x")) == ("f line 6: here", "host ", "^")


def test_moving_back_recounts_the_lines() -> None:
    lexer = LeaseLexer(TEXT, "f")
    _warn_at(lexer, TEXT.index("host x"))
    assert _warn_at(lexer, TEXT.index("host {"))[0] == "f line 4: here"


def test_last_end_is_the_end_of_the_last_token_taken() -> None:
    lexer = LeaseLexer(TEXT, "f")
    lexer.begin_record(0)
    lexer.next()
    assert lexer.last_end == len("lease")
    lexer.peek()
    assert lexer.last_end == len("lease")
    lexer.skip()
    assert TEXT[: lexer.last_end] == "lease 1"


def test_reaching_the_end_of_the_file_is_noted_per_record() -> None:
    lexer = LeaseLexer("host x", "f")
    lexer.begin_record(0)
    lexer.next()
    lexer.next()
    assert not lexer.reached_eof
    lexer.next()
    assert lexer.reached_eof
    assert lexer.last_end == len("host x")
    lexer.begin_record(0)
    assert not lexer.reached_eof
