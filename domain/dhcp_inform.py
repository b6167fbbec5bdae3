"""DHCPINFORM: configuration for a client that already has an address
(server/dhcp.c `dhcpinform`, spec §4.8).

No lease is touched.  The address is ciaddr, else the IP source (or the relay when
relayed, or a link/subnet selection option); dhcpd answers only for subnets it is
authoritative for.  The options come from the subnet, the pool of ciaddr's lease, the
classes and a matching host, without lease times.
"""

from __future__ import annotations

import ipaddress

from domain.config.declarations import HostConfig, SubnetConfig
from domain.config.parameters import ServerParameters
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import Decision, LogLine, hardware_text, info
from domain.dhcp_packet import (
    BOOTREPLY,
    BROADCAST_FLAG,
    ZERO,
    AgentSubOpt,
    DhcpPacket,
    MessageType,
    Opt,
)
from domain.find_lease import lease_at
from domain.reply_options import (
    max_message_size,
    netmask_of,
    parameter_request_list,
    run_scopes,
    select_options,
    server_identifier,
)

AUTHORITATIVE_HINTS = (
    "If this DHCP server is authoritative for that subnet,",
    "please write an `authoritative;' directive either in the",
    "subnet declaration or in some scope that encloses the",
    "subnet declaration - for example, write it at the top",
    "of the dhcpd.conf file.",
)
_LEASE_TIMES = (Opt.LEASE_TIME, Opt.RENEWAL_TIME, Opt.REBINDING_TIME)


def _inform_host(ctx: RequestContext, cip: str) -> HostConfig | None:
    """A host for the client: one whose fixed address is the client's address wins
    (by client id, then hardware), else one without a fixed address."""
    address = ipaddress.IPv4Address(cip)
    chosen: HostConfig | None = None
    searches = []
    if ctx.client_id is not None:
        searches.append(ctx.config.hosts_by_client_id(ctx.client_id))
    searches.append(ctx.config.hosts_by_hardware(ctx.packet.htype, ctx.hardware.address))
    for hosts in searches:
        exact = next((h for h in hosts if address in h.fixed_ipv4_addresses()), None)
        if exact is not None:
            return exact
        if chosen is None:
            chosen = next((h for h in hosts if not h.fixed_addresses), None)
    return chosen


def _selected(ctx: RequestContext) -> bytes | None:
    link = ctx.packet.agent_suboptions().get(AgentSubOpt.LINK_SELECTION)
    return link if link is not None else ctx.packet.option(Opt.SUBNET_SELECTION)


def inform(ctx: RequestContext) -> Decision:
    """The answer to a DHCPINFORM."""
    packet = ctx.packet
    relayed = packet.giaddr != ZERO
    if packet.ciaddr != ZERO:
        cip, kind = packet.ciaddr, "client"
    else:
        cip, kind = ctx.inbound.source_address, "source"
    sip = cip
    if relayed and packet.ciaddr == ZERO:
        kind, sip = "relay", packet.giaddr
    msg = f"DHCPINFORM from {cip} via {ctx.via}"
    if cip == ZERO:
        return Decision(log=(info(f"{msg}: ignored (null source address)."),))
    selection = _selected(ctx)
    if selection is not None:
        if len(selection) != 4:
            return Decision(log=(info(f"{msg}: ignored (invalid subnet selection option)."),))
        sip = str(ipaddress.IPv4Address(selection))
        kind = "relay link select" if relayed and packet.ciaddr == ZERO else "selected"
    subnet = ctx.config.subnet_for_address(ipaddress.IPv4Address(sip))
    if subnet is None:
        return Decision(log=(info(f"{msg}: unknown subnet for {kind} address {sip}"),))
    if not subnet.authoritative:
        lines = [info(f"{msg}: not authoritative for subnet {subnet.network.network_address}")]
        lines += [info(hint) for hint in AUTHORITATIVE_HINTS]
        return Decision(log=tuple(lines))
    lease = lease_at(ctx, packet.ciaddr) if packet.ciaddr != ZERO else None
    pool = ctx.pool_of(lease) if lease is not None else None
    scopes = run_scopes(ctx.config, subnet=subnet, pool=pool, classes=ctx.classes,
                        host=_inform_host(ctx, cip), request=ctx.evaluation())
    return _acknowledge(ctx, scopes.options, scopes.parameters, subnet, cip, msg,
                        selection if selection is not None and len(selection) == 4 else None)


def _acknowledge(
    ctx: RequestContext,
    state: dict[int, bytes],
    params: ServerParameters,
    subnet: SubnetConfig,
    cip: str,
    msg: str,
    selection: bytes | None,
) -> Decision:
    """The DHCPACK itself: no lease times, broadcast bit set when going via a relay."""
    packet = ctx.packet
    state = {code: value for code, value in state.items() if code not in _LEASE_TIMES}
    if selection is not None:
        state[Opt.SUBNET_SELECTION] = selection
    state[Opt.MESSAGE_TYPE] = bytes((MessageType.DHCPACK,))
    sid = server_identifier(state, ctx.inbound.interface_address)
    if sid is not None:
        state[Opt.SERVER_IDENTIFIER] = sid
    state.setdefault(Opt.SUBNET_MASK, netmask_of(subnet))
    agent = ctx.agent_options if not ctx.agent_stashed else None
    options = select_options(
        state, prl=parameter_request_list(state, packet.option(Opt.PARAMETER_REQUEST_LIST)),
        request_kind=MessageType.DHCPINFORM, client_sent_fqdn=packet.option(Opt.FQDN) is not None,
        echo_client_id=False, agent_options=agent,
    )
    via_relay = packet.ciaddr == ZERO and packet.giaddr != ZERO
    reply = DhcpPacket(
        op=BOOTREPLY, htype=packet.htype, hlen=packet.hlen, hops=packet.hops, xid=packet.xid,
        secs=packet.secs, flags=packet.flags | (BROADCAST_FLAG if via_relay else 0),
        ciaddr=packet.ciaddr, yiaddr=ZERO,
        siaddr=str(params.next_server) if params.next_server is not None else ZERO,
        giaddr=packet.giaddr, chaddr=packet.chaddr[: packet.hlen],
        sname=(params.server_name or "").encode("latin-1")[:64],
        file=(params.filename or "").encode("latin-1")[:128], options=options,
    )
    mac = (
        hardware_text(packet.htype, packet.chaddr[: packet.hlen])
        if packet.htype and packet.hlen else "<no client hardware address>"
    )
    via = packet.giaddr if via_relay else ctx.inbound.interface
    sent: LogLine = info(f"DHCPACK to {cip} ({mac}) via {via}")
    return Decision(
        reply=reply, log=(info(msg),), reply_log=(sent,), unicast_to_ciaddr=packet.ciaddr != ZERO,
        max_message_size=max_message_size(packet.option(Opt.MAX_MESSAGE_SIZE), {}),
    )
