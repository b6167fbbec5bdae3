"""Two `FailoverPartner`s wired back to back with in-memory leases: the full-update
exchange of a fresh pair, pool balancing on entering normal, a lease change of one
side reaching the other, flow control against max-unacked-updates, and UPDDONE only
after the last update of an UPDREQALL answer is acknowledged."""

from __future__ import annotations

import ipaddress

import pytest

from domain.dhcp_decision import LeaseChange
from domain.failover.partner import FailoverPartner, StoreLease
from domain.failover.rules import load_balance_hash
from domain.failover.session import FailoverSession, Transmit
from domain.failover.states import BalancePools, LogLine, RescheduleExpired, ServerState
from domain.failover_messages import BindingStatus, BndAck, BndUpd, UpdDone, UpdReqAll
from domain.lease import BindingState, FailoverState, FailoverStateRecord, Hardware, Lease
from domain.lease_events import Acked, HeldForPeer, PeerUpdateReceived, Rebalanced
from tests.failover_pair import POOL, T0, Pair, config


def test_a_fresh_pair_exchanges_full_updates_and_reaches_normal() -> None:
    pair = Pair()

    pair.connect()

    for partner in pair.partners.values():
        assert partner.session.machine.state is ServerState.NORMAL
    assert len(pair.sent("primary", UpdReqAll)) >= 1
    assert pair.sent("primary", UpdDone) and pair.sent("secondary", UpdDone)
    assert "primary: Update request all from fo: sending update" in pair.lines
    # Every update was answered: nothing is left in flight on either side.
    for partner in pair.partners.values():
        assert len(partner.queue) == 0, partner.queue


def test_entering_normal_the_primary_hands_the_secondary_half_the_pool() -> None:
    pair = Pair()

    pair.connect()

    assert pair.leases["primary"].counts() == (10, 10)
    assert pair.leases["secondary"].counts() == (10, 10)
    backups = [ip for ip in POOL
               if pair.leases["secondary"].get(ip).binding_state is BindingState.BACKUP]
    assert all(pair.leases["primary"].get(ip).binding_state is BindingState.BACKUP
               for ip in backups)
    assert any(line.startswith("primary: balanced pool 0 10.0.0.0/24  total 20  free 10"
                               "  backup 10") for line in pair.lines), pair.lines


def test_a_lease_given_by_one_side_reaches_the_other_with_the_same_state_and_ends() -> None:
    pair = Pair()
    pair.connect()
    ip = next(ip for ip in POOL
              if pair.leases["secondary"].get(ip).binding_state is BindingState.BACKUP)
    lease = Lease(ip=ip, starts=T0, ends=T0 + 600, tstp=T0 + 900, cltt=T0,
                  binding_state=BindingState.ACTIVE, next_binding_state=BindingState.EXPIRED,
                  hardware=Hardware(1, bytes.fromhex("02aa0000000a")))

    pair.change("secondary", lease)

    theirs = pair.leases["primary"].get(ip)
    assert theirs.binding_state is BindingState.ACTIVE
    assert (theirs.ends, theirs.hardware) == (lease.ends, lease.hardware)
    assert theirs.tsfp == lease.tstp  # the potential expiry agreed
    ours = pair.leases["secondary"].get(ip)
    assert ours.tsfp == ours.atsfp == lease.tstp  # the BNDACK came back


def test_no_more_updates_are_in_flight_than_the_peer_allows() -> None:
    pair = Pair(max_unacked=3)
    pair.connect()
    primary = pair.partners["primary"]
    primary.session.peer.max_unacked = 3
    stalled: list[BndUpd] = []
    # Hold the secondary's answers back: only three updates may leave.
    actions = []
    for n in range(100, 110):
        lease = Lease(ip=f"10.0.0.{n}", starts=T0, ends=T0 + 60, tstp=T0 + 90,
                      binding_state=BindingState.ACTIVE,
                      hardware=Hardware(1, bytes([2, 0, 0, 0, 0, n])))
        pair.leases["primary"].records[lease.ip] = lease
        actions += primary.lease_stored(lease, T0)
    stalled = [a.message for a in actions if isinstance(a, Transmit)]
    assert len(stalled) == 3
    assert len(primary.queue.pending) == 7

    more = primary.carry(primary.session.message_received(
        1, BndAck(time=T0, xid=stalled[0].xid, assigned_address=stalled[0].assigned_address),
        T0), T0)

    assert [type(a.message) for a in more if isinstance(a, Transmit)] == [BndUpd]
    assert len(primary.queue.unacked) == 3


def test_an_ack_for_an_address_we_have_no_lease_for_is_logged() -> None:
    pair = Pair()
    pair.connect()
    primary = pair.partners["primary"]

    actions = primary.carry([*primary.session.message_received(
        1, BndAck(time=T0, xid=1, assigned_address=ipaddress.IPv4Address("192.0.2.1")), T0)],
        T0)

    assert [a.text for a in actions if isinstance(a, LogLine)] == [
        "bind update on 192.0.2.1 got ack from fo: no such lease."]


def test_a_store_is_acknowledged_only_after_it_is_made_durable() -> None:
    pair = Pair()
    pair.connect()
    secondary = pair.partners["secondary"]
    update = BndUpd(time=T0, xid=77, assigned_address=ipaddress.IPv4Address("10.0.0.100"),
                    binding_status=2, chaddr=bytes.fromhex("0102aa0000000a"),
                    lease_expiry=T0 + 600, potential_expiry=T0 + 900, stos=T0)

    actions = secondary.carry(secondary.session.message_received(1, update, T0), T0)

    stores = [a for a in actions if isinstance(a, StoreLease)]
    assert not [a for a in actions if isinstance(a, Transmit)]  # no BNDACK yet
    assert len(stores) == 1 and stores[0].change.lease.binding_state is BindingState.ACTIVE
    assert not stores[0].propagate
    assert [type(a.message) for a in stores[0].then] == [BndAck]
    assert isinstance(stores[0].change, LeaseChange) and stores[0].change.event is not Acked


def test_the_balance_timer_gives_the_secondary_more_when_its_share_runs_low() -> None:
    pair = Pair()
    pair.connect()
    primary = pair.partners["primary"]
    # The secondary hands out eight of its ten backup leases (seen by the primary).
    backups = [ip for ip in POOL
               if pair.leases["primary"].get(ip).binding_state is BindingState.BACKUP]
    for ip in backups[:8]:
        pair.change("secondary", Lease(ip=ip, starts=T0, ends=T0 + 600, tstp=T0 + 900,
                                       binding_state=BindingState.ACTIVE,
                                       hardware=Hardware(1, bytes(5) + ip[-1:].encode())))
    assert pair.leases["primary"].counts() == (10, 2)

    primary.schedule_balance(T0, jitter=0)
    due = primary.balance_at
    assert due is not None and due >= T0 + 60  # min-balance after the last run
    assert primary.balance_due(due - 1) == []
    actions = primary.balance_due(due)

    stores = [a for a in actions if isinstance(a, StoreLease)]
    assert len(stores) == 4  # lts = (10 - 2) / 2
    assert all(a.change.lease.binding_state is BindingState.BACKUP for a in stores)
    assert primary.balance_at is None


def test_entering_partner_down_holds_expired_and_released_leases_for_the_mclt() -> None:
    pair = Pair()
    pair.connect()
    primary = pair.partners["primary"]
    leases = pair.leases["primary"]
    leases.records["10.0.0.100"] = Lease(ip="10.0.0.100", ends=T0 - 5, tsfp=T0 - 5,
                                         binding_state=BindingState.EXPIRED)
    leases.records["10.0.0.101"] = Lease(ip="10.0.0.101", ends=T0 - 5, tsfp=T0 + 999,
                                         binding_state=BindingState.RELEASED)
    leases.records["10.0.0.102"] = Lease(ip="10.0.0.102", ends=T0 + 50, tsfp=T0,
                                         binding_state=BindingState.ACTIVE)

    actions = primary.carry([RescheduleExpired(T0 + 30)], T0)

    stores = [a for a in actions if isinstance(a, StoreLease)]
    assert [(a.change.lease.ip, a.change.lease.tsfp) for a in stores] == [
        ("10.0.0.100", T0 + 30)]
    assert stores[0].change.event is HeldForPeer and not stores[0].propagate


def test_entering_normal_balances_at_once_and_cancels_a_pending_balance_timer() -> None:
    pair = Pair()
    pair.connect()
    secondary = pair.partners["secondary"]
    secondary.balance_at = T0 + 1  # scheduled before the move to normal

    secondary.carry([BalancePools()], T0)

    assert secondary.balance_at is None and secondary.last_balance == T0
    secondary.schedule_balance(T0, jitter=0)
    assert secondary.balance_at is None or secondary.balance_at >= T0 + 60


# --- the rewind state on transmit (ISC failover.c 4731-4736) -------------------------------


def test_every_balanced_lease_is_rewound_to_backup_when_its_update_goes_out() -> None:
    pair = Pair()

    pair.connect()

    backups = [lease for ip in POOL
               if (lease := pair.leases["primary"].get(ip)).binding_state is BindingState.BACKUP]
    assert len(backups) == 10
    assert {lease.rewind_binding_state for lease in backups} == {BindingState.BACKUP}


def test_a_change_the_peer_never_heard_of_is_rewound_and_written_before_its_bndupd() -> None:
    pair = Pair()
    pair.connect()
    primary = pair.partners["primary"]
    # Given while communications were interrupted: the peer last knew it free.
    lease = Lease(ip="10.0.0.100", starts=T0, ends=T0 + 600, tstp=T0 + 900,
                  binding_state=BindingState.ACTIVE, next_binding_state=BindingState.EXPIRED,
                  rewind_binding_state=BindingState.FREE, hardware=Hardware(1, bytes(6)))
    pair.leases["primary"].records[lease.ip] = lease

    actions = primary.lease_stored(lease, T0)

    assert not [a for a in actions if isinstance(a, Transmit)]  # nothing before the write
    [store] = [a for a in actions if isinstance(a, StoreLease)]
    assert store.change.lease == lease.replace(rewind_binding_state=BindingState.ACTIVE)
    assert not store.propagate
    assert store.change.cause == "BNDUPD to fo: rewind binding state active"
    [sent] = [a.message for a in store.then if isinstance(a, Transmit)]
    assert isinstance(sent, BndUpd) and sent.binding_status == BindingStatus.ACTIVE
    assert primary.queue.unacked == {lease.ip: sent.xid}


def test_a_change_already_rewound_goes_out_without_another_write() -> None:
    pair = Pair()
    pair.connect()
    primary = pair.partners["primary"]
    lease = Lease(ip="10.0.0.100", starts=T0, ends=T0 + 600, tstp=T0 + 900,
                  binding_state=BindingState.ACTIVE, rewind_binding_state=BindingState.ACTIVE,
                  hardware=Hardware(1, bytes(6)))
    pair.leases["primary"].records[lease.ip] = lease

    actions = primary.lease_stored(lease, T0)

    assert not [a for a in actions if isinstance(a, StoreLease)]
    assert [type(a.message) for a in actions if isinstance(a, Transmit)] == [BndUpd]


# --- MAC address affinity (ISC failover.c 5442-5491, 5614-5673) ----------------------------


def uid_for(primary_bucket: bool) -> bytes:
    """A client-identifier the primary's hash (split 128) gives to the primary or not."""
    hba = config("primary").hba
    assert hba is not None
    for n in range(256):
        uid = bytes((1, n))
        bucket = load_balance_hash(uid)
        if bool(hba[bucket >> 3] & (1 << (bucket & 7))) is primary_bucket:
            return uid
    raise AssertionError("no such uid")


def client_lease(ip: str, uid: bytes, state: BindingState, now: int = T0) -> Lease:
    return Lease(ip=ip, starts=now - 600, ends=now, tstp=now, cltt=now - 600,
                 binding_state=state, next_binding_state=state, rewind_binding_state=state,
                 uid=uid, hardware=Hardware(1, uid[1:] + bytes(5)))


def own_free(pair: Pair, role: str) -> str:
    state = BindingState.FREE if role == "primary" else BindingState.BACKUP
    return next(ip for ip in POOL if pair.leases[role].get(ip).binding_state is state)


def test_an_address_the_secondary_releases_goes_back_to_it_for_its_client() -> None:
    pair = Pair()
    pair.connect()
    ip = own_free(pair, "secondary")
    uid = uid_for(primary_bucket=False)
    pair.change("secondary", client_lease(ip, uid, BindingState.ACTIVE, T0 + 10), T0 + 10)
    primary = pair.partners["primary"]
    released = client_lease(ip, uid, BindingState.RELEASED, T0 + 20)
    assert released.hardware is not None
    update = BndUpd(time=T0 + 20, xid=99, assigned_address=ipaddress.IPv4Address(ip),
                    binding_status=BindingStatus.RELEASED, client_identifier=uid,
                    chaddr=b"\x01" + released.hardware.address, lease_expiry=T0 + 20,
                    potential_expiry=T0 + 20, stos=T0 - 580)

    actions = primary.carry(primary.session.message_received(1, update, T0 + 30), T0 + 30)

    freed, moved = [a for a in actions if isinstance(a, StoreLease)]
    assert freed.change.event is PeerUpdateReceived
    assert (freed.change.lease.binding_state, freed.change.lease.rewind_binding_state) == (
        BindingState.FREE, BindingState.FREE)
    assert [type(a.message) for a in freed.then] == [BndAck]
    assert moved.change.event is Rebalanced and moved.propagate and not moved.then
    assert moved.change.lease == freed.change.lease.replace(
        binding_state=BindingState.BACKUP,
        next_binding_state=BindingState.BACKUP, starts=T0 + 30, tstp=T0 + 30, atsfp=None)
    assert ip in primary.queue.held  # nothing goes out for it before the write

    pair._queue.append(("primary", actions))
    pair.run(T0 + 30)

    ours = pair.leases["primary"].get(ip)
    assert (ours.binding_state, ours.rewind_binding_state) == (BindingState.BACKUP,) * 2
    assert pair.leases["secondary"].get(ip).binding_state is BindingState.BACKUP
    assert len(primary.queue) == 0


def test_an_expiry_the_secondary_acknowledges_hands_the_address_to_it() -> None:
    pair = Pair()
    pair.connect()
    ip = own_free(pair, "primary")
    uid = uid_for(primary_bucket=False)
    pair.change("primary", client_lease(ip, uid, BindingState.ACTIVE, T0 + 10), T0 + 10)

    pair.change("primary", client_lease(ip, uid, BindingState.EXPIRED, T0 + 20), T0 + 20)

    ours = pair.leases["primary"].get(ip)
    assert (ours.binding_state, ours.next_binding_state, ours.rewind_binding_state) == (
        BindingState.BACKUP,) * 3
    assert (ours.starts, ours.tstp) == (T0 + 20, T0 + 20)
    assert pair.leases["secondary"].get(ip).binding_state is BindingState.BACKUP
    updates = [m for m in pair.sent("primary", BndUpd) if str(m.assigned_address) == ip]
    assert [m.binding_status for m in updates[-3:]] == [
        BindingStatus.ACTIVE, BindingStatus.EXPIRED, BindingStatus.BACKUP]


@pytest.mark.parametrize(("role", "ending"), [("primary", BindingState.EXPIRED),
                                              ("secondary", BindingState.RELEASED)])
def test_no_affinity_for_the_primarys_own_client_nor_on_the_secondary(
    role: str, ending: BindingState
) -> None:
    # The client is the primary's: the secondary would want it, but only a primary moves.
    pair = Pair()
    pair.connect()
    ip = own_free(pair, role)
    uid = uid_for(primary_bucket=True)
    pair.change(role, client_lease(ip, uid, BindingState.ACTIVE, T0 + 10), T0 + 10)

    pair.change(role, client_lease(ip, uid, ending, T0 + 20), T0 + 20)

    for side in ("primary", "secondary"):
        assert pair.leases[side].get(ip).binding_state is BindingState.FREE, side


# --- partner-down ------------------------------------------------------------------------


def test_an_abandoned_update_taken_in_partner_down_waits_mclt_after_it_began() -> None:
    # The primary restarts in partner-down and the recovering secondary connects.
    pair = Pair()
    record = FailoverStateRecord(
        peer="fo", my_state=FailoverState.PARTNER_DOWN, my_time=T0 - 1000,
        partner_state=FailoverState.COMMUNICATIONS_INTERRUPTED, partner_time=T0 - 2000)
    pair.partners["primary"] = FailoverPartner(
        FailoverSession.resume(config("primary"), record, T0), pair.leases["primary"])
    pair.connect()
    primary = pair.partners["primary"]
    machine = primary.session.machine
    assert machine.state is ServerState.PARTNER_DOWN and primary.session.active is not None
    update = BndUpd(time=T0 + 200, xid=5, assigned_address=ipaddress.IPv4Address("10.0.0.100"),
                    binding_status=BindingStatus.ABANDONED, lease_expiry=T0 + 900,
                    potential_expiry=T0 + 900, stos=T0 + 200)

    actions = primary.carry(primary.session.message_received(1, update, T0 + 200), T0 + 200)

    [store] = [a for a in actions if isinstance(a, StoreLease)]
    lease = store.change.lease
    assert lease.binding_state is BindingState.ABANDONED
    assert (lease.tsfp, lease.atsfp) == (T0 - 1000 + machine.mclt, T0 + 900)
    assert machine.mclt == 30


def active_update(ip: str, uid: bytes, now: int) -> BndUpd:
    return BndUpd(time=now, xid=77, assigned_address=ipaddress.IPv4Address(ip),
                  binding_status=BindingStatus.ACTIVE, client_identifier=uid,
                  chaddr=b"\x01" + uid[1:] + bytes(5), lease_expiry=now + 600,
                  potential_expiry=now + 900, stos=now)


def test_a_peer_update_giving_an_active_lease_to_another_client_logs_a_lease_conflict(
) -> None:
    pair = Pair()
    pair.connect()
    ip = own_free(pair, "secondary")
    first, second = uid_for(primary_bucket=False), uid_for(primary_bucket=True)
    pair.change("secondary", client_lease(ip, first, BindingState.ACTIVE, T0 + 10), T0 + 10)
    primary = pair.partners["primary"]
    assert primary.leases.get(ip).uid == first

    renewal = primary.carry(primary.session.message_received(
        1, active_update(ip, first, T0 + 20), T0 + 20), T0 + 20)
    assert not [a for a in renewal if isinstance(a, LogLine)]  # the same client renews

    taken = primary.carry(primary.session.message_received(
        1, active_update(ip, second, T0 + 30), T0 + 30), T0 + 30)
    assert [(a.level, a.text) for a in taken if isinstance(a, LogLine)] == [
        ("error", f"Lease conflict at {ip}")]
    [stored] = [a for a in taken if isinstance(a, StoreLease)]
    assert stored.change.lease.uid == second  # logged, and taken as dhcpd takes it


def test_updates_in_flight_when_the_link_is_lost_go_out_again_on_the_next_one() -> None:
    """A primary in partner-down (it stays there when the link drops) whose BNDUPDs
    were in flight: no BNDACK can come for them on a dead connection, so they go back
    to the head of the queue.  ISC keeps them on its ack queue; its window stays full,
    and a recovering peer's UPDREQALL is never answered to the end (seen in the lab:
    a secondary killed during its resynchronisation came back to a stalled primary)."""
    pair = Pair(max_unacked=3)
    pair.connect()
    primary = pair.partners["primary"]
    primary.carry(primary.session.partner_down(T0), T0)
    assert primary.session.machine.state is ServerState.PARTNER_DOWN
    sent: list[BndUpd] = []
    for n in range(100, 105):
        lease = Lease(ip=f"10.0.0.{n}", starts=T0, ends=T0 + 60, tstp=T0 + 90,
                      binding_state=BindingState.ACTIVE,
                      hardware=Hardware(1, bytes([2, 0, 0, 0, 0, n])))
        pair.leases["primary"].records[lease.ip] = lease
        sent += [a.message for a in primary.lease_stored(lease, T0)
                 if isinstance(a, Transmit) and isinstance(a.message, BndUpd)]
    assert [str(u.assigned_address) for u in sent] == ["10.0.0.100", "10.0.0.101", "10.0.0.102"]

    primary.carry(primary.session.connection_lost(1, T0 + 1), T0 + 1)

    assert primary.session.machine.state is ServerState.PARTNER_DOWN
    assert primary.queue.unacked == {}
    assert list(primary.queue.pending) == [f"10.0.0.{n}" for n in range(100, 105)]
