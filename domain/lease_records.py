"""The lease record an offer or an acknowledgement leaves behind.

dhcpd builds a temporary lease in `ack_lease` and folds it into the existing one with
`supersede_lease` and `make_binding_state_transition` (server/dhcp.c, server/mdb.c).
The result, worked out here field by field, is what dhcpd would write: the client's
uid (unless ignore-client-uids), hardware and hostname as the packet gives them —
a client that stops sending its id or hostname loses it on the record — the bindings
kept, relay options stored when stash-agent-options allows, starts and cltt now.
"""

from __future__ import annotations

from domain.config.parameters import ServerParameters
from domain.dhcp_context import RequestContext, agent_options_of
from domain.dhcp_packet import MessageType, Opt
from domain.lease import BindingState, BindingValue, Lease

VENDOR_CLASS_BINDING = "vendor-class-identifier"
_BOUND_NEXT = (BindingState.ACTIVE, BindingState.EXPIRED)


def same_client(old: Lease, new: Lease) -> bool:
    """dhcpd's `same_client` test of `reuse_lease`: equal uid and hardware."""
    return (old.uid or b"") == (new.uid or b"") and old.hardware == new.hardware


def lease_conflict(old: Lease, new: Lease) -> bool:
    """dhcpd's `Lease conflict at A` test in `supersede_lease` (mdb.c), for a DHCP
    acknowledgement and a peer's binding update alike: an active lease goes to another
    client (another uid when both have one; another hardware address when the old one
    has none), unless the new record abandons the address."""
    if old.binding_state is not BindingState.ACTIVE or BindingState.ABANDONED in (
            new.binding_state, new.next_binding_state):
        return False
    if old.uid and new.uid:
        return old.uid != new.uid
    return not old.uid and old.hardware != new.hardware


def next_state_after(state: BindingState, failover_pool: bool) -> BindingState:
    """What `make_binding_state_transition` makes the next binding state."""
    if state is BindingState.ACTIVE:
        return BindingState.EXPIRED if failover_pool else BindingState.FREE
    if state in (BindingState.FREE, BindingState.BACKUP):
        return state
    return BindingState.FREE


def _bindings(
    ctx: RequestContext, base: tuple[tuple[str, BindingValue], ...]
) -> tuple[tuple[str, BindingValue], ...]:
    """The lease's variables plus the client's vendor class (kept for DHCPLEASEQUERY)."""
    vendor = ctx.packet.option(Opt.VENDOR_CLASS_IDENTIFIER)
    bindings = list(base)
    if vendor:
        for index, (name, _) in enumerate(bindings):
            if name.lower() == VENDOR_CLASS_BINDING:
                bindings[index] = (name, vendor)
                break
        else:
            bindings.append((VENDOR_CLASS_BINDING, vendor))
    return tuple(bindings)


def _hostname(ctx: RequestContext) -> str | None:
    raw = ctx.packet.option(Opt.HOST_NAME)
    return raw.split(b"\0", 1)[0].decode("latin-1") if raw is not None else None


def granted_record(
    ctx: RequestContext,
    old: Lease,
    offer: MessageType | None,
    *,
    ends: int,
    reserved: bool,
    params: ServerParameters,
    failover_pool: bool,
    bindings: tuple[tuple[str, BindingValue], ...] | None = None,
) -> Lease:
    """The record after offering (`offer` DHCPOFFER), acknowledging (DHCPACK) or
    BOOTP-answering (None) `old` to this client, ending at `ends`.  `bindings` are the
    lease's variables after the scopes ran (`set`); the old ones when not given."""
    now = ctx.now
    if offer is MessageType.DHCPOFFER:
        state = old.binding_state or BindingState.FREE
    else:
        state = BindingState.ACTIVE
    agent = old.agent_options
    if ctx.agent_options and not ctx.agent_stashed and params.stash_agent_options:
        agent = agent_options_of(ctx.agent_options)
    if state not in _BOUND_NEXT:
        agent = ()
    keep_events = offer is MessageType.DHCPOFFER or (old.ends or 0) > now
    return old.replace(
        starts=now,
        ends=ends,
        tstp=None,
        tsfp=None,
        atsfp=None,
        cltt=now,
        binding_state=state,
        next_binding_state=next_state_after(state, failover_pool),
        reserved=reserved or old.reserved,
        dynamic_bootp=offer is None or old.dynamic_bootp,
        hardware=ctx.hardware,
        uid=None if params.ignore_client_uids else ctx.client_id,
        bindings=_bindings(ctx, old.bindings if bindings is None else bindings),
        agent_options=agent,
        client_hostname=_hostname(ctx),
        on_expiry=old.on_expiry if keep_events else None,
        on_release=old.on_release if keep_events else None,
        on_expiry_or_release=old.on_expiry_or_release and keep_events,
    )
