"""Evaluating dhcp-eval expressions for one request, with ISC dhcpd 4.4's semantics.

Each expression is evaluated in the context it was parsed for (ISC common/tree.c
`evaluate_boolean_expression`, `evaluate_data_expression`,
`evaluate_numeric_expression`, and `evaluate_expression` for variables, function
calls and the operands of `=`).  The result is a value or None, ISC's "no value",
and the quirks that decide real outcomes are kept on purpose:

- `A and B` has no value when A is false (not just when one side has none), so
  `not (false and x)` is not true; `A or B` is true as soon as either side is.
- `=` between two expressions that both have no value is true; between values of
  different types it is false.
- a call of a `define`d function inside a typed context (`concat(f(x), …)`) runs
  the function but yields no value — dhcpd falls through to its "bogus opcode" path
  there; `=`, `set`, `return`, arguments and an option's whole value (see
  `evaluate_option_value`) see the result.
- numbers are C `unsigned long`s: arithmetic wraps at 2**64, division by zero has no
  value, a negative literal is a huge number.
- `substring` past the end is the empty string; `suffix` longer than the data is all
  of it; `extract-int` of too few bytes has no value.

Evaluation never raises for any packet: bad input yields no value.
"""

from __future__ import annotations

from collections.abc import Callable

from domain.config import expressions as e
from domain.eval_bytes import binary_to_ascii, encoded_packet, packed_address
from domain.eval_context import EvalContext, Value
from domain.posix_regex import posix_search

U64 = (1 << 64) - 1
MAX_HLEN = 16  # sizeof chaddr
MAX_HOSTNAME = 255


def evaluate_boolean(expr: e.Expr, ctx: EvalContext) -> bool | None:
    """A boolean expression's value, or None when it has none."""
    handler = _BOOLEAN.get(type(expr))
    if handler is not None:
        return handler(expr, ctx)
    if isinstance(expr, e.Binary):
        return _boolean_binary(expr, ctx)
    _side_effects_only(expr, ctx)
    return None


def evaluate_data(expr: e.Expr, ctx: EvalContext) -> bytes | None:
    """A data expression's bytes, or None when it has none."""
    handler = _DATA.get(type(expr))
    if handler is not None:
        return handler(expr, ctx)
    _side_effects_only(expr, ctx)
    return None


def evaluate_numeric(expr: e.Expr, ctx: EvalContext) -> int | None:
    """A numeric expression's value as an unsigned 64-bit number, or None."""
    if isinstance(expr, e.ConstInt):
        return expr.value & U64
    handler = _NUMERIC.get(type(expr))
    if handler is not None:
        return handler(expr, ctx)
    if isinstance(expr, e.Binary) and expr.op.result is e.Context.NUMERIC:
        return _numeric_binary(expr, ctx)
    _side_effects_only(expr, ctx)
    return None


def evaluate_value(expr: e.Expr, ctx: EvalContext) -> Value | None:
    """Any expression, typed by what it yields (ISC `evaluate_expression`): what `=`
    compares, `set` stores, `return` returns and function arguments receive."""
    if isinstance(expr, e.VariableReference):
        return ctx.variables.value(expr.name)
    if isinstance(expr, e.FunCall):
        return call_function(expr, ctx)
    context = expr.context
    if context is e.Context.BOOLEAN:
        return evaluate_boolean(expr, ctx)
    if context is e.Context.NUMERIC:
        return evaluate_numeric(expr, ctx)
    if context is e.Context.DATA:
        return evaluate_data(expr, ctx)
    return None


def evaluate_option_value(expr: e.Expr, ctx: EvalContext) -> bytes | None:
    """The bytes an option statement's expression gives its option in a reply.

    As `evaluate_data`, except that a bare call of a function that returns data
    counts: dhcpd copies the result before it reports the call as failed, and the
    code that builds the reply reads the bytes, not the failure (observed with
    dhcpd 4.4.3: `option root-path = f("x");` is sent).
    """
    if isinstance(expr, e.FunCall):
        value = call_function(expr, ctx)
        return value if isinstance(value, bytes) else None
    return evaluate_data(expr, ctx)


def call_function(call: e.FunCall, ctx: EvalContext) -> Value | None:
    """Run a `define`d function: its arguments bound by position in a new scope.  A
    missing function, a wrong argument count or no runner has no value."""
    function = ctx.variables.value(call.name)
    if not isinstance(function, e.Function):
        return None
    arguments = tuple(
        evaluate_value(argument, ctx)
        for argument, _ in zip(call.arguments, function.parameters, strict=False)
    )
    if len(call.arguments) != len(function.parameters) or ctx.call_function is None:
        return None
    return ctx.call_function(function, arguments, ctx)


def _side_effects_only(expr: e.Expr, ctx: EvalContext) -> None:
    """A call in a typed context still runs (it may set options or log)."""
    if isinstance(expr, e.FunCall):
        call_function(expr, ctx)


def value_kind(value: Value) -> str:
    """ISC's binding type of a value: boolean, numeric, data or function."""
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int):
        return "numeric"
    if isinstance(value, bytes):
        return "data"
    return "function"


# ---- boolean ---------------------------------------------------------------------------


def _boolean_binary(expr: e.Binary, ctx: EvalContext) -> bool | None:
    op = expr.op
    if op is e.BinaryOp.AND:
        left = evaluate_boolean(expr.left, ctx)
        if not left:
            return None
        right = evaluate_boolean(expr.right, ctx)
        return None if right is None else right
    if op is e.BinaryOp.OR:
        left = evaluate_boolean(expr.left, ctx)
        if left:
            return True
        right = evaluate_boolean(expr.right, ctx)
        if left is None and right is None:
            return None
        return bool(right)
    if op in (e.BinaryOp.EQUAL, e.BinaryOp.NOT_EQUAL):
        equal = _values_equal(evaluate_value(expr.left, ctx), evaluate_value(expr.right, ctx))
        return equal if op is e.BinaryOp.EQUAL else not equal
    if op in (e.BinaryOp.REGEX_MATCH, e.BinaryOp.IREGEX_MATCH):
        subject = evaluate_data(expr.left, ctx)
        pattern = evaluate_data(expr.right, ctx)
        if subject is None or pattern is None:
            return None
        found = posix_search(pattern, subject, ignore_case=op is e.BinaryOp.IREGEX_MATCH)
        return bool(found)
    return None


def _values_equal(left: Value | None, right: Value | None) -> bool:
    if left is None or right is None:
        return left is None and right is None
    if value_kind(left) != value_kind(right):
        return False
    if isinstance(left, e.Function):
        return left is right
    return left == right


def _exists(expr: e.Exists, ctx: EvalContext) -> bool:
    return ctx.incoming is not None and ctx.incoming.get(expr.universe, expr.code) is not None


def _known(expr: e.Known, ctx: EvalContext) -> bool | None:
    return None if ctx.packet is None else ctx.known


def _not(expr: e.Not, ctx: EvalContext) -> bool | None:
    inner = evaluate_boolean(expr.expr, ctx)
    return None if inner is None else not inner


def _boolean_variable(expr: e.VariableReference, ctx: EvalContext) -> bool | None:
    value = ctx.variables.value(expr.name)
    return value if isinstance(value, bool) else None


_BOOLEAN: dict[type, Callable[..., bool | None]] = {
    e.Check: lambda expr, ctx: bool(ctx.classes),
    e.Exists: _exists,
    e.VariableExists: lambda expr, ctx: ctx.variables.value(expr.name) is not None,
    e.Known: _known,
    e.Static: lambda expr, ctx: ctx.static_lease,
    e.Not: _not,
    e.VariableReference: _boolean_variable,
}


# ---- numeric ---------------------------------------------------------------------------


def _numeric_binary(expr: e.Binary, ctx: EvalContext) -> int | None:
    left = evaluate_numeric(expr.left, ctx)
    right = evaluate_numeric(expr.right, ctx)
    if left is None or right is None:
        return None
    op = expr.op
    if op is e.BinaryOp.ADD:
        return (left + right) & U64
    if op is e.BinaryOp.SUBTRACT:
        return (left - right) & U64
    if op is e.BinaryOp.MULTIPLY:
        return (left * right) & U64
    if op is e.BinaryOp.DIVIDE:
        return left // right if right else None
    if op is e.BinaryOp.REMAINDER:
        return left % right if right else None
    if op is e.BinaryOp.BINARY_AND:
        return left & right
    if op is e.BinaryOp.BINARY_OR:
        return left | right
    return left ^ right


def _extract_int(expr: e.ExtractInt, ctx: EvalContext) -> int | None:
    data = evaluate_data(expr.data, ctx)
    size = expr.width // 8
    if data is None or len(data) < size:
        return None
    return int.from_bytes(data[:size], "big")


def _lease_time(expr: e.LeaseTime, ctx: EvalContext) -> int | None:
    if ctx.lease_ends is None or ctx.now is None or ctx.lease_ends < ctx.now:
        return None
    return ctx.lease_ends - ctx.now


def _numeric_variable(expr: e.VariableReference, ctx: EvalContext) -> int | None:
    value = ctx.variables.value(expr.name)
    return value & U64 if isinstance(value, int) and not isinstance(value, bool) else None


_NUMERIC: dict[type, Callable[..., int | None]] = {
    e.ExtractInt: _extract_int,
    e.LeaseTime: _lease_time,
    e.VariableReference: _numeric_variable,
}


# ---- data ------------------------------------------------------------------------------


def _substring(expr: e.Substring, ctx: EvalContext) -> bytes | None:
    data = evaluate_data(expr.expr, ctx)
    offset = evaluate_numeric(expr.offset, ctx)
    length = evaluate_numeric(expr.length, ctx)
    if data is None or offset is None or length is None:
        return None
    return data[offset : offset + length] if offset < len(data) else b""


def _suffix(expr: e.Suffix, ctx: EvalContext) -> bytes | None:
    data = evaluate_data(expr.expr, ctx)
    length = evaluate_numeric(expr.length, ctx)
    if data is None or length is None:
        return None
    return data[len(data) - length :] if len(data) > length else data


def _case(convert: Callable[[bytes], bytes]) -> Callable[..., bytes | None]:
    def evaluate(expr: e.Lcase | e.Ucase, ctx: EvalContext) -> bytes | None:
        data = evaluate_data(expr.expr, ctx)
        return None if data is None else convert(data)

    return evaluate


def _option(expr: e.OptionValue, ctx: EvalContext) -> bytes | None:
    return None if ctx.incoming is None else ctx.incoming.get(expr.universe, expr.code)


def _config_option(expr: e.ConfigOption, ctx: EvalContext) -> bytes | None:
    if ctx.config_options is None:
        return None
    return ctx.config_options.get((expr.universe, expr.code))


def _hardware(expr: e.Hardware, ctx: EvalContext) -> bytes | None:
    packet = ctx.packet
    if packet is not None:
        if packet.hlen > MAX_HLEN:
            return None
        return bytes([packet.htype]) + packet.chaddr[: packet.hlen].ljust(packet.hlen, b"\0")
    return ctx.lease_hardware


def _packet(expr: e.Packet, ctx: EvalContext) -> bytes | None:
    if ctx.packet is None:
        return None
    raw = ctx.raw_packet if ctx.raw_packet is not None else encoded_packet(ctx.packet)
    offset = evaluate_numeric(expr.offset, ctx)
    length = evaluate_numeric(expr.length, ctx)
    if offset is None or length is None or offset >= len(raw):
        return None
    if (offset + length) & U64 > len(raw):
        return raw[offset:]
    if length > len(raw) - offset:
        # The end wrapped past 2**64: dhcpd then fails to allocate the copy.
        return None
    return raw[offset : offset + length]


def _host_lookup(expr: e.HostLookup, ctx: EvalContext) -> bytes | None:
    addresses = ctx.resolve_host(expr.hostname)
    return b"".join(address.packed for address in addresses) or None


def _concat(expr: e.Concat, ctx: EvalContext) -> bytes | None:
    left = evaluate_data(expr.left, ctx)
    right = evaluate_data(expr.right, ctx)
    return None if left is None or right is None else left + right


def _encode_int(expr: e.EncodeInt, ctx: EvalContext) -> bytes | None:
    value = evaluate_numeric(expr.value, ctx)
    if value is None:
        return None
    size = expr.width // 8
    return (value & ((1 << expr.width) - 1)).to_bytes(size, "big")


def _binary_to_ascii(expr: e.BinaryToAscii, ctx: EvalContext) -> bytes | None:
    base = evaluate_numeric(expr.base, ctx)
    width = evaluate_numeric(expr.width, ctx)
    separator = evaluate_data(expr.separator, ctx)
    buffer = evaluate_data(expr.buffer, ctx)
    if base is None or width is None or separator is None or buffer is None:
        return None
    return binary_to_ascii(base, width, separator, buffer)


def _reverse(expr: e.Reverse, ctx: EvalContext) -> bytes | None:
    width = evaluate_numeric(expr.width, ctx)
    data = evaluate_data(expr.buffer, ctx)
    if width is None or data is None or width == 0 or len(data) % width:
        return None
    return b"".join(data[i : i + width] for i in range(len(data) - width, -1, -width))


def _leased_address(expr: e.LeasedAddress, ctx: EvalContext) -> bytes | None:
    return None if ctx.lease_address is None else packed_address(ctx.lease_address)


def _pick_first_value(expr: e.PickFirstValue, ctx: EvalContext) -> bytes | None:
    for choice in expr.choices:
        value = evaluate_data(choice, ctx)
        if value is not None:
            return value
    return None


def _host_decl_name(expr: e.HostDeclName, ctx: EvalContext) -> bytes | None:
    return None if ctx.host_name is None else ctx.host_name.encode("latin-1", "replace")


def _data_variable(expr: e.VariableReference, ctx: EvalContext) -> bytes | None:
    value = ctx.variables.value(expr.name)
    return value if isinstance(value, bytes) else None


def _header_text(field: bytes) -> bytes | None:
    """`filename` / `server-name`: the header field up to its first NUL, when its
    first byte is not NUL."""
    if not field or field[0] == 0:
        return None
    return field.split(b"\0", 1)[0]


def _filename(expr: e.Filename, ctx: EvalContext) -> bytes | None:
    return None if ctx.packet is None else _header_text(ctx.packet.file[:128])


def _server_name(expr: e.ServerName, ctx: EvalContext) -> bytes | None:
    return None if ctx.packet is None else _header_text(ctx.packet.sname[:64])


def _gethostname(expr: e.GetHostName, ctx: EvalContext) -> bytes | None:
    if ctx.local_hostname is None:
        return None
    return ctx.local_hostname.encode("latin-1", "replace")[:MAX_HOSTNAME]


def _v6relay(expr: e.V6Relay, ctx: EvalContext) -> bytes | None:
    """DHCPv4 packets have no DHCPv6 relay layers: only relay 0, the packet itself."""
    relay = evaluate_numeric(expr.relay, ctx)
    if relay is None or relay > 0:
        return None
    return evaluate_data(expr.option, ctx)


_DATA: dict[type, Callable[..., bytes | None]] = {
    e.ConstData: lambda expr, ctx: expr.data,
    e.Substring: _substring,
    e.Suffix: _suffix,
    e.Lcase: _case(bytes.lower),
    e.Ucase: _case(bytes.upper),
    e.OptionValue: _option,
    e.ConfigOption: _config_option,
    e.Hardware: _hardware,
    e.Packet: _packet,
    e.HostLookup: _host_lookup,
    e.Concat: _concat,
    e.EncodeInt: _encode_int,
    e.BinaryToAscii: _binary_to_ascii,
    e.Reverse: _reverse,
    e.LeasedAddress: _leased_address,
    e.PickFirstValue: _pick_first_value,
    e.HostDeclName: _host_decl_name,
    e.Null: lambda expr, ctx: None,
    e.VariableReference: _data_variable,
    e.Filename: _filename,
    e.ServerName: _server_name,
    e.GetHostName: _gethostname,
    e.V6Relay: _v6relay,
}
