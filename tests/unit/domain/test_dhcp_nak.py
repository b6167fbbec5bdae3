"""DHCPNAK contents: broadcast, server id from the network scopes, message, echoes."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from domain.dhcp_decision import Decision
from domain.dhcp_packet import BROADCAST_FLAG, ZERO, DhcpPacket, MessageType, Opt

MakeServer = Callable[..., Any]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

CONF = """
authoritative;
ping-check false;
echo-client-id on;
subnet 10.0.0.0 netmask 255.255.255.0 {
  server-identifier 10.0.0.250;
  range 10.0.0.100 10.0.0.104;
}
subnet 10.8.0.0 netmask 255.255.255.0 { range 10.8.0.10 10.8.0.20; }
"""


def test_a_nak_is_broadcast_and_ignores_the_request_list(
    make_server: MakeServer, packet: MakePacket, hw: Hw, lines: Lines,
) -> None:
    server = make_server(CONF)
    agent = bytes([1, 2]) + b"c1"
    nak = server.send(packet(
        MessageType.DHCPREQUEST, hw(1), requested="10.8.0.10", client_id=b"\x01me",
        prl=bytes([3, 6]), xid=99, extra={Opt.RELAY_AGENT_INFORMATION: agent},
    ))
    reply = nak.reply
    assert reply.flags & BROADCAST_FLAG and reply.xid == 99
    assert (reply.ciaddr, reply.yiaddr) == (ZERO, ZERO)
    assert list(reply.options) == [53, 54, 61, 82]
    assert reply.options[Opt.MESSAGE_TYPE] == bytes([MessageType.DHCPNAK])
    assert reply.options[Opt.SERVER_IDENTIFIER] == bytes([10, 0, 0, 250])
    assert reply.options[Opt.CLIENT_IDENTIFIER] == b"\x01me"
    assert reply.options[Opt.RELAY_AGENT_INFORMATION] == agent
    assert nak.reply_log[0].text == "DHCPNAK on 10.8.0.10 to 02:00:00:00:00:01 via eth0"


def test_a_nak_carries_the_reason_find_lease_gave(
    make_server: MakeServer, packet: MakePacket, hw: Hw,
) -> None:
    server = make_server(CONF.replace("ping-check false;", "ping-check false;\n"
                                      "host fx { hardware ethernet 02:00:00:00:00:02;"
                                      " fixed-address 10.0.0.50; }"))
    nak = server.send(packet(MessageType.DHCPREQUEST, hw(2), requested="10.0.0.101"))
    assert nak.reply.options[Opt.MESSAGE] == b"requested address is incorrect"
