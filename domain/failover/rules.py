"""The failover rules that are plain functions of their inputs, not of the machine.

Load balancing (RFC 3074's hash as ISC computes it), the MCLT cap on lease times, which
server may hand out which lease, what a received BNDUPD may overwrite, and what a
server state lets the server do for clients.  Each says where in ISC dhcpd 4.4 its
facts come from (spec failover §6.1, §7.2, §7.5, §7.7, §8) so the two can be compared.
"""

from __future__ import annotations

from domain.config.checks import hba_from_split
from domain.failover.states import Role, ServerState, ServiceState
from domain.lease import NEVER, BindingState

__all__ = [
    "MIX_TABLE",
    "ack_potential_expiry",
    "bucket_owned_by_primary",
    "hba_from_split",
    "load_balance_hash",
    "load_balance_key",
    "load_balance_mine",
    "may_accept_binding_update",
    "may_allocate",
    "mclt_lease_time",
    "peer_wants_lease",
    "service_state",
]

# RFC 3074's mixing table (ISC `loadb_mx_tbl`, from draft-ietf-dhc-loadb-01): a
# permutation of 0..255 that spreads similar keys over the buckets.
MIX_TABLE = bytes((
    251, 175, 119, 215, 81, 14, 79, 191, 103, 49, 181, 143, 186, 157, 0, 232,
    31, 32, 55, 60, 152, 58, 17, 237, 174, 70, 160, 144, 220, 90, 57, 223,
    59, 3, 18, 140, 111, 166, 203, 196, 134, 243, 124, 95, 222, 179, 197, 65,
    180, 48, 36, 15, 107, 46, 233, 130, 165, 30, 123, 161, 209, 23, 97, 16,
    40, 91, 219, 61, 100, 10, 210, 109, 250, 127, 22, 138, 29, 108, 244, 67,
    207, 9, 178, 204, 74, 98, 126, 249, 167, 116, 34, 77, 193, 200, 121, 5,
    20, 113, 71, 35, 128, 13, 182, 94, 25, 226, 227, 199, 75, 27, 41, 245,
    230, 224, 43, 225, 177, 26, 155, 150, 212, 142, 218, 115, 241, 73, 88, 105,
    39, 114, 62, 255, 192, 201, 145, 214, 168, 158, 221, 148, 154, 122, 12, 84,
    82, 163, 44, 139, 228, 236, 205, 242, 217, 11, 187, 146, 159, 64, 86, 239,
    195, 42, 106, 198, 118, 112, 184, 172, 87, 2, 173, 117, 176, 229, 247, 253,
    137, 185, 99, 164, 102, 147, 45, 66, 231, 52, 141, 211, 194, 206, 246, 238,
    56, 110, 78, 248, 63, 240, 189, 93, 92, 51, 53, 183, 19, 171, 72, 50,
    33, 104, 101, 69, 8, 252, 83, 120, 76, 135, 85, 54, 202, 125, 188, 213,
    96, 235, 136, 208, 162, 129, 190, 132, 156, 38, 47, 1, 7, 254, 24, 4,
    216, 131, 89, 21, 28, 133, 37, 153, 149, 80, 170, 68, 6, 169, 234, 151,
))


def load_balance_hash(key: bytes) -> int:
    """The hash bucket (0-255) of a client key, exactly as ISC computes it: start from
    the key length modulo 256 and mix in the bytes from the last to the first."""
    bucket = len(key) & 0xFF
    for byte in reversed(key):
        bucket = MIX_TABLE[bucket ^ byte]
    return bucket


def load_balance_key(client_id: bytes | None, chaddr: bytes) -> bytes:
    """What a packet's bucket is computed from: option 61 if sent, else chaddr's first
    hlen bytes without htype (the caller passes them already cut to hlen)."""
    return client_id if client_id is not None else chaddr


def bucket_owned_by_primary(hba: bytes, bucket: int) -> bool:
    """ISC reads a set HBA bit as a primary bucket (the draft says the opposite)."""
    return bool(hba[(bucket >> 3) & 0x1F] & (1 << (bucket & 7)))


def load_balance_mine(
    key: bytes,
    hba: bytes | None,
    secs: int,
    load_balance_max_seconds: int,
    role: Role,
    check_secs_byte_order: bool = False,
) -> bool:
    """Whether this server answers a DISCOVER (or BOOTP request) in normal state.

    A client that has waited longer than `load balance max seconds` is answered by both
    servers, so one dead server cannot starve half the clients; 0 turns balancing off.
    Without an HBA (a secondary before CONNECT) no client counts as mine."""
    if check_secs_byte_order and secs > 255 and secs & 0xFF == 0:
        secs = ((secs >> 8) | (secs << 8)) & 0xFFFF
    if load_balance_max_seconds == 0 or secs > load_balance_max_seconds:
        return True
    if hba is None:
        return False
    primary_bucket = bucket_owned_by_primary(hba, load_balance_hash(key))
    return primary_bucket if role is Role.PRIMARY else not primary_bucket


def peer_wants_lease(
    uid: bytes | None, hardware: bytes | None, hba: bytes | None, role: Role
) -> bool:
    """Whether the hash gives a stored lease's client to the peer (pool balancing and
    MAC affinity); `hardware` is htype followed by the address, as a lease keeps it.
    False when there is no HBA or nothing to hash, so such leases stay put."""
    if hba is None:
        return False
    if uid:
        key = uid
    elif hardware is not None and len(hardware) > 1:
        key = hardware[1:]
    else:
        return False
    primary_bucket = bucket_owned_by_primary(hba, load_balance_hash(key))
    return not primary_bucket if role is Role.PRIMARY else primary_bucket


def mclt_lease_time(desired: int, mclt: int, tsfp: int, now: int) -> int:
    """The lease time a server may grant at OFFER or ACK (ISC `ack_lease`, §7.2).

    The peer may have to take over the address at tsfp + MCLT at the latest, so a lease
    may not run past that; a binding the peer has not acknowledged gets only the MCLT."""
    if desired <= mclt:
        return desired
    if tsfp <= now:
        return mclt
    if now + desired > tsfp + mclt:
        return tsfp - now + mclt
    return desired


_INFINITE_TIME = 0xFFFFFFFF


def ack_potential_expiry(desired: int | None, granted: int, now: int) -> int:
    """The tstp an ACK sends to the peer: the desired lease time plus half the granted
    one, so that the client's renewal can be given the full time.  `desired` None is
    an infinite lease, whose tstp is `never`.  Like ISC (`leaseTimeCheck`), only a sum
    that reaches 2^32 - 1 is replaced, by `never` - 1."""
    if desired is None:
        return NEVER
    potential = now + desired + granted // 2
    return NEVER - 1 if potential >= _INFINITE_TIME else potential


def may_allocate(
    binding_state: BindingState,
    role: Role,
    service: ServiceState,
    *,
    stos: int,
    tsfp: int,
    mclt: int,
    rewind_state: BindingState | None,
    now: int,
) -> bool:
    """Whether this server may give a lease in `binding_state` to a new client
    (`lease_mine_to_reallocate`, §7.7).  ACTIVE is never reallocated (renewing its own
    client is not reallocation).  The peer's free leases become usable only in
    partner-down and only once the peer can no longer be using them."""
    partner_down = service is ServiceState.PARTNER_DOWN
    safe_after_mclt = partner_down and max(stos, tsfp) + mclt < now
    own_free = BindingState.FREE if role is Role.PRIMARY else BindingState.BACKUP
    match binding_state:
        case BindingState.ACTIVE:
            return False
        case BindingState.FREE | BindingState.ABANDONED:
            return role is Role.PRIMARY or safe_after_mclt
        case BindingState.BACKUP:
            return role is Role.SECONDARY or safe_after_mclt
        case BindingState.EXPIRED | BindingState.RELEASED if rewind_state is own_free:
            return True
    return partner_down and tsfp < now


_EXPIRY_GRACE = 65


def may_accept_binding_update(
    local: BindingState,
    incoming: BindingState,
    role: Role,
    my_state: ServerState,
    *,
    ends: int,
    potential_expiry: int,
    now: int,
) -> bool:
    """Whether a peer's BNDUPD may move a lease from `local` to `incoming` (§7.5 step 9);
    a refusal is answered with BNDACK reject 2.  In normal the servers trust each other
    only for moves the sender is entitled to make; in any other state an ACTIVE lease
    is protected from being freed, and otherwise the peer's data wins."""
    freeing = incoming in (BindingState.FREE, BindingState.BACKUP)
    expiry_due = ends - _EXPIRY_GRACE <= now
    if my_state is not ServerState.NORMAL:
        if local is not BindingState.ACTIVE:
            return True
        if freeing:
            return False
        return incoming is not BindingState.EXPIRED or expiry_due
    if local is BindingState.ACTIVE:
        if role is Role.PRIMARY:
            return incoming in (
                BindingState.RELEASED, BindingState.ABANDONED, BindingState.ACTIVE
            )
        if freeing:
            return potential_expiry <= now
        return incoming is not BindingState.EXPIRED or expiry_due
    if local in (BindingState.EXPIRED, BindingState.RESET) and freeing:
        return potential_expiry <= now
    return True


_NOT_RESPONDING_REASONS: dict[ServerState, str] = {
    ServerState.UNKNOWN_STATE: " (my state unknown)",
    ServerState.STARTUP: " (startup)",
    ServerState.RECOVER: " (recovering)",
    ServerState.RECOVER_WAIT: " (recover wait)",
    ServerState.RECOVER_DONE: " (recover done)",
    ServerState.POTENTIAL_CONFLICT: " (resolving conflicts)",
    ServerState.RESOLUTION_INTERRUPTED: " (resolving conflicts)",
    ServerState.CONFLICT_DONE: " (resolving conflicts)",
    ServerState.SHUTDOWN: " (shut down)",
    ServerState.PAUSED: " (paused)",
}

_SERVING: dict[ServerState, ServiceState] = {
    ServerState.NORMAL: ServiceState.COOPERATING,
    ServerState.COMMUNICATIONS_INTERRUPTED: ServiceState.NOT_COOPERATING,
    ServerState.PARTNER_DOWN: ServiceState.PARTNER_DOWN,
    ServerState.STARTUP: ServiceState.STARTUP,
}


def service_state(mine: ServerState, partner: ServerState) -> tuple[ServiceState, str]:
    """What I may do for clients, and the suffix dhcpd adds to `not responding` log
    lines (`dhcp_failover_set_service_state`, §6.1).  A partner in partner-down or
    resolving conflicts silences me even when my own state would let me answer."""
    if mine not in _SERVING:
        return ServiceState.NOT_RESPONDING, _NOT_RESPONDING_REASONS[mine]
    if partner is ServerState.PARTNER_DOWN:
        return ServiceState.NOT_RESPONDING, " (peer demands: recovering)"
    if partner in (
        ServerState.POTENTIAL_CONFLICT, ServerState.CONFLICT_DONE,
        ServerState.RESOLUTION_INTERRUPTED,
    ):
        return ServiceState.NOT_RESPONDING, " (peer demands: resolving conflicts)"
    return _SERVING[mine], _NOT_RESPONDING_REASONS.get(mine, "")
