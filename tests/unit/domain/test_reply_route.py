"""Reply destinations, one rule at a time (spec/dhcpd.md §4.7)."""

from __future__ import annotations

from dataclasses import replace

from domain.dhcp_packet import BOOTREPLY, BOOTREQUEST, DhcpPacket, Inbound, MessageType, Opt
from domain.reply_route import BROADCAST, Route, route_reply

MAC = bytes.fromhex("020000000001")


def pkt(op: int, kind: MessageType | None, **fields: object) -> DhcpPacket:
    base = DhcpPacket(
        op=op, htype=1, hlen=6, hops=0, xid=7, secs=0, flags=0,
        ciaddr="0.0.0.0", yiaddr="0.0.0.0", siaddr="0.0.0.0", giaddr="0.0.0.0", chaddr=MAC,
        options={Opt.MESSAGE_TYPE: bytes([kind])} if kind else {},
    )
    return replace(base, **fields)


def route(
    request: DhcpPacket, reply: DhcpPacket, source: str = "0.0.0.0", port: int = 67,
    unicast: bool = True,
) -> Route:
    return route_reply(Inbound(request, "eth0", source, 68), reply, server_port=port,
                       unicast_to_ciaddr=unicast)


def where(r: Route) -> tuple[str, int]:
    return (r.address, r.port)


def test_relayed_requests_are_answered_at_the_relay() -> None:
    req = pkt(BOOTREQUEST, MessageType.DHCPDISCOVER, giaddr="10.1.0.1")
    offer = pkt(BOOTREPLY, MessageType.DHCPOFFER, yiaddr="10.1.0.50", giaddr="10.1.0.1")
    assert where(route(req, offer)) == ("10.1.0.1", 67)
    assert where(route(req, offer, port=16767)) == ("10.1.0.1", 16767)
    local = pkt(BOOTREQUEST, MessageType.DHCPDISCOVER, giaddr="127.0.0.1")
    assert where(route(local, offer)) == ("127.0.0.1", 68)


def test_a_client_without_an_address_gets_link_unicast_unless_it_asks_for_broadcast() -> None:
    req = pkt(BOOTREQUEST, MessageType.DHCPDISCOVER)
    offer = pkt(BOOTREPLY, MessageType.DHCPOFFER, yiaddr="10.0.0.100")
    r = route(req, offer)
    assert (r.address, r.port, r.link_address) == ("10.0.0.100", 68, MAC)
    offer_b = replace(offer, flags=0x8000)
    assert where(route(req, offer_b)) == (BROADCAST, 68)


def test_renewals_go_to_ciaddr_and_naks_are_broadcast() -> None:
    renew = pkt(BOOTREQUEST, MessageType.DHCPREQUEST, ciaddr="10.0.0.100")
    ack = pkt(BOOTREPLY, MessageType.DHCPACK, ciaddr="10.0.0.100", yiaddr="10.0.0.100")
    assert where(route(renew, ack)) == ("10.0.0.100", 68)
    nak = pkt(BOOTREPLY, MessageType.DHCPNAK)
    assert where(route(renew, nak)) == (BROADCAST, 68)


def test_inform_is_answered_at_its_source_address() -> None:
    inform = pkt(BOOTREQUEST, MessageType.DHCPINFORM)
    ack = pkt(BOOTREPLY, MessageType.DHCPACK)
    assert where(route(inform, ack, source="10.0.0.7")) == ("10.0.0.7", 68)


def test_an_ack_the_core_will_not_unicast_is_broadcast() -> None:
    renew = pkt(BOOTREQUEST, MessageType.DHCPREQUEST, ciaddr="10.0.0.100")
    ack = pkt(BOOTREPLY, MessageType.DHCPACK, ciaddr="10.0.0.100", yiaddr="10.0.0.100",
              flags=0x8000)
    assert where(route(renew, ack, unicast=False)) == (BROADCAST, 68)


def test_a_relayed_inform_with_ciaddr_is_answered_at_ciaddr() -> None:
    inform = pkt(BOOTREQUEST, MessageType.DHCPINFORM, ciaddr="10.1.0.7", giaddr="10.1.0.1")
    ack = pkt(BOOTREPLY, MessageType.DHCPACK)
    assert where(route(inform, ack)) == ("10.1.0.7", 68)
    relayed = pkt(BOOTREQUEST, MessageType.DHCPINFORM, giaddr="10.1.0.1")
    assert where(route(relayed, ack)) == ("10.1.0.1", 67)


def test_remote_port_is_the_clients_port_and_relays_keep_the_servers() -> None:
    """dhcpd.conf's `remote-port`: every reply to a client goes to it; a relay is
    still answered on the server's port, a giaddr of 127.0.0.1 on the client's."""
    def moved(request: DhcpPacket, reply: DhcpPacket) -> tuple[str, int]:
        inbound = Inbound(request, "eth0", "0.0.0.0", 68)
        return where(route_reply(inbound, reply, client_port=1068))

    offer = pkt(BOOTREPLY, MessageType.DHCPOFFER, yiaddr="10.0.0.100")
    assert moved(pkt(BOOTREQUEST, MessageType.DHCPDISCOVER), offer) == ("10.0.0.100", 1068)
    renew = pkt(BOOTREQUEST, MessageType.DHCPREQUEST, ciaddr="10.0.0.100")
    assert moved(renew, pkt(BOOTREPLY, MessageType.DHCPNAK)) == (BROADCAST, 1068)
    relayed = pkt(BOOTREQUEST, MessageType.DHCPDISCOVER, giaddr="10.1.0.1")
    assert moved(relayed, offer) == ("10.1.0.1", 67)
    local = pkt(BOOTREQUEST, MessageType.DHCPDISCOVER, giaddr="127.0.0.1")
    assert moved(local, offer) == ("127.0.0.1", 1068)
