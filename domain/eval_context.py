"""What an expression can see when dhcpd evaluates it for one request.

ISC passes every evaluator the same handful of things (common/tree.c): the packet
(`known`, `hardware`, `packet`, `option`), the lease (`leased-address`,
`host-decl-name`, `static`, `lease-time`), the option state built so far
(`config-option`) and a chain of variable scopes (`set`, `define`, function
arguments).  `EvalContext` carries exactly those, plus the two things dhcpd would
fetch from the system — a DNS lookup and the local host name — as values and ports,
so evaluation stays pure.

"No value" is ISC's failed evaluation (a function returning 0): it is None here,
everywhere.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field

from domain.config.expressions import Function
from domain.dhcp_packet import DhcpPacket
from domain.incoming_options import IncomingOptions
from domain.options.universes import OptionUniverses

# ISC's binding_value: binding_boolean, binding_numeric (an unsigned long), binding_data
# and binding_function.  bool is tested before int wherever the two could meet.
Value = bool | int | bytes | Function

# A DNS A-record lookup: host name -> its IPv4 addresses (empty when it has none).
HostResolver = Callable[[str], tuple[ipaddress.IPv4Address, ...]]

# Runs a `define`d function: (function, argument values, caller's context) -> result.
FunctionCaller = Callable[[Function, tuple[Value | None, ...], "EvalContext"], Value | None]

_ASCII_FOLD = str.maketrans("ABCDEFGHIJKLMNOPQRSTUVWXYZ", "abcdefghijklmnopqrstuvwxyz")


def _fold(name: str) -> str:
    """dhcpd finds variables with strcasecmp: ASCII letters only fold."""
    return name.translate(_ASCII_FOLD)


def no_addresses(hostname: str) -> tuple[ipaddress.IPv4Address, ...]:
    """The default resolver: every name is unknown, as when DNS is unreachable."""
    return ()


class BindingScope:
    """One ISC binding scope: named values, looked up case-insensitively, falling back
    to `outer`.

    A binding can exist without a value (after `unset`, or a `set` whose expression
    had none); `defined(x)` is false for it, but `set` reuses it.  Scopes are the one
    mutable thing evaluation touches, because dhcpd's `set` writes into the lease's
    scope while the statements run.
    """

    __slots__ = ("_bindings", "outer")

    def __init__(
        self,
        bindings: Iterable[tuple[str, Value | None]] = (),
        outer: BindingScope | None = None,
    ) -> None:
        self._bindings: dict[str, tuple[str, Value | None]] = {}
        for name, value in bindings:
            self._bindings[_fold(name)] = (name, value)
        self.outer = outer

    def _holder(self, name: str) -> BindingScope | None:
        key = _fold(name)
        scope: BindingScope | None = self
        while scope is not None:
            if key in scope._bindings:
                return scope
            scope = scope.outer
        return None

    def exists(self, name: str) -> bool:
        return self._holder(name) is not None

    def value(self, name: str) -> Value | None:
        """The value bound to `name` in this scope or an outer one, if it has one."""
        holder = self._holder(name)
        return None if holder is None else holder._bindings[_fold(name)][1]

    def assign(self, name: str, value: Value | None) -> None:
        """dhcpd's `set`: rebind the innermost existing binding, else make one here."""
        holder = self._holder(name) or self
        key = _fold(name)
        spelled = holder._bindings[key][0] if key in holder._bindings else name
        holder._bindings[key] = (spelled, value)

    def unset(self, name: str) -> None:
        """dhcpd's `unset`: the binding stays, its value goes."""
        holder = self._holder(name)
        if holder is not None:
            key = _fold(name)
            holder._bindings[key] = (holder._bindings[key][0], None)

    def items(self) -> tuple[tuple[str, Value], ...]:
        """This scope's own bindings that have a value, in the order first bound."""
        return tuple(
            (name, value) for name, value in self._bindings.values() if value is not None
        )


@dataclass(frozen=True)
class EvalContext:
    """Everything an expression may read while one request is answered.

    - `packet` is the request (None when dhcpd evaluates without one, as at start-up);
      `incoming` is its options by space, derived from it when not given (pass
      None again when replacing `packet`), and
      `raw_packet` the datagram as received, for `packet(offset, length)` (without it
      the fixed BOOTP header and the options are re-encoded from `packet`).
    - `known` is dhcpd's `packet->known`: a host declaration matched the client.
    - `lease_address`, `lease_ends`, `lease_hardware` (htype byte + address),
      `static_lease` and `host_name` describe the lease being answered, when there
      is one, and the host declaration attached to it.
    - `classes` are the names of the classes matched so far.
    - `config_options` is the option state built so far, by (space, code), for
      `config-option`; None when there is none (class matching), which makes
      `config-option` have no value.
    - `variables` is the innermost variable scope; `call_function` runs `define`d
      functions (None: calls have no value).
    - `resolve_host` answers `gethostbyname`/host names in option values;
      `local_hostname` is what `gethostname()` returns; `now` is the time, for
      `lease-time`.
    - `universes` are the option spaces of the configuration, which say how the
      packet's encapsulated options (agent, fqdn, vendor, user spaces) decode.
    """

    packet: DhcpPacket | None = None
    known: bool = False
    lease_address: str | None = None
    lease_ends: int | None = None
    lease_hardware: bytes | None = None
    static_lease: bool = False
    host_name: str | None = None
    classes: tuple[str, ...] = ()
    config_options: Mapping[tuple[str, int], bytes | None] | None = None
    variables: BindingScope = field(default_factory=BindingScope)
    call_function: FunctionCaller | None = None
    resolve_host: HostResolver = no_addresses
    local_hostname: str | None = None
    now: int | None = None
    raw_packet: bytes | None = None
    universes: OptionUniverses | None = None
    incoming: IncomingOptions | None = None

    def __post_init__(self) -> None:
        if self.incoming is None and self.packet is not None:
            object.__setattr__(self, "incoming", IncomingOptions(self.packet, self.universes))
