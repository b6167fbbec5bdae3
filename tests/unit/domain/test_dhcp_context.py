"""The per-request context: option helpers, relay options and permits."""

from __future__ import annotations

from collections.abc import Callable

from domain.config.model import DhcpConfig
from domain.dhcp_context import (
    RequestContext,
    address_option,
    agent_option_bytes,
    agent_options_of,
)
from domain.dhcp_packet import DhcpPacket, Inbound, MessageType, Opt
from domain.lease import AgentOption
from projections.lease_view import LeaseView

MakeConfig = Callable[[str], DhcpConfig]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]

CONF = """
subnet 10.0.0.0 netmask 255.255.255.0 {
  pool { deny unknown-clients; range 10.0.0.10 10.0.0.11; }
  pool { deny dynamic bootp clients; range 10.0.0.100 10.0.0.101; }
}
"""


def test_relay_options_round_trip_through_the_lease_form() -> None:
    raw = bytes([1, 2]) + b"c1" + bytes([2, 3, 1, 2, 3]) + bytes([9, 1, 7])
    stored = agent_options_of(raw)
    assert stored == (
        AgentOption("circuit-id", b"c1"), AgentOption("remote-id", b"\x01\x02\x03"),
        AgentOption("unknown-9", b"\x07"),
    )
    assert agent_option_bytes(stored) == raw
    assert agent_options_of(bytes([1, 5, 0])) == ()


def test_address_options_need_four_octets(packet: MakePacket, hw: Hw) -> None:
    asking = packet(MessageType.DHCPREQUEST, hw(1), requested="10.0.0.7")
    assert address_option(asking, Opt.REQUESTED_ADDRESS) == "10.0.0.7"
    short = packet(MessageType.DHCPREQUEST, hw(1), extra={Opt.REQUESTED_ADDRESS: b"\x0a"})
    assert address_option(short, Opt.REQUESTED_ADDRESS) is None


def test_permits_see_known_and_bootp(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(CONF)
    guarded, plain = config.pools

    def context(message: DhcpPacket) -> RequestContext:
        return RequestContext(inbound=Inbound(message, "eth0", "0.0.0.0", 68), config=config,
                              view=LeaseView(config), now=now, network=None,
                              interface_network=None)

    dhcp = context(packet(MessageType.DHCPDISCOVER, hw(1)))
    assert not dhcp.permitted(guarded) and dhcp.permitted(plain) and not dhcp.is_bootp
    dhcp.known = True
    assert dhcp.permitted(guarded)
    bootp = context(packet(None, hw(1)))
    assert bootp.is_bootp and not bootp.permitted(plain)
    assert bootp.hardware.address == hw(1) and bootp.client_id is None
