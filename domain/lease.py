"""The records of dhcpd.leases as plain values: a lease, a failover state, a host, …

These are what the lease log is made of: every event carries one of them, and the
lease-file codec turns each into exactly the text ISC dhcpd 4.4 writes.  They are frozen
dataclasses with slots, not pydantic models, because they are built and compared on the
hot path (every ACK) and by the thousand during a replay.  The lease itself is an
immutable named tuple: a failover pair builds, changes and compares several per exchange,
and a tuple is made in a quarter of the time a frozen dataclass takes (its `replace` in an
eighth).

The fields follow ISC's `struct lease` as dhcpd.leases shows it, with two conventions:

- A time is whole seconds since the epoch, or None when the record has no such line.
  ISC's 0 means "not set", so the reader never returns 0 and the writer leaves 0 out as
  ISC does (and a time before 1970, which ISC cannot write and only a hand-made file
  holds).  `never` is ISC's MAX_TIME, `NEVER` here (0x7fffffff, 2038-01-19 03:14:07).
- A field that the record does not state stays None rather than taking the value ISC
  gives it when it loads the file (that depends on the clock and the pools); the
  function `with_load_defaults` applies ISC's rules when a caller needs them.

Octet strings (uid, hardware address, agent options, `set` data) are bytes; names and
texts that ISC keeps as C strings (host names, class names, binding names, the client
hostname) are str holding one character per byte (Latin-1), as the lexer returns them.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import Any, NamedTuple

NEVER = 0x7FFFFFFF  # ISC's MAX_TIME, written `never`


class BindingState(enum.StrEnum):
    """A lease's binding state, named as dhcpd.leases names it (ISC's FTS_* codes 1-7).

    The legacy words `bootp` and `reserved` are not states: ISC reads them as ACTIVE
    plus the BOOTP or RESERVED flag, and so does our reader (`Lease.dynamic_bootp`,
    `Lease.reserved`)."""

    FREE = "free"
    ACTIVE = "active"
    EXPIRED = "expired"
    RELEASED = "released"
    ABANDONED = "abandoned"
    RESET = "reset"
    BACKUP = "backup"


# Where a lease of a failover pool waits, after it stopped being active, until the
# peer has acknowledged the change; then it is free again (dhcpd's "returning" states).
PEER_PENDING_STATES = frozenset({BindingState.EXPIRED, BindingState.RELEASED,
                                 BindingState.RESET})


class FailoverState(enum.StrEnum):
    """A failover server state as a `failover peer … state` record names it."""

    UNKNOWN_STATE = "unknown-state"
    STARTUP = "startup"
    NORMAL = "normal"
    COMMUNICATIONS_INTERRUPTED = "communications-interrupted"
    PARTNER_DOWN = "partner-down"
    POTENTIAL_CONFLICT = "potential-conflict"
    RECOVER = "recover"
    PAUSED = "paused"
    SHUTDOWN = "shutdown"
    RECOVER_DONE = "recover-done"
    RESOLUTION_INTERRUPTED = "resolution-interrupted"
    CONFLICT_DONE = "conflict-done"
    RECOVER_WAIT = "recover-wait"


class ByteOrder(enum.StrEnum):
    """The `authoring-byte-order` of a lease file (it matters to DHCPv6 IAIDs only)."""

    LITTLE_ENDIAN = "little-endian"
    BIG_ENDIAN = "big-endian"


@dataclass(frozen=True, slots=True)
class Hardware:
    """A hardware address: the ARP type (1 = ethernet) and the address octets.

    An empty address is a real case: `hardware ethernet ;` is what ISC writes for a
    client that sent none, and it differs from a lease with no hardware line."""

    htype: int
    address: bytes


@dataclass(frozen=True, slots=True)
class BillingClass:
    """The class a lease is billed to: `billing class "name"`, or for a spawned
    subclass `billing subclass "name" key`."""

    name: str
    subclass_key: bytes | None = None


@dataclass(frozen=True, slots=True)
class AgentOption:
    """A relay agent sub-option stashed on the lease (`option agent.circuit-id …`).

    `name` is ISC's name in the agent space (circuit-id, remote-id, agent-id,
    DOCSIS-device-class, link-selection, relay-port, or unknown-N); `data` the octets
    the relay sent."""

    name: str
    data: bytes


# ISC's binding_data, binding_numeric and binding_boolean (`set x = "…" | %N | true`).
# Careful: Python's True == 1, so compare the types too when that matters.
BindingValue = bytes | int | bool


class Lease(NamedTuple):
    """One `lease A.B.C.D { … }` record: the whole state of an address after a change.

    `bindings` keeps the `set` statements in the order the record gives them (ISC
    itself reverses that order each time it rewrites the file; the meaning is the
    same).  `on_expiry` and `on_release` are the bodies of the `on` blocks, kept
    verbatim (everything between the braces); `on_expiry_or_release` says the two are
    one block, written `on expiry or release`.  The legacy line `abandoned;` reads as
    binding and next state ABANDONED."""

    ip: str
    starts: int | None = None
    ends: int | None = None
    tstp: int | None = None
    tsfp: int | None = None
    atsfp: int | None = None
    cltt: int | None = None
    binding_state: BindingState | None = None
    next_binding_state: BindingState | None = None
    rewind_binding_state: BindingState | None = None
    reserved: bool = False
    dynamic_bootp: bool = False
    billing: BillingClass | None = None
    hardware: Hardware | None = None
    uid: bytes | None = None
    bindings: tuple[tuple[str, BindingValue], ...] = ()
    agent_options: tuple[AgentOption, ...] = ()
    client_hostname: str | None = None
    on_expiry: str | None = None
    on_release: str | None = None
    on_expiry_or_release: bool = False

    def replace(self, **changes: Any) -> Lease:
        """This record with the named fields changed (what `dataclasses.replace` does
        for the other records, without its per-field work)."""
        values = list(self)
        for name, value in changes.items():
            try:
                values[_LEASE_FIELD_AT[name]] = value
            except KeyError:
                raise TypeError(f"Lease has no field {name!r}") from None
        return tuple.__new__(Lease, values)

    def binding(self, name: str) -> BindingValue | None:
        """The value of `set name`, found the way ISC finds it (case-insensitively)."""
        wanted = name.lower()
        for bound, value in self.bindings:
            if bound.lower() == wanted:
                return value
        return None

    @property
    def ddns_fwd_name(self) -> BindingValue | None:
        """The forward DNS name dhcpd's DDNS code recorded (the `ddns-fwd-name` binding)."""
        return self.binding("ddns-fwd-name")

    @property
    def ddns_rev_name(self) -> BindingValue | None:
        """The reverse DNS name dhcpd's DDNS code recorded (the `ddns-rev-name` binding)."""
        return self.binding("ddns-rev-name")


_LEASE_FIELD_AT = {name: at for at, name in enumerate(Lease._fields)}


def with_load_defaults(lease: Lease, now: int, failover_pool: bool) -> Lease:
    """The lease as ISC holds it right after reading its record, before expiry runs.

    ISC fills in what the record leaves out (server/confpars.c parse_lease_declaration):
    without a `binding state` the lease is ACTIVE when it ends after `now` or has an
    `on` block, else FREE (EXPIRED in a failover pool), and its next state is worked out
    from that (any `next binding state` line is then ignored); a missing `tstp` becomes
    `ends`.  Absent next and rewind states mean "the same as the binding state"."""
    changes: dict[str, object] = {}
    if lease.binding_state is None:
        has_events = lease.on_expiry is not None or lease.on_release is not None
        if (lease.ends or 0) > now or has_events:
            state = BindingState.ACTIVE
            following = BindingState.EXPIRED if failover_pool else BindingState.FREE
        else:
            state = BindingState.EXPIRED if failover_pool else BindingState.FREE
            following = state
        changes.update(binding_state=state, next_binding_state=following,
                       rewind_binding_state=None)
    if lease.tstp is None and lease.ends is not None:
        changes["tstp"] = lease.ends
    return lease.replace(**changes) if changes else lease


@dataclass(frozen=True, slots=True)
class FailoverStateRecord:
    """A `failover peer "name" state { … }` record: both servers' states and since when.

    A state without a time is the form `my state partner-down;` that an operator
    writes to force a state: ISC takes it as "since the moment the record is read".
    `mclt` is written by the secondary only."""

    peer: str
    my_state: FailoverState | None = None
    my_time: int | None = None
    partner_state: FailoverState | None = None
    partner_time: int | None = None
    mclt: int | None = None


@dataclass(frozen=True, slots=True)
class HostRecord:
    """A `host` record: a host made or deleted through OMAPI, as ISC saves it.

    `statements` holds every other statement of the host verbatim, each with the
    white space before it, as the record gives them."""

    name: str
    dynamic: bool = False
    deleted: bool = False
    hardware: Hardware | None = None
    uid: bytes | None = None
    fixed_addresses: tuple[str, ...] = ()
    group: str | None = None
    statements: str = ""


@dataclass(frozen=True, slots=True)
class ServerDuid:
    """The `server-duid` record: the DHCPv6 server DUID dhcpd generated once."""

    duid: bytes


@dataclass(frozen=True, slots=True)
class AuthoringByteOrder:
    """The `authoring-byte-order` record at the top of an ISC-written file."""

    byte_order: ByteOrder


@dataclass(frozen=True, slots=True)
class VerbatimRecord:
    """A `class`, `subclass` or `group` record, kept as the text the file holds.

    The lease log only has to carry these through unchanged; their meaning belongs to
    the configuration parser."""

    keyword: str
    text: str


LeaseFileRecord = (
    Lease | FailoverStateRecord | HostRecord | ServerDuid | AuthoringByteOrder | VerbatimRecord
)
