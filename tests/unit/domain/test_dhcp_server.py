"""decide(): intake, network location, dispatch — and the tutorial two-pool network."""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from domain.config.model import DhcpConfig
from domain.dhcp_decision import Decision
from domain.dhcp_packet import ZERO, AgentSubOpt, DhcpPacket, Inbound, MessageType, Opt
from domain.dhcp_server import decide, interface_network, locate_network
from domain.lease import BindingState, Hardware, Lease
from projections.lease_view import LeaseView

MakeServer = Callable[..., Any]
MakeConfig = Callable[[str], DhcpConfig]
MakePacket = Callable[..., DhcpPacket]
Hw = Callable[[int], bytes]
Lines = Callable[[Decision], list[str]]

EXAMPLE = Path(__file__).parents[3] / "ops" / "examples" / "known-unknown" / "dhcpd.conf"
KNOWN = bytes.fromhex("00163e200001")
RELAYED = """
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
shared-network lan {
  subnet 10.8.0.0 netmask 255.255.255.0 { range 10.8.0.10 10.8.0.12; }
  subnet 10.9.0.0 netmask 255.255.255.0 { }
}
"""


def dns(decision: Decision) -> bytes:
    return decision.reply.options[Opt.DOMAIN_NAME_SERVERS]


def test_known_clients_get_the_inner_pool_with_its_servers_and_times(
    make_server: MakeServer,
    packet: MakePacket,
    now: int,
) -> None:
    server = make_server(EXAMPLE.read_text())
    ack = server.dora(KNOWN, lease_time=40000)
    assert ack.reply.yiaddr == "10.0.0.5"
    assert dns(ack) == bytes([10, 0, 0, 251, 10, 0, 0, 252])
    assert int.from_bytes(ack.reply.options[Opt.LEASE_TIME], "big") == 28800
    assert ack.reply.options[Opt.DOMAIN_NAME] == b"digitalairlines.com"


def test_a_client_id_alone_makes_a_client_known(
    make_server: MakeServer,
    hw: Hw,
) -> None:
    server = make_server(EXAMPLE.read_text())
    ack = server.dora(hw(0x77), client_id=b"laptop-1")
    assert ack.reply.yiaddr == "10.0.0.5"


def test_unknown_clients_get_the_guest_pool_and_short_leases(
    make_server: MakeServer,
    hw: Hw,
) -> None:
    server = make_server(EXAMPLE.read_text())
    ack = server.dora(hw(0x31), lease_time=3600)
    assert ack.reply.yiaddr == "10.0.0.100"
    assert dns(ack) == bytes([10, 0, 0, 254])
    assert int.from_bytes(ack.reply.options[Opt.LEASE_TIME], "big") == 300


def test_the_known_pool_never_serves_an_unknown_client(
    make_server: MakeServer,
    packet: MakePacket,
    hw: Hw,
    lines: Lines,
    now: int,
) -> None:
    server = make_server(EXAMPLE.read_text())
    for last in range(100, 251):
        server.view.apply(Lease(
            f"10.0.0.{last}", starts=now, ends=now + 300, binding_state=BindingState.ACTIVE,
            hardware=Hardware(1, bytes([2, 1, 0, 0, 0, last])),
        ))
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(0x31)))
    assert offer.reply is None
    assert lines(offer) == [
        "DHCPDISCOVER from 02:00:00:00:00:31 via eth0: network 10.0.0.0/24: no free leases"
    ]
    asked = server.send(packet(MessageType.DHCPREQUEST, hw(0x31), requested="10.0.0.6"))
    assert asked.reply.message_type is MessageType.DHCPNAK
    assert lines(asked)[0].endswith(": lease 10.0.0.6 unavailable.")
    assert server.dora(KNOWN).reply.yiaddr == "10.0.0.5"


def test_bogus_hlen_and_empty_client_ids_are_dropped(
    make_server: MakeServer,
    packet: MakePacket,
    hw: Hw,
    lines: Lines,
) -> None:
    server = make_server()
    long_hw = packet(MessageType.DHCPDISCOVER, bytes(17))
    assert lines(server.send(long_hw)) == ["Discarding packet with bogus hlen."]
    empty_id = packet(MessageType.DHCPDISCOVER, hw(1), client_id=b"")
    dropped = server.send(empty_id)
    assert dropped.reply is None and dropped.log[0].level == "debug"


def test_unknown_network_segment_and_unknown_types(
    make_server: MakeServer,
    packet: MakePacket,
    hw: Hw,
    lines: Lines,
) -> None:
    server = make_server()
    lost = packet(MessageType.DHCPDISCOVER, hw(1), giaddr="192.0.2.1")
    assert lines(server.send(lost)) == [
        "DHCPDISCOVER from 02:00:00:00:00:01 via 192.0.2.1: unknown network segment"
    ]
    odd = packet(None, hw(1), extra={Opt.MESSAGE_TYPE: bytes([9])})
    assert lines(server.send(odd)) == [
        "type 9 from 02:00:00:00:00:01 via eth0: unknown packet type"
    ]
    for kind in (MessageType.DHCPOFFER, MessageType.DHCPACK, MessageType.DHCPNAK):
        ignored = server.send(packet(kind, hw(1)))
        assert ignored.reply is None and lines(ignored) == []


def test_network_comes_from_link_selection_then_118_then_giaddr(
    make_config: MakeConfig,
    packet: MakePacket,
    hw: Hw,
) -> None:
    config = make_config(RELAYED)

    def located(**fields: object) -> str | None:
        inbound = Inbound(packet(MessageType.DHCPDISCOVER, hw(1), **fields), "eth0", ZERO, 68,
                          "10.0.0.2")
        network = locate_network(inbound, config)
        return network.name if network is not None else None

    assert located() == "10.0.0.0/24"
    assert located(giaddr="10.9.0.1") == "lan"
    assert located(giaddr="10.0.0.1", extra={Opt.SUBNET_SELECTION: bytes([10, 8, 0, 0])}) == "lan"
    link = bytes([AgentSubOpt.LINK_SELECTION, 4, 10, 0, 0, 9])
    both = {Opt.SUBNET_SELECTION: bytes([10, 8, 0, 0]), Opt.RELAY_AGENT_INFORMATION: link}
    assert located(giaddr="10.8.0.1", extra=both) == "10.0.0.0/24"
    assert located(extra={Opt.SUBNET_SELECTION: b"\x0a"}) is None
    no_address = Inbound(packet(MessageType.DHCPDISCOVER, hw(1)), "eth9", ZERO, 68, None)
    assert interface_network(no_address, config) is None
    # The start-up check attached the interface by a secondary address: that decides,
    # whatever network (none here) its primary address is on.
    attached = Inbound(packet(MessageType.DHCPDISCOVER, hw(1)), "eth9", ZERO, 68,
                       "192.0.2.1", "lan")
    assert interface_network(attached, config).name == "lan"


def test_relayed_discover_is_served_from_the_relay_network(
    make_server: MakeServer,
    packet: MakePacket,
    hw: Hw,
    lines: Lines,
) -> None:
    server = make_server(RELAYED)
    offer = server.send(packet(MessageType.DHCPDISCOVER, hw(5), giaddr="10.9.0.1"))
    assert offer.reply.yiaddr == "10.8.0.10"
    assert lines(offer)[-1] == "DHCPOFFER on 10.8.0.10 to 02:00:00:00:00:05 via 10.9.0.1"


def test_a_unicast_renewal_uses_the_relay_options_stored_on_its_lease(
    make_server: MakeServer,
    packet: MakePacket,
    hw: Hw,
) -> None:
    server = make_server(RELAYED)
    agent = bytes([AgentSubOpt.CIRCUIT_ID, 2]) + b"c1"
    ack = server.dora(hw(6), giaddr="10.9.0.1", extra={Opt.RELAY_AGENT_INFORMATION: agent})
    assert ack.reply.options[Opt.RELAY_AGENT_INFORMATION] == agent
    ip = ack.reply.yiaddr
    assert server.lease(ip).agent_options[0].data == b"c1"
    renew = server.send(packet(MessageType.DHCPREQUEST, hw(6), ciaddr=ip), source=ip)
    assert renew.reply.message_type is MessageType.DHCPACK
    assert Opt.RELAY_AGENT_INFORMATION not in renew.reply.options
    assert server.lease(ip).agent_options[0].data == b"c1"


def test_decide_never_raises_for_a_bootreply(make_server: MakeServer, hw: Hw) -> None:
    server = make_server()
    stray = DhcpPacket(op=2, htype=1, hlen=6, hops=0, xid=1, secs=0, flags=0, ciaddr=ZERO,
                       yiaddr=ZERO, siaddr=ZERO, giaddr=ZERO, chaddr=hw(1), has_cookie=False)
    assert decide(Inbound(stray, "eth0", ZERO, 68, "10.0.0.2"), server.view, server.config,
                  0).reply is None


CLASSES = """
authoritative;
ping-check false;
class "printers" { match if substring(option vendor-class-identifier, 0, 7) = "printer"; }
subnet 10.0.0.0 netmask 255.255.255.0 {
  if option host-name = "kiosk" { option domain-name "kiosk.example"; set seen = "kiosk"; }
  pool { allow members of "printers"; range 10.0.0.10 10.0.0.11; }
  pool { deny members of "printers"; range 10.0.0.100 10.0.0.101; }
}
"""


def test_class_members_get_their_pool_and_others_never_do(
    make_server: MakeServer, hw: Hw,
) -> None:
    server = make_server(CLASSES)
    printer = server.dora(hw(1), extra={Opt.VENDOR_CLASS_IDENTIFIER: b"printer-x"})
    assert printer.reply.yiaddr == "10.0.0.10"
    laptop = server.dora(hw(2))
    assert laptop.reply.yiaddr == "10.0.0.100"


def test_conditional_statements_run_for_the_request(make_server: MakeServer, hw: Hw) -> None:
    server = make_server(CLASSES)
    kiosk = server.dora(hw(3), hostname=b"kiosk")
    assert kiosk.reply.options[Opt.DOMAIN_NAME] == b"kiosk.example"
    assert server.lease(kiosk.reply.yiaddr).binding("seen") == b"kiosk"
    other = server.dora(hw(4), hostname=b"desk")
    assert Opt.DOMAIN_NAME not in other.reply.options


FAILOVER_AND_PLAIN = """
failover peer "fo" {
  primary; address 10.9.0.1; peer address 10.9.0.2; mclt 600; split 128;
}
authoritative;
ping-check false;
subnet 10.0.0.0 netmask 255.255.255.0 { range 10.0.0.100 10.0.0.104; }
subnet 10.1.0.0 netmask 255.255.255.0 { pool { failover peer "fo"; range 10.1.0.10 10.1.0.12; } }
"""


def test_decide_applies_failover_rules_only_when_given_a_mapping(
    make_config: MakeConfig, packet: MakePacket, hw: Hw, now: int,
) -> None:
    config = make_config(FAILOVER_AND_PLAIN)
    view = LeaseView(config)

    def discover(via: str, failover: dict | None) -> Decision:
        inbound = Inbound(packet(MessageType.DHCPDISCOVER, hw(1)), "eth0", ZERO, 68, via)
        return decide(inbound, view, config, now, failover)

    # no mapping: the failover pool is served like any other
    assert discover("10.1.0.1", None).reply.yiaddr == "10.1.0.10"
    # a mapping without the peer: its pools are in unknown state, the others unaffected
    silent = discover("10.1.0.1", {})
    assert silent.reply is None and silent.log[-1].text == (
        "DHCPDISCOVER from 02:00:00:00:00:01 via eth0: not responding (my state unknown)"
    )
    assert discover("10.0.0.1", {}).reply.yiaddr == "10.0.0.100"
