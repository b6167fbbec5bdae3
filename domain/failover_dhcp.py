"""What failover changes in dhcpd's answers to clients (server/dhcp.c `dhcpdiscover`,
`dhcprequest`, `dhcprelease`, `dhcpdecline`; server/bootp.c; spec failover §6.1, §7.7,
§8).

Two servers share each failover pool, so each must stay out of the other's way: while
my state forbids answering, DISCOVER, REQUEST and BOOTP are dropped with `not
responding` and RELEASE and DECLINE with `ignored`; while both are normal the
load-balancing hash gives each new client (DISCOVER, BOOTP) to one server only; and a
lease is handed out only by the server that owns it in its current state.  Every check
here applies only to leases whose pool has a failover peer and only when the caller gave
`decide` a failover mapping (`RequestContext.service_for`).
"""

from __future__ import annotations

from domain.config.declarations import SharedNetworkConfig
from domain.dhcp_context import RequestContext, address_option
from domain.dhcp_decision import Decision, LogLine, debug, info
from domain.dhcp_nak import nak
from domain.dhcp_packet import ZERO, Opt, ipv4
from domain.failover.rules import load_balance_key, may_allocate
from domain.failover.rules import load_balance_mine as hashed_to_me
from domain.failover.service_view import FailoverService
from domain.failover.states import Role, ServiceState
from domain.lease import BindingState, Lease
from domain.reply_options import network_scopes, server_identifier


def mine_to_reallocate(lease: Lease, service: FailoverService, now: int) -> bool:
    """dhcpd's `lease_mine_to_reallocate` for a lease of a failover pool (§7.7)."""
    return may_allocate(
        lease.binding_state or BindingState.FREE, service.role, service.service,
        stos=service.stos, tsfp=lease.tsfp or 0, mclt=service.mclt,
        rewind_state=lease.rewind_binding_state, now=now,
    )


def offerable(ctx: RequestContext, lease: Lease) -> bool:
    """Whether a DISCOVER may be offered the range lease `find_lease` found: its own
    (active, or last active with this client) or one this server may reallocate."""
    service = ctx.service_of(lease)
    return (
        service is None
        or lease.binding_state is BindingState.ACTIVE
        or lease.rewind_binding_state is BindingState.ACTIVE
        or mine_to_reallocate(lease, service, ctx.now)
    )


def peer_has_free_leases(ctx: RequestContext, network: SharedNetworkConfig) -> bool:
    """`find_lease`'s quick look for a DISCOVER: does some failover pool of the
    network hold free leases only the peer may give (primary: backup, secondary:
    free)?  It decides between `load balance to peer` and `cancel load balance`."""
    for pool in network.pools:
        service = ctx.service_for(pool)
        if service is None:
            continue
        _total, free, backup = ctx.view.pools.fill_of(pool.id)
        if (backup if service.role is Role.PRIMARY else free) > 0:
            return True
    return False


def client_is_mine(ctx: RequestContext, service: FailoverService) -> bool:
    """dhcpd's `load_balance_mine` for this packet: option 61, else chaddr, hashed."""
    key = load_balance_key(ctx.client_id, ctx.hardware.address)
    return hashed_to_me(
        key, service.hba, ctx.packet.secs, service.load_balance_max_seconds, service.role,
        check_secs_byte_order=ctx.config.global_parameters.check_secs_byte_order,
    )


def _dropped(ctx: RequestContext, line: LogLine) -> Decision:
    """No reply; what the lookup already logged and changed still stands."""
    return Decision(log=(*ctx.log, line), changes=ctx.changes())


def _not_responding(ctx: RequestContext, service: FailoverService, msg: str) -> Decision:
    return _dropped(ctx, info(f"{msg}: not responding{service.reason}"))


def discover_refusal(
    ctx: RequestContext, lease: Lease, msg: str, peer_has_leases: bool
) -> Decision | None:
    """Why a DISCOVER for the range lease `lease` gets no offer, or None to offer it.
    Load balancing applies only while cooperating; a client hashed to the peer is
    still answered when the peer has nothing to give (`cancel load balance`)."""
    service = ctx.service_of(lease)
    if service is None:
        return None
    if not service.answers_clients:
        return _not_responding(ctx, service, msg)
    if service.service is ServiceState.COOPERATING and not client_is_mine(ctx, service):
        if peer_has_leases:
            return _dropped(ctx, debug(f"{msg}: load balance to peer {service.peer}"))
        ctx.log.append(debug(
            f"{msg}: cancel load balance to peer {service.peer} - no free leases"
        ))
    return None


def request_refusal(
    ctx: RequestContext, lease: Lease, msg: str, cip: str, message: str
) -> Decision | None:
    """Why a REQUEST for the range lease `lease` is not answered (or NAKed), or None.
    REQUESTs are never load-balanced: ownership of the lease's state decides."""
    service = ctx.service_of(lease)
    if service is None:
        return None
    if not service.answers_clients:
        return _not_responding(ctx, service, msg)
    mine = mine_to_reallocate(lease, service, ctx.now)
    state = lease.binding_state
    if state in (BindingState.FREE, BindingState.BACKUP) and not mine:
        return _dropped(ctx, debug(f"{msg}: lease owned by peer"))
    if (
        state in (BindingState.RELEASED, BindingState.EXPIRED)
        and lease.rewind_binding_state is not BindingState.ACTIVE and not mine
    ):
        return _dropped(ctx, debug(f"{msg}: lease in transition state {state.value}"))
    if state is BindingState.RESET and not mine:
        return nak(ctx, cip, subnet=ctx.subnet_of(lease), message=message,
                   log=(debug(f"{msg}: lease reset by administrator"),))
    if ctx.config.global_parameters.server_id_check and not _our_server_id(ctx):
        return _dropped(ctx, debug(f"{msg}: not our server id"))
    return None


def _our_server_id(ctx: RequestContext) -> bool:
    """dhcpd's `server-id-check` (global, failover pools only): a REQUEST naming a
    server identifier other than the one we would send (the network scopes'
    `server-identifier`, else the arrival interface's address) was meant for the
    peer.  No identifier, or 0.0.0.0, passes."""
    sid = address_option(ctx.packet, Opt.SERVER_IDENTIFIER)
    if sid is None or sid == ZERO:
        return True
    network = ctx.network.name if ctx.network is not None else None
    scopes = network_scopes(ctx.config, network, None, ctx.classes, ctx.evaluation())
    ours = server_identifier(scopes.options, ctx.inbound.interface_address)
    return ours is not None and ours == ipv4(sid).packed


def bootp_refusal(ctx: RequestContext, lease: Lease, msg: str) -> Decision | None:
    """Why a BOOTP request gets no dynamic lease from this server, or None.  Unlike a
    DISCOVER, a client hashed to the peer is never taken back (and it is logged at
    info level)."""
    service = ctx.service_of(lease)
    if service is None:
        return None
    if not service.answers_clients:
        return _not_responding(ctx, service, msg)
    if service.service is ServiceState.COOPERATING and not client_is_mine(ctx, service):
        return _dropped(ctx, info(f"{msg}: load balance to peer {service.peer}"))
    return None


def ignored_by(ctx: RequestContext, lease: Lease) -> LogLine | None:
    """The line that replaces a RELEASE's or DECLINE's effect while not responding
    (`<peer>: ignored<reason>`), or None when the message may take effect."""
    service = ctx.service_of(lease)
    if service is None or service.answers_clients:
        return None
    return info(f"{service.peer}: ignored{service.reason}")
