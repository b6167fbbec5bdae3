"""DHCPREQUEST (server/dhcp.c `dhcprequest`, spec §4.5).

dhcpd cannot see which RFC 2131 state the client is in, so it infers it from the
fields: a request with option 50 and no ciaddr (SELECTING, INIT-REBOOT) or one relayed
with ciaddr set (REBINDING through a relay) has its address checked against the network
it came from — the wrong network earns a NAK where the server is authoritative.  An
address that is this server's but not available for the client is NAKed whatever the
authoritative setting; an address nobody knows is silently ignored.  The server
identifier is only logged: without failover dhcpd does not check it.

A lease of a failover pool is answered only while this server answers clients and only
when the lease's state is not the peer's to give (`domain.failover_dhcp`); REQUESTs are
never load-balanced.
"""

from __future__ import annotations

from domain.ack_lease import Grant, ack_lease
from domain.config.declarations import SharedNetworkConfig, SubnetConfig
from domain.dhcp_context import RequestContext, address_option
from domain.dhcp_decision import Decision, LogLine, hostname_text, info
from domain.dhcp_nak import nak
from domain.dhcp_packet import ZERO, MessageType, Opt, ipv4
from domain.failover_dhcp import request_refusal
from domain.find_lease import Found, find_lease
from domain.lease import Lease


def _grouped_subnet(network: SharedNetworkConfig, address: str) -> SubnetConfig | None:
    ip = ipv4(address)
    return next((s for s in network.subnets if s.contains(ip)), None)


def _ignored(ctx: RequestContext, line: LogLine) -> Decision:
    return Decision(log=(*ctx.log, line), changes=ctx.changes())


def request(ctx: RequestContext, ciaddr_lease: Lease | None = None) -> Decision:
    """The answer to a DHCPREQUEST; `ciaddr_lease` is the lease at ciaddr that dhcpd
    looked up for a unicast renewal (it stands in for the requested address)."""
    packet = ctx.packet
    requested = address_option(packet, Opt.REQUESTED_ADDRESS)
    cip = requested if requested is not None else packet.ciaddr
    subnet = ctx.config.subnet_for_address(ipv4(cip))
    found = Found()
    if subnet is not None:
        network = ctx.config.shared_network(subnet.shared_network)
        found = find_lease(ctx, network, ciaddr_lease=ciaddr_lease)
    lease = found.lease
    sid = address_option(packet, Opt.SERVER_IDENTIFIER)
    shown_sid = f" ({sid})" if sid is not None else ""
    msg = (
        f"DHCPREQUEST for {cip}{shown_sid} from {ctx.client(lease)}"
        f" {hostname_text(lease)}via {ctx.via}"
    )
    fixed = found.fixed is not None and lease is found.fixed.lease
    if lease is not None and not fixed:
        refusal = request_refusal(ctx, lease, msg, cip, found.message)
        if refusal is not None:
            return refusal
    checked = (
        ctx.network is None
        or (packet.ciaddr != ZERO and packet.giaddr != ZERO)
        or (requested is not None and packet.ciaddr == ZERO)
    )
    if checked:
        if ctx.network is None:
            if subnet is not None and subnet.authoritative:
                return nak(ctx, cip, subnet=None, message=found.message,
                           log=(info(f"{msg}: wrong network."),))
            why = "not authoritative" if subnet is not None else "unknown subnet"
            return _ignored(ctx, info(f"{msg}: ignored ({why})."))
        grouped = _grouped_subnet(ctx.network, cip)
        if grouped is None:
            if ctx.network.authoritative:
                return nak(ctx, cip, subnet=None, message=found.message,
                           log=(info(f"{msg}: wrong network."),))
            return _ignored(ctx, info(f"{msg}: ignored (not authoritative)."))
        subnet = grouped
    if lease is None and found.ours:
        return nak(ctx, cip, subnet=subnet, message=found.message,
                   log=(info(f"{msg}: lease {cip} unavailable."),))
    if lease is not None:
        return ack_lease(ctx, Grant(lease, MessageType.DHCPACK, msg, fixed=found.fixed))
    return _ignored(ctx, info(f"{msg}: unknown lease {cip}."))
