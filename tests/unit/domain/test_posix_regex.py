"""POSIX extended regular expressions with glibc's answers.

dhcpd asks glibc's `regcomp`/`regexec`; the reference here is the same C library,
called through ctypes in the C locale, so every example is checked against the real
thing rather than against expectations written by hand.
"""

from __future__ import annotations

import ctypes
import ctypes.util
import locale
from collections.abc import Callable, Iterator

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from domain.posix_regex import compile_posix_extended, posix_search

REG_EXTENDED, REG_ICASE, REG_NOSUB = 1, 2, 8
_REGEX_T_ROOM = 512  # regex_t is 64 bytes on x86-64 glibc; leave room for others
Search = Callable[[bytes, bytes, bool], "bool | None"]


@pytest.fixture(scope="module")
def glibc() -> Iterator[Search]:
    """A `search(pattern, subject, ignore_case)` backed by the C library, in the C
    locale as dhcpd runs; None for a pattern regcomp rejects."""
    name = ctypes.util.find_library("c")
    if name is None:
        pytest.skip("no C library to compare with")
    libc = ctypes.CDLL(name)
    saved = locale.setlocale(locale.LC_CTYPE)
    locale.setlocale(locale.LC_CTYPE, "C")

    def search(pattern: bytes, subject: bytes, ignore_case: bool) -> bool | None:
        compiled = ctypes.create_string_buffer(_REGEX_T_ROOM)
        flags = REG_EXTENDED | REG_NOSUB | (REG_ICASE if ignore_case else 0)
        if libc.regcomp(compiled, pattern, flags) != 0:
            return None
        try:
            return libc.regexec(compiled, subject, 0, None, 0) == 0
        finally:
            libc.regfree(compiled)

    yield search
    locale.setlocale(locale.LC_CTYPE, saved)


EXAMPLES = [
    (b"^PXEClient", b"PXEClient:Arch:00007", False),
    (b"^PXE.*7$", b"PXEClient:Arch:00007", False),
    (b"^PXE", b"pxeclient", True),
    (b"a$", b"a\n", False),  # `$` is the very end, not before a newline
    (b"a.b", b"a\nb", False),  # `.` matches a newline
    (b"(", b"x", False),
    (b"x)", b"x)", False),  # an unmatched `)` is a literal
    (b"^*a", b"a", False),  # nothing to repeat after an anchor
    (b"a**", b"aaa", False),
    (b"a*+a", b"aa", False),  # `*+` is not possessive in POSIX
    (b"(a)\\1", b"aa", False),
    (b"\\1(a)", b"aa", False),
    (b"a{2,}", b"aa", False),
    (b"a{,2}b", b"b", False),
    (b"a{}", b"a", False),
    (b"a{2,1}", b"aa", False),
    (b"[]a]", b"]", False),
    (b"[^]a]", b"b", False),
    (b"[a\\]+", b"\\", False),  # backslash is a literal in brackets
    (b"[[:digit:]]+$", b"ab12", False),
    (b"[[:upper:]]", b"a", True),
    (b"[[:bogus:]]", b"a", False),
    (b"[a-c-e]", b"d", False),
    (b"[a-c-]", b"-", False),
    (b"[c-a]", b"b", False),
    (b"[a-[=a=]]", b"", False),  # an equivalence class ends no range
    (b"[[=a=]-z]", b"b", False),  # nor starts one
    (b"[[.a.]-z]", b"b", False),  # a collating symbol may
    (b"[a-[.z.]]", b"b", False),
    (b"[[=a=]-]", b"-", False),  # a dash before `]` is a literal
    (b"\\<foo\\>", b"a foo b", False),
    (b"\\a", b"a", True),  # glibc: a quoted lower-case letter never matches with ICASE
    (b"\\A", b"a", True),
    (b"ipxe", b"iPXE", True),
    (b"\\", b"\\", False),
    (b"", b"anything", False),
]


@pytest.mark.parametrize(("pattern", "subject", "ignore_case"), EXAMPLES)
def test_examples_agree_with_glibc(
    glibc: Search, pattern: bytes, subject: bytes, ignore_case: bool
) -> None:
    expected = glibc(pattern, subject, ignore_case)
    assert posix_search(pattern, subject, ignore_case=ignore_case) == expected


_TOKENS = [
    b"a", b"b", b"A", b".", b"*", b"+", b"?", b"|", b"(", b")", b"[", b"]", b"^", b"$",
    b"\\", b"{", b"}", b",", b"-", b"1", b"[:alpha:]", b"[:digit:]", b"[=a=]", b"[.-.]",
    b"{2}", b"{1,3}", b"{,2}", b"\\w", b"\\W", b"\\<", b"\\>", b"\\b", b"\\s",
]


@settings(max_examples=400, deadline=None)
@given(
    pattern=st.lists(st.sampled_from(_TOKENS), max_size=6).map(b"".join),
    subject=st.binary(max_size=8).map(lambda raw: bytes(b"abAB-:1 _"[c % 9] for c in raw)),
    ignore_case=st.booleans(),
)
def test_random_patterns_agree_with_glibc(
    glibc: Search, pattern: bytes, subject: bytes, ignore_case: bool
) -> None:
    expected = glibc(pattern, subject, ignore_case)
    assert posix_search(pattern, subject, ignore_case=ignore_case) == expected


def test_subject_and_pattern_end_at_their_first_nul() -> None:
    assert posix_search(b"b", b"a\0b", ignore_case=False) is False
    assert posix_search(b"a\0zzz", b"a", ignore_case=False) is True


def test_compiled_patterns_are_reused() -> None:
    assert compile_posix_extended(b"^x", False) is compile_posix_extended(b"^x", False)
    assert compile_posix_extended(b"(", False) is None
