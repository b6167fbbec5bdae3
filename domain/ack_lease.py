"""Offer, acknowledge or BOOTP-answer one lease: dhcpd's `ack_lease` + `dhcp_reply`.

Every path that hands out an address ends here (spec §4.6): the scopes of the lease
are run, one-lease-per-client and the admission flags (unknown clients, bootp,
booting) are applied, the lease time is worked out, and the new lease record is made
— held in memory for an OFFER, persisted for an ACK or a BOOTP reply, or not made at
all when the lease is young enough to be answered unchanged (dhcp-cache-threshold).
A client in classes with a `lease limit` is billed to one of them (see `_billing`):
when all are full the request is dropped with dhcpd's "no available billing" line,
otherwise the record carries the class (`billing class …` in the lease file).
Then the DISCOVER/REQUEST line is logged and either the reply goes out or, for an
offer that needs it, the address is pinged first.

In a failover pool (when `decide` was given the failover mapping) the DHCP lease time
is capped by the MCLT rule and the record carries the peer times: an ACK sets tstp to
the potential expiry (lowering tsfp to it) and zeroes atsfp, an OFFER keeps the old
ones (spec failover §7.2).  BOOTP leases skip the cap.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, replace

from domain.classify import BILLED_STATES, Billing, bill
from domain.config.declarations import HostConfig, PoolConfig, SubnetConfig
from domain.config.parameters import ServerParameters
from domain.config.statements import Statement
from domain.dhcp_context import RequestContext
from domain.dhcp_decision import (
    Decision,
    LeaseChange,
    LogLine,
    PendingCommand,
    PingCheck,
    debug,
    error,
    info,
)
from domain.dhcp_nak import nak
from domain.dhcp_packet import ZERO, MessageType, Opt
from domain.execute import execute_statements
from domain.failover.service_view import FailoverService
from domain.find_lease import FixedLease, hosts_by_identifier
from domain.lease import BillingClass, BindingState, Lease
from domain.lease_event_bodies import with_event_bodies
from domain.lease_events import Acked, Reclaimed, Released
from domain.lease_lifecycle import failover_committed, failover_released, released
from domain.lease_records import granted_record, lease_conflict, same_client
from domain.lease_times import PoolState, bootp_lease_ends, capped_by_mclt, dhcp_lease_time
from domain.reply_options import ScopeResult, add_statement_output, run_scopes
from domain.reply_packet import ReplyPlan, build_reply

DEFAULT_CACHE_THRESHOLD = 25
_UNBOUND = (
    BindingState.RELEASED, BindingState.EXPIRED, BindingState.RESET,
    BindingState.FREE, BindingState.BACKUP,
)


@dataclass(frozen=True, slots=True)
class Grant:
    """What is being answered: the lease, the kind of answer (DHCPOFFER, DHCPACK, or
    None for BOOTP), the request's log line `msg`, the offer's hold time `when`, the
    fixed address it is (if any) and a host the caller already matched."""

    lease: Lease
    offer: MessageType | None
    msg: str
    when: int = 0
    fixed: FixedLease | None = None
    host: HostConfig | None = None


def unfixed_host(ctx: RequestContext) -> HostConfig | None:
    """A host without a fixed address matching the client (uid, then hardware, then
    host-identifier): its scope applies even to a dynamic lease."""
    found: list[tuple[HostConfig, ...]] = []
    if ctx.client_id is not None:
        found.append(ctx.config.hosts_by_client_id(ctx.client_id))
    found.append(ctx.config.hosts_by_hardware(ctx.packet.htype, ctx.hardware.address))
    for hosts in found:
        host = next((h for h in hosts if not h.fixed_addresses), None)
        if host is not None:
            return host
    return next((h for h in hosts_by_identifier(ctx) if not h.fixed_addresses), None)


def _one_lease_per_client(
    ctx: RequestContext, lease: Lease, host: HostConfig | None, params: ServerParameters
) -> None:
    """Release the client's other bound leases: by the lease's uid, and by hardware
    when it has none (or its host has no client id and duplicates are denied)."""
    others: list[Lease] = []
    if lease.uid:
        others += ctx.leases_by_client_id(lease.uid)
    by_hardware = not lease.uid or (
        host is not None and not host.client_identifier and params.duplicates != "allow"
    )
    if by_hardware and lease.hardware is not None and lease.hardware.address:
        others += ctx.leases_by_hardware(lease.hardware)
    for other in others:
        current = ctx.lease(other.ip) or other
        if current.ip != lease.ip and current.binding_state not in _UNBOUND:
            service = ctx.service_of(current)
            new = (
                released(current, ctx.now) if service is None
                else failover_released(current, ctx.now, service)
            )
            ctx.record(LeaseChange(
                Released, new, f"one-lease-per-client: {current.ip} released for {lease.ip}",
            ))


def _refusal(grant: Grant, params: ServerParameters, host: HostConfig | None) -> Decision | None:
    """The admission checks once the scopes ran (unknown client, bootp, booting);
    `ignore` refuses without a log line."""
    checks = (
        (host is None, params.boot_unknown_clients, "unknown client"),
        (grant.offer is None, params.bootp, "bootp disallowed"),
        (True, params.booting, "booting disallowed"),
    )
    for applies, permission, reason in checks:
        if applies and permission != "allow":
            lines = () if permission == "ignore" else (info(f"{grant.msg}: {reason}"),)
            return Decision(log=lines)
    return None


def _pool_state(ctx: RequestContext, pool: PoolConfig | None) -> PoolState | None:
    if pool is None:
        return None
    total, free, backup = ctx.view.pools.fill_of(pool.id)
    return PoolState(
        total=total, used=total - (free + backup),
        valid_from=pool.valid_from, valid_until=pool.valid_until,
    )


def _reusable(
    ctx: RequestContext, old: Lease, new: Lease, params: ServerParameters
) -> LogLine | None:
    """dhcpd's `reuse_lease`: an active lease of the same client, young enough, is
    answered unchanged (nothing written); the debug line says so.  A change of billing
    rules reuse out (`cannot_reuse` in `ack_lease`)."""
    if (
        ctx.view.is_held(old.ip)
        or old.binding_state is not BindingState.ACTIVE
        or new.billing != old.billing
        or params.ddns_update_style != "none"
        or not same_client(old, new)
    ):
        return None
    threshold = params.dhcp_cache_threshold
    if threshold >= 100:
        threshold = DEFAULT_CACHE_THRESHOLD
    if threshold <= 0:
        return None
    starts = old.starts or 0
    limit = ((old.ends or 0) - starts) * threshold // 100
    age = ctx.now - starts
    if age > limit:
        return None
    return debug(
        f"reuse_lease: lease age {age} (secs) under {threshold}% threshold, reply with"
        f" unaltered, existing lease for {old.ip}"
    )


def _needs_ping(
    old: Lease, params: ServerParameters, now: int, same: bool, static: bool
) -> bool:
    """dhcpd's `do_ping_check`: probe an address that is not active or static, unless
    it is the same client coming back within ping-cltt-secs."""
    if static or old.binding_state is BindingState.ACTIVE or not params.ping_check:
        return False
    cltt = old.cltt or 0
    if same and cltt and old.binding_state is not BindingState.ABANDONED:
        return now - cltt >= params.ping_cltt_secs
    return True


def _ping_timeout(params: ServerParameters) -> float:
    if params.ping_timeout_ms > 0:
        return params.ping_timeout_ms / 1000
    return float(params.ping_timeout)


@dataclass(frozen=True, slots=True)
class _Admitted:
    """What the admission steps settled: the lease's subnet and pool, the host whose
    scope applies, and the scopes' result for the reply."""

    subnet: SubnetConfig
    pool: PoolConfig | None
    host: HostConfig | None
    scopes: ScopeResult
    commands: list[PendingCommand]


def _admit(ctx: RequestContext, grant: Grant) -> _Admitted | Decision:
    """Run the scopes and the checks that may drop the request before a lease time
    is worked out (server/dhcp.c `ack_lease`, up to the billing step)."""
    old, static = grant.lease, grant.fixed is not None
    subnet = grant.fixed.subnet if grant.fixed is not None else ctx.subnet_of(old)
    if subnet is None:
        return Decision(log=tuple(ctx.log), changes=ctx.changes())
    pool = None if static else ctx.pool_of(old)
    host = grant.host or (grant.fixed.host if grant.fixed is not None else None)

    def scopes_for(chosen: HostConfig | None) -> ScopeResult:
        return run_scopes(ctx.config, subnet=subnet, pool=pool, classes=ctx.classes,
                          host=chosen, request=ctx.evaluation(old, static=static))

    scopes = scopes_for(host)
    params = scopes.parameters
    if ctx.kind is MessageType.DHCPREQUEST and params.one_lease_per_client:
        _one_lease_per_client(ctx, old, host, params)
    secs_floor = params.min_secs
    if grant.offer is MessageType.DHCPOFFER and secs_floor and ctx.packet.secs < secs_floor:
        line = info(
            f"{grant.msg}: configured min-secs value ({secs_floor}) is greater than secs"
            f" field ({ctx.packet.secs}).  message dropped."
        )
        dropped: list[PendingCommand] = []
        add_statement_output(scopes.log, ctx.log, dropped)  # their commands ran in dhcpd
        return Decision(log=(*ctx.log, line), changes=ctx.changes(), commands=tuple(dropped))
    if host is None:
        host = unfixed_host(ctx)
        if host is not None:
            scopes = scopes_for(host)
    # What the scopes' `log` statements wrote, once (the run that counts), before the
    # request's own line, as dhcpd writes them while it runs the statements.
    commands: list[PendingCommand] = []
    add_statement_output(scopes.log, ctx.log, commands)
    refusal = _refusal(grant, scopes.parameters, host)
    if refusal is not None:
        return replace(refusal, log=(*ctx.log, *refusal.log), changes=ctx.changes(),
                       commands=tuple(commands))
    return _Admitted(subnet, pool, host, scopes, commands)


def _billed_now(ctx: RequestContext) -> Callable[[BillingClass], int]:
    """Leases billed per class as they stand in this decision: the view's counts,
    corrected by the records this request already changed (one-lease-per-client
    releases, which unbill at once in dhcpd)."""
    index = ctx.view.billing
    changed = tuple(ctx.changed.values())
    if not changed:
        return index.count

    def billed(billing: BillingClass) -> int:
        count = index.count(billing)
        for change in changed:
            lease = change.lease
            after = lease.billing if lease.binding_state in BILLED_STATES else None
            count += (after == billing) - (index.billed_to(lease.ip) == billing)
        return count

    return billed


def _billing(ctx: RequestContext, grant: Grant) -> Billing:
    """dhcpd's billing step in `ack_lease`: keep the lease's class while the client is
    still in it, else bill the first matched class with room.  A new billing for an
    offer of a lease that is not active is checked but not kept (dhcpd unbills it at
    once: only the ACK bills it for good)."""
    old = grant.lease
    current = old.billing if old.binding_state in BILLED_STATES else None
    billing = bill(ctx.classes, _billed_now(ctx), current)
    if (
        grant.offer is MessageType.DHCPOFFER and billing.billed_to not in (None, current)
        and old.binding_state is not BindingState.ACTIVE
    ):
        return Billing()
    return billing


def _peer_times(
    new: Lease, old: Lease, offer: MessageType | None, tstp: int, service: FailoverService
) -> Lease:
    """The failover fields of the record (`ack_lease`'s failover block, then
    `supersede_lease`): an OFFER is not propagated, so it keeps the old peer times; an
    ACK tells the peer `tstp` and may not keep a tsfp beyond it; BOOTP has none."""
    if offer is MessageType.DHCPOFFER:
        return new.replace(tstp=old.tstp, tsfp=old.tsfp, atsfp=old.atsfp)
    if offer is MessageType.DHCPACK:
        tsfp = old.tsfp
        if tsfp is not None and tstp < tsfp:
            tsfp = tstp
        new = new.replace(tstp=tstp, tsfp=tsfp)
    return failover_committed(new, service)


def _on_commit(ctx: RequestContext, new: Lease, body: tuple[Statement, ...],
               lines: list[LogLine], commands: list[PendingCommand], *, static: bool) -> Lease:
    """dhcpd runs the `on commit` body the scopes recorded when it commits a lease (an
    ACK or a BOOTP reply, not an offer), on the record being made: its `log` lines
    and commands go before the request's line, its `set`s into the record."""
    committed = execute_statements(body, ctx.evaluation(new, static=static))
    add_statement_output(committed.log_lines, lines, commands)
    if committed.bindings != new.bindings:
        new = new.replace(bindings=committed.bindings)
    # An `on expiry`/`on release` inside the body attaches to the lease as well.
    events = committed.on_events
    return with_event_bodies(new, events.get("expiry"), events.get("release"))


def ack_lease(ctx: RequestContext, grant: Grant) -> Decision:
    """The answer for `grant` (see the module docstring)."""
    admitted = _admit(ctx, grant)
    if isinstance(admitted, Decision):
        return admitted
    old, static = grant.lease, grant.fixed is not None
    subnet, pool, params = admitted.subnet, admitted.pool, admitted.scopes.parameters
    lines: list[LogLine] = list(ctx.log)
    billing = Billing() if static else _billing(ctx, grant)
    if billing.refused:
        line = info(f"{grant.msg}: {billing.refusal_message()}")
        return Decision(log=(*lines, line), changes=ctx.changes(),
                        commands=tuple(admitted.commands))
    service = ctx.service_for(pool)
    tstp = 0
    if grant.offer is not None:
        times = dhcp_lease_time(
            params, address=old.ip, requested=ctx.packet.option(Opt.LEASE_TIME),
            now=ctx.now, current_ends=old.ends, pool=_pool_state(ctx, pool),
        )
        lines += times.log
        if times.refused:
            refused = nak(ctx, old.ip, subnet=subnet, message="", log=tuple(times.log))
            return replace(refused, commands=tuple(admitted.commands))
        if service is not None:
            capped = capped_by_mclt(times, mclt=service.mclt, tsfp=old.tsfp or 0, now=ctx.now)
            times, tstp = capped.granted, capped.potential_expiry
        expiry, reserved = times.expiry, times.reserved
        ends = grant.when or expiry
    else:
        expiry = ends = bootp_lease_ends(params, ctx.now)
        reserved = False
    new = granted_record(
        ctx, old, grant.offer, ends=ends, reserved=reserved, params=params,
        bindings=admitted.scopes.bindings,
        failover_pool=pool is not None and pool.failover_peer is not None,
    )
    if new.billing != billing.billed_to:
        new = new.replace(billing=billing.billed_to)
    if service is not None:
        new = _peer_times(new, old, grant.offer, tstp, service)
    if grant.offer is not MessageType.DHCPOFFER:
        new = with_event_bodies(new, admitted.scopes.on_expiry, admitted.scopes.on_release)
    if admitted.scopes.on_commit and grant.offer is not MessageType.DHCPOFFER:
        new = _on_commit(ctx, new, admitted.scopes.on_commit, lines, admitted.commands,
                         static=static)
    shown = new
    holds: tuple[Lease, ...] = ()
    if static:
        shown = old.replace(hardware=ctx.hardware)
    else:
        reuse = _reusable(ctx, old, new, params)
        if reuse is not None:
            lines.append(reuse)
            # dhcpd answers with the lease as it stands, under the name just sent
            hostname = new.client_hostname or old.client_hostname
            shown, expiry = old.replace(client_hostname=hostname), old.ends or expiry
        else:
            if lease_conflict(old, new):
                lines.append(error(f"Lease conflict at {old.ip}"))
            if grant.offer is MessageType.DHCPOFFER:
                holds = (new,)
    plan = ReplyPlan(
        lease=shown, offer=grant.offer, subnet=subnet, host=admitted.host,
        scopes=admitted.scopes, offered_seconds=expiry - ctx.now,
    )
    reply, reply_line, unicast = build_reply(ctx, plan)
    if not static and shown is new and grant.offer is not MessageType.DHCPOFFER:
        event = Reclaimed if old.binding_state is BindingState.ABANDONED else Acked
        ctx.record(LeaseChange(event, new, reply_line.text))
    lines.append(info(grant.msg))
    ping = None
    same = same_client(old, new)
    if grant.offer is MessageType.DHCPOFFER and _needs_ping(old, params, ctx.now, same, static):
        ping = PingCheck(old.ip, _ping_timeout(params), new)
    return Decision(
        reply=reply, log=tuple(lines), reply_log=(reply_line,), changes=ctx.changes(),
        holds=holds, ping=ping, unicast_to_ciaddr=unicast and ctx.packet.ciaddr != ZERO,
        max_message_size=plan.max_message_size(ctx), commands=tuple(admitted.commands),
    )
