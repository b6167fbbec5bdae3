"""The packet value: option lookups the core relies on."""

from __future__ import annotations

import ipaddress

import pytest

from domain.dhcp_packet import BOOTREQUEST, DhcpPacket, MessageType, Opt, ipv4


def packet(**options: bytes) -> DhcpPacket:
    return DhcpPacket(
        op=BOOTREQUEST, htype=1, hlen=6, hops=0, xid=1, secs=0, flags=0x8000,
        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0",
        chaddr=bytes(6), options={int(k[1:]): v for k, v in options.items()},
    )


def test_message_type_and_bootp() -> None:
    assert packet(o53=b"\x01").message_type is MessageType.DHCPDISCOVER
    assert packet().message_type is None  # BOOTP
    assert packet(o53=b"\x63").message_type is None
    assert packet(o53=b"\x01\x02").message_type is MessageType.DHCPDISCOVER  # ISC: first byte
    assert packet(o53=b"").message_type is None
    assert packet().broadcast


def test_agent_suboptions() -> None:
    p = packet(o82=b"\x01\x02ab\x02\x01z")
    assert p.agent_suboptions() == {1: b"ab", 2: b"z"}
    assert packet(o82=b"\x01\x05ab").agent_suboptions() == {}
    assert p.option(Opt.RELAY_AGENT_INFORMATION) == b"\x01\x02ab\x02\x01z"


def test_ipv4_converts_like_ipaddress_and_remembers() -> None:
    assert ipv4("10.0.0.5") == ipaddress.IPv4Address("10.0.0.5")
    assert ipv4(b"\x0a\x00\x00\x05") == ipv4(167772165) == ipv4("10.0.0.5")
    assert ipv4("10.0.0.5") is ipv4("10.0.0.5")
    with pytest.raises(ipaddress.AddressValueError):
        ipv4("10.0.0.256")
