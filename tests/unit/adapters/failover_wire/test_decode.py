"""decode(): what a failover message means, and what makes ISC dhcpd drop the link.

Hand-built messages follow spec failover §2 and §4 byte by byte (written out here with
plain int.to_bytes, not with the codec); real ones come from two ISC dhcpd talking to
each other (fixtures/, see the README there).
"""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from adapters.failover_wire.decode import MalformedFailoverMessage, decode, message_length
from domain.failover.states import ServerState
from domain.failover_messages import (
    BindingStatus,
    BndAck,
    BndUpd,
    Connect,
    ConnectAck,
    Contact,
    Disconnect,
    IpFlag,
    MessageType,
    RejectReason,
    ServerFlag,
    State,
    UnknownMessage,
    UpdDone,
    UpdReqAll,
)

FIXTURES = Path(__file__).parent / "fixtures"
MAC = bytes.fromhex("020000000001")


def captured(sender: str) -> list[bytes]:
    lines = (FIXTURES / f"{sender}.hex").read_text().split()
    return [bytes.fromhex(line) for line in lines]


def option(code: int, data: bytes) -> bytes:
    return code.to_bytes(2, "big") + len(data).to_bytes(2, "big") + data


def message(
    type_code: int, *options: bytes, time: int = 1000, xid: int = 7, offset: int = 12,
    padding: bytes = b"",
) -> bytes:
    body = padding + b"".join(options)
    length = 12 + len(body)
    return (
        length.to_bytes(2, "big") + bytes((type_code, offset)) + time.to_bytes(4, "big")
        + xid.to_bytes(4, "big") + body
    )


def rejected(data: bytes) -> str:
    with pytest.raises(MalformedFailoverMessage) as caught:
        decode(data)
    return caught.value.reason


# The CONNECT of spec §13, as ISC's primary sent it on loopback.
SPEC_CONNECT = bytes.fromhex(
    "0068050c6b0a1c6f00000000" "00160002666f" "000e00040000000a" "001300040000001e"
    "001c000c6973632d342e342e332d5031" "0014000101" "001b000100" "000f00040000003c"
    "000b0020" + "ff" * 16 + "00" * 16
)


def test_the_spec_connect_carries_what_isc_announces() -> None:
    assert decode(SPEC_CONNECT) == Connect(
        time=0x6B0A1C6F, xid=0, relationship_name=b"fo", max_unacked=10, receive_timer=30,
        vendor_class=b"isc-4.4.3-P1", protocol_version=1, tls_request=0, mclt=60,
        hba=b"\xff" * 16 + b"\x00" * 16,
    )


def test_every_captured_message_decodes_to_its_header_type() -> None:
    for sender in ("primary-sent", "secondary-sent"):
        for data in captured(sender):
            decoded = decode(data)
            assert decoded.message_type == data[2]
            assert decoded.xid == int.from_bytes(data[8:12], "big")


def test_the_capture_holds_every_kind_of_message_the_pair_exchanged() -> None:
    exchange = captured("primary-sent") + captured("secondary-sent")
    kinds = {type(decode(data)) for data in exchange}
    assert {Connect, ConnectAck, State, BndUpd, BndAck, UpdReqAll, UpdDone, Contact} <= kinds


def test_the_captured_connectack_echoes_the_connect() -> None:
    connect, ack = decode(captured("primary-sent")[0]), decode(captured("secondary-sent")[0])
    assert isinstance(connect, Connect) and isinstance(ack, ConnectAck)
    assert ack.xid == connect.xid
    assert ack.relationship_name == connect.relationship_name == b"fo"
    assert ack.tls_reply == 0 and ack.reject_reason is None
    assert (ack.max_unacked, ack.receive_timer) == (10, 30)


def test_isc_rejects_an_unknown_relationship_name_echoing_it_with_reason_and_text() -> None:
    (data,) = captured("secondary-rejects-unknown-name")
    assert decode(data) == ConnectAck(
        time=int.from_bytes(data[4:8], "big"), xid=0, relationship_name=b"nope",
        vendor_class=b"isc-4.4.3-P1", protocol_version=1, tls_reply=0,
        reject_reason=RejectReason.INVALID_PARTNER,
        message=b"unknown failover relationship name",
    )


def test_the_captured_startup_state_carries_the_startup_flag_then_drops_it() -> None:
    states = [m for m in map(decode, captured("primary-sent")) if isinstance(m, State)]
    assert states[0].server_state is ServerState.RECOVER
    assert states[0].server_flags == ServerFlag.STARTUP
    assert states[1].server_flags == 0
    assert states[-1].server_state is ServerState.NORMAL


def test_the_captured_client_lease_update_carries_the_whole_binding() -> None:
    updates = [m for m in map(decode, captured("primary-sent")) if isinstance(m, BndUpd)]
    active = [m for m in updates if m.binding_status is BindingStatus.ACTIVE]
    assert len(active) == 1
    lease = active[0]
    assert lease.assigned_address in [IPv4Address(f"10.98.0.{n}") for n in range(100, 110)]
    assert lease.chaddr == b"\x01" + MAC
    assert lease.client_identifier == b"\x01" + MAC
    assert lease.stos == lease.cltt
    assert lease.stos is not None and lease.lease_expiry is not None
    assert lease.lease_expiry > lease.stos


def test_the_captured_pool_balance_moves_leases_to_backup_and_each_is_acked() -> None:
    updates = [m for m in map(decode, captured("primary-sent")) if isinstance(m, BndUpd)]
    acks = {m.xid: m for m in map(decode, captured("secondary-sent")) if isinstance(m, BndAck)}
    backups = [m for m in updates if m.binding_status is BindingStatus.BACKUP]
    assert len(backups) == 10
    for update in updates:
        assert acks[update.xid].assigned_address == update.assigned_address


def test_an_empty_message_type_has_no_options() -> None:
    assert decode(message(MessageType.UPDDONE)) == UpdDone(time=1000, xid=7)


def test_extra_header_bytes_before_the_payload_offset_are_skipped() -> None:
    data = message(MessageType.CONTACT, offset=16, padding=b"\xde\xad\xbe\xef")
    assert decode(data) == Contact(time=1000, xid=7)


def test_undefined_codes_are_kept_as_numbers_for_the_state_machine_to_judge() -> None:
    state = decode(message(MessageType.STATE, option(24, b"\x0c"), option(23, b"\x04")))
    assert state == State(time=1000, xid=7, server_state=12, server_flags=4)
    ack = decode(message(MessageType.BNDACK, option(2, bytes(4)), option(21, b"\x63")))
    assert isinstance(ack, BndAck) and ack.reject_reason == 99
    update = decode(message(MessageType.BNDUPD, option(3, b"\x09"), option(12, b"\x00\x05")))
    assert isinstance(update, BndUpd)
    assert update.binding_status == 9 and update.ip_flags == IpFlag.RESERVE | 4


def test_known_codes_become_enums() -> None:
    disconnect = decode(message(MessageType.DISCONNECT, option(21, b"\x07"), option(16, b"dup")))
    assert disconnect == Disconnect(
        time=1000, xid=7, reject_reason=RejectReason.DUP_CONNECTION, message=b"dup"
    )


def test_an_empty_ddns_option_is_accepted() -> None:
    update = decode(message(MessageType.BNDUPD, option(9, b"")))
    assert isinstance(update, BndUpd) and update.ddns is True


def test_unknown_and_unallowed_options_are_skipped_without_a_size_check() -> None:
    data = message(
        MessageType.STATE,
        option(0, b"x"),
        option(30, b"abc"),
        option(15, b"\x01"),  # MCLT belongs in CONNECT only
        option(17, b"digest"),
        option(24, b"\x02"),
        option(15, b"\x01\x02"),  # repeated, but skipped, so not a duplicate
    )
    assert decode(data) == State(time=1000, xid=7, server_state=ServerState.NORMAL)


def test_type_zero_and_unknown_types_without_options_are_passed_over() -> None:
    assert decode(message(13)) == UnknownMessage(type_code=13, time=1000, xid=7)
    assert decode(message(0, option(2, b"\x01"))) == UnknownMessage(type_code=0, time=1000, xid=7)


@pytest.mark.parametrize(
    ("data", "reason"),
    [
        (message(200, option(2, bytes(4))), "FAILOVER: invalid message type: 200"),
        (
            message(MessageType.BNDUPD, option(3, b"\x01"), option(3, b"\x02")),
            "FAILOVER: duplicate option binding-status",
        ),
        (
            message(MessageType.BNDUPD, option(9, b"abcdef")),
            "FAILOVER: option size (6:0), option DDNS",
        ),
        (
            message(MessageType.BNDUPD, option(12, b"\x01")),
            "FAILOVER: option size (1:2), option IP-flags",
        ),
        (
            message(MessageType.CONNECT, option(15, b"\x00\x3c")),
            "FAILOVER: option size (2:4), option MCLT",
        ),
        (message(MessageType.STATE, b"\x00"), "FAILOVER: message overflow at option code."),
        (message(MessageType.STATE, b"\x00\x18\x00"), "FAILOVER: message overflow at length."),
        (
            message(MessageType.STATE, b"\x00\x18\x00\x02\x01"),
            "FAILOVER: message overflow at data.",
        ),
    ],
)
def test_what_isc_drops_the_link_for_is_refused_with_isc_wording(data: bytes, reason: str) -> None:
    assert rejected(data) == reason


def test_a_payload_offset_inside_the_header_is_refused() -> None:
    assert "payload offset 8" in rejected(message(MessageType.CONTACT, offset=8))


def test_a_payload_offset_past_the_end_is_refused() -> None:
    assert "payload offset 40" in rejected(message(MessageType.CONTACT, offset=40))


def test_a_length_field_that_disagrees_with_the_bytes_is_refused() -> None:
    data = message(MessageType.CONTACT)
    assert "says 12 bytes, got 13" in rejected(data + b"\x00")
    assert "shorter than 2 bytes" in rejected(b"\x00")


@pytest.mark.parametrize("length", [0, 11, 2049, 65535])
def test_message_length_refuses_lengths_isc_drops(length: int) -> None:
    with pytest.raises(MalformedFailoverMessage, match=f"length {length} outside 12 to 2048"):
        message_length(length.to_bytes(2, "big"))


@pytest.mark.parametrize("length", [12, 104, 2048])
def test_message_length_reads_the_header_length(length: int) -> None:
    assert message_length(length.to_bytes(2, "big") + b"\x05") == length
