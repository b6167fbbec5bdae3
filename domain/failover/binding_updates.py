"""Binding updates: the BNDUPD a lease goes out as, and what a peer's BNDUPD or BNDACK
does to our record of the lease.

These follow ISC dhcpd 4.4 (server/failover.c `dhcp_failover_send_bind_update`,
`dhcp_failover_process_bind_update`, `dhcp_failover_process_bind_ack`, and
server/mdb.c `supersede_lease` / `make_binding_state_transition` for what storing the
result does; spec failover §7.3-§7.6).  Everything is a plain function of its inputs:
the daemon looks the lease up, calls in with the time, persists the Lease returned and
sends the BNDACK (`accepted_ack` / `rejected_ack`) or logs the line returned.

Some ISC behaviour that is easy to get wrong and is kept on purpose:
- CLTT from the peer is never stored; `tstp` is never touched by a received update.
- A BNDUPD carrying EXPIRED, RELEASED or RESET is stored as FREE, and our own such
  update becomes FREE only when acked (BACKUP on a secondary for a reserved lease).
- A missing client-identifier erases our uid unless the status is FREE, BACKUP or RESET.
- ISC means to drop the `set` bindings of an ACTIVE lease whose client changed, but its
  copy of the lease keeps a reference to them and writes them back, so they stay.  An
  ABANDONED update does drop them, with the hardware address.
- A binding status ISC does not define makes ISC exit (`log_fatal`, "Impossible case");
  we reject it instead, with the transition message ISC would have printed.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from ipaddress import IPv4Address

from domain.failover.rules import may_accept_binding_update
from domain.failover.states import Role, ServerState
from domain.failover_messages import (
    BindingStatus,
    BndAck,
    BndUpd,
    IpFlag,
    RejectReason,
)
from domain.lease import PEER_PENDING_STATES, BindingState, Hardware, Lease

__all__ = [
    "UpdateRejected",
    "accept_binding_update",
    "accepted_ack",
    "acknowledged",
    "binding_update",
    "own_free_state",
    "rejected_ack",
    "transmitted",
    "unknown_ip_flags_line",
]

# ISC's `hardware_addr.hbuf`: the htype byte and up to 20 address bytes.
_MAX_CHADDR = 21
# States that a peer's acknowledgement (or a peer's update) turns into free.
# The state ISC gives `next_binding_state` on entering each state with a peer.
_NEXT_STATE = {state: BindingState.FREE for state in BindingState} | {
    BindingState.ACTIVE: BindingState.EXPIRED, BindingState.BACKUP: BindingState.BACKUP,
}
_ENDS_CLIENT = frozenset({BindingState.ACTIVE, BindingState.EXPIRED, BindingState.RELEASED})
_FREE_STATES = frozenset({BindingState.FREE, BindingState.BACKUP})


def own_free_state(role: Role) -> BindingState:
    """The free state this server may allocate from: FREE for the primary, BACKUP for
    the secondary."""
    return BindingState.FREE if role is Role.PRIMARY else BindingState.BACKUP


def _state_of(lease: Lease) -> BindingState:
    # Stored leases always carry a state (`with_load_defaults`); a record without one
    # would be free, as ISC loads it outside a failover pool.
    return lease.binding_state or BindingState.FREE


def _chaddr(hardware: Hardware | None) -> bytes | None:
    if hardware is None:
        return None
    return bytes((hardware.htype & 0xFF,)) + hardware.address


def _stored_time(value: int) -> int | None:
    # The wire's 0 is "not set", which a Lease spells None.
    return value or None


def binding_update(lease: Lease, xid: int, now: int) -> BndUpd:
    """The BNDUPD ISC sends for `lease`, option for option: every time is sent (0 when
    unset) whatever the state, client-identifier and chaddr only when known, CLTT and
    IP-flags only when not zero.  A reserved lease keeps its state on the wire (ISC
    works out the peer's free state for it but sends the lease's own) with the RESERVE
    flag."""
    flags = IpFlag(0)
    if lease.reserved:
        flags |= IpFlag.RESERVE
    if lease.dynamic_bootp:
        flags |= IpFlag.BOOTP
    return BndUpd(
        time=now,
        xid=xid,
        assigned_address=IPv4Address(lease.ip),
        binding_status=BindingStatus[_state_of(lease).name],
        client_identifier=lease.uid or None,
        chaddr=_chaddr(lease.hardware),
        lease_expiry=lease.ends or 0,
        potential_expiry=lease.tstp or 0,
        stos=lease.starts or 0,
        cltt=lease.cltt or None,
        ip_flags=flags or None,
    )


def transmitted(lease: Lease) -> Lease | None:
    """The record to make durable before the lease's BNDUPD goes out, or None when
    there is nothing to write.

    A peer may process a BNDUPD whose BNDACK never arrives, so ISC (server/failover.c
    `dhcp_failover_send_bind_update`, 4.4.3-P1 lines 4731-4736) steps the rewind state
    forward to the state being sent, and writes and commits the lease, before it
    transmits; it writes nothing when the rewind state already is the binding state
    (a change made while cooperating has stepped it already, mdb.c `supersede_lease`)."""
    state = _state_of(lease)
    if lease.rewind_binding_state in (None, state):
        return None
    return lease.replace(rewind_binding_state=state)


@dataclass(frozen=True)
class UpdateRejected:
    """A peer's BNDUPD we refuse: answer with a BNDACK carrying `reason` and `message`
    (`rejected_ack`).  `own_update_dropped` says our own un-acked BNDUPD for the address
    lost the duel before the refusal, so it leaves the ack queue and a late BNDACK for
    it is ignored, as in ISC."""

    reason: RejectReason
    message: str
    own_update_dropped: bool = False


def _wire_state(status: int) -> BindingState | None:
    return _WIRE_STATES.get(status)


_WIRE_STATES = {int(status): status.lease_state for status in BindingStatus}


def _state_name(status: int) -> str:
    # ISC's binding_state_print.
    state = _wire_state(status)
    return state.value if state is not None else "unknown"


def _own_update_wins(update: BndUpd, sent: Lease, local: Lease, role: Role) -> bool:
    """ISC's `failover_lease_is_better`: when both servers updated the address at once,
    an ACTIVE binding beats a non-ACTIVE one, the newer CLTT beats the older, and
    otherwise the primary's update wins."""
    status = update.binding_status
    peer_cltt = update.cltt or 0
    if _state_of(sent) is BindingState.ACTIVE:
        if status == BindingStatus.ACTIVE:
            local_cltt = local.cltt or 0
            if peer_cltt != local_cltt:
                return peer_cltt < local_cltt
            return role is Role.PRIMARY
        if status == BindingStatus.EXPIRED:
            return False
    if status == BindingStatus.ACTIVE:
        return False
    return role is Role.PRIMARY


def accept_binding_update(
    update: BndUpd,
    local: Lease | None,
    *,
    in_relationship: bool,
    role: Role,
    my_state: ServerState,
    own_unacked: Lease | None,
    now: int,
    held_until: int | None = None,
) -> Lease | UpdateRejected:
    """What a peer's BNDUPD does to our lease: the record to store (and then acknowledge
    with `accepted_ack`), or the refusal to send back.

    `local` is our record of the address (None if no pool of ours has it);
    `in_relationship` whether its pool belongs to this failover relationship;
    `own_unacked` the lease as we last sent it if that BNDUPD is still waiting for its
    BNDACK; `held_until` the start of `my_state` plus MCLT, the tsfp an ABANDONED
    update gets in partner-down.  The checks run in ISC's order, each with ISC's
    reason and text."""
    if update.assigned_address is None or update.binding_status is None:
        return UpdateRejected(
            RejectReason.MISSING_BINDINFO, "binding update lacks required options"
        )
    if local is None:
        return UpdateRejected(RejectReason.ILLEGAL_IP_ADDR, "unknown IP address")
    if not in_relationship:
        return UpdateRejected(
            RejectReason.ILLEGAL_IP_ADDR,
            "IP address is covered by a different failover relationship state",
        )
    if own_unacked is not None and _own_update_wins(update, own_unacked, local, role):
        return UpdateRejected(
            RejectReason.LESS_CRIT_BIND_INFO,
            "incoming update is less critical than outgoing update",
        )
    outcome = _install(update, local, role=role, my_state=my_state, now=now,
                       held_until=held_until)
    if isinstance(outcome, UpdateRejected) and own_unacked is not None:
        return replace(outcome, own_update_dropped=True)
    return outcome


def _install(
    update: BndUpd, local: Lease, *, role: Role, my_state: ServerState, now: int,
    held_until: int | None,
) -> Lease | UpdateRejected:
    """Steps 4-10 of ISC's BNDUPD processing, after the address and the duel are settled."""
    status = update.binding_status or 0
    abandoned = status == BindingStatus.ABANDONED
    local_state = _state_of(local)

    hardware, bindings = local.hardware, local.bindings
    if update.chaddr is not None:
        if abandoned:
            return UpdateRejected(RejectReason.MISC_REJECT, "BNDUPD to ABANDONED with a CHADDR")
        if len(update.chaddr) > _MAX_CHADDR:
            return UpdateRejected(RejectReason.MISC_REJECT, "chaddr too long")
        chaddr = update.chaddr
        hardware = Hardware(chaddr[0], chaddr[1:]) if chaddr else None
    elif status in (BindingStatus.ACTIVE, BindingStatus.EXPIRED, BindingStatus.RELEASED):
        return UpdateRejected(RejectReason.MISSING_BINDINFO, "BNDUPD without CHADDR")
    elif abandoned:
        hardware, bindings = None, ()

    uid = local.uid
    if update.client_identifier is not None:
        if abandoned:
            return UpdateRejected(RejectReason.MISC_REJECT, "BNDUPD to ABANDONED with client-id")
        uid = update.client_identifier or None
    elif status not in (BindingStatus.RESET, BindingStatus.FREE, BindingStatus.BACKUP):
        # The protocol cannot say "no client-identifier", so its absence means none.
        uid = None

    reserved = dynamic_bootp = False
    if update.ip_flags is not None:
        # Flags may only mark an address the peer allocated, not one we still own.
        ours = local_state is own_free_state(role)
        reserved = bool(update.ip_flags & IpFlag.RESERVE)
        if reserved and ours and not local.reserved:
            return UpdateRejected(RejectReason.IP_NOT_RESERVED, "Address is not reserved.")
        dynamic_bootp = bool(update.ip_flags & IpFlag.BOOTP)
        if dynamic_bootp and ours and not local.dynamic_bootp:
            return UpdateRejected(
                RejectReason.MISC_REJECT, "Address is not allocated to BOOTP."
            )

    incoming = _wire_state(status)
    if incoming is None or (
        incoming is not local_state
        and not may_accept_binding_update(
            local_state, incoming, role, my_state,
            ends=local.ends or 0, potential_expiry=update.potential_expiry or 0, now=now,
        )
    ):
        return UpdateRejected(
            RejectReason.FATAL_CONFLICT,
            f"{local.ip}: invalid state transition: {local_state.value} to "
            f"{_state_name(status)}",
        )

    stored = BindingState.FREE if incoming in PEER_PENDING_STATES else incoming
    changes: dict[str, object] = {
        "hardware": hardware,
        "uid": uid,
        "bindings": bindings,
        "reserved": reserved,
        "dynamic_bootp": dynamic_bootp,
        # Relay options stay only with a lease that is still bound to its client.
        "agent_options": local.agent_options if stored is BindingState.ACTIVE else (),
        "rewind_binding_state": stored,
    }
    if update.stos is not None:
        changes["starts"] = _stored_time(update.stos)
    ends = local.ends
    if update.lease_expiry is not None:
        ends = changes["ends"] = _stored_time(update.lease_expiry)
    if update.potential_expiry is not None:
        changes["tsfp"] = changes["atsfp"] = _stored_time(update.potential_expiry)
    if (stored is BindingState.ABANDONED and my_state is ServerState.PARTNER_DOWN
            and held_until is not None):
        # Storing runs ISC's state transition (mdb.c `make_binding_state_transition`,
        # 4.4.3-P1 lines 1647-1662), which in partner-down makes an abandoned lease
        # reusable only MCLT after partner-down began, whatever the peer sent.
        changes["tsfp"] = held_until
    # One copy of the record, not one per step: a resynchronisation stores tens of
    # thousands of these.
    changes.update(_entering(local_state, stored, ends))
    return local.replace(**changes)


def _entered(lease: Lease, state: BindingState) -> Lease:
    """ISC's `make_binding_state_transition` in a failover pool (see `_entering`)."""
    return lease.replace(**_entering(_state_of(lease), state, lease.ends))


def _entering(was: BindingState, state: BindingState, ends: int | None) -> dict[str, object]:
    """The fields a lease in state `was`, ending at `ends`, changes on entering `state`.
    A lease that stops being its client's (active, expired or released, now free or
    backup) loses what only made sense for that client, and tells the peer its end as
    tstp.  The `on` statements are dropped here; running them is the caller's business,
    from the record it had before."""
    changes: dict[str, object] = {"binding_state": state,
                                  "next_binding_state": _NEXT_STATE[state]}
    if was is not state and was in _ENDS_CLIENT and state in _FREE_STATES:
        changes.update(on_expiry=None, on_release=None, on_expiry_or_release=False,
                       billing=None, agent_options=(), client_hostname=None, tstp=ends)
    return changes


def accepted_ack(update: BndUpd, now: int) -> BndAck:
    """The BNDACK for an accepted BNDUPD: ISC sends the address and nothing else (more
    would make an ISC peer misread the potential expiry, spec §7.6)."""
    return BndAck(time=now, xid=update.xid, assigned_address=_address(update))


def rejected_ack(update: BndUpd, rejected: UpdateRejected, now: int) -> BndAck:
    """The BNDACK refusing a BNDUPD: address, reason and ISC's message text."""
    return BndAck(
        time=now,
        xid=update.xid,
        assigned_address=_address(update),
        reject_reason=rejected.reason,
        message=rejected.message.encode("latin-1", "replace"),
    )


def _address(update: BndUpd) -> IPv4Address:
    # ISC echoes the address field of its message buffer, all zeros when it was absent.
    return update.assigned_address or IPv4Address(0)


def unknown_ip_flags_line(update: BndUpd) -> str | None:
    """The line ISC logs for IP-flags bits it does not know, once the update has passed
    the checks before the transition check (it is logged even if that check refuses)."""
    flags = int(update.ip_flags or 0)
    if flags & ~int(IpFlag.RESERVE | IpFlag.BOOTP):
        return f"Unknown IP-flags set in BNDUPD (0x{flags:x})."
    return None


def acknowledged(lease: Lease, *, role: Role, ack: BndAck | None = None) -> Lease:
    """Our lease once the peer's BNDACK accepted the BNDUPD we sent for it.

    The peer now holds our potential expiry, so tsfp = atsfp = our tstp.  (ISC meant to
    take it from the BNDACK but tests the wrong bit: it does so only when the BNDACK
    also carries a client-identifier, taking 0 when it has no potential expiry; pass
    `ack` to get that.)  An update that returned the address (EXPIRED, RELEASED, RESET)
    now makes it free on both sides: FREE, or BACKUP for a reserved lease on the
    secondary.  `lease` is the current record, whose state is the one we sent."""
    agreed = lease.tstp
    if ack is not None and ack.client_identifier is not None:
        agreed = _stored_time(ack.potential_expiry or 0)
    lease = lease.replace(tsfp=agreed, atsfp=agreed)
    if _state_of(lease) not in PEER_PENDING_STATES:
        return lease
    free = BindingState.BACKUP if role is Role.SECONDARY and lease.reserved else BindingState.FREE
    return _entered(lease.replace(rewind_binding_state=free), free)
