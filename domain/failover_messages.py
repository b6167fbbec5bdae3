"""The ISC DHCP failover messages as typed values (spec failover §2–§5).

One frozen dataclass per message type.  Each option ISC sends or stores for a message
type is a field whose metadata names its option code; the fields are declared in the
order ISC writes them (`dhcp_failover_send_*`, server/failover.c), so the wire codec
can lay a message out by walking its fields and get ISC's bytes back.  A field left at
its default (None, or False for DDNS) is an option that is absent.

Codes that a peer may send but ISC does not define (a binding status of 9, a server
state of 12, reject reason 99) are kept as plain ints rather than refused: ISC decides
what to do with them after decoding (reject the BNDUPD, go to shutdown), and so must we.
"""

from __future__ import annotations

import enum
from dataclasses import MISSING, dataclass, fields
from ipaddress import IPv4Address
from typing import Annotated, ClassVar, TypeVar, get_origin, get_type_hints

from domain.failover.states import ServerState
from domain.lease import BindingState

HEADER_SIZE = 12
MIN_MESSAGE_SIZE = HEADER_SIZE
MAX_MESSAGE_SIZE = 2048
PROTOCOL_VERSION = 1
HBA_SIZE = 32


class MessageType(enum.IntEnum):
    """The message-type byte of the header (`FTM_*`, includes/failover.h)."""

    POOLREQ = 1
    POOLRESP = 2
    BNDUPD = 3
    BNDACK = 4
    CONNECT = 5
    CONNECTACK = 6
    UPDREQALL = 7
    UPDDONE = 8
    UPDREQ = 9
    STATE = 10
    CONTACT = 11
    DISCONNECT = 12


class OptionCode(enum.IntEnum):
    """A failover option code (`FTO_*`, includes/failover.h; spec §4.1)."""

    ADDRESSES_TRANSFERRED = 1
    ASSIGNED_IP_ADDRESS = 2
    BINDING_STATUS = 3
    CLIENT_IDENTIFIER = 4
    CHADDR = 5
    CLTT = 6
    REPLY_OPTIONS = 7
    REQUEST_OPTIONS = 8
    DDNS = 9
    DELAYED_SERVICE = 10
    HBA = 11
    IP_FLAGS = 12
    LEASE_EXPIRY = 13
    MAX_UNACKED = 14
    MCLT = 15
    MESSAGE = 16
    MESSAGE_DIGEST = 17
    POTENTIAL_EXPIRY = 18
    RECEIVE_TIMER = 19
    PROTOCOL_VERSION = 20
    REJECT_REASON = 21
    RELATIONSHIP_NAME = 22
    SERVER_FLAGS = 23
    SERVER_STATE = 24
    STOS = 25
    TLS_REPLY = 26
    TLS_REQUEST = 27
    VENDOR_CLASS = 28
    VENDOR_OPTIONS = 29


class OptionKind(enum.Enum):
    """How an option's data is laid out; the fixed kinds carry their required length."""

    U8 = ("u8", 1)
    U16 = ("u16", 2)
    U32 = ("u32", 4)
    IP = ("ip", 4)
    DDNS = ("ddns", 0)
    BYTES = ("bytes", None)

    @property
    def size(self) -> int | None:
        """The length the option's data must have; None for any length."""
        size: int | None = self.value[1]
        return size


# ISC's option names (stables.c `ft_options`), for log lines that must read like ISC's,
# and the value layout of each option.
OPTION_NAMES: dict[OptionCode, str] = {
    OptionCode.ADDRESSES_TRANSFERRED: "addresses-transferred",
    OptionCode.ASSIGNED_IP_ADDRESS: "assigned-IP-address",
    OptionCode.BINDING_STATUS: "binding-status",
    OptionCode.CLIENT_IDENTIFIER: "client-identifier",
    OptionCode.CHADDR: "client-hardware-address",
    OptionCode.CLTT: "client-last-transaction-time",
    OptionCode.REPLY_OPTIONS: "client-reply-options",
    OptionCode.REQUEST_OPTIONS: "client-request-options",
    OptionCode.DDNS: "DDNS",
    OptionCode.DELAYED_SERVICE: "delayed-service",
    OptionCode.HBA: "hash-bucket-assignment",
    OptionCode.IP_FLAGS: "IP-flags",
    OptionCode.LEASE_EXPIRY: "lease-expiration-time",
    OptionCode.MAX_UNACKED: "max-unacked-bndupd",
    OptionCode.MCLT: "MCLT",
    OptionCode.MESSAGE: "message",
    OptionCode.MESSAGE_DIGEST: "message-digest",
    OptionCode.POTENTIAL_EXPIRY: "potential-expiration-time",
    OptionCode.RECEIVE_TIMER: "receive-timer",
    OptionCode.PROTOCOL_VERSION: "protocol-version",
    OptionCode.REJECT_REASON: "reject-reason",
    OptionCode.RELATIONSHIP_NAME: "relationship-name",
    OptionCode.SERVER_FLAGS: "server-flags",
    OptionCode.SERVER_STATE: "server-state",
    OptionCode.STOS: "start-time-of-state",
    OptionCode.TLS_REPLY: "TLS-reply",
    OptionCode.TLS_REQUEST: "TLS-request",
    OptionCode.VENDOR_CLASS: "vendor-class-identifier",
    OptionCode.VENDOR_OPTIONS: "vendor-specific-options",
}
# Option numbers of the fixed-size options by layout (spec §4.1); all others are bytes.
_FIXED_KINDS = {
    OptionKind.U8: (3, 10, 20, 21, 23, 24, 26, 27),
    OptionKind.U16: (12,),
    OptionKind.U32: (1, 6, 13, 14, 15, 18, 19, 25),
    OptionKind.IP: (2,),
    OptionKind.DDNS: (9,),
}
OPTION_KINDS: dict[OptionCode, OptionKind] = {code: OptionKind.BYTES for code in OptionCode} | {
    OptionCode(code): kind for kind, codes in _FIXED_KINDS.items() for code in codes
}


class BindingStatus(enum.IntEnum):
    """The binding-status byte (`FTS_*`, includes/dhcpd.h; spec §5.1)."""

    FREE = 1
    ACTIVE = 2
    EXPIRED = 3
    RELEASED = 4
    ABANDONED = 5
    RESET = 6
    BACKUP = 7

    @property
    def lease_state(self) -> BindingState:
        """The lease-file binding state this wire code stands for."""
        return BindingState[self.name]


class RejectReason(enum.IntEnum):
    """The reject-reason byte (`FTR_*`, includes/failover.h; spec §5.3)."""

    ILLEGAL_IP_ADDR = 1
    FATAL_CONFLICT = 2
    MISSING_BINDINFO = 3
    TIMEMISMATCH = 4
    INVALID_MCLT = 5
    MISC_REJECT = 6
    DUP_CONNECTION = 7
    INVALID_PARTNER = 8
    TLS_UNSUPPORTED = 9
    TLS_UNCONFIGURED = 10
    TLS_REQUIRED = 11
    DIGEST_UNSUPPORTED = 12
    DIGEST_UNCONFIGURED = 13
    VERSION_MISMATCH = 14
    OUTDATED_BIND_INFO = 15
    LESS_CRIT_BIND_INFO = 16
    NO_TRAFFIC = 17
    HBA_CONFLICT = 18
    IP_NOT_RESERVED = 19
    IP_DIGEST_FAILURE = 20
    IP_MISSING_DIGEST = 21
    UNKNOWN = 254


# The text ISC logs for each reason and, in a rejecting BNDACK without a message of its
# own, sends as the message option (`dhcp_failover_reject_reason_print`, failover.c).
_REJECT_TEXTS = {
    RejectReason.ILLEGAL_IP_ADDR: "Illegal IP address (not part of any address pool).",
    RejectReason.FATAL_CONFLICT: "Fatal conflict exists: address in use by other client.",
    RejectReason.MISSING_BINDINFO: "Missing binding information.",
    RejectReason.TIMEMISMATCH: "Connection rejected, time mismatch too great.",
    RejectReason.INVALID_MCLT: "Connection rejected, invalid MCLT.",
    RejectReason.MISC_REJECT: "Connection rejected, unknown reason.",
    RejectReason.DUP_CONNECTION: "Connection rejected, duplicate connection.",
    RejectReason.INVALID_PARTNER: "Connection rejected, invalid failover partner.",
    RejectReason.TLS_UNSUPPORTED: "TLS not supported.",
    RejectReason.TLS_UNCONFIGURED: "TLS supported but not configured.",
    RejectReason.TLS_REQUIRED: "TLS required but not supported by partner.",
    RejectReason.DIGEST_UNSUPPORTED: "Message digest not supported.",
    RejectReason.DIGEST_UNCONFIGURED: "Message digest not configured.",
    RejectReason.VERSION_MISMATCH: "Protocol version mismatch.",
    RejectReason.OUTDATED_BIND_INFO: "Outdated binding information.",
    RejectReason.LESS_CRIT_BIND_INFO: "Less critical binding information.",
    RejectReason.NO_TRAFFIC: "No traffic within sufficient time.",
    RejectReason.HBA_CONFLICT: "Hash bucket assignment conflict.",
    RejectReason.IP_NOT_RESERVED: "IP not reserved on this server.",
    RejectReason.IP_DIGEST_FAILURE: "Message digest failed to compare.",
    RejectReason.IP_MISSING_DIGEST: "Missing message digest.",
    RejectReason.UNKNOWN: "Unknown Error.",
}


def reject_reason_text(code: int) -> str:
    """What ISC prints for a reject-reason byte, defined or not, so our log lines and
    rejecting BNDACKs read exactly like ISC's."""
    if code in _REJECT_TEXTS:
        return _REJECT_TEXTS[RejectReason(code)]
    if not 0 <= code <= 0xFF:
        return "Reason code out of range."
    return f"Undefined-{code}: This reason code is not defined in the protocol standard."


class ServerFlag(enum.IntFlag):
    """Bits of the server-flags byte in STATE."""

    STARTUP = 0x01


class IpFlag(enum.IntFlag):
    """Bits of the 2-byte IP-flags option in BNDUPD (others are logged as unknown by ISC)."""

    RESERVE = 0x0001
    BOOTP = 0x0002


@dataclass(frozen=True, kw_only=True)
class MessageHeader:
    """The header fields every message carries: the sender's clock and the xid."""

    message_type: ClassVar[MessageType]
    time: int
    xid: int


@dataclass(frozen=True, kw_only=True)
class PoolReq(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.POOLREQ


@dataclass(frozen=True, kw_only=True)
class PoolResp(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.POOLRESP
    addresses_transferred: Annotated[int | None, OptionCode.ADDRESSES_TRANSFERRED] = None


@dataclass(frozen=True, kw_only=True)
class _Binding(MessageHeader):
    """The binding options BNDUPD and BNDACK share, in ISC's sending order."""

    assigned_address: Annotated[IPv4Address | None, OptionCode.ASSIGNED_IP_ADDRESS] = None
    binding_status: Annotated[BindingStatus | int | None, OptionCode.BINDING_STATUS] = None
    client_identifier: Annotated[bytes | None, OptionCode.CLIENT_IDENTIFIER] = None
    # htype byte followed by the hardware address (7 bytes for Ethernet).
    chaddr: Annotated[bytes | None, OptionCode.CHADDR] = None
    lease_expiry: Annotated[int | None, OptionCode.LEASE_EXPIRY] = None
    potential_expiry: Annotated[int | None, OptionCode.POTENTIAL_EXPIRY] = None
    stos: Annotated[int | None, OptionCode.STOS] = None
    cltt: Annotated[int | None, OptionCode.CLTT] = None
    ip_flags: Annotated[IpFlag | int | None, OptionCode.IP_FLAGS] = None


@dataclass(frozen=True, kw_only=True)
class BndUpd(_Binding):
    message_type: ClassVar[MessageType] = MessageType.BNDUPD
    # Accepted (and stored, never used) by ISC, never sent by it.
    ddns: Annotated[bool, OptionCode.DDNS] = False
    request_options: Annotated[bytes | None, OptionCode.REQUEST_OPTIONS] = None
    reply_options: Annotated[bytes | None, OptionCode.REPLY_OPTIONS] = None


@dataclass(frozen=True, kw_only=True)
class BndAck(_Binding):
    message_type: ClassVar[MessageType] = MessageType.BNDACK
    reject_reason: Annotated[RejectReason | int | None, OptionCode.REJECT_REASON] = None
    message: Annotated[bytes | None, OptionCode.MESSAGE] = None
    ddns: Annotated[bool, OptionCode.DDNS] = False
    request_options: Annotated[bytes | None, OptionCode.REQUEST_OPTIONS] = None
    reply_options: Annotated[bytes | None, OptionCode.REPLY_OPTIONS] = None


@dataclass(frozen=True, kw_only=True)
class Connect(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.CONNECT
    relationship_name: Annotated[bytes | None, OptionCode.RELATIONSHIP_NAME] = None
    max_unacked: Annotated[int | None, OptionCode.MAX_UNACKED] = None
    receive_timer: Annotated[int | None, OptionCode.RECEIVE_TIMER] = None
    vendor_class: Annotated[bytes | None, OptionCode.VENDOR_CLASS] = None
    protocol_version: Annotated[int | None, OptionCode.PROTOCOL_VERSION] = None
    tls_request: Annotated[int | None, OptionCode.TLS_REQUEST] = None
    mclt: Annotated[int | None, OptionCode.MCLT] = None
    hba: Annotated[bytes | None, OptionCode.HBA] = None


@dataclass(frozen=True, kw_only=True)
class ConnectAck(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.CONNECTACK
    relationship_name: Annotated[bytes | None, OptionCode.RELATIONSHIP_NAME] = None
    max_unacked: Annotated[int | None, OptionCode.MAX_UNACKED] = None
    receive_timer: Annotated[int | None, OptionCode.RECEIVE_TIMER] = None
    vendor_class: Annotated[bytes | None, OptionCode.VENDOR_CLASS] = None
    protocol_version: Annotated[int | None, OptionCode.PROTOCOL_VERSION] = None
    tls_reply: Annotated[int | None, OptionCode.TLS_REPLY] = None
    reject_reason: Annotated[RejectReason | int | None, OptionCode.REJECT_REASON] = None
    message: Annotated[bytes | None, OptionCode.MESSAGE] = None


@dataclass(frozen=True, kw_only=True)
class UpdReqAll(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.UPDREQALL


@dataclass(frozen=True, kw_only=True)
class UpdDone(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.UPDDONE


@dataclass(frozen=True, kw_only=True)
class UpdReq(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.UPDREQ


@dataclass(frozen=True, kw_only=True)
class State(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.STATE
    server_state: Annotated[ServerState | int | None, OptionCode.SERVER_STATE] = None
    server_flags: Annotated[ServerFlag | int | None, OptionCode.SERVER_FLAGS] = None
    stos: Annotated[int | None, OptionCode.STOS] = None


@dataclass(frozen=True, kw_only=True)
class Contact(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.CONTACT


@dataclass(frozen=True, kw_only=True)
class Disconnect(MessageHeader):
    message_type: ClassVar[MessageType] = MessageType.DISCONNECT
    reject_reason: Annotated[RejectReason | int | None, OptionCode.REJECT_REASON] = None
    message: Annotated[bytes | None, OptionCode.MESSAGE] = None


@dataclass(frozen=True, kw_only=True)
class UnknownMessage:
    """A message type ISC passes over without acting on it: type 0, or a type above 12
    that carries no options (spec §3).  The type byte is kept for the log."""

    type_code: int
    time: int
    xid: int


FailoverMessage = (
    PoolReq | PoolResp | BndUpd | BndAck | Connect | ConnectAck | UpdReqAll | UpdDone
    | UpdReq | State | Contact | Disconnect
)

MESSAGE_CLASSES: dict[MessageType, type[MessageHeader]] = {
    cls.message_type: cls
    for cls in (PoolReq, PoolResp, BndUpd, BndAck, Connect, ConnectAck, UpdReqAll,
                UpdDone, UpdReq, State, Contact, Disconnect)
}


def _option_fields(message_class: type[MessageHeader]) -> dict[OptionCode, str]:
    hints = get_type_hints(message_class, include_extras=True)
    return {
        hint.__metadata__[0]: name
        for name, hint in hints.items()
        if get_origin(hint) is Annotated and isinstance(hint.__metadata__[0], OptionCode)
    }


# For each message type, the options ISC stores when it receives one (its `fto_allowed`
# set; any other option is skipped), mapped to field names, in ISC's sending order.
OPTION_FIELDS: dict[MessageType, dict[OptionCode, str]] = {
    message_type: _option_fields(cls) for message_type, cls in MESSAGE_CLASSES.items()
}

# The options whose integer value is read into an enum or flag set.
OPTION_ENUMS: dict[OptionCode, type[int]] = {
    OptionCode.BINDING_STATUS: BindingStatus,
    OptionCode.SERVER_STATE: ServerState,
    OptionCode.SERVER_FLAGS: ServerFlag,
    OptionCode.IP_FLAGS: IpFlag,
    OptionCode.REJECT_REASON: RejectReason,
}


M = TypeVar("M", bound=MessageHeader)
_FIELD_DEFAULTS: dict[type[MessageHeader], dict[str, object]] = {}


def construct(message_class: type[M], **values: object) -> M:
    """`message_class(**values)` for `values` that are its fields (`time` and `xid`
    among them), built without the dataclass `__init__`: a frozen dataclass sets each
    field through `object.__setattr__`, a microsecond for the eighteen of a BNDACK,
    and a resynchronisation decodes a BNDUPD and builds a BNDACK for every lease.  The
    message is equal to the constructed one in every way (no message class has a
    `__post_init__`; every default is a plain value)."""
    defaults = _FIELD_DEFAULTS.get(message_class)
    if defaults is None:
        defaults = _FIELD_DEFAULTS[message_class] = {
            spec.name: spec.default for spec in fields(message_class)
            if spec.default is not MISSING}
    message = object.__new__(message_class)
    state = message.__dict__
    state.update(defaults)
    state.update(values)
    return message
