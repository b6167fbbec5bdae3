"""DHCPDISCOVER, and the second half of its ping check (server/dhcp.c `dhcpdiscover`,
server/dhcpd.c `lease_pinged`).

A DISCOVER gets the client's own lease if `find_lease` finds one, else a newly
allocated address; the offer holds it for two minutes (or until its current end).
With ping-check on, dhcpd first pings a lease that is not active: an echo reply means
somebody already uses the address, which is then abandoned and nothing is offered —
the client simply retries.

In a failover pool (`domain.failover_dhcp`) a found lease that is not the client's and
not this server's to reallocate is passed over, and the chosen lease's relationship may
still forbid the offer (not responding, or load balanced to the peer).
"""

from __future__ import annotations

from collections.abc import Mapping

from domain.ack_lease import Grant, ack_lease
from domain.allocate_lease import allocate
from domain.config.model import DhcpConfig
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import Decision, LeaseChange, PingCheck, debug, error, hostname_text
from domain.dhcp_packet import MessageType, ipv4
from domain.failover.service_view import FailoverService, service_for_pool
from domain.failover_dhcp import discover_refusal, offerable, peer_has_free_leases
from domain.find_lease import find_lease
from domain.lease_events import Declined
from domain.lease_lifecycle import abandoned, failover_abandoned
from domain.lease_reader import LeaseReader

OFFER_HOLD_SECONDS = 120


def discover(ctx: RequestContext) -> Decision:
    """The answer to a DHCPDISCOVER from a located network."""
    assert ctx.network is not None
    found = find_lease(ctx, ctx.network)
    lease = found.lease
    msg = f"DHCPDISCOVER from {ctx.client(lease)} {hostname_text(lease)}via {ctx.via}"
    fixed = found.fixed if found.fixed is not None and lease is found.fixed.lease else None
    peer_has_leases = ctx.failover is not None and peer_has_free_leases(ctx, ctx.network)
    if lease is not None and fixed is None and not offerable(ctx, lease):
        lease = None
    if lease is None:
        allocation = allocate(ctx, ctx.network.pools)
        lease = allocation.lease
        peer_has_leases = peer_has_leases or allocation.peer_has_leases
        if lease is None:
            why = (
                "peer holds all free leases" if peer_has_leases
                else f"network {ctx.network.name}: no free leases"
            )
            return Decision(log=(*ctx.log, error(f"{msg}: {why}")), changes=ctx.changes())
    if fixed is None:
        refusal = discover_refusal(ctx, lease, msg, peer_has_leases)
        if refusal is not None:
            return refusal
    if (lease.ends or 0) < ctx.now and lease.bindings:
        lease = lease.replace(bindings=())
    when = max(ctx.now + OFFER_HOLD_SECONDS, lease.ends or 0)
    return ack_lease(ctx, Grant(lease, MessageType.DHCPOFFER, msg, when=when, fixed=fixed))


def ping_answered(
    ping: PingCheck,
    view: LeaseReader,
    config: DhcpConfig,
    now: int,
    failover: Mapping[str, FailoverService] | None = None,
) -> Decision:
    """The address answered the ping sent before an offer: abandon it, offer nothing.

    When the hold was meanwhile replaced (the offer already went, or another change
    came first) the echo is late and changes nothing.  `failover` as for `decide`."""
    current = view.table.get(ping.address)
    if current != ping.lease or not view.is_held(ping.address):
        return Decision(log=(debug(f"ICMP Echo Reply for {ping.address} late or spurious."),))
    lines = []
    if (current.ends or 0) > now:
        lines.append(debug(f"ICMP Echo reply while lease {ping.address} valid."))
    reason = f"Abandoning IP address {ping.address}: pinged before offer"
    lines.append(error(reason))
    lifetime = config.global_parameters.abandon_lease_time
    service = service_for_pool(config.pool_for_address(ipv4(ping.address)), failover, config)
    if service is None:
        new = abandoned(current, now, lifetime)
    else:
        new = failover_abandoned(current, now, lifetime, service)
    return Decision(log=tuple(lines), changes=(LeaseChange(Declined, new, reason),))
