"""The DHCPOFFER / DHCPACK / BOOTREPLY packet for a granted lease (`dhcp_reply`).

Header fields come from the lease and the request (xid, secs, flags, hops, ciaddr,
giaddr copied; yiaddr the lease; siaddr next-server; sname/file from server-name and
filename).  The option state is the scopes' plus what `ack_lease` adds: message type,
server identifier, lease time, checked T1/T2, subnet mask, the host's name
(use-host-decl-names), an echoed client id, the lease address as router
(use-lease-addr-for-default-route) and subnet selection.  BOOTP replies carry none of
the DHCP-only options.
"""

from __future__ import annotations

from dataclasses import dataclass

from domain.config.declarations import HostConfig, SubnetConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import LogLine, hostname_text, info, lease_client_text
from domain.dhcp_packet import BOOTREPLY, BROADCAST_FLAG, ZERO, DhcpPacket, MessageType, Opt
from domain.lease import Lease
from domain.lease_times import valid_renewal_times
from domain.reply_options import (
    ScopeResult,
    ip_bytes,
    max_message_size,
    netmask_of,
    parameter_request_list,
    select_options,
    server_identifier,
    u32,
)

SNAME_LENGTH = 64
FILE_LENGTH = 128


@dataclass(frozen=True, slots=True)
class ReplyPlan:
    """What the reply is about: the lease as it now stands, the kind (DHCPOFFER,
    DHCPACK or None for BOOTP), the lease's subnet, the matched host, the scopes' result
    and the lease time to announce."""

    lease: Lease
    offer: MessageType | None
    subnet: SubnetConfig
    host: HostConfig | None
    scopes: ScopeResult
    offered_seconds: int

    def max_message_size(self, ctx: RequestContext) -> int | None:
        return max_message_size(ctx.packet.option(Opt.MAX_MESSAGE_SIZE), self.scopes.options)


def _dhcp_only(state: dict[int, bytes], plan: ReplyPlan, ctx: RequestContext) -> None:
    """Message type, server identifier, lease time and the T1/T2 check."""
    assert plan.offer is not None
    state[Opt.MESSAGE_TYPE] = bytes((plan.offer,))
    sid = server_identifier(state, ctx.inbound.interface_address)
    if sid is not None:
        state[Opt.SERVER_IDENTIFIER] = sid
    state[Opt.LEASE_TIME] = u32(plan.offered_seconds)
    keep_rebinding, keep_renewal = valid_renewal_times(
        plan.offered_seconds, state.get(Opt.REBINDING_TIME), state.get(Opt.RENEWAL_TIME)
    )
    if not keep_rebinding:
        state.pop(Opt.REBINDING_TIME, None)
    if not keep_renewal:
        state.pop(Opt.RENEWAL_TIME, None)


def reply_options(ctx: RequestContext, plan: ReplyPlan) -> tuple[dict[int, bytes], bool]:
    """The option state of the reply and whether the client id is echoed."""
    params = plan.scopes.parameters
    state = dict(plan.scopes.options)
    if plan.offer is not None:
        _dhcp_only(state, plan, ctx)
    selection = ctx.packet.option(Opt.SUBNET_SELECTION)
    if selection is not None:
        state[Opt.SUBNET_SELECTION] = selection
    state.setdefault(Opt.SUBNET_MASK, netmask_of(plan.subnet))
    if plan.host is not None and params.use_host_decl_names:
        state.setdefault(Opt.HOST_NAME, plan.host.name.encode("latin-1"))
    echo = params.echo_client_id and ctx.client_id is not None
    if echo and ctx.client_id is not None:
        state[Opt.CLIENT_IDENTIFIER] = ctx.client_id
    if params.use_lease_addr_for_default_route:
        state.setdefault(Opt.ROUTERS, ip_bytes(plan.lease.ip))
    return state, echo


def _field(text: str | None, length: int) -> bytes:
    return text.encode("latin-1")[:length] if text else b""


def build_reply(ctx: RequestContext, plan: ReplyPlan) -> tuple[DhcpPacket, LogLine, bool]:
    """The reply packet, its log line, and whether an ACK may go to ciaddr by unicast
    (dhcpd's exception: not when the client sent a server id or asked for broadcast
    from the lease's own network)."""
    packet, params = ctx.packet, plan.scopes.parameters
    state, echo = reply_options(ctx, plan)
    agent = ctx.agent_options if not ctx.agent_stashed else None
    options = select_options(
        state,
        prl=parameter_request_list(state, packet.option(Opt.PARAMETER_REQUEST_LIST)),
        request_kind=ctx.kind,
        client_sent_fqdn=packet.option(Opt.FQDN) is not None,
        echo_client_id=echo,
        agent_options=agent,
    )
    flags = packet.flags | (BROADCAST_FLAG if params.always_broadcast else 0)
    hardware = plan.lease.hardware
    chaddr = hardware.address if hardware is not None else b""
    reply = DhcpPacket(
        op=BOOTREPLY,
        htype=hardware.htype if hardware is not None else 0,
        hlen=len(chaddr),
        hops=packet.hops,
        xid=packet.xid,
        secs=packet.secs,
        flags=flags,
        ciaddr=packet.ciaddr,
        yiaddr=plan.lease.ip,
        siaddr=str(params.next_server) if params.next_server is not None else ZERO,
        giaddr=packet.giaddr,
        chaddr=chaddr,
        sname=_field(params.server_name, SNAME_LENGTH),
        file=_field(params.filename, FILE_LENGTH),
        options=options,
    )
    kind = plan.offer.name if plan.offer is not None else "BOOTREPLY"
    line = info(
        f"{kind} on {plan.lease.ip} to {lease_client_text(plan.lease)}"
        f" {hostname_text(plan.lease)}via {ctx.via}"
    )
    interface_network = ctx.interface_network.name if ctx.interface_network else None
    asked_broadcast = packet.option(Opt.SERVER_IDENTIFIER) is not None or bool(
        flags & BROADCAST_FLAG
    )
    unicast = plan.offer is MessageType.DHCPACK and not (
        asked_broadcast and interface_network == plan.subnet.shared_network
    )
    return reply, line, unicast
