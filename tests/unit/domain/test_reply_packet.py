"""The DHCPOFFER/DHCPACK packet: header fields and what ack_lease adds to the options."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import BROADCAST_FLAG, DhcpPacket, MessageType, Opt

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
authoritative;
ping-check false;
default-lease-time 600;
next-server 10.0.0.9;
filename "boot.img";
server-name "tftp1";
use-host-decl-names on;
option dhcp-renewal-time 300;
option dhcp-rebinding-time 700;
host named { hardware ethernet 02:00:00:00:00:0e; }
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
"""


def test_header_and_protocol_options(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server(CONF)
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(0x0E), xid=77, secs=3))
    reply = offer.reply
    assert (reply.op, reply.xid, reply.secs, reply.yiaddr) == (2, 77, 3, "10.0.0.100")
    assert (reply.siaddr, reply.file, reply.sname) == ("10.0.0.9", b"boot.img", b"tftp1")
    assert reply.chaddr == hw(0x0E) and reply.hlen == 6
    assert reply.options[Opt.HOST_NAME] == b"named"
    # T2 700 is not shorter than the 600 s lease: dropped; T1 300 stays
    assert Opt.REBINDING_TIME not in reply.options
    assert reply.options[Opt.RENEWAL_TIME] == (300).to_bytes(4, "big")
    assert offer.max_message_size is None


def test_always_broadcast_sets_the_flag_and_blocks_unicast(
    make_server: MakeServer, packet: MakePacket, hw: Hw, now: int,
) -> None:
    server = make_server("always-broadcast on;\n" + CONF)
    server.dora(hw(1))
    renewal = server.send(packet(MessageType.DHCPREQUEST, hw(1), ciaddr="10.0.0.100"), now + 400)
    assert renewal.reply.flags & BROADCAST_FLAG and not renewal.unicast_to_ciaddr


def test_client_limits_and_requests_shape_the_reply(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server("echo-client-id on;\nuse-lease-addr-for-default-route on;\n" + CONF)
    offer = server.send(packet(
        MessageType.DHCPDISCOVER, hw(2), client_id=b"\x01cid", prl=bytes([3, 1]),
        extra={Opt.MAX_MESSAGE_SIZE: (1400).to_bytes(2, "big")},
    ))
    reply = offer.reply
    assert list(reply.options) == [53, 54, 51, 58, 61, 3, 1]
    assert reply.options[Opt.ROUTERS] == bytes([10, 0, 0, 100])
    assert reply.options[Opt.CLIENT_IDENTIFIER] == b"\x01cid"
    assert offer.max_message_size == 1400
