"""A `lease` record read token by token: ISC's parse_lease_declaration.

The fast reader handles records in the layout ISC writes; this one handles anything
else (hand-edited files, older versions, damage) and gives what dhcpd would: the same
values, the same messages (`Too many starts parameters in lease 10.0.0.1`,
`Unexpected configuration directive.` …) and the same decision to drop the record.

What depends on the configuration is left to the caller, who has it: the existence of
a billing class, the pool a lease belongs to, and the defaults for a record without a
binding state (`domain.lease.with_load_defaults`).

Where we differ from dhcpd on purpose:
- the statements of an `on` block are kept as text and not parsed, so a malformed one
  does not make us drop the lease as dhcpd would;
- dhcpd prints `confpars.c(3500): non-null pointer` when a second `on` block replaces
  a first; that line is about its C source, not the file, and we do not print it;
- a `binding state` line whose state word is missing leaves the state unset, where
  dhcpd keeps a state of 0 and later complains "Lease with bogus binding state: 0".
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from adapters.dhcpdconf.lexer import EOF, is_identifier
from adapters.dhcpdconf.primitives import (
    parse_cshl,
    parse_host_name,
    parse_numeric_aggregate,
    parse_semi,
    parse_string,
    skip_to_rbrace,
    skip_to_semi,
)
from adapters.leasefile.agent_reader import read_agent_option
from adapters.leasefile.binding_reader import read_binding
from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.token_fields import (
    LeaseFileFatal,
    RecordDropped,
    octets,
    read_block_body,
    read_date,
    read_hardware,
)
from domain.lease import (
    AgentOption,
    BillingClass,
    BindingState,
    BindingValue,
    Hardware,
    Lease,
)

_DATE_FIELDS = {"STARTS": ("starts", 1), "ENDS": ("ends", 2), "TSTP": ("tstp", 65536),
                "TSFP": ("tsfp", 131072), "ATSFP": ("atsfp", 262144), "CLTT": ("cltt", 524288)}
_STATE_WORDS = {
    "TOKEN_ABANDONED": BindingState.ABANDONED, "TOKEN_FREE": BindingState.FREE,
    "TOKEN_ACTIVE": BindingState.ACTIVE, "TOKEN_EXPIRED": BindingState.EXPIRED,
    "TOKEN_RELEASED": BindingState.RELEASED, "TOKEN_RESET": BindingState.RESET,
    "TOKEN_BACKUP": BindingState.BACKUP,
}
_STATE_SEEN = {"BINDING": 256, "TOKEN_NEXT": 128, "REWIND": 512}
_DDNS_NAMES = {"ddns-fwd-name": 4096, "ddns-rev-name": 8192}
_EXPIRY, _RELEASE = 16384, 32768
_EVENT_WORDS = {"EXPIRY": "expiry", "COMMIT": "commit", "RELEASE": "release",
                "TRANSMISSION": "transmission"}


@dataclass
class _Draft:
    """The lease being read, in ISC's terms (absent states are None)."""

    ip: str
    times: dict[str, int | None] = field(default_factory=dict)
    states: dict[int, BindingState] = field(default_factory=dict)  # keyed by seen bit
    reserved: bool = False
    dynamic_bootp: bool = False
    billing: BillingClass | None = None
    hardware: Hardware | None = None
    uid: bytes | None = None
    bindings: list[tuple[str, BindingValue]] = field(default_factory=list)
    agent_options: list[AgentOption] = field(default_factory=list)
    client_hostname: str | None = None
    on_expiry: str | None = None
    on_release: str | None = None
    on_shared: bool = False


def build_lease(ip: str, times: dict[str, int | None], binding: BindingState | None,
                following: BindingState | None, rewind: BindingState | None,
                **others: Any) -> Lease:
    """The Lease value of a record, shared with the fast reader so that both agree:
    a next or rewind state equal to the binding state is the same as none."""
    return Lease(
        ip=ip, **times,
        binding_state=binding,
        next_binding_state=None if following == binding else following,
        rewind_binding_state=None if rewind == binding else rewind,
        **others,
    )


def read_lease(cf: LeaseLexer) -> Lease | None:
    """The rest of a `lease` record after its keyword; None when ISC drops it."""
    parts = parse_numeric_aggregate(cf, 4, ".", 10, 8)
    if parts is None:
        return None
    ip = ".".join(str(p & 0xFF) for p in (*parts, 0, 0, 0)[:4])
    if cf.next().kind != "{":
        cf.warn("expecting left brace.")
        skip_to_semi(cf)
        return None
    draft = _Draft(ip)
    try:
        _read_fields(cf, draft)
    except RecordDropped:
        return None
    states = draft.states
    binding = states.get(256)
    return build_lease(
        ip, draft.times, binding, states.get(128, binding), states.get(512, binding),
        reserved=draft.reserved, dynamic_bootp=draft.dynamic_bootp, billing=draft.billing,
        hardware=draft.hardware, uid=draft.uid, bindings=tuple(draft.bindings),
        agent_options=tuple(draft.agent_options), client_hostname=draft.client_hostname,
        on_expiry=draft.on_expiry, on_release=draft.on_release,
        on_expiry_or_release=draft.on_shared,
    )


def _read_fields(cf: LeaseLexer, draft: _Draft) -> None:
    seen = 0
    while True:
        tok = cf.next()
        if tok.kind == "}":
            return
        if tok.kind == EOF:
            cf.warn("unexpected end of file")
            return
        seen_bit = _read_field(cf, draft, tok.kind, tok.text, seen)
        if seen & seen_bit:
            # ISC's message ends in a newline of its own: dhcpd prints an empty line.
            cf.warn(f"Too many {tok.text[:31]} parameters in lease {draft.ip}\n")
        else:
            seen |= seen_bit


def _read_field(cf: LeaseLexer, draft: _Draft, kind: str, text: str, seen: int) -> int:
    """Read one field after its first token; return ISC's "seen" bit for it."""
    if kind in _DATE_FIELDS:
        name, bit = _DATE_FIELDS[kind]
        draft.times[name] = read_date(cf)
        return bit
    if kind == "TIMESTAMP":
        read_date(cf)
        raise LeaseFileFatal("Impossible error at confpars.c:3227.")
    if kind in _STATE_SEEN:
        return _read_state(cf, draft, kind, seen)
    reader = _FIELD_READERS.get(kind)
    if reader is not None:
        return reader(cf, draft)
    ddns_bit = _DDNS_NAMES.get(text.lower())
    if ddns_bit is not None:
        read_binding(cf, draft.bindings, text, equal_sign=False)
        return ddns_bit
    cf.warn("Unexpected configuration directive.")
    skip_to_semi(cf)
    raise RecordDropped


def _read_state(cf: LeaseLexer, draft: _Draft, kind: str, seen: int) -> int:
    bit = _STATE_SEEN[kind]
    if kind != "BINDING" and cf.next().kind != "BINDING":
        cf.warn("expecting 'binding'")
        skip_to_semi(cf)
        return bit
    if cf.next().kind != "STATE":
        cf.warn("expecting 'state'")
        skip_to_semi(cf)
        return bit
    tok = cf.next()
    state = _STATE_WORDS.get(tok.kind)
    if state is None:
        if tok.kind not in ("TOKEN_RESERVED", "TOKEN_BOOTP"):
            cf.warn(f"{tok.text}: expecting a binding state.")
            skip_to_semi(cf)
            raise RecordDropped
        # The words of older versions: active, plus a flag.
        state = BindingState.ACTIVE
        if tok.kind == "TOKEN_RESERVED":
            draft.reserved = True
        else:
            draft.dynamic_bootp = True
    draft.states[bit] = state
    if bit == 256:
        # A binding state line stands for next and rewind until they are given.
        for implied in (128, 512):
            if not seen & implied:
                draft.states[implied] = state
    parse_semi(cf)
    return bit


def _read_uid(cf: LeaseLexer, draft: _Draft) -> int:
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        value = tok.text.encode("latin-1")
    else:
        value = octets(cf)
        if value is None:
            raise RecordDropped
    draft.uid = value or None  # ISC keeps an empty uid as no uid at all
    parse_semi(cf)
    return 8


def _read_class(cf: LeaseLexer, draft: _Draft) -> int:
    tok = cf.next()
    if not is_identifier(tok.kind):
        if tok.kind != ";":
            skip_to_rbrace(cf, 1)
        raise RecordDropped
    parse_semi(cf)
    return 32


def _read_hardware(cf: LeaseLexer, draft: _Draft) -> int:
    draft.hardware = read_hardware(cf, draft.hardware)
    return 64


_FieldReader = Callable[[LeaseLexer, "_Draft"], int]


def _flag(name: str) -> _FieldReader:
    def read(cf: LeaseLexer, draft: _Draft) -> int:
        setattr(draft, name, True)
        parse_semi(cf)
        return 0

    return read


def _read_abandoned(cf: LeaseLexer, draft: _Draft) -> int:
    draft.states[256] = draft.states[128] = BindingState.ABANDONED
    parse_semi(cf)
    return 256


def _read_client_hostname(cf: LeaseLexer, draft: _Draft) -> int:
    if cf.peek().kind == "STRING":
        name = parse_string(cf)
        if name is None:
            raise RecordDropped
    else:
        name = parse_host_name(cf)
        if name is None:
            cf.warn("expecting a hostname.")
            skip_to_semi(cf)
            raise RecordDropped
        parse_semi(cf)
    draft.client_hostname = name.split("\0", 1)[0]  # ISC keeps a C string
    return 1024


def _read_billing(cf: LeaseLexer, draft: _Draft) -> int:
    tok = cf.next()
    if tok.kind == "CLASS":
        name = cf.next()
        if name.kind != "STRING":
            cf.warn("expecting string")
            if name.kind != ";":
                skip_to_semi(cf)
            return 2048
        draft.billing = BillingClass(name.text)
        parse_semi(cf)
    elif tok.kind == "SUBCLASS":
        draft.billing = _read_billing_subclass(cf)
    else:
        cf.warn('expecting "class"')
        if tok.kind != ";":
            skip_to_semi(cf)
    return 2048


def _read_billing_subclass(cf: LeaseLexer) -> BillingClass | None:
    """The part of parse_class_declaration a `billing subclass` line goes through."""
    name = cf.next()
    if name.kind != "STRING":
        cf.warn("Expecting class name")
        skip_to_semi(cf)
        return None
    tok = cf.peek()
    if tok.kind == "STRING":
        cf.skip()
        key = tok.text.encode("latin-1")
    elif tok.kind in ("NUMBER", "NUMBER_OR_NAME"):
        value = parse_cshl(cf)
        if value is None:
            return None
        key = value
    else:
        cf.warn("Expecting string or hex list.")
        return None
    # `;` ends it; a `{ … }` body (never written by ISC) is passed over.
    skip_to_semi(cf)
    return BillingClass(name.text, key)


def _read_on(cf: LeaseLexer, draft: _Draft) -> int:
    """ISC parse_on_statement, with the statements kept as text."""
    events: set[str] = set()
    while True:
        tok = cf.next()
        event = _EVENT_WORDS.get(tok.kind)
        if event is None:
            cf.warn("expecting a lease event type")
            skip_to_semi(cf)
            skip_to_rbrace(cf, 1)
            raise RecordDropped
        events.add(event)
        tok = cf.next()
        if tok.kind != "OR":
            break
    if tok.kind == ";":
        return 0
    if tok.kind != "{":
        cf.warn("left brace expected.")
        skip_to_semi(cf)
        skip_to_rbrace(cf, 1)
        raise RecordDropped
    block = read_block_body(cf)
    if block is None:
        skip_to_semi(cf)
        skip_to_rbrace(cf, 1)
        raise RecordDropped
    if not block.has_tokens:
        return 0
    bit = 0
    if "expiry" in events:
        bit |= _EXPIRY
        draft.on_expiry = block.body
    if "release" in events:
        bit |= _RELEASE
        draft.on_release = block.body
    if bit:
        draft.on_shared = bit == _EXPIRY | _RELEASE
    return bit


def _read_option(cf: LeaseLexer, draft: _Draft) -> int:
    option = read_agent_option(cf)
    if option is not None:
        draft.agent_options.append(option)
    return 0


def _read_set(cf: LeaseLexer, draft: _Draft) -> int:
    tok = cf.next()
    if tok.kind not in ("NAME", "NUMBER_OR_NAME"):
        cf.warn(f"{tok.text} can't be a variable name")
        skip_to_semi(cf)
        raise RecordDropped
    read_binding(cf, draft.bindings, tok.text, equal_sign=True)
    return 0


_FIELD_READERS: dict[str, _FieldReader] = {
    "UID": _read_uid,
    "CLASS": _read_class,
    "HARDWARE": _read_hardware,
    "TOKEN_RESERVED": _flag("reserved"),
    "DYNAMIC_BOOTP": _flag("dynamic_bootp"),
    "TOKEN_ABANDONED": _read_abandoned,
    "CLIENT_HOSTNAME": _read_client_hostname,
    "BILLING": _read_billing,
    "ON": _read_on,
    "OPTION": _read_option,
    "SUPERSEDE": _read_option,
    "TOKEN_SET": _read_set,
}
