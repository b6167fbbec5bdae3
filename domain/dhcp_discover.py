"""DHCPDISCOVER, and the second half of its ping check (server/dhcp.c `dhcpdiscover`,
server/dhcpd.c `lease_pinged`).

A DISCOVER gets the client's own lease if `find_lease` finds one, else a newly
allocated address; the offer holds it for two minutes (or until its current end).
With ping-check on, dhcpd first pings a lease that is not active: an echo reply means
somebody already uses the address, which is then abandoned and nothing is offered —
the client simply retries.
"""

from __future__ import annotations

from dataclasses import replace

from domain.ack_lease import Grant, ack_lease
from domain.allocate_lease import allocate
from domain.config.model import DhcpConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import Decision, LeaseChange, PingCheck, debug, error, hostname_text
from domain.dhcp_packet import MessageType
from domain.find_lease import find_lease
from domain.lease_events import Declined
from domain.lease_lifecycle import abandoned
from domain.lease_reader import LeaseReader

OFFER_HOLD_SECONDS = 120


def discover(ctx: RequestContext) -> Decision:
    """The answer to a DHCPDISCOVER from a located network."""
    assert ctx.network is not None
    found = find_lease(ctx, ctx.network)
    lease = found.lease
    msg = f"DHCPDISCOVER from {ctx.client(lease)} {hostname_text(lease)}via {ctx.via}"
    if lease is None:
        lease = allocate(ctx, ctx.network.pools)
        if lease is None:
            line = error(f"{msg}: network {ctx.network.name}: no free leases")
            return Decision(log=(*ctx.log, line), changes=ctx.changes())
    if (lease.ends or 0) < ctx.now and lease.bindings:
        lease = replace(lease, bindings=())
    when = max(ctx.now + OFFER_HOLD_SECONDS, lease.ends or 0)
    fixed = found.fixed if found.fixed is not None and lease is found.fixed.lease else None
    return ack_lease(ctx, Grant(lease, MessageType.DHCPOFFER, msg, when=when, fixed=fixed))


def ping_answered(ping: PingCheck, view: LeaseReader, config: DhcpConfig, now: int) -> Decision:
    """The address answered the ping sent before an offer: abandon it, offer nothing.

    When the hold was meanwhile replaced (the offer already went, or another change
    came first) the echo is late and changes nothing."""
    current = view.table.get(ping.address)
    if current != ping.lease or not view.is_held(ping.address):
        return Decision(log=(debug(f"ICMP Echo Reply for {ping.address} late or spurious."),))
    lines = []
    if (current.ends or 0) > now:
        lines.append(debug(f"ICMP Echo reply while lease {ping.address} valid."))
    reason = f"Abandoning IP address {ping.address}: pinged before offer"
    lines.append(error(reason))
    new = abandoned(current, now, config.global_parameters.abandon_lease_time)
    return Decision(log=tuple(lines), changes=(LeaseChange(Declined, new, reason),))
