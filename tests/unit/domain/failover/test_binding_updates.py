"""Binding updates: the BNDUPD a lease goes out as, what a peer's BNDUPD and BNDACK do to
our record (spec failover §7.3, §7.5, §7.6), checked against BNDUPDs captured from two
live ISC dhcpd (tests/unit/adapters/failover_wire/fixtures, see the README there)."""

from __future__ import annotations

from dataclasses import replace
from ipaddress import IPv4Address
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from adapters.failover_wire.decode import decode
from adapters.failover_wire.encode import encode
from domain.failover.binding_updates import (
    UpdateRejected,
    accept_binding_update,
    accepted_ack,
    acknowledged,
    binding_update,
    own_free_state,
    rejected_ack,
    transmitted,
    unknown_ip_flags_line,
)
from domain.failover.pool_balance import balance_pool
from domain.failover.states import Role, ServerState
from domain.failover_messages import BindingStatus, BndAck, BndUpd, IpFlag, RejectReason
from domain.lease import AgentOption, BillingClass, BindingState, Hardware, Lease

B = BindingState
NOW = 1_800_000_000
IP = "10.0.0.111"
MAC = bytes.fromhex("020000000001")
CHADDR = b"\x01" + MAC
UID = b"\x01" + MAC
FIXTURES = Path(__file__).parents[2] / "adapters" / "failover_wire" / "fixtures"
ALL_STATES = list(BindingState)
OTHER_STATES = [s for s in ServerState if s is not ServerState.NORMAL]


def captured_updates(sender: str) -> list[tuple[bytes, BndUpd]]:
    lines = (FIXTURES / f"{sender}.hex").read_text().split()
    found = []
    for line in lines:
        data = bytes.fromhex(line)
        message = decode(data)
        if isinstance(message, BndUpd):
            found.append((data, message))
    return found


def lease_isc_held(update: BndUpd) -> Lease:
    """The record the ISC sender held, read back from its BNDUPD field by field."""
    assert update.binding_status is not None and update.assigned_address is not None
    chaddr = update.chaddr
    return Lease(
        ip=str(update.assigned_address),
        binding_state=BindingStatus(update.binding_status).lease_state,
        starts=update.stos or None,
        ends=update.lease_expiry or None,
        tstp=update.potential_expiry or None,
        cltt=update.cltt,
        hardware=Hardware(chaddr[0], chaddr[1:]) if chaddr else None,
        uid=update.client_identifier,
        reserved=bool((update.ip_flags or 0) & IpFlag.RESERVE),
        dynamic_bootp=bool((update.ip_flags or 0) & IpFlag.BOOTP),
    )


def update_for(state: BindingState, **fields: object) -> BndUpd:
    """A BNDUPD as a well-behaved peer sends it for `state`: chaddr where ISC requires
    one, none where ISC forbids it (ABANDONED)."""
    base: dict[str, object] = {
        "time": NOW, "xid": 42, "assigned_address": IPv4Address(IP),
        "binding_status": BindingStatus[state.name],
        "lease_expiry": 0, "potential_expiry": 0, "stos": NOW - 10,
    }
    if state is not B.ABANDONED:
        base["chaddr"] = CHADDR
    base.update(fields)
    return BndUpd(**base)  # type: ignore[arg-type]


def local_lease(state: BindingState, **fields: object) -> Lease:
    return Lease(ip=IP, binding_state=state, hardware=Hardware(1, MAC)).replace(**fields)


def accept(
    update: BndUpd,
    local: Lease | None,
    *,
    role: Role = Role.SECONDARY,
    my_state: ServerState = ServerState.NORMAL,
    own_unacked: Lease | None = None,
    in_relationship: bool = True,
) -> Lease | UpdateRejected:
    return accept_binding_update(
        update, local, in_relationship=in_relationship, role=role, my_state=my_state,
        own_unacked=own_unacked, now=NOW,
    )


def refusal(outcome: Lease | UpdateRejected) -> tuple[RejectReason, str]:
    assert isinstance(outcome, UpdateRejected), outcome
    return outcome.reason, outcome.message


def stored(outcome: Lease | UpdateRejected) -> Lease:
    assert isinstance(outcome, Lease), outcome
    return outcome


# --- binding_update: what ISC sends ------------------------------------------------------


@pytest.mark.parametrize("sender", ["primary-sent", "secondary-sent"])
def test_every_captured_isc_bndupd_is_what_we_send_for_the_lease_it_describes(
    sender: str,
) -> None:
    captures = captured_updates(sender)
    assert captures
    for data, update in captures:
        ours = binding_update(lease_isc_held(update), update.xid, update.time)
        assert encode(ours) == data


def test_a_never_used_free_lease_goes_out_with_three_zero_times_in_49_bytes() -> None:
    update = binding_update(Lease(ip=IP, binding_state=B.FREE), xid=3, now=NOW)
    assert update == BndUpd(
        time=NOW, xid=3, assigned_address=IPv4Address(IP), binding_status=BindingStatus.FREE,
        lease_expiry=0, potential_expiry=0, stos=0,
    )
    assert len(encode(update)) == 49


def test_a_balanced_lease_encodes_exactly_like_the_captured_isc_backup_update() -> None:
    backups = [
        (data, m) for data, m in captured_updates("primary-sent")
        if m.binding_status is BindingStatus.BACKUP
    ]
    assert backups
    data, captured = backups[0]
    assert captured.assigned_address is not None
    virgin = Lease(ip=str(captured.assigned_address), binding_state=B.FREE,
                   next_binding_state=B.FREE)
    plan = balance_pool(
        label="pool 1 net", lease_count=2, own_queue=[virgin], free_leases=2,
        backup_leases=0, role=Role.PRIMARY, hba=None, max_lease_misbalance=15,
        max_lease_ownership=10, now=captured.time, timer=False,
    )
    (moved,) = plan.moved
    assert encode(binding_update(moved, captured.xid, captured.time)) == data


def test_a_client_lease_sends_uid_chaddr_times_and_cltt_in_isc_order() -> None:
    lease = local_lease(B.ACTIVE, uid=UID, starts=NOW, ends=NOW + 600, tstp=NOW + 900,
                        cltt=NOW)
    assert binding_update(lease, xid=7, now=NOW + 1) == BndUpd(
        time=NOW + 1, xid=7, assigned_address=IPv4Address(IP),
        binding_status=BindingStatus.ACTIVE, client_identifier=UID, chaddr=CHADDR,
        lease_expiry=NOW + 600, potential_expiry=NOW + 900, stos=NOW, cltt=NOW,
    )


def test_an_empty_hardware_address_still_sends_its_type_byte() -> None:
    update = binding_update(local_lease(B.ACTIVE, hardware=Hardware(1, b"")), 1, NOW)
    assert update.chaddr == b"\x01"


def test_reserved_and_bootp_leases_carry_ip_flags_and_keep_their_own_state() -> None:
    reserved = binding_update(local_lease(B.FREE, reserved=True), 1, NOW)
    assert reserved.binding_status is BindingStatus.FREE
    assert reserved.ip_flags == IpFlag.RESERVE
    both = binding_update(local_lease(B.ACTIVE, reserved=True, dynamic_bootp=True), 1, NOW)
    assert both.ip_flags == IpFlag.RESERVE | IpFlag.BOOTP
    assert binding_update(local_lease(B.ACTIVE), 1, NOW).ip_flags is None


def test_transmitting_steps_the_rewind_state_to_the_state_sent() -> None:
    lease = local_lease(B.ACTIVE, rewind_binding_state=B.FREE, tstp=NOW + 60)
    assert transmitted(lease) == lease.replace(rewind_binding_state=B.ACTIVE)
    balanced = local_lease(B.BACKUP, rewind_binding_state=B.FREE)
    assert transmitted(balanced) == balanced.replace(rewind_binding_state=B.BACKUP)


@pytest.mark.parametrize("rewind", [None, B.EXPIRED])
def test_transmitting_writes_nothing_when_the_rewind_state_is_already_the_state(
    rewind: BindingState | None,
) -> None:
    assert transmitted(local_lease(B.EXPIRED, rewind_binding_state=rewind)) is None


# --- accept_binding_update: steps 1-8, every refusal -------------------------------------


@pytest.mark.parametrize(
    ("update", "local", "expected"),
    [
        (update_for(B.ACTIVE, assigned_address=None), local_lease(B.FREE),
         (RejectReason.MISSING_BINDINFO, "binding update lacks required options")),
        (update_for(B.ACTIVE, binding_status=None), local_lease(B.FREE),
         (RejectReason.MISSING_BINDINFO, "binding update lacks required options")),
        (update_for(B.ACTIVE), None, (RejectReason.ILLEGAL_IP_ADDR, "unknown IP address")),
        (update_for(B.ABANDONED, chaddr=CHADDR), local_lease(B.FREE),
         (RejectReason.MISC_REJECT, "BNDUPD to ABANDONED with a CHADDR")),
        (update_for(B.ACTIVE, chaddr=bytes(22)), local_lease(B.FREE),
         (RejectReason.MISC_REJECT, "chaddr too long")),
        (update_for(B.ACTIVE, chaddr=None), local_lease(B.FREE),
         (RejectReason.MISSING_BINDINFO, "BNDUPD without CHADDR")),
        (update_for(B.EXPIRED, chaddr=None), local_lease(B.ACTIVE),
         (RejectReason.MISSING_BINDINFO, "BNDUPD without CHADDR")),
        (update_for(B.RELEASED, chaddr=None), local_lease(B.ACTIVE),
         (RejectReason.MISSING_BINDINFO, "BNDUPD without CHADDR")),
        (update_for(B.ABANDONED, client_identifier=UID), local_lease(B.FREE),
         (RejectReason.MISC_REJECT, "BNDUPD to ABANDONED with client-id")),
        (update_for(B.ACTIVE, ip_flags=IpFlag.RESERVE), local_lease(B.BACKUP),
         (RejectReason.IP_NOT_RESERVED, "Address is not reserved.")),
        (update_for(B.ACTIVE, ip_flags=IpFlag.BOOTP), local_lease(B.BACKUP),
         (RejectReason.MISC_REJECT, "Address is not allocated to BOOTP.")),
    ],
)
def test_each_refusal_before_the_transition_check_has_iscs_reason_and_text(
    update: BndUpd, local: Lease | None, expected: tuple[RejectReason, str]
) -> None:
    assert refusal(accept(update, local, role=Role.SECONDARY)) == expected


def test_an_address_of_another_relationship_is_refused_as_illegal() -> None:
    outcome = accept(update_for(B.ACTIVE), local_lease(B.FREE), in_relationship=False)
    assert refusal(outcome) == (
        RejectReason.ILLEGAL_IP_ADDR,
        "IP address is covered by a different failover relationship state",
    )


def test_a_chaddr_of_exactly_21_bytes_is_accepted() -> None:
    lease = stored(accept(update_for(B.ACTIVE, chaddr=b"\x01" + bytes(20)), local_lease(B.FREE)))
    assert lease.hardware == Hardware(1, bytes(20))


def test_ip_flags_are_allowed_on_a_lease_we_do_not_hold_free_or_already_flagged() -> None:
    primary_owned = local_lease(B.BACKUP)  # the secondary's free lease, seen by the primary
    lease = stored(accept(update_for(B.ACTIVE, ip_flags=IpFlag.RESERVE | IpFlag.BOOTP),
                          primary_owned, role=Role.PRIMARY))
    assert lease.reserved and lease.dynamic_bootp
    flagged = local_lease(B.BACKUP, reserved=True, dynamic_bootp=True)
    lease = stored(accept(update_for(B.ACTIVE, ip_flags=IpFlag.RESERVE | IpFlag.BOOTP),
                          flagged, role=Role.SECONDARY))
    assert lease.reserved and lease.dynamic_bootp


def test_absent_ip_flags_clear_both_local_flags() -> None:
    flagged = local_lease(B.ACTIVE, reserved=True, dynamic_bootp=True)
    lease = stored(accept(update_for(B.ACTIVE), flagged))
    assert not lease.reserved and not lease.dynamic_bootp


def test_unknown_ip_flag_bits_are_logged_like_isc() -> None:
    assert unknown_ip_flags_line(update_for(B.ACTIVE, ip_flags=0x0105)) == (
        "Unknown IP-flags set in BNDUPD (0x105)."
    )
    assert unknown_ip_flags_line(update_for(B.ACTIVE, ip_flags=IpFlag.RESERVE)) is None
    assert unknown_ip_flags_line(update_for(B.ACTIVE)) is None


# --- dueling updates (step 3) ------------------------------------------------------------


@pytest.mark.parametrize(
    ("ours", "our_cltt", "theirs", "their_cltt", "role", "ours_wins"),
    [
        (B.ACTIVE, NOW, B.ACTIVE, NOW - 5, Role.SECONDARY, True),
        (B.ACTIVE, NOW, B.ACTIVE, NOW + 5, Role.PRIMARY, False),
        (B.ACTIVE, NOW, B.ACTIVE, NOW, Role.PRIMARY, True),
        (B.ACTIVE, NOW, B.ACTIVE, NOW, Role.SECONDARY, False),
        (B.ACTIVE, NOW, B.ACTIVE, None, Role.SECONDARY, True),
        (B.ACTIVE, NOW, B.EXPIRED, None, Role.PRIMARY, False),
        (B.ACTIVE, NOW, B.RELEASED, None, Role.PRIMARY, True),
        (B.ACTIVE, NOW, B.RELEASED, None, Role.SECONDARY, False),
        (B.FREE, None, B.ACTIVE, NOW, Role.PRIMARY, False),
        (B.EXPIRED, None, B.ACTIVE, NOW, Role.PRIMARY, False),
        (B.EXPIRED, None, B.FREE, None, Role.PRIMARY, True),
        (B.BACKUP, None, B.FREE, None, Role.SECONDARY, False),
        (B.RELEASED, None, B.ABANDONED, None, Role.PRIMARY, True),
    ],
)
def test_dueling_updates_follow_iscs_preference(
    ours: BindingState, our_cltt: int | None, theirs: BindingState, their_cltt: int | None,
    role: Role, ours_wins: bool,
) -> None:
    local = local_lease(ours, cltt=our_cltt, ends=NOW - 100)
    outcome = accept(update_for(theirs, cltt=their_cltt), local, role=role,
                     my_state=ServerState.POTENTIAL_CONFLICT, own_unacked=local)
    if ours_wins:
        assert refusal(outcome) == (
            RejectReason.LESS_CRIT_BIND_INFO,
            "incoming update is less critical than outgoing update",
        )
        assert isinstance(outcome, UpdateRejected) and not outcome.own_update_dropped
    else:
        assert stored(outcome).binding_state is not None


def test_losing_the_duel_drops_our_update_even_when_theirs_is_then_refused() -> None:
    local = local_lease(B.FREE)
    outcome = accept(update_for(B.ACTIVE, chaddr=None), local, role=Role.PRIMARY,
                     own_unacked=local)
    assert refusal(outcome)[0] is RejectReason.MISSING_BINDINFO
    assert isinstance(outcome, UpdateRejected) and outcome.own_update_dropped
    plain = accept(update_for(B.ACTIVE, chaddr=None), local, role=Role.PRIMARY)
    assert isinstance(plain, UpdateRejected) and not plain.own_update_dropped


# --- step 9: the transition check, every row ---------------------------------------------

# Refused whatever the times (spec §7.5 step 9): a secondary may not free, expire or
# reset a lease the primary holds active.
NORMAL_ALWAYS_REFUSED = {
    Role.PRIMARY: {(B.ACTIVE, s) for s in (B.FREE, B.EXPIRED, B.RESET, B.BACKUP)},
    Role.SECONDARY: set(),
}
# Refused only while the peer has not yet agreed the lease is over (P > now, ends ahead).
NORMAL_REFUSED_WHILE_PENDING = {
    Role.PRIMARY: {(B.EXPIRED, B.FREE), (B.EXPIRED, B.BACKUP), (B.RESET, B.FREE),
                   (B.RESET, B.BACKUP)},
    Role.SECONDARY: {(B.ACTIVE, B.FREE), (B.ACTIVE, B.BACKUP), (B.ACTIVE, B.EXPIRED),
                     (B.EXPIRED, B.FREE), (B.EXPIRED, B.BACKUP), (B.RESET, B.FREE),
                     (B.RESET, B.BACKUP)},
}
OTHER_ALWAYS_REFUSED = {(B.ACTIVE, B.FREE), (B.ACTIVE, B.BACKUP)}
OTHER_REFUSED_WHILE_PENDING = {(B.ACTIVE, B.EXPIRED)}


def transition_outcome(
    local_state: BindingState, incoming: BindingState, role: Role, my_state: ServerState,
    pending: bool,
) -> Lease | UpdateRejected:
    ends, potential = (NOW + 3600, NOW + 7200) if pending else (NOW + 65, NOW)
    local = local_lease(local_state, ends=ends, uid=None)
    update = update_for(incoming, potential_expiry=potential, lease_expiry=ends)
    return accept(update, local, role=role, my_state=my_state)


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("pending", [False, True])
@pytest.mark.parametrize("local_state", ALL_STATES)
@pytest.mark.parametrize("incoming", ALL_STATES)
def test_in_normal_each_transition_is_accepted_or_refused_as_isc_does(
    role: Role, pending: bool, local_state: BindingState, incoming: BindingState
) -> None:
    refused = (local_state, incoming) in NORMAL_ALWAYS_REFUSED[role] or (
        pending and (local_state, incoming) in NORMAL_REFUSED_WHILE_PENDING[role]
    )
    outcome = transition_outcome(local_state, incoming, role, ServerState.NORMAL, pending)
    if refused:
        assert refusal(outcome) == (
            RejectReason.FATAL_CONFLICT,
            f"{IP}: invalid state transition: {local_state.value} to {incoming.value}",
        )
    else:
        assert isinstance(outcome, Lease)


@pytest.mark.parametrize("my_state", OTHER_STATES)
@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize("pending", [False, True])
@pytest.mark.parametrize("local_state", ALL_STATES)
@pytest.mark.parametrize("incoming", ALL_STATES)
def test_outside_normal_the_peer_wins_except_against_an_active_lease(
    my_state: ServerState, role: Role, pending: bool, local_state: BindingState,
    incoming: BindingState,
) -> None:
    refused = (local_state, incoming) in OTHER_ALWAYS_REFUSED or (
        pending and (local_state, incoming) in OTHER_REFUSED_WHILE_PENDING
    )
    outcome = transition_outcome(local_state, incoming, role, my_state, pending)
    assert isinstance(outcome, UpdateRejected) is refused


@pytest.mark.parametrize("status", [0, 8, 9, 255])
def test_a_binding_status_isc_does_not_define_is_refused_not_fatal(status: int) -> None:
    outcome = accept(update_for(B.ACTIVE, binding_status=status), local_lease(B.FREE),
                     my_state=ServerState.PARTNER_DOWN)
    assert refusal(outcome) == (
        RejectReason.FATAL_CONFLICT, f"{IP}: invalid state transition: free to unknown"
    )


# --- step 10: what is stored --------------------------------------------------------------


@pytest.mark.parametrize(
    ("incoming", "state", "next_state"),
    [
        (B.ACTIVE, B.ACTIVE, B.EXPIRED),
        (B.EXPIRED, B.FREE, B.FREE),
        (B.RELEASED, B.FREE, B.FREE),
        (B.RESET, B.FREE, B.FREE),
        (B.ABANDONED, B.ABANDONED, B.FREE),
        (B.FREE, B.FREE, B.FREE),
        (B.BACKUP, B.BACKUP, B.BACKUP),
    ],
)
def test_returned_states_are_stored_as_free_and_rewind_is_the_stored_state(
    incoming: BindingState, state: BindingState, next_state: BindingState
) -> None:
    lease = stored(accept(update_for(incoming), local_lease(B.RELEASED), role=Role.PRIMARY))
    assert (lease.binding_state, lease.next_binding_state) == (state, next_state)
    assert lease.rewind_binding_state is state


def test_times_come_from_the_update_but_cltt_and_tstp_stay_ours() -> None:
    local = local_lease(B.FREE, starts=NOW - 900, ends=NOW - 800, tstp=NOW - 700,
                        tsfp=NOW - 600, atsfp=NOW - 600, cltt=NOW - 500)
    update = update_for(B.ACTIVE, stos=NOW, lease_expiry=NOW + 300,
                        potential_expiry=NOW + 450, cltt=NOW)
    lease = stored(accept(update, local))
    assert (lease.starts, lease.ends, lease.tsfp, lease.atsfp) == (
        NOW, NOW + 300, NOW + 450, NOW + 450
    )
    assert (lease.cltt, lease.tstp) == (NOW - 500, NOW - 700)


def test_absent_times_keep_ours_and_zero_times_mean_unset() -> None:
    local = local_lease(B.FREE, starts=NOW - 900, ends=NOW - 800, tsfp=NOW - 600)
    update = update_for(B.BACKUP, stos=None, lease_expiry=None, potential_expiry=None)
    lease = stored(accept(update, local))
    assert (lease.starts, lease.ends, lease.tsfp) == (NOW - 900, NOW - 800, NOW - 600)
    zeroed = stored(accept(update_for(B.BACKUP, stos=0), local))
    assert (zeroed.starts, zeroed.ends, zeroed.tsfp, zeroed.atsfp) == (None, None, None, None)


@pytest.mark.parametrize(
    ("incoming", "keeps_uid"),
    [(B.FREE, True), (B.BACKUP, True), (B.RESET, True), (B.ACTIVE, False),
     (B.EXPIRED, False), (B.RELEASED, False), (B.ABANDONED, False)],
)
def test_a_missing_client_identifier_erases_ours_unless_the_address_is_freed(
    incoming: BindingState, keeps_uid: bool
) -> None:
    local = local_lease(B.RELEASED, uid=UID)
    lease = stored(accept(update_for(incoming), local, role=Role.PRIMARY))
    assert (lease.uid == UID) is keeps_uid


def test_the_update_s_client_identity_replaces_ours() -> None:
    local = local_lease(B.FREE, uid=b"old", hardware=Hardware(6, b"\xaa"))
    lease = stored(accept(update_for(B.ACTIVE, client_identifier=UID), local))
    assert (lease.uid, lease.hardware) == (UID, Hardware(1, MAC))
    empty = stored(accept(update_for(B.ACTIVE, client_identifier=b"", chaddr=b""), local))
    assert (empty.uid, empty.hardware) == (None, None)


def test_an_abandoned_update_drops_hardware_uid_and_bindings() -> None:
    local = local_lease(B.ACTIVE, uid=UID, bindings=(("x", b"1"),))
    lease = stored(accept(update_for(B.ABANDONED), local, role=Role.PRIMARY))
    assert (lease.hardware, lease.uid, lease.bindings) == (None, None, ())


@pytest.mark.parametrize("local_state", [B.ACTIVE, B.FREE, B.ABANDONED])
def test_in_partner_down_an_abandoned_update_is_held_until_mclt_after_it_began(
    local_state: BindingState,
) -> None:
    update = update_for(B.ABANDONED, potential_expiry=NOW + 50)
    lease = stored(accept_binding_update(
        update, local_lease(local_state), in_relationship=True, role=Role.SECONDARY,
        my_state=ServerState.PARTNER_DOWN, own_unacked=None, now=NOW, held_until=NOW + 3600,
    ))
    assert (lease.binding_state, lease.tsfp, lease.atsfp) == (B.ABANDONED, NOW + 3600, NOW + 50)


@pytest.mark.parametrize(
    ("state", "my_state", "tsfp"),
    [
        (B.ABANDONED, ServerState.COMMUNICATIONS_INTERRUPTED, NOW + 50),
        (B.RELEASED, ServerState.PARTNER_DOWN, NOW + 50),  # stored FREE: not held
        (B.ACTIVE, ServerState.PARTNER_DOWN, NOW + 50),
    ],
)
def test_only_an_abandoned_update_in_partner_down_is_held(
    state: BindingState, my_state: ServerState, tsfp: int
) -> None:
    update = update_for(state, potential_expiry=NOW + 50)
    lease = stored(accept_binding_update(
        update, local_lease(B.EXPIRED), in_relationship=True, role=Role.SECONDARY,
        my_state=my_state, own_unacked=None, now=NOW, held_until=NOW + 3600,
    ))
    assert lease.tsfp == tsfp


def test_an_active_lease_changing_client_keeps_its_bindings_as_isc_does() -> None:
    local = local_lease(B.ACTIVE, uid=b"old", bindings=(("x", b"1"),))
    lease = stored(accept(update_for(B.ACTIVE, client_identifier=UID), local))
    assert lease.bindings == (("x", b"1"),)


def test_a_lease_freed_by_the_peer_loses_its_client_parts_and_sends_its_end() -> None:
    local = local_lease(
        B.ACTIVE, ends=NOW - 100, tstp=NOW + 900, client_hostname="pc",
        agent_options=(AgentOption("circuit-id", b"c"),), billing=BillingClass("k"),
        on_expiry="x;", on_release="y;",
    )
    update = update_for(B.EXPIRED, lease_expiry=NOW - 100, potential_expiry=NOW - 100)
    lease = stored(accept(update, local))
    assert lease.binding_state is B.FREE
    assert (lease.client_hostname, lease.agent_options, lease.billing) == (None, (), None)
    assert (lease.on_expiry, lease.on_release, lease.tstp) == (None, None, NOW - 100)


def test_relay_options_stay_only_on_a_lease_that_stays_active() -> None:
    options = (AgentOption("circuit-id", b"c"),)
    active = stored(accept(update_for(B.ACTIVE), local_lease(B.ACTIVE, agent_options=options)))
    assert active.agent_options == options
    abandoned = stored(accept(update_for(B.ABANDONED),
                              local_lease(B.ACTIVE, agent_options=options), role=Role.PRIMARY))
    assert abandoned.agent_options == ()


@pytest.mark.parametrize("role", list(Role))
@pytest.mark.parametrize(
    "lease",
    [
        Lease(ip=IP, binding_state=B.FREE),
        Lease(ip=IP, binding_state=B.BACKUP, starts=NOW, tstp=NOW),
        local_lease(B.ACTIVE, uid=UID, starts=NOW, ends=NOW + 600, tstp=NOW + 900, cltt=NOW),
        local_lease(B.ABANDONED, hardware=None, starts=NOW, ends=NOW + 86400),
    ],
)
def test_what_one_side_sends_the_other_stores_with_the_same_state_and_times(
    role: Role, lease: Lease
) -> None:
    receiver = Lease(ip=IP, binding_state=B.FREE, next_binding_state=B.FREE)
    update = decode(encode(binding_update(lease, xid=5, now=NOW)))
    assert isinstance(update, BndUpd)
    copy = stored(accept(update, receiver, role=role, my_state=ServerState.NORMAL))
    assert (copy.binding_state, copy.starts, copy.ends, copy.tsfp) == (
        lease.binding_state, lease.starts, lease.ends, lease.tstp
    )
    assert (copy.uid, copy.hardware) == (lease.uid, lease.hardware)


# --- BNDACKs ----------------------------------------------------------------------------


def test_acks_echo_the_xid_and_address_and_refusals_carry_reason_and_text() -> None:
    update = update_for(B.ACTIVE)
    assert accepted_ack(update, NOW + 1) == BndAck(
        time=NOW + 1, xid=42, assigned_address=IPv4Address(IP)
    )
    refused = UpdateRejected(RejectReason.MISC_REJECT, "chaddr too long")
    assert rejected_ack(update, refused, NOW) == BndAck(
        time=NOW, xid=42, assigned_address=IPv4Address(IP),
        reject_reason=RejectReason.MISC_REJECT, message=b"chaddr too long",
    )
    anonymous = rejected_ack(update_for(B.ACTIVE, assigned_address=None), refused, NOW)
    assert anonymous.assigned_address == IPv4Address("0.0.0.0")


@pytest.mark.parametrize(
    ("role", "reserved", "sent", "after"),
    [
        (Role.PRIMARY, False, B.EXPIRED, B.FREE),
        (Role.PRIMARY, True, B.RELEASED, B.FREE),
        (Role.SECONDARY, False, B.RESET, B.FREE),
        (Role.SECONDARY, True, B.EXPIRED, B.BACKUP),
    ],
)
def test_an_acked_return_frees_the_address_on_our_side(
    role: Role, reserved: bool, sent: BindingState, after: BindingState
) -> None:
    lease = local_lease(sent, reserved=reserved, tstp=NOW + 60, ends=NOW - 5, atsfp=None)
    acked = acknowledged(lease, role=role)
    assert (acked.binding_state, acked.next_binding_state, acked.rewind_binding_state) == (
        after, after, after
    )
    assert (acked.tsfp, acked.atsfp) == (NOW + 60, NOW + 60)


def test_an_acked_expiry_drops_the_hostname_and_sends_the_end_as_tstp() -> None:
    lease = local_lease(B.EXPIRED, tstp=NOW + 60, ends=NOW - 5, client_hostname="pc")
    acked = acknowledged(lease, role=Role.PRIMARY)
    assert (acked.client_hostname, acked.tstp) == (None, NOW - 5)


def test_an_acked_active_lease_only_records_the_agreed_potential_expiry() -> None:
    lease = local_lease(B.ACTIVE, tstp=NOW + 900, tsfp=NOW, atsfp=None,
                        next_binding_state=B.EXPIRED)
    assert acknowledged(lease, role=Role.SECONDARY) == lease.replace(
        tsfp=NOW + 900, atsfp=NOW + 900
    )


def test_iscs_ack_bit_test_takes_the_acks_time_only_beside_a_client_identifier() -> None:
    lease = local_lease(B.ACTIVE, tstp=NOW + 900)
    plain = BndAck(time=NOW, xid=1, assigned_address=IPv4Address(IP), potential_expiry=NOW)
    assert acknowledged(lease, role=Role.PRIMARY, ack=plain).tsfp == NOW + 900
    with_id = replace(plain, client_identifier=UID)
    assert acknowledged(lease, role=Role.PRIMARY, ack=with_id).tsfp == NOW
    without_time = replace(with_id, potential_expiry=None)
    assert acknowledged(lease, role=Role.PRIMARY, ack=without_time).tsfp is None


def test_own_free_state_is_free_for_the_primary_and_backup_for_the_secondary() -> None:
    assert own_free_state(Role.PRIMARY) is B.FREE
    assert own_free_state(Role.SECONDARY) is B.BACKUP


# --- robustness -------------------------------------------------------------------------

times = st.none() | st.integers(0, 0xFFFFFFFF)


@settings(max_examples=300, deadline=None)
@given(
    status=st.none() | st.integers(0, 255),
    chaddr=st.none() | st.binary(max_size=30),
    uid=st.none() | st.binary(max_size=10),
    lease_expiry=times, potential=times, stos=times, cltt=times,
    flags=st.none() | st.integers(0, 0xFFFF),
    address=st.none() | st.just(IPv4Address(IP)),
    local_state=st.none() | st.sampled_from(ALL_STATES),
    local_ends=st.none() | st.integers(1, 0x7FFFFFFF),
    role=st.sampled_from(list(Role)),
    my_state=st.sampled_from(list(ServerState)),
    unacked=st.booleans(),
    reserved=st.booleans(),
)
def test_accepting_never_raises_on_any_field_values(
    status: int | None, chaddr: bytes | None, uid: bytes | None, lease_expiry: int | None,
    potential: int | None, stos: int | None, cltt: int | None, flags: int | None,
    address: IPv4Address | None, local_state: BindingState | None, local_ends: int | None,
    role: Role, my_state: ServerState, unacked: bool, reserved: bool,
) -> None:
    update = BndUpd(
        time=NOW, xid=1, assigned_address=address, binding_status=status,
        client_identifier=uid, chaddr=chaddr, lease_expiry=lease_expiry,
        potential_expiry=potential, stos=stos, cltt=cltt, ip_flags=flags,
    )
    local = Lease(ip=IP, binding_state=local_state, ends=local_ends, reserved=reserved)
    outcome = accept(update, local, role=role, my_state=my_state,
                     own_unacked=local if unacked else None)
    if isinstance(outcome, Lease):
        assert outcome.binding_state in ALL_STATES
        assert binding_update(outcome, 2, NOW).binding_status is not None
    else:
        assert isinstance(outcome.reason, RejectReason) and outcome.message
