"""Expressions written back in dhcp-eval syntax, for display and diagnostics."""

from __future__ import annotations

from domain.config import expressions as e
from domain.options.value_text import quoted

_KEYWORDS: dict[type, str] = {
    e.Hardware: "hardware",
    e.LeasedAddress: "leased-address",
    e.HostDeclName: "host-decl-name",
    e.Filename: "filename",
    e.ServerName: "server-name",
    e.Null: "null",
    e.LeaseTime: "lease-time",
    e.ClientState: "client-state",
    e.Known: "known",
    e.Static: "static",
}


def _option_name(universe: str, name: str) -> str:
    return name if universe == "dhcp" else f"{universe}.{name}"


def _data_text(data: bytes) -> str:
    if data and all(32 <= b < 127 for b in data):
        return quoted(data)
    if not data:
        return '""'
    return ":".join(f"{b:02x}" for b in data)


def expression_text(expr: e.Expr) -> str:
    """`expr` as it could be written in dhcpd.conf (nested operators parenthesised)."""
    t = expression_text
    if type(expr) in _KEYWORDS:
        return _KEYWORDS[type(expr)]
    match expr:
        case e.ConstData(data=data):
            return _data_text(data)
        case e.ConstInt(value=value):
            return str(value)
        case e.HostLookup(hostname=hostname):
            return f'gethostbyname("{hostname}")'
        case e.Substring(expr=inner, offset=offset, length=length):
            return f"substring({t(inner)}, {t(offset)}, {t(length)})"
        case e.Suffix(expr=inner, length=length):
            return f"suffix({t(inner)}, {t(length)})"
        case e.Lcase(expr=inner):
            return f"lcase({t(inner)})"
        case e.Ucase(expr=inner):
            return f"ucase({t(inner)})"
        case e.Concat(left=left, right=right):
            return f"concat({t(left)}, {t(right)})"
        case e.BinaryToAscii(base=base, width=width, separator=sep, buffer=buf):
            return f"binary-to-ascii({t(base)}, {t(width)}, {t(sep)}, {t(buf)})"
        case e.Reverse(width=width, buffer=buf):
            return f"reverse({t(width)}, {t(buf)})"
        case e.PickFirstValue(choices=choices):
            return "pick-first-value(" + ", ".join(t(c) for c in choices) + ")"
        case e.OptionValue(universe=universe, name=name):
            return "option " + _option_name(universe, name)
        case e.ConfigOption(universe=universe, name=name):
            return "config-option " + _option_name(universe, name)
        case e.Exists(universe=universe, name=name):
            return "exists " + _option_name(universe, name)
        case e.Packet(offset=offset, length=length):
            return f"packet({t(offset)}, {t(length)})"
        case e.GetHostName():
            return "gethostname()"
        case e.EncodeInt(value=value, width=width):
            return f"encode-int({t(value)}, {width})"
        case e.ExtractInt(data=data, width=width):
            return f"extract-int({t(data)}, {width})"
        case e.V6Relay(relay=relay, option=option):
            return f"v6relay({t(relay)}, {t(option)})"
        case e.Check(collection=collection):
            return f'check "{collection}"'
        case e.VariableExists(name=name):
            return f"defined({name})"
        case e.Not(expr=inner):
            return f"not {_operand(inner)}"
        case e.Binary(op=op, left=left, right=right):
            return f"{_operand(left)} {op.symbol} {_operand(right)}"
        case e.VariableReference(name=name):
            return name
        case e.FunCall(name=name, arguments=arguments):
            return f"{name}(" + ", ".join(t(a) for a in arguments) + ")"
        case e.Function(parameters=parameters):
            return "function(" + ", ".join(parameters) + ") { … }"
    return type(expr).__name__


def _operand(expr: e.Expr) -> str:
    text = expression_text(expr)
    return f"({text})" if isinstance(expr, e.Binary) else text
