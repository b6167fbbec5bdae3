"""Which classes a client belongs to, and which class a lease would be billed to.

dhcpd classifies every DHCP packet once, before it looks for a lease or a host
(server/class.c `check_collection`, called from server/dhcp.c `dhcp`).  Classes are
tried in declaration order and a client may join several:

- a class with `match if` that is not true (false or no value) is skipped;
- a class without `match`/`spawn with` then matches;
- otherwise the `match` value (which must have a value and be non-empty) selects the
  subclass with that key; with no such subclass a spawning class makes one named by
  the value (sharing the class's statements and lease limit) and the client joins it.
  The class itself is then *not* joined — only its subclass is;
- at most five classes are kept per packet; the rest are refused with the log line
  `too many classes match MAC`.

Because classification runs before the host lookup, `known` is false for every class
match in dhcpd 4.4, whatever host declarations say; pass `known=True` only to ask
what a later evaluation would see.

A spawned subclass is, as in dhcpd, a subclass of its own: the spawning class's
statements and lease limit under the class's name with the match value as its key.

Billing (server/dhcp.c `ack_lease`, see `bill`): a lease keeps the class it is billed
to while the client still matches it; otherwise it is billed to the first matched
class with a `lease limit` that still has room.  If every such class is full the
client gets nothing: `no available billing: lease limit reached in all matching
classes (last: 'NAME')`.  Billing needs the lease being answered, so it is worked out
when the lease is (`domain.ack_lease`), from the classes found here.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from domain.config.declarations import ClassConfig
from domain.config.model import DhcpConfig
from domain.dhcp_packet import DhcpPacket
from domain.eval_context import BindingScope, EvalContext
from domain.evaluate import evaluate_boolean, evaluate_data
from domain.execute import LogLine, run_function
from domain.incoming_options import IncomingOptions
from domain.lease import PEER_PENDING_STATES, BillingClass, BindingState
from domain.options.universes import OptionUniverses

PACKET_MAX_CLASSES = 5
# The binding states in which a lease stays billed to its class: active, and in a
# failover pool the states waiting for the peer (server/mdb.c re-bills a lease read in
# them; `make_binding_state_transition` unbills one only when it reaches a free state).
BILLED_STATES = frozenset({BindingState.ACTIVE, *PEER_PENDING_STATES})


@dataclass(frozen=True)
class MatchedClass:
    """A class the client joined.

    `name` is the class name — for a subclass, its superclass's name, which is what
    `allow members of` and the billing log line use.  `config` is the (sub)class whose
    scope runs for the client and whose lease limit applies (for a spawned subclass,
    one made from the spawning class, see `spawned_subclass`).  `subclass_key` is the
    match value of a subclass (declared or spawned).
    """

    name: str
    config: ClassConfig
    subclass_key: bytes | None = None
    spawned: bool = False

    @property
    def lease_limit(self) -> int | None:
        return self.config.lease_limit

    @property
    def billing_class(self) -> BillingClass:
        """How the lease file names this class in `billing class|subclass …`."""
        return billing_class_of(self.config)


def billing_class_of(config: ClassConfig) -> BillingClass:
    """The billing a lease gets from (sub)class `config`: `billing class "NAME"`, or
    for a subclass `billing subclass "SUPERCLASS" KEY`."""
    if config.superclass is None:
        return BillingClass(config.name)
    return BillingClass(config.superclass, config.hash_key)


def spawned_subclass(spawning: ClassConfig, key: bytes) -> ClassConfig:
    """The subclass a spawning class makes for match value `key` (server/class.c
    `check_collection`): the class's statements and lease limit, keyed by `key`."""
    return spawning.model_copy(update={
        "superclass": spawning.name, "hash_key": key, "match_if": None, "match": None,
        "spawn": False, "subclasses": (),
    })


@dataclass(frozen=True)
class Billing:
    """The class a lease is billed to (None: no billing applies), or `refused` when
    every matched class with a lease limit is full; `last_class` is the class named
    in dhcpd's log line then."""

    billed_to: BillingClass | None = None
    refused: bool = False
    last_class: str = ""

    def refusal_message(self) -> str:
        """The tail dhcpd appends to the request's log line when billing is refused."""
        return (
            "no available billing: lease limit reached in all matching classes "
            f"(last: '{self.last_class}')"
        )


@dataclass(frozen=True)
class Classification:
    """The classes a packet matched, in match order, and what follows from them."""

    classes: tuple[MatchedClass, ...] = ()
    log_lines: tuple[LogLine, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        """Class names as pool permits test them (`allow members of "NAME"`)."""
        return tuple(matched.name for matched in self.classes)

    @property
    def configs(self) -> tuple[ClassConfig, ...]:
        """The declarations whose scopes run, for `DhcpConfig.execution_order`."""
        return tuple(matched.config for matched in self.classes)

    @property
    def spawned(self) -> tuple[BillingClass, ...]:
        """The spawned subclasses the client is in (new or seen before)."""
        return tuple(m.billing_class for m in self.classes if m.spawned)


def classify(
    packet: DhcpPacket,
    config: DhcpConfig,
    *,
    known: bool = False,
    variables: BindingScope | None = None,
    universes: OptionUniverses | None = None,
    raw_packet: bytes | None = None,
    stashed_agent_options: bytes | None = None,
) -> Classification:
    """Classify `packet` as dhcpd does on arrival.

    There is no lease and no option state yet, so `leased-address`, `config-option`
    and friends have no value, and `check "default"` (which would make dhcpd recurse
    until it crashed) sees no classes.  `variables` is dhcpd's global variable scope
    (see `execute.startup_bindings`); `universes` the configuration's option spaces
    (the standard ones when None); `stashed_agent_options` the relay sub-options a
    unicast renewal got from its lease.
    """
    ctx = EvalContext(
        packet=packet,
        known=known,
        variables=variables if variables is not None else BindingScope(),
        universes=universes,
        raw_packet=raw_packet,
        incoming=IncomingOptions(packet, universes, stashed_agent_options),
        call_function=run_function,
    )
    matched: list[MatchedClass] = []
    log_lines: list[LogLine] = []
    for client_class in config.classes:
        found = _match(client_class, ctx)
        if found is None:
            continue
        if len(matched) < PACKET_MAX_CLASSES:
            matched.append(found)
        else:
            hardware = packet.chaddr[: packet.hlen].hex(":")
            log_lines.append(LogLine("error", f"too many classes match {hardware}"))
    return Classification(tuple(matched), tuple(log_lines))


def _match(client_class: ClassConfig, ctx: EvalContext) -> MatchedClass | None:
    if client_class.match_if is not None:
        if not evaluate_boolean(client_class.match_if, ctx):
            return None
        if client_class.match is None:
            return MatchedClass(client_class.name, client_class)
    if client_class.match is None:
        return MatchedClass(client_class.name, client_class)
    key = evaluate_data(client_class.match, ctx)
    if not key:
        return None
    subclass = client_class.subclass_by_key(key)
    if subclass is not None:
        return MatchedClass(client_class.name, subclass, subclass_key=key)
    if client_class.spawn:
        return MatchedClass(
            client_class.name, spawned_subclass(client_class, key), subclass_key=key,
            spawned=True,
        )
    return None


def bill(
    classes: Sequence[ClassConfig],
    billed: Callable[[BillingClass], int],
    current: BillingClass | None = None,
) -> Billing:
    """The billing of a lease for a client in `classes` (match order, as
    `Classification.configs` gives them).  `billed(c)` is how many leases class `c`
    has billed now; `current` is the billing the lease has.

    dhcpd (`ack_lease`) keeps `current` while the client is in that class; else it
    tries each class with a lease limit in turn and takes the first with room.  A
    class with a limit of 0 has none: dhcpd treats it as having no limit."""
    if current is not None and any(billing_class_of(c) == current for c in classes):
        return Billing(billed_to=current)
    last = ""
    limited = False
    for config in classes:
        limit = config.lease_limit
        if not limit:
            continue
        limited = True
        billing = billing_class_of(config)
        if billed(billing) < limit:
            return Billing(billed_to=billing)
        last = billing.name
    return Billing(refused=True, last_class=last) if limited else Billing()
