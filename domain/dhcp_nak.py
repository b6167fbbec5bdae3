"""DHCPNAK: dhcpd's `nak_lease` (server/dhcp.c, spec §4.7).

A NAK tells a client its address is wrong, so it must reach a client that may hold a
bad address: the broadcast bit is always set and the parameter request list is
ignored.  The server identifier comes from the network's scopes (dhcpd is built with
SERVER_ID_FOR_NAK), the message text is `find_lease`'s reason, and relay information
and (with echo-client-id) the client identifier are echoed.
"""

from __future__ import annotations

from domain.config.declarations import SubnetConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import Decision, LogLine, hardware_text, info
from domain.dhcp_packet import BOOTREPLY, BROADCAST_FLAG, ZERO, DhcpPacket, MessageType, Opt
from domain.reply_options import network_scopes, select_options, server_identifier


def nak(
    ctx: RequestContext,
    address: str,
    *,
    subnet: SubnetConfig | None,
    message: str,
    log: tuple[LogLine, ...] = (),
) -> Decision:
    """The NAK for `address`; `log` holds the lines written before it (the REQUEST
    line with its reason), the DHCPNAK line goes out with the packet."""
    packet = ctx.packet
    network = ctx.network.name if ctx.network is not None else None
    scopes = network_scopes(ctx.config, network, subnet, ctx.classes, ctx.evaluation())
    state: dict[int, bytes] = {Opt.MESSAGE_TYPE: bytes((MessageType.DHCPNAK,))}
    sid = server_identifier(scopes.options, ctx.inbound.interface_address)
    if sid is not None:
        state[Opt.SERVER_IDENTIFIER] = sid
    if message:
        state[Opt.MESSAGE] = message.encode("latin-1")
    echo = scopes.parameters.echo_client_id and ctx.client_id is not None
    if echo and ctx.client_id is not None:
        state[Opt.CLIENT_IDENTIFIER] = ctx.client_id
    options = select_options(
        state, prl=None, request_kind=ctx.kind, client_sent_fqdn=False,
        echo_client_id=echo, agent_options=ctx.agent_options,
    )
    reply = DhcpPacket(
        op=BOOTREPLY, htype=packet.htype, hlen=packet.hlen, hops=packet.hops,
        xid=packet.xid, secs=packet.secs, flags=packet.flags | BROADCAST_FLAG,
        ciaddr=ZERO, yiaddr=ZERO, siaddr=ZERO, giaddr=packet.giaddr,
        chaddr=packet.chaddr[: packet.hlen], options=options,
    )
    line = info(
        f"DHCPNAK on {address} to {hardware_text(packet.htype, packet.chaddr[: packet.hlen])}"
        f" via {ctx.via}"
    )
    return Decision(
        reply=reply, log=tuple(ctx.log) + log, reply_log=(line,),
        changes=ctx.changes(),
    )
