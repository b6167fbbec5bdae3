"""One top-level statement of a lease file, read token by token (ISC lease_file_subparse).

The reader calls `read_statement` at the start of each record its fast path does not
recognise.  The statement is read exactly as dhcpd reads it, including its mistakes:
an unknown word costs "Corrupt lease file - possible data loss!" and everything up to
the next `;`, and a `lease` that cannot be read is dropped with "possibly corrupt
lease file".

Checks that need the configuration are not made here: an unknown failover peer, an
`mclt` on a primary, a host that already exists.  Class, subclass and group records
are passed over as ISC's skip_to_semi would (to their `;` or closing `}`) and kept
as text, and so are the statements of a host other than its own fields: dhcpd parses
them with its configuration parser and reports their mistakes, we do not.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

from adapters.dhcpdconf.diagnostics import Diagnostic
from adapters.dhcpdconf.lexer import EOF, is_identifier
from adapters.dhcpdconf.primitives import (
    parse_host_name,
    parse_ip_addr_or_hostname,
    parse_semi,
    skip_to_rbrace,
    skip_to_semi,
)
from adapters.leasefile.lease_lexer import LeaseLexer
from adapters.leasefile.lease_reader import read_lease
from adapters.leasefile.token_fields import (
    LeaseFileFatal,
    c_atoi,
    octets,
    read_date,
    read_hardware,
    read_hex_or_string,
    read_statement_text,
)
from domain.lease import (
    AuthoringByteOrder,
    ByteOrder,
    FailoverState,
    FailoverStateRecord,
    Hardware,
    HostRecord,
    LeaseFileRecord,
    ServerDuid,
    VerbatimRecord,
)

_VERBATIM_KEYWORDS = {"CLASS": "class", "SUBCLASS": "subclass", "GROUP": "group"}
_IA_KEYWORDS = {"IA_NA": "IA_NA", "IA_TA": "IA_TA", "IA_PD": "IA_PD"}
_FAILOVER_STATES = {state.name: state for state in FailoverState}  # token name = enum name
_DUID_MAX = 128


@dataclass(frozen=True, slots=True)
class StatementRead:
    """What one top-level statement gave: its record (None when ISC keeps nothing),
    where its text ends, its messages, and whether the file ended inside it."""

    record: LeaseFileRecord | None
    end: int
    diagnostics: tuple[Diagnostic, ...]
    complete: bool
    fatal: Diagnostic | None = None


class StatementReader:
    """Reads the statements of one lease file that the fast path passed on."""

    def __init__(self, text: str, filename: str) -> None:
        self.lexer = LeaseLexer(text, filename)
        self.byte_order_seen = False

    def read_statement(self, start: int) -> StatementRead:
        """The statement that begins at `start` (the first character of its keyword)."""
        cf = self.lexer
        diagnostics = cf.begin_record(start)
        fatal = None
        try:
            record = self._dispatch(cf)
        except LeaseFileFatal as stop:
            record = None
            fatal = Diagnostic((str(stop),))
        return StatementRead(record, cf.last_end, tuple(diagnostics.reports),
                             not cf.reached_eof, fatal)

    def _dispatch(self, cf: LeaseLexer) -> LeaseFileRecord | None:
        tok = cf.next()
        kind = tok.kind
        if kind == "LEASE":
            lease = read_lease(cf)
            if lease is None:
                cf.warn("possibly corrupt lease file")
            return lease
        if kind in _VERBATIM_KEYWORDS:
            start = cf.last_end - len(tok.text)
            skip_to_semi(cf)
            return VerbatimRecord(_VERBATIM_KEYWORDS[kind], cf.src[start : cf.last_end])
        if kind == "HOST":
            return _read_host(cf)
        if kind == "FAILOVER":
            return _read_failover_state(cf)
        if kind == "SERVER_DUID":
            return _read_server_duid(cf)
        if kind == "AUTHORING_BYTE_ORDER":
            return self._read_byte_order(cf)
        if kind in _IA_KEYWORDS:
            cf.warn(f"{_IA_KEYWORDS[kind]} is only supported in DHCPv6 mode.")
        elif kind != EOF:
            cf.diagnostics.error("Corrupt lease file - possible data loss!")
        skip_to_semi(cf)
        return None

    def _read_byte_order(self, cf: LeaseLexer) -> AuthoringByteOrder | None:
        """ISC parse_authoring_byte_order: only the first one in a file counts."""
        if self.byte_order_seen:
            cf.warn("authoring-byte-order specified too late.\n"
                    "It must occur before the first lease in file\n")
            skip_to_semi(cf)
            return None
        tok = cf.next()
        if tok.kind not in ("TOKEN_LITTLE_ENDIAN", "TOKEN_BIG_ENDIAN"):
            cf.warn("authoring-byte-order is invalid:  it must be big-endian or little-endian.")
            skip_to_semi(cf)
            return None
        self.byte_order_seen = True
        if tok.kind == "TOKEN_LITTLE_ENDIAN":
            order = ByteOrder.LITTLE_ENDIAN
        else:
            order = ByteOrder.BIG_ENDIAN
            cf.diagnostics.error("WARNING: Lease file authored using different byte order,"
                                 " will attempt to convert")
        if cf.next().kind != ";":
            cf.warn("corrupt lease file; expecting a semicolon")
            skip_to_semi(cf)
        return AuthoringByteOrder(order)


def _read_server_duid(cf: LeaseLexer) -> ServerDuid | None:
    """ISC parse_server_duid: a DUID of 3 to 128 octets."""
    duid = read_hex_or_string(cf, _DUID_MAX)
    if len(duid) <= 2:
        cf.warn("Invalid duid contents")
        skip_to_semi(cf)
        return None
    parse_semi(cf)
    return ServerDuid(duid)


def _read_failover_state(cf: LeaseLexer) -> FailoverStateRecord | None:
    """ISC parse_failover_state_declaration for a record of the lease file.

    As in ISC, a state that was read stays read even when a later line of the record
    is bad; a state whose date is bad is not taken."""
    if cf.next().kind != "PEER":
        cf.warn('expecting "peer"')
        skip_to_semi(cf)
        return None
    tok = cf.next()
    if not (is_identifier(tok.kind) or tok.kind == "STRING"):
        cf.warn("expecting failover peer name.")
        skip_to_semi(cf)
        return None
    record = FailoverStateRecord(tok.text)
    tok = cf.next()
    if tok.kind != "STATE":
        cf.warn("expecting 'state'")
        if tok.kind != ";":
            skip_to_semi(cf)
        return None
    tok = cf.next()
    if tok.kind != "{":
        cf.warn("expecting left brace")
        if tok.kind != ";":
            skip_to_semi(cf)
        return None
    while True:
        tok = cf.next()
        if tok.kind == "}":
            return record
        if tok.kind in ("MY", "PARTNER"):
            if cf.next().kind != "STATE":
                cf.warn("expecting 'state'")
                break
            record = _read_server_state(cf, record, tok.kind == "MY")
        elif tok.kind == "MCLT":
            number = cf.next()
            if number.kind != "NUMBER":
                cf.warn("expecting a number.")
                break
            record = replace(record, mclt=c_atoi(number.text) & 0xFFFFFFFF)
            parse_semi(cf)
        else:
            cf.warn("expecting state setting.")
            break
    skip_to_rbrace(cf, 1)
    return record


def _read_server_state(cf: LeaseLexer, record: FailoverStateRecord,
                       mine: bool) -> FailoverStateRecord:
    """ISC parse_failover_state: `S;` (since now) or `S at DATE`."""
    tok = cf.next()
    state = _FAILOVER_STATES.get(tok.kind)
    if state is None:
        cf.warn("unknown failover state")
        skip_to_semi(cf)
        return record
    tok = cf.next()
    since = None
    if tok.kind != ";":
        if tok.kind != "AT":
            cf.warn('expecting "at"')
            skip_to_semi(cf)
            return record
        since = read_date(cf)
        if since is None:
            return record
    if mine:
        return replace(record, my_state=state, my_time=since)
    return replace(record, partner_state=state, partner_time=since)


def _read_host(cf: LeaseLexer) -> HostRecord | None:
    """ISC parse_host_declaration, keeping the statements it does not interpret as text."""
    name = parse_host_name(cf)
    if name is None:
        cf.warn("expecting a name for host declaration.")
        skip_to_semi(cf)
        return None
    if cf.next().kind != "{":
        cf.warn("expecting left brace.")
        skip_to_semi(cf)
        return None
    host = _HostDraft(name)
    while host.read_one(cf):
        pass
    return host.build()


class _HostDraft:
    def __init__(self, name: str) -> None:
        self.name = name
        self.flags = {"dynamic": False, "deleted": False}
        self.hardware: Hardware | None = None
        self.uid: bytes | None = None
        self.fixed: tuple[str, ...] = ()
        self.group: str | None = None
        self.statements: list[str] = []

    def read_one(self, cf: LeaseLexer) -> bool:
        """Read one statement of the host; False once the host is over."""
        tok = cf.peek()
        kind = tok.kind
        if kind == "}":
            cf.skip()
            return False
        if kind == EOF:
            cf.skip()
            cf.warn("unexpected end of file")
            return False
        if kind in ("DYNAMIC", "TOKEN_DELETED"):
            cf.skip()
            self.flags["dynamic" if kind == "DYNAMIC" else "deleted"] = True
            return parse_semi(cf)
        if kind == "GROUP":
            cf.skip()
            group = cf.next()
            if group.kind != "STRING" and not is_identifier(group.kind):
                cf.warn("expecting string or identifier.")
                skip_to_rbrace(cf, 1)
                return False
            self.group = group.text
            return parse_semi(cf)
        if kind == "UID":
            return self._read_uid(cf)
        if kind == "HARDWARE":
            cf.skip()
            if self.hardware is not None:
                cf.warn(f"Host {self.name} hardware address already configured.")
            else:
                self.hardware = read_hardware(cf, None)
        elif kind == "FIXED_ADDR":
            cf.skip()
            addresses = _read_fixed_addresses(cf)
            if addresses and self.fixed:
                cf.warn("Only one fixed address declaration per host.")
            elif addresses:
                self.fixed = addresses
        else:
            self.statements.append(read_statement_text(cf))
        return True

    def _read_uid(self, cf: LeaseLexer) -> bool:
        cf.skip()
        if self.uid:
            cf.warn(f"Host '{self.name}' already has a uid '{_hex_or_string(self.uid)}'")
            skip_to_rbrace(cf, 1)
            return False
        tok = cf.peek()
        if tok.kind == "STRING":
            cf.skip()
            self.uid = tok.text.encode("latin-1")
        else:
            self.uid = octets(cf)
            if self.uid is None:
                cf.warn("expecting hex list.")
                skip_to_semi(cf)
        return parse_semi(cf)

    def build(self) -> HostRecord:
        return HostRecord(
            name=self.name, dynamic=self.flags["dynamic"], deleted=self.flags["deleted"],
            hardware=self.hardware, uid=self.uid, fixed_addresses=self.fixed,
            group=self.group, statements="".join(self.statements),
        )


def _read_fixed_addresses(cf: LeaseLexer) -> tuple[str, ...]:
    """ISC parse_fixed_addr_param: addresses or names separated by commas, then `;`;
    nothing when any of it is bad."""
    addresses: list[str] = []
    while True:
        address = parse_ip_addr_or_hostname(cf)
        if address is None:
            return ()
        addresses.append(address)
        if cf.peek().kind != ",":
            break
        cf.skip()
    return tuple(addresses) if parse_semi(cf) else ()


def _hex_or_string(data: bytes) -> str:
    """ISC print_hex_or_string, as its "already has a uid" message shows a uid."""
    if all(0x20 <= b < 0x7F for b in data):
        return '"' + data.decode("latin-1") + '"'
    return data.hex(":")
