"""Diagnostics: what fails a configuration, and the caret ISC draws."""

from __future__ import annotations

from adapters.dhcpdconf.diagnostics import Diagnostics, FatalConfigError, caret_line


def test_warnings_do_not_fail_and_errors_do() -> None:
    d = Diagnostics()
    d.warning("WARNING: Host declarations are global.")
    assert not d.failed
    d.error("bad range, address 10.0.1.20 not in subnet 10.0.0.0 netmask 255.255.255.0")
    assert d.failed
    assert [r.first_line for r in d.errors] == [
        "bad range, address 10.0.1.20 not in subnet 10.0.0.0 netmask 255.255.255.0"
    ]


def test_caret_line() -> None:
    assert caret_line("}", 2) == " ^"
    assert caret_line("abc", 1) == "^"
    assert caret_line("\tx", 3) == " " * 9 + "^"
    assert caret_line("ab", 10) == "  ^"  # stops at the shown text
    assert caret_line("x" * 90, 81) == "^"  # no padding past column 80


def test_fatal_error_keeps_its_lines() -> None:
    err = FatalConfigError("Can't open /x: No such file or directory")
    assert err.lines == ("Can't open /x: No such file or directory",)
