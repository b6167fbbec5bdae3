"""encode(): messages laid out as ISC dhcpd 4.4 lays them out.

The strongest check is the capture: every message two real ISC dhcpd sent each other
(fixtures/) must come back byte for byte after decode.  The hand-written expectations
below are spec failover §2, §4.1 and §13 written out in hex.
"""

from __future__ import annotations

from ipaddress import IPv4Address
from pathlib import Path

import pytest

from adapters.failover_wire.decode import decode
from adapters.failover_wire.encode import encode
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
    PoolResp,
    RejectReason,
    ServerFlag,
    State,
    UpdReqAll,
)

FIXTURES = Path(__file__).parent / "fixtures"


def captured() -> list[bytes]:
    return [
        bytes.fromhex(line)
        for path in sorted(FIXTURES.glob("*.hex"))
        for line in path.read_text().split()
    ]


@pytest.mark.parametrize("data", captured(), ids=lambda data: data[:12].hex())
def test_every_captured_isc_message_encodes_back_byte_for_byte(data: bytes) -> None:
    assert encode(decode(data)) == data


def test_connect_is_laid_out_as_in_the_spec_exchange() -> None:
    connect = Connect(
        time=0x6B0A1C6F, xid=0, relationship_name=b"fo", max_unacked=10, receive_timer=30,
        vendor_class=b"isc-4.4.3-P1", protocol_version=1, tls_request=0, mclt=60,
        hba=b"\xff" * 16 + b"\x00" * 16,
    )
    assert encode(connect).hex() == (
        "0068050c6b0a1c6f00000000" "00160002666f" "000e00040000000a" "001300040000001e"
        "001c000c6973632d342e342e332d5031" "0014000101" "001b000100" "000f00040000003c"
        "000b0020" + "ff" * 16 + "00" * 16
    )


def test_state_carries_state_flags_and_stos_in_isc_order() -> None:
    state = State(
        time=0x6B0A1C6F, xid=1, server_state=ServerState.RECOVER,
        server_flags=ServerFlag.STARTUP, stos=0x6B0A1C6F,
    )
    assert encode(state).hex() == (
        "001e0a0c6b0a1c6f00000001" "0018000106" "0017000101" "001900046b0a1c6f"
    )


def test_bare_messages_are_just_the_header() -> None:
    assert encode(UpdReqAll(time=1, xid=2)).hex() == "000c070c0000000100000002"
    assert encode(Contact(time=1, xid=3)).hex() == "000c0b0c0000000100000003"


def test_bndack_carries_the_address_then_reject_reason_and_message() -> None:
    ack = BndAck(
        time=5, xid=9, assigned_address=IPv4Address("10.0.0.111"),
        reject_reason=RejectReason.FATAL_CONFLICT, message=b"no",
    )
    assert encode(ack).hex() == (
        "001f040c0000000500000009" "000200040a00006f" "0015000102" "001000026e6f"
    )


def test_bndupd_fields_go_out_in_isc_order_with_ip_flags_two_bytes_and_empty_ddns() -> None:
    update = BndUpd(
        time=5, xid=9, assigned_address=IPv4Address("10.0.0.111"),
        binding_status=BindingStatus.ACTIVE, client_identifier=b"\x01\xaa",
        chaddr=b"\x01\x02\x00\x00\x00\x00\x01", lease_expiry=300, potential_expiry=400,
        stos=100, cltt=100, ip_flags=IpFlag.RESERVE, ddns=True,
    )
    assert encode(update).hex() == (
        "0054030c0000000500000009"
        "000200040a00006f" "0003000102" "0004000201aa" "0005000701020000000001"
        "000d00040000012c" "0012000400000190" "0019000400000064" "0006000400000064"
        "000c00020001" "00090000"
    )


def test_connectack_reject_and_disconnect_carry_reason_and_text() -> None:
    ack = ConnectAck(
        time=0, xid=0, vendor_class=b"x", protocol_version=1,
        reject_reason=RejectReason.INVALID_PARTNER, message=b"bad",
    )
    assert encode(ack).hex() == (
        "0022060c0000000000000000" "001c000178" "0014000101" "0015000108" "00100003626164"
    )
    disconnect = Disconnect(time=0, xid=4, reject_reason=RejectReason.DUP_CONNECTION)
    assert encode(disconnect).hex() == "00110c0c0000000000000004" "0015000107"


def test_poolresp_counts_addresses_in_four_bytes() -> None:
    assert encode(PoolResp(time=0, xid=4, addresses_transferred=3)).hex() == (
        "0014020c0000000000000004" "0001000400000003"
    )


@pytest.mark.parametrize(
    ("message", "complaint"),
    [
        (State(time=0, xid=0, server_state=256), "server-state 256 does not fit in 1 bytes"),
        (Contact(time=-1, xid=0), "time -1 does not fit in 4 bytes"),
        (Contact(time=0, xid=2**32), "xid 4294967296 does not fit in 4 bytes"),
        (BndUpd(time=0, xid=1, assigned_address=b"\x01"), "assigned-IP-address cannot carry"),
        (Disconnect(time=0, xid=1, message=b"x" * 2040), "exceeds 2048"),
    ],
)
def test_a_message_no_peer_could_accept_is_our_bug_and_raises_value_error(
    message: State | Contact | BndUpd | Disconnect, complaint: str
) -> None:
    with pytest.raises(ValueError, match=complaint):
        encode(message)
