"""Records to dhcpd.leases text, byte for byte as ISC dhcpd 4.4 writes them (server/db.c).

Each function returns one record: from its first keyword through the newline after its
closing `}` or `;`.  ISC puts a blank line before a failover state record and after a
server-duid record; those blank lines belong to no record, so they are not part of the
text returned here (`format_file_header` returns the prologue of a rewritten file).

Where ISC would write text its own reader cannot read back (a `"` inside a name, a
value too short for its option format), we write the readable form instead; the
module docstrings of `quoting` and `agent_options` list those cases.
"""

from __future__ import annotations

from adapters.leasefile.agent_options import format_agent_value
from adapters.leasefile.dates import DEFAULT_STYLE, LeaseFileStyle, format_date
from adapters.leasefile.quoting import (
    colon_hex,
    db_printable,
    format_lease_id,
    quote_name,
    quotify,
    subclass_key,
)
from domain.lease import (
    AuthoringByteOrder,
    BindingValue,
    ByteOrder,
    FailoverStateRecord,
    Hardware,
    HostRecord,
    Lease,
    LeaseFileRecord,
    ServerDuid,
)

HARDWARE_TYPE_NAMES = {1: "ethernet", 6: "token-ring", 8: "fddi", 32: "infiniband"}


def hardware_type_name(htype: int) -> str:
    """ISC's hardware_types[] entry: a name for four types, `unknown-N` for the rest."""
    return HARDWARE_TYPE_NAMES.get(htype) or f"unknown-{htype}"


def _hardware(hardware: Hardware) -> str:
    return f"\n  hardware {hardware_type_name(hardware.htype)} {colon_hex(hardware.address)};"


def _binding_value(value: BindingValue) -> str:
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return f"%{value}"
    return quotify(value)


def format_lease(lease: Lease, style: LeaseFileStyle = DEFAULT_STYLE) -> str:
    """The `lease` record ISC's write_lease produces for this lease.

    Lines appear in ISC's order and only under ISC's conditions: a time only when set
    and positive (0 is ISC's "unset"; ISC cannot write a time before 1970 at all),
    `next`/`rewind binding state` only when they differ from the binding state, a uid
    only when it has octets, `client-hostname` only when it is printable.  Unlike ISC,
    the writer does not compare `ends` with the clock before writing `billing`: a
    caller that wants ISC's behaviour drops the billing class of a lease that has
    ended."""
    out = [f"lease {lease.ip} {{"]
    for label, t in (("starts", lease.starts), ("ends", lease.ends), ("tstp", lease.tstp),
                     ("tsfp", lease.tsfp), ("atsfp", lease.atsfp), ("cltt", lease.cltt)):
        if t is not None and t > 0:
            out.append(f"\n  {label} {format_date(t, style)}")
    state = lease.binding_state
    if state is not None:
        out.append(f"\n  binding state {state.value};")
    if lease.next_binding_state is not None and lease.next_binding_state != state:
        out.append(f"\n  next binding state {lease.next_binding_state.value};")
    if lease.rewind_binding_state is not None and lease.rewind_binding_state != state:
        out.append(f"\n  rewind binding state {lease.rewind_binding_state.value};")
    if lease.reserved:
        out.append("\n  reserved;")
    if lease.dynamic_bootp:
        out.append("\n  dynamic-bootp;")
    billing = lease.billing
    if billing is not None:
        if billing.subclass_key is None:
            out.append(f"\n  billing class {quote_name(billing.name)};")
        else:
            out.append(f"\n  billing subclass {quote_name(billing.name)}"
                       f" {subclass_key(billing.subclass_key)};")
    if lease.hardware is not None:
        out.append(_hardware(lease.hardware))
    if lease.uid:
        out.append(f"\n  uid {format_lease_id(lease.uid, style.hex_lease_ids)};")
    for name, value in lease.bindings:
        out.append(f"\n  set {name} = {_binding_value(value)};")
    for option in lease.agent_options:
        text = format_agent_value(option.name, option.data)
        if text is not None:
            out.append(f"\n  option agent.{option.name} {text};")
    if lease.client_hostname is not None and db_printable(lease.client_hostname):
        out.append(f'\n  client-hostname "{lease.client_hostname}";')
    if lease.on_expiry is not None:
        both = " or release" if lease.on_expiry_or_release else ""
        out.append(f"\n  on expiry{both} {{{lease.on_expiry}}}")
    if lease.on_release is not None and not (
        lease.on_expiry_or_release and lease.on_expiry is not None
    ):
        out.append(f"\n  on release {{{lease.on_release}}}")
    out.append("\n}\n")
    return "".join(out)


def format_failover_state(record: FailoverStateRecord,
                          style: LeaseFileStyle = DEFAULT_STYLE) -> str:
    """The `failover peer "name" state` record (server/db.c write_failover_state).

    ISC writes both states and their times always and `mclt` on the secondary only;
    a state without a time (or with one ISC cannot write, before 1970) is written
    `my state S;`, the operator's form."""
    out = [f"failover peer {quote_name(record.peer)} state {{"]
    for who, state, since in (("my", record.my_state, record.my_time),
                               ("partner", record.partner_state, record.partner_time)):
        if state is None:
            continue
        when = ";" if since is None or since <= 0 else f" at {format_date(since, style)}"
        out.append(f"\n  {who} state {state.value}{when}")
    if record.mclt is not None:
        out.append(f"\n  mclt {record.mclt};")
    out.append("\n}\n")
    return "".join(out)


def format_host(record: HostRecord) -> str:
    """The `host` record ISC's write_host produces (OMAPI-made or deleted hosts).

    A deleted host is written with its flags only.  The uid is quoted text when it is
    printable and colon hex otherwise, not octal: this is ISC's rule for hosts."""
    out = [f"host {record.name} {{"]
    if record.dynamic:
        out.append("\n  dynamic;")
    if record.deleted:
        out.append("\n  deleted;")
    else:
        if record.hardware is not None:
            out.append(_hardware(record.hardware))
        uid = record.uid
        if uid:
            text = uid.decode("latin-1")
            out.append(f'\n  uid "{text}";' if db_printable(text) else f"\n  uid {colon_hex(uid)};")
        if record.fixed_addresses:
            out.append(f"\n  fixed-address {','.join(record.fixed_addresses)};")
        if record.group is not None:
            out.append(f"\n  group {quote_name(record.group)};")
        out.append(record.statements)
    out.append("\n}\n")
    return "".join(out)


def format_server_duid(record: ServerDuid, style: LeaseFileStyle = DEFAULT_STYLE) -> str:
    """The `server-duid` record (ISC follows it with a blank line)."""
    return f"server-duid {format_lease_id(record.duid, style.hex_lease_ids)};\n"


def format_authoring_byte_order(record: AuthoringByteOrder) -> str:
    """The `authoring-byte-order` record."""
    return f"authoring-byte-order {record.byte_order.value};\n"


def format_record(record: LeaseFileRecord, style: LeaseFileStyle = DEFAULT_STYLE) -> str:
    """Any record of the lease file as ISC writes it (a verbatim record as it was read)."""
    if isinstance(record, Lease):
        return format_lease(record, style)
    if isinstance(record, FailoverStateRecord):
        return format_failover_state(record, style)
    if isinstance(record, HostRecord):
        return format_host(record)
    if isinstance(record, ServerDuid):
        return format_server_duid(record, style)
    if isinstance(record, AuthoringByteOrder):
        return format_authoring_byte_order(record)
    return record.text


def format_file_header(written_by: str, byte_order: ByteOrder = ByteOrder.LITTLE_ENDIAN) -> str:
    """The prologue ISC's new_lease_file writes at the top of a rewritten file: two
    comment lines, a blank line, the authoring-byte-order record with its comment, and
    a blank line.  `written_by` is what follows "written by" (`isc-dhcp-4.4.3-P1`)."""
    return (
        "# The format of this file is documented in the dhcpd.leases(5) manual page.\n"
        f"# This lease file was written by {written_by}\n\n"
        "# authoring-byte-order entry is generated, DO NOT DELETE\n"
        f"authoring-byte-order {byte_order.value};\n\n"
    )
