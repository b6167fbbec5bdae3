"""`set NAME = VALUE;` in a lease (and the older `ddns-fwd-name VALUE;`), as ISC's
parse_lease_declaration and parse_binding_value read them."""

from __future__ import annotations

from adapters.dhcpdconf.lexer import EOF
from adapters.dhcpdconf.primitives import parse_semi, skip_to_semi
from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.token_fields import RecordDropped, c_atoi, octets
from domain.lease import BindingValue


def read_binding(cf: LeaseLexer, bindings: list[tuple[str, BindingValue]], name: str, *,
                 equal_sign: bool) -> None:
    """The rest of `set NAME = VALUE;` (or of `ddns-fwd-name VALUE;`): a name already
    bound (compared without case) keeps its place and takes the new value.  Raises
    RecordDropped where ISC gives up on the whole lease."""
    if equal_sign and cf.next().kind != "=":
        cf.warn("expecting '=' in set statement.")
        skip_to_semi(cf)
        raise RecordDropped
    bind(bindings, name, _read_binding_value(cf))
    parse_semi(cf)


def bind(bindings: list[tuple[str, BindingValue]], name: str, value: BindingValue) -> None:
    """Set variable `name` to `value` as ISC's `find_binding` finds one: a name already
    bound (compared without case) keeps its place and spelling and takes the new value;
    a new one goes last."""
    wanted = name.lower()
    for index, (bound, _) in enumerate(bindings):
        if bound.lower() == wanted:
            bindings[index] = (bound, value)
            return
    bindings.append((name, value))


def _read_binding_value(cf: LeaseLexer) -> BindingValue:
    """ISC parse_binding_value: "text", colon hex, %number or true/false."""
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        return tok.text.encode("latin-1")
    if tok.kind == "NUMBER_OR_NAME":
        value = octets(cf)
        if value is None:
            skip_to_semi(cf)
            raise RecordDropped
        return value
    if tok.kind == "%":
        cf.skip()
        tok = cf.next()
        if tok.kind == "NUMBER":
            return c_atoi(tok.text)
        cf.warn("expecting decimal number.")
    elif tok.kind == "NAME":
        cf.skip()
        if tok.text.lower() in ("true", "false"):
            return tok.text.lower() == "true"
        cf.warn("expecting true or false")
    else:
        cf.warn("expecting a constant value.")
    if tok.kind != ";":
        skip_to_semi(cf)
    raise RecordDropped


def reads_back_as_variable(name: str) -> bool:
    """Whether `set NAME = …;` written with this name reads back as a variable of that
    name: one NAME token, not a keyword of the lease file (dhcpd's OMAPI writes any
    name it is given, and drops the whole lease on its next start when it is not)."""
    cf = LeaseLexer(name, "variable name")
    token = cf.next()
    return (token.kind in ("NAME", "NUMBER_OR_NAME") and token.text == name
            and cf.next().kind == EOF)
