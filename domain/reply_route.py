"""Where a reply goes: dhcpd's destination rules as one pure function.

Clients that have no address yet cannot receive ordinary unicast, relays must get
their answers at the relay port, a renewing client is reached at its own address, and
a NAK must reach a client that may hold a wrong address — RFC 2131 §4.1 with the
choices ISC dhcpd 4.4 makes (spec/dhcpd.md §4.7).  The UDP adapter only carries out
the `Route` this returns.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.dhcp_packet import BOOTREPLY, ZERO, DhcpPacket, Inbound, MessageType

BROADCAST = "255.255.255.255"


@dataclass(frozen=True, slots=True)
class Route:
    """Send to `address:port`; `interface` is the arrival interface for link-local
    delivery.  `link_address` is set when the IP destination is a client with no
    address yet: the reply must reach that hardware address (an ARP entry, or a
    broadcast when none can be made)."""

    address: str
    port: int
    interface: str
    link_address: bytes | None = None


def route_reply(
    inbound: Inbound,
    reply: DhcpPacket,
    *,
    server_port: int = 67,
    client_port: int | None = None,
    unicast_to_ciaddr: bool = True,
) -> Route:
    """The destination of `reply` to the request in `inbound`.

    `server_port` is the port the server listens on (67, or dhcpd's `-p PORT`); a
    relay is answered on it, a client on `client_port`: dhcpd.conf's `remote-port`, by
    default the port above the server's (server/dhcpd.c).  `unicast_to_ciaddr` is
    the core's verdict for an ACK to a client that has an address: dhcpd does not
    unicast it when the client named a server or set the broadcast flag on its own
    lease's network (`Decision.unicast_to_ciaddr`)."""
    request = inbound.packet
    if client_port is None:
        client_port = server_port + 1
    kind = reply.message_type
    iface = inbound.interface
    if kind is MessageType.DHCPACK and request.message_type is MessageType.DHCPINFORM:
        # An INFORM is answered at the address it gives, even through a relay.
        if request.ciaddr != ZERO:
            return Route(request.ciaddr, client_port, iface)
        if request.giaddr != ZERO:
            return Route(request.giaddr, server_port, iface)
        return Route(inbound.source_address, client_port, iface)
    if request.giaddr != ZERO:
        # ISC answers a giaddr of 127.0.0.1 on the client port: that "relay" is a
        # client on this host.
        port = client_port if request.giaddr == "127.0.0.1" else server_port
        return Route(request.giaddr, port, iface)
    if kind is MessageType.DHCPNAK:
        return Route(BROADCAST, client_port, iface)
    if request.ciaddr != ZERO and kind is MessageType.DHCPACK and unicast_to_ciaddr:
        return Route(request.ciaddr, client_port, iface)
    if reply.op == BOOTREPLY and reply.yiaddr != ZERO and not reply.broadcast:
        return Route(reply.yiaddr, client_port, iface, link_address=reply.chaddr)
    return Route(BROADCAST, client_port, iface)
