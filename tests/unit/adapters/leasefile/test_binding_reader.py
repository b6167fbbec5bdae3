"""`set` statements of a lease: ISC's value forms, its name matching and its refusals."""

from __future__ import annotations

import pytest

from adapters.leasefile.binding_reader import read_binding, reads_back_as_variable
from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.token_fields import RecordDropped
from domain.lease import BindingValue


def _bind(text: str, bindings: list[tuple[str, BindingValue]] | None = None,
          equal_sign: bool = True) -> list[tuple[str, BindingValue]]:
    bound = [] if bindings is None else bindings
    lexer = LeaseLexer(text, "f")
    lexer.begin_record(0)
    read_binding(lexer, bound, "name", equal_sign=equal_sign)
    return bound


def test_the_four_value_forms() -> None:
    assert _bind('= "a\\000b";') == [("name", b"a\x00b")]
    assert _bind("= 0a:ff;") == [("name", b"\x0a\xff")]
    assert _bind("= %-42;") == [("name", -42)]
    assert _bind("= %99999999999999999999;") == [("name", 2**63 - 1)]  # atol saturates
    assert _bind("= TRUE;") == [("name", True)]
    assert _bind("= false;") == [("name", False)]


def test_the_older_form_has_no_equal_sign() -> None:
    assert _bind('"h.example.org";', equal_sign=False) == [("name", b"h.example.org")]


def test_a_name_bound_already_keeps_its_place_and_spelling() -> None:
    bindings: list[tuple[str, BindingValue]] = [("NAME", b"old"), ("other", 1)]
    assert _bind("= %2;", bindings) == [("NAME", 2), ("other", 1)]


@pytest.mark.parametrize(("text", "message"), [
    ('"x";', "f line 1: expecting '=' in set statement."),
    ("= %x;", "f line 1: expecting decimal number."),
    ("= maybe;", "f line 1: expecting true or false"),
    ("= 12:34;", "f line 1: expecting a constant value."),
    ("= ;", "f line 1: expecting a constant value."),
])
def test_values_isc_refuses_drop_the_lease(text: str, message: str) -> None:
    lexer = LeaseLexer(text, "f")
    reports = lexer.begin_record(0).reports
    with pytest.raises(RecordDropped):
        read_binding(lexer, [], "name", equal_sign=True)
    assert reports[0].lines[0] == message


@pytest.mark.parametrize(("name", "reads_back"), [
    ("my-var", True), ("x1_y", True), ("ddns-fwd-name", True),
    ("ends", False), ("TSTP", False), ("hardware", False),  # keywords
    ("a b", False), ("a;", False), ("}", False), ("", False), ("123", False),
])
def test_a_variable_name_reads_back_only_when_it_is_one_name_token(
    name: str, reads_back: bool,
) -> None:
    assert reads_back_as_variable(name) is reads_back
