"""BOOTP requests (server/bootp.c, spec §4.9).

A client with a fixed address on this network gets a reply built straight from the
subnet, class and host scopes; nothing is stored.  Any other client is given a dynamic
lease from a pool that admits `dynamic bootp clients` — infinite unless
dynamic-bootp-lease-length/-cutoff say otherwise — through the same `ack_lease` path
as DHCP.  BOOTP replies carry no DHCP message type, server identifier or lease time.
A dynamic lease of a failover pool is given only while this server answers clients and,
while both servers are normal, only to clients the load-balancing hash gives it.
"""

from __future__ import annotations

from domain.ack_lease import Grant, ack_lease
from domain.allocate_lease import allocate
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import Decision, LogLine, error, hardware_text, info
from domain.dhcp_packet import BOOTREPLY, BOOTREQUEST, BROADCAST_FLAG, DhcpPacket, Opt
from domain.failover_dhcp import bootp_refusal
from domain.find_lease import FixedLease, find_lease
from domain.reply_options import netmask_of, run_scopes, select_options

SNAME_LENGTH = 64
FILE_LENGTH = 128


def bootp(ctx: RequestContext) -> Decision:
    """The answer to a BOOTREQUEST."""
    packet = ctx.packet
    if packet.op != BOOTREQUEST:
        return Decision()
    mac = hardware_text(packet.htype, packet.chaddr[: packet.hlen])
    msg = f"BOOTREQUEST from {mac} via {ctx.via}"
    if ctx.network is None:
        return Decision(log=(info(f"{msg}: network unknown"),))
    found = find_lease(ctx, ctx.network)
    if found.fixed is not None and found.lease is found.fixed.lease:
        return _fixed_reply(ctx, found.fixed, msg, mac)
    hosts = ctx.config.hosts_by_hardware(packet.htype, ctx.hardware.address)
    host = next((h for h in hosts if not h.fixed_addresses), None)
    lease = found.lease or allocate(ctx, ctx.network.pools).lease
    if lease is None:
        line = info(f"{msg}: BOOTP from dynamic client and no dynamic leases")
        return Decision(log=(*ctx.log, line), changes=ctx.changes())
    refusal = bootp_refusal(ctx, lease, msg)
    if refusal is not None:
        return refusal
    return ack_lease(ctx, Grant(lease, None, msg, host=host))


def _refused(msg: str, permission: str, reason: str) -> Decision:
    lines: tuple[LogLine, ...] = () if permission == "ignore" else (info(f"{msg}: {reason}"),)
    return Decision(log=lines)


def _fixed_reply(ctx: RequestContext, fixed: FixedLease, msg: str, mac: str) -> Decision:
    """The reply for a host with a fixed address: scopes of subnet, classes and host."""
    packet = ctx.packet
    scopes = run_scopes(
        ctx.config, subnet=fixed.subnet, classes=ctx.classes, host=fixed.host,
        request=ctx.evaluation(fixed.lease, static=True),
    )
    params = scopes.parameters
    if params.bootp != "allow":
        return _refused(msg, params.bootp, "bootp disallowed")
    if params.booting != "allow":
        return _refused(msg, params.booting, "booting disallowed")
    if not packet.has_cookie and not params.always_reply_rfc1048:
        options, cookie = dict(packet.options), False
    else:
        state = dict(scopes.options)
        state.setdefault(Opt.SUBNET_MASK, netmask_of(fixed.subnet))
        if params.use_host_decl_names:
            state.setdefault(Opt.HOST_NAME, fixed.host.name.encode("latin-1"))
        options = select_options(
            state, prl=None, request_kind=None, client_sent_fqdn=False,
            echo_client_id=False, agent_options=None,
        )
        cookie = True
    interface_address = ctx.inbound.interface_address
    if interface_address is None:
        line = error(
            f"{msg}: Interface {ctx.inbound.interface} appears to have no IPv4 addresses,"
            " and so dhcpd cannot select a source address."
        )
        return Decision(log=(line,))
    siaddr = str(params.next_server) if params.next_server is not None else interface_address
    flags = packet.flags | (BROADCAST_FLAG if params.always_broadcast else 0)
    reply = DhcpPacket(
        op=BOOTREPLY, htype=packet.htype, hlen=packet.hlen, hops=packet.hops, xid=packet.xid,
        secs=packet.secs, flags=flags, ciaddr=packet.ciaddr, yiaddr=fixed.lease.ip,
        siaddr=siaddr, giaddr=packet.giaddr, chaddr=packet.chaddr[: packet.hlen],
        sname=(params.server_name or "").encode("latin-1")[:SNAME_LENGTH],
        file=(params.filename.encode("latin-1")[:FILE_LENGTH]
              if params.filename else packet.file),
        options=options, has_cookie=cookie,
    )
    sent = info(f"BOOTREPLY for {fixed.lease.ip} to {fixed.host.name} ({mac}) via {ctx.via}")
    return Decision(reply=reply, log=(*ctx.log, info(msg)), reply_log=(sent,))
