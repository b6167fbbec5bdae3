"""Statement values: kinds, and what an option statement tells about its value."""

import pytest

from domain.config import statements as s
from domain.config.expressions import Concat, ConstData, HostLookup, Known


def _option(value, text="x"):
    return s.OptionStatement("supersede", "dhcp", "routers", 3, "IA", value, text)


def test_constant_option_value_is_its_wire_bytes():
    statement = _option(Concat(ConstData(b"\x0a\x00\x00\x01"), ConstData(b"\x0a\x00\x00\x02")),
                        "10.0.0.1, 10.0.0.2")
    assert statement.constant_value() == b"\x0a\x00\x00\x01\x0a\x00\x00\x02"
    assert statement.display_value() == "10.0.0.1, 10.0.0.2"


def test_dns_dependent_and_missing_values_are_not_constant():
    assert _option(HostLookup("gw.example.com")).constant_value() is None
    assert _option(None, "").constant_value() is None


@pytest.mark.parametrize(
    ("statement", "kind"),
    [
        (_option(None), "option"),
        (s.IfStatement(Known(), ()), "if"),
        (s.SwitchStatement(ConstData(b""), ()), "switch"),
        (s.CaseStatement(ConstData(b"")), "case"),
        (s.DefaultStatement(), "default"),
        (s.OnStatement(frozenset({"commit"}), ()), "on"),
        (s.SetStatement("v", Known()), "set"),
        (s.DefineStatement("v", Known()), "define"),
        (s.UnsetStatement("v"), "unset"),
        (s.EvalStatement(Known()), "eval"),
        (s.ReturnStatement(Known()), "return"),
        (s.LogStatement("info", ConstData(b"")), "log"),
        (s.ExecuteStatement("/bin/true", ()), "execute"),
        (s.AddStatement("c"), "add"),
        (s.BreakStatement(), "break"),
        (s.ParseVendorOptionStatement(), "parse-vendor-option"),
        (s.DbTimeFormatStatement(True), "db-time-format"),
    ],
)
def test_every_statement_names_its_kind(statement, kind):
    assert statement.kind == kind


def test_if_without_else_has_empty_otherwise():
    assert s.IfStatement(Known(), ()).otherwise == ()
