"""Statements written back in dhcpd.conf syntax, laid out as dhcpd writes them.

dhcpd keeps a lease's `on expiry` and `on release` bodies in dhcpd.leases, printed by
its `write_statements` (common/execute.c): every statement starts on a new line at the
block's indent, a nested block's statements two columns further in, its closing brace
back at the block's indent.  The text here follows that layout so a lease record
reads as dhcpd's would, and parses back to the same statements (dhcpd reads the
bodies again on restart, and so does this server).

dhcpd's own printer has slips this one does not copy: it writes `return;` without the
value, `add "CLASS"` without the semicolon and `supersede NAME = VALUE;`, none of which
reads back as written.  Nor does this one wrap lines at 79 columns as dhcpd does: a
statement stays on one line (the parser reads either).
A `define` of a function has no text (dhcpd cannot write one either: it prints
nothing useful); `UnwritableStatement` says so.
"""

from __future__ import annotations

from collections.abc import Sequence

from domain.config import statements as s
from domain.config.expression_text import expression_text
from domain.config.expressions import Function
from domain.options.value_text import quoted


class UnwritableStatement(ValueError):
    """A statement with no dhcpd.conf text (a `define` of a function)."""


def statements_text(statements: Sequence[s.Statement], indent: int) -> str:
    """`statements`, each on a new line `indent` columns in (dhcpd's layout)."""
    return "".join(_statement(statement, indent) for statement in statements)


def _statement(statement: s.Statement, indent: int) -> str:
    pad = "\n" + " " * indent
    match statement:
        case s.ExecuteStatement(command=command, arguments=arguments):
            listed = "".join(", " + expression_text(argument) for argument in arguments)
            return f"{pad}execute ({quoted(command.encode('latin-1'))}{listed});"
        case s.LogStatement(priority=priority, expression=expression):
            return f"{pad}log ({priority}, {expression_text(expression)});"
        case s.SetStatement(name=name, expression=expression):
            return f"{pad}set {name} = {expression_text(expression)};"
        case s.DefineStatement(name=name, expression=expression):
            if isinstance(expression, Function):
                raise UnwritableStatement(f"define {name}: a function has no lease-file text")
            return f"{pad}define {name} = {expression_text(expression)};"
        case s.UnsetStatement(name=name):
            return f"{pad}unset {name};"
        case s.EvalStatement(expression=expression):
            return f"{pad}eval {expression_text(expression)};"
        case s.ReturnStatement(expression=expression):
            return f"{pad}return {expression_text(expression)};"
        case s.AddStatement(class_name=name):
            return f"{pad}add {quoted(name.encode('latin-1'))};"
        case s.BreakStatement():
            return f"{pad}break;"
        case s.ParseVendorOptionStatement():
            return f"{pad}parse-vendor-option;"
        case s.IfStatement():
            return _if(statement, indent, pad)
        case s.SwitchStatement(expression=expression, body=body):
            inner = statements_text(body, indent + 2)
            return f"{pad}switch ({expression_text(expression)}) {{{inner}{pad}}}"
        case s.CaseStatement(expression=expression):
            return f"\n{' ' * max(indent - 1, 0)}case {expression_text(expression)}:"
        case s.DefaultStatement():
            return f"\n{' ' * max(indent - 1, 0)}default:"
        case s.OnStatement(events=events, body=body):
            names = " or ".join(e for e in ("expiry", "commit", "release") if e in events)
            if not body:
                return f"{pad}on {names};"
            return f"{pad}on {names} {{{statements_text(body, indent + 2)}{pad}}}"
        case s.OptionStatement():
            return _option(statement, pad)
    raise UnwritableStatement(f"{statement.kind}: no lease-file text")


def _if(statement: s.IfStatement, indent: int, pad: str) -> str:
    out = [f"{pad}if {expression_text(statement.condition)} {{",
           statements_text(statement.then, indent + 2)]
    otherwise = statement.otherwise
    while True:
        if len(otherwise) == 1 and isinstance(otherwise[0], s.IfStatement):
            nested = otherwise[0]
            out += [f"{pad}}} elsif {expression_text(nested.condition)} {{",
                    statements_text(nested.then, indent + 2)]
            otherwise = nested.otherwise
            continue
        if otherwise:
            out += [f"{pad}}} else {{", statements_text(otherwise, indent + 2)]
        break
    out.append(f"{pad}}}")
    return "".join(out)


def _option(statement: s.OptionStatement, pad: str) -> str:
    if statement.value is None:
        raise UnwritableStatement(f"option {statement.name}: no value to write")
    universe = "" if statement.universe == "dhcp" else f"{statement.universe}."
    return f"{pad}{statement.op} {universe}{statement.name} {statement.text};"
