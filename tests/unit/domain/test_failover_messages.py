"""The failover message vocabulary matches ISC dhcpd 4.4's tables.

Expected values are ISC's, copied as facts from includes/failover.h (codes) and
server/stables.c (`fto_allowed`, option types), as spec failover §3–§5 lists them.
"""

from __future__ import annotations

import dataclasses
from ipaddress import IPv4Address

import pytest

from domain.failover.states import ServerState
from domain.failover_messages import (
    MESSAGE_CLASSES,
    OPTION_ENUMS,
    OPTION_FIELDS,
    OPTION_KINDS,
    OPTION_NAMES,
    BindingStatus,
    BndAck,
    BndUpd,
    IpFlag,
    MessageType,
    OptionCode,
    OptionKind,
    RejectReason,
    ServerFlag,
    State,
    construct,
    reject_reason_text,
)
from domain.lease import BindingState

# stables.c `fto_allowed`, by option number.
ISC_ALLOWED = {
    MessageType.POOLREQ: set(),
    MessageType.POOLRESP: {1},
    MessageType.BNDUPD: {2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 18, 25},
    MessageType.BNDACK: {2, 3, 4, 5, 6, 7, 8, 9, 12, 13, 16, 18, 21, 25},
    MessageType.CONNECT: {11, 14, 15, 19, 20, 22, 27, 28},
    MessageType.CONNECTACK: {14, 16, 19, 20, 21, 22, 26, 28},
    MessageType.UPDREQALL: set(),
    MessageType.UPDDONE: set(),
    MessageType.UPDREQ: set(),
    MessageType.STATE: {23, 24, 25},
    MessageType.CONTACT: set(),
    MessageType.DISCONNECT: {16, 21},
}


def test_message_types_carry_isc_codes() -> None:
    assert [(t.name, t.value) for t in MessageType] == [
        ("POOLREQ", 1), ("POOLRESP", 2), ("BNDUPD", 3), ("BNDACK", 4), ("CONNECT", 5),
        ("CONNECTACK", 6), ("UPDREQALL", 7), ("UPDDONE", 8), ("UPDREQ", 9), ("STATE", 10),
        ("CONTACT", 11), ("DISCONNECT", 12),
    ]


def test_every_message_type_has_its_class() -> None:
    assert set(MESSAGE_CLASSES) == set(MessageType)
    for message_type, cls in MESSAGE_CLASSES.items():
        assert cls.message_type is message_type


@pytest.mark.parametrize("message_type", list(MessageType))
def test_each_message_accepts_exactly_the_options_isc_stores(message_type: MessageType) -> None:
    assert set(OPTION_FIELDS[message_type]) == ISC_ALLOWED[message_type]


def test_fields_follow_isc_sending_order_for_a_binding_update() -> None:
    assert list(OPTION_FIELDS[MessageType.BNDUPD])[:9] == [2, 3, 4, 5, 13, 18, 25, 6, 12]


def test_option_codes_run_1_to_29_each_with_its_isc_name() -> None:
    assert [code.value for code in OptionCode] == list(range(1, 30))
    assert set(OPTION_NAMES) == set(OptionCode)
    assert OPTION_NAMES[OptionCode.CHADDR] == "client-hardware-address"
    assert OPTION_NAMES[OptionCode.DDNS] == "DDNS"


@pytest.mark.parametrize(
    ("code", "size"),
    [
        (OptionCode.ADDRESSES_TRANSFERRED, 4), (OptionCode.ASSIGNED_IP_ADDRESS, 4),
        (OptionCode.BINDING_STATUS, 1), (OptionCode.CLTT, 4), (OptionCode.DDNS, 0),
        (OptionCode.DELAYED_SERVICE, 1), (OptionCode.IP_FLAGS, 2), (OptionCode.MCLT, 4),
        (OptionCode.PROTOCOL_VERSION, 1), (OptionCode.REJECT_REASON, 1),
        (OptionCode.SERVER_FLAGS, 1), (OptionCode.SERVER_STATE, 1), (OptionCode.STOS, 4),
        (OptionCode.TLS_REPLY, 1), (OptionCode.TLS_REQUEST, 1), (OptionCode.HBA, None),
        (OptionCode.CLIENT_IDENTIFIER, None), (OptionCode.MESSAGE, None),
    ],
)
def test_fixed_options_have_isc_sizes_and_the_rest_any_length(
    code: OptionCode, size: int | None
) -> None:
    assert OPTION_KINDS[code].size == size


def test_the_address_option_is_its_own_kind_not_a_four_byte_number() -> None:
    assert OPTION_KINDS[OptionCode.ASSIGNED_IP_ADDRESS] is OptionKind.IP
    assert OPTION_KINDS[OptionCode.MCLT] is OptionKind.U32


def test_binding_status_codes_name_the_lease_file_states() -> None:
    assert [(s.value, s.lease_state) for s in BindingStatus] == [
        (1, BindingState.FREE), (2, BindingState.ACTIVE), (3, BindingState.EXPIRED),
        (4, BindingState.RELEASED), (5, BindingState.ABANDONED), (6, BindingState.RESET),
        (7, BindingState.BACKUP),
    ]


def test_reject_reasons_and_flags_carry_isc_codes() -> None:
    assert RejectReason.DUP_CONNECTION == 7
    assert RejectReason.INVALID_PARTNER == 8
    assert RejectReason.HBA_CONFLICT == 18
    assert RejectReason.IP_NOT_RESERVED == 19
    assert RejectReason.UNKNOWN == 254
    assert [r.value for r in RejectReason] == [*range(1, 22), 254]
    assert (ServerFlag.STARTUP, IpFlag.RESERVE, IpFlag.BOOTP) == (1, 1, 2)


def test_coded_options_are_read_into_their_enums() -> None:
    assert OPTION_ENUMS[OptionCode.SERVER_STATE] is ServerState
    assert OPTION_ENUMS[OptionCode.BINDING_STATUS] is BindingStatus
    assert OPTION_ENUMS[OptionCode.REJECT_REASON] is RejectReason


def test_messages_are_frozen_values_with_absent_options_by_default() -> None:
    state = State(time=1, xid=2)
    assert (state.server_state, state.server_flags, state.stos) == (None, None, None)
    assert BndUpd(time=1, xid=2).ddns is False
    with pytest.raises(dataclasses.FrozenInstanceError):
        state.xid = 3  # type: ignore[misc]
    assert State(time=1, xid=2, stos=5) == State(time=1, xid=2, stos=5)


@pytest.mark.parametrize(
    ("code", "text"),
    [
        (2, "Fatal conflict exists: address in use by other client."),
        (8, "Connection rejected, invalid failover partner."),
        (254, "Unknown Error."),
        (22, "Undefined-22: This reason code is not defined in the protocol standard."),
        (0, "Undefined-0: This reason code is not defined in the protocol standard."),
        (256, "Reason code out of range."),
    ],
)
def test_reject_reasons_print_as_isc_prints_them(code: int, text: str) -> None:
    assert reject_reason_text(code) == text


def test_every_defined_reject_reason_has_its_own_text() -> None:
    texts = [reject_reason_text(reason) for reason in RejectReason]
    assert len(set(texts)) == len(texts)
    assert not any(text.startswith("Undefined") for text in texts)


@pytest.mark.parametrize("message_class", list(MESSAGE_CLASSES.values()))
def test_a_message_built_without_init_equals_the_constructed_one(message_class) -> None:
    built = construct(message_class, time=7, xid=9)
    made = message_class(time=7, xid=9)
    assert (built, repr(built), hash(built)) == (made, repr(made), hash(made))
    with pytest.raises(dataclasses.FrozenInstanceError):
        built.xid = 10  # type: ignore[misc]


def test_a_bndack_built_without_init_keeps_its_values_and_defaults() -> None:
    ack = construct(BndAck, time=1, xid=2, assigned_address=IPv4Address("10.0.0.5"),
                    reject_reason=RejectReason.LESS_CRIT_BIND_INFO)
    assert ack == BndAck(time=1, xid=2, assigned_address=IPv4Address("10.0.0.5"),
                         reject_reason=RejectReason.LESS_CRIT_BIND_INFO)
    assert (ack.message, ack.ddns, ack.chaddr) == (None, False, None)
