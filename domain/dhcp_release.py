"""DHCPRELEASE and DHCPDECLINE: a client gives an address back, or reports it taken
(server/dhcp.c `dhcprelease`, `dhcpdecline`; spec §4.8).  Neither gets a reply.

A release counts only for the client that holds the lease (matched by hardware
address) and only while the lease has not ended; it then frees the address at once.  A
decline abandons the address whoever held it — the client found another machine using
it — unless the scopes say `deny declines` (logged) or `ignore declines` (silent).

In a failover pool both are ignored while this server answers no clients (`<peer>:
ignored<reason>`), and a release leaves the lease RELEASED until the peer acknowledges
it (`domain.lease_lifecycle.failover_released`).
"""

from __future__ import annotations

from domain.dhcp_context import RequestContext, address_option
from domain.dhcp_decision import (
    Decision,
    LeaseChange,
    LogLine,
    error,
    hardware_text,
    hostname_text,
    info,
)
from domain.dhcp_packet import Opt
from domain.failover_dhcp import ignored_by
from domain.find_lease import lease_at
from domain.lease import Lease
from domain.lease_events import Declined, Released
from domain.lease_lifecycle import (
    abandoned,
    failover_abandoned,
    failover_released,
    is_bound,
    released,
)
from domain.reply_options import run_scopes


def _released_lease(ctx: RequestContext) -> Lease | None:
    """The lease the release is for: by client id at ciaddr, else at ciaddr; only if
    the hardware address matches."""
    ciaddr = ctx.packet.ciaddr
    lease = None
    if ctx.client_id is not None:
        lease = next(
            (found for found in ctx.leases_by_client_id(ctx.client_id) if found.ip == ciaddr),
            None,
        )
    if lease is None:
        lease = lease_at(ctx, ciaddr)
    if lease is not None and lease.hardware != ctx.hardware:
        return None
    return lease


def release(ctx: RequestContext) -> Decision:
    """The effect of a DHCPRELEASE."""
    packet = ctx.packet
    lines: list[LogLine] = []
    if packet.option(Opt.REQUESTED_ADDRESS) is not None:
        mac = hardware_text(packet.htype, packet.chaddr[: packet.hlen])
        lines.append(info(f"DHCPRELEASE from {mac} specified requested-address."))
    lease = _released_lease(ctx)
    outcome = "found" if lease is not None else "not found"
    msg = (
        f"DHCPRELEASE of {packet.ciaddr} from {ctx.client(lease)} {hostname_text(lease)}"
        f"via {ctx.via} ({outcome})"
    )
    ignored = ignored_by(ctx, lease) if lease is not None else None
    if ignored is not None:
        return Decision(log=(*lines, ignored))
    changes: tuple[LeaseChange, ...] = ()
    if lease is not None and (lease.ends or 0) > ctx.now and is_bound(lease):
        service = ctx.service_of(lease)
        new = (
            released(lease, ctx.now) if service is None
            else failover_released(lease, ctx.now, service)
        )
        changes = (LeaseChange(Released, new, msg),)
    lines.append(info(msg))
    return Decision(log=tuple(lines), changes=changes)


def decline(ctx: RequestContext) -> Decision:
    """The effect of a DHCPDECLINE (it must name the address in option 50)."""
    cip = address_option(ctx.packet, Opt.REQUESTED_ADDRESS)
    if cip is None:
        return Decision()
    lease = lease_at(ctx, cip)
    msg = f"DHCPDECLINE of {cip} from {ctx.client(lease)} {hostname_text(lease)}via {ctx.via}"
    subnet = ctx.subnet_of(lease) if lease is not None else None
    permission = "allow"
    if subnet is not None or ctx.classes:
        scopes = run_scopes(
            ctx.config, subnet=subnet, classes=ctx.classes, request=ctx.evaluation(lease)
        )
        permission = scopes.parameters.declines
    lines: list[LogLine] = []
    changes: tuple[LeaseChange, ...] = ()
    if permission != "allow":
        status = "ignored"
    elif lease is not None:
        ignored = ignored_by(ctx, lease)
        if ignored is not None:
            return Decision(log=(ignored,))
        reason = f"Abandoning IP address {cip}: declined."
        lines.append(error(reason))
        lifetime = ctx.config.global_parameters.abandon_lease_time
        service = ctx.service_of(lease)
        new = (
            abandoned(lease, ctx.now, lifetime) if service is None
            else failover_abandoned(lease, ctx.now, lifetime, service)
        )
        changes = (LeaseChange(Declined, new, reason),)
        status = "abandoned"
    else:
        status = "not found"
    if permission != "ignore":
        lines.append(info(f"{msg}: {status}"))
    return Decision(log=tuple(lines), changes=changes)
