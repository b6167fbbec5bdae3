"""The failover link protocol driven with plain numbers for time: the CONNECT handshake
and ISC's checks (spec failover §1.2–§1.4), CONTACT and the timeouts (§10), the
lease-level requests handed out for the partner (tests/unit/domain/failover/
test_partner.py answers them), and two sessions reaching normal through messages
handed from one to the other."""

from __future__ import annotations

from collections import deque
from ipaddress import IPv4Address

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.machine import Timer
from domain.failover.session import (
    LINK_STARTUP_SECONDS,
    Action,
    BindAckReceived,
    BindUpdateReceived,
    DropLink,
    FailoverSession,
    PoolRequested,
    Transmit,
    UpdatesRequested,
)
from domain.failover.states import LogLine, RescindUpdates, ServerState, StateChanged
from domain.failover_messages import (
    BindingStatus,
    BndAck,
    BndUpd,
    Connect,
    ConnectAck,
    Contact,
    Disconnect,
    FailoverMessage,
    PoolReq,
    RejectReason,
    ServerFlag,
    State,
    UpdDone,
    UpdReq,
    UpdReqAll,
)

T0 = 1_800_000_000
S = ServerState


def config(role: str = "primary", name: str = "fo") -> FailoverPeerConfig:
    primary = role == "primary"
    return FailoverPeerConfig(
        name=name, role=role, address="10.0.0.10" if primary else "10.0.0.12",
        peer_address="10.0.0.12" if primary else "10.0.0.10", max_response_delay=10,
        max_unacked_updates=10, mclt=30 if primary else None, split=128 if primary else None,
        referring_pools=(1,),
    )


def started(role: str = "primary") -> FailoverSession:
    session = FailoverSession.resume(config(role), None, T0)
    session.start(T0)
    return session


def sent(actions: list[Action]) -> list[FailoverMessage]:
    return [action.message for action in actions if isinstance(action, Transmit)]


def logs(actions: list[Action]) -> list[str]:
    return [action.text for action in actions if isinstance(action, LogLine)]


def connect_from_primary(now: int = T0, **fields: object) -> Connect:
    values: dict[str, object] = {
        "time": now, "xid": 0, "relationship_name": b"fo", "max_unacked": 10,
        "receive_timer": 9, "protocol_version": 1, "tls_request": 0, "mclt": 30,
        "hba": b"\xff" * 16 + b"\x00" * 16,
    }
    return Connect(**(values | fields))  # type: ignore[arg-type]


def linked_secondary(now: int = T0) -> FailoverSession:
    secondary = started("secondary")
    secondary.connection_made(1, now)
    secondary.message_received(1, connect_from_primary(now), now)
    return secondary


def test_a_primary_sends_connect_with_iscs_fields_on_every_connection() -> None:
    primary = started()

    first = sent(primary.connection_made(1, T0))
    second = sent(primary.connection_made(2, T0 + 1))

    assert first == [Connect(
        time=T0, xid=0, relationship_name=b"fo", max_unacked=10, receive_timer=10,
        vendor_class=b"leaseledger-0.1", protocol_version=1, tls_request=0, mclt=30,
        hba=b"\xff" * 16 + b"\x00" * 16,
    )]
    assert isinstance(second[0], Connect) and second[0].xid == 0 and second[0].time == T0 + 1


def test_a_secondary_waits_for_connect() -> None:
    assert started("secondary").connection_made(1, T0) == []


def test_a_secondary_accepts_connect_answers_connectack_then_its_startup_state() -> None:
    secondary = started("secondary")
    secondary.connection_made(1, T0)

    actions = secondary.message_received(1, connect_from_primary(xid=7), T0)

    ack, state = sent(actions)
    assert ack == ConnectAck(
        time=T0, xid=7, relationship_name=b"fo", max_unacked=10, receive_timer=10,
        vendor_class=b"leaseledger-0.1", protocol_version=1, tls_reply=0,
    )
    assert state == State(time=T0, xid=0, server_state=S.RECOVER,
                          server_flags=ServerFlag.STARTUP, stos=T0)
    assert secondary.active == 1
    assert secondary.machine.mclt == 30
    assert secondary.peer.receive_timer == 9 and secondary.peer.max_unacked == 10


def test_connectack_carries_tls_reply_only_when_tls_was_requested() -> None:
    secondary = started("secondary")
    secondary.connection_made(1, T0)

    ack = sent(secondary.message_received(1, connect_from_primary(tls_request=None), T0))[0]

    assert isinstance(ack, ConnectAck) and ack.tls_reply is None


def test_an_unknown_relationship_is_refused_with_the_name_echoed() -> None:
    secondary = started("secondary")
    secondary.connection_made(1, T0)

    actions = secondary.message_received(1, connect_from_primary(relationship_name=b"xy"), T0)

    assert sent(actions) == [ConnectAck(
        time=T0, xid=0, relationship_name=b"xy", vendor_class=b"leaseledger-0.1",
        protocol_version=1, tls_reply=0, reject_reason=RejectReason.INVALID_PARTNER,
        message=b"unknown failover relationship name",
    )]
    assert logs(actions) == ["Failover CONNECT from xy: unknown failover relationship name",
                             "failover: disconnect: unknown failover relationship name"]
    assert actions[-1] == DropLink(1)
    assert secondary.active is None


def refusal(connect: Connect, now: int = T0) -> tuple[int | None, bytes | None, bool]:
    secondary = started("secondary")
    secondary.connection_made(1, now)
    actions = secondary.message_received(1, connect, now)
    ack = sent(actions)[0]
    assert isinstance(ack, ConnectAck)
    return ack.reject_reason, ack.message, actions[-1] == DropLink(1)


def test_connect_checks_follow_iscs_reasons() -> None:
    assert refusal(connect_from_primary(relationship_name=None)) == (
        RejectReason.INVALID_PARTNER, b"missing relationship-name", True)
    assert refusal(connect_from_primary(time=T0 - 61)) == (
        RejectReason.TIMEMISMATCH, b"time offset too large", True)
    assert refusal(connect_from_primary(hba=b"\xff" * 31)) == (
        RejectReason.HBA_CONFLICT, b"invalid HBA", True)
    assert refusal(connect_from_primary(mclt=None)) == (
        RejectReason.INVALID_MCLT, b"no MCLT provided", True)
    assert refusal(connect_from_primary(time=T0 + 60)) == (None, None, False)


def test_a_second_connect_is_refused_as_a_duplicate_and_the_first_link_stays() -> None:
    secondary = linked_secondary()
    secondary.connection_made(2, T0)

    actions = secondary.message_received(2, connect_from_primary(), T0)

    ack = sent(actions)[0]
    assert isinstance(ack, ConnectAck) and ack.reject_reason == RejectReason.DUP_CONNECTION
    assert ack.receive_timer == 10
    assert actions[-1] == DropLink(2)
    assert secondary.active == 1


def test_a_primary_closes_a_refused_connection_and_logs_why() -> None:
    primary = started()
    primary.connection_made(1, T0)
    refused = ConnectAck(time=T0, xid=0, relationship_name=b"fo",
                         reject_reason=RejectReason.DUP_CONNECTION)

    actions = primary.message_received(1, refused, T0)

    assert logs(actions) == [
        "Failover CONNECT to fo rejected: Connection rejected, duplicate connection."]
    assert actions[-1] == DropLink(1)
    assert primary.wants_connection()


def test_a_primary_disconnects_a_connectack_for_another_relationship() -> None:
    primary = started()
    primary.connection_made(1, T0)

    actions = primary.message_received(
        1, ConnectAck(time=T0, xid=0, relationship_name=b"other"), T0)

    goodbye = sent(actions)[0]
    assert isinstance(goodbye, Disconnect)
    assert goodbye.reject_reason == RejectReason.INVALID_PARTNER
    assert logs(actions) == [
        "Failover CONNECTACK from fo: remote failover relationship name other does not match"]
    assert actions[-1] == DropLink(1)


def pump(primary: FailoverSession, secondary: FailoverSession, now: int) -> list[str]:
    """Connect the two on link 1 and hand every message across until both are quiet;
    BNDUPDs are acknowledged at once and update requests answered as a server with
    no leases would.  Returns every log line, prefixed P: or S:."""
    queue: deque[tuple[FailoverSession, list[Action]]] = deque()
    queue.append((secondary, secondary.connection_made(1, now)))
    queue.append((primary, primary.connection_made(1, now)))
    lines: list[str] = []
    while queue:
        source, actions = queue.popleft()
        target = secondary if source is primary else primary
        tag = "P" if source is primary else "S"
        lines += [f"{tag}: {line}" for line in logs(actions)]
        for action in actions:
            if isinstance(action, Transmit):
                queue.append((target, target.message_received(1, action.message, now)))
            elif isinstance(action, BindUpdateReceived):
                queue.append((source, source.acknowledge(action, now)))
            elif isinstance(action, UpdatesRequested):
                queue.append((source, source.reply(UpdDone(time=now, xid=action.xid), now)))
    return lines


def test_two_sessions_reach_normal_both_ways() -> None:
    primary, secondary = started(), started("secondary")

    lines = pump(primary, secondary, T0 + 1)

    assert primary.machine.state is S.NORMAL and primary.machine.partner is S.NORMAL
    assert secondary.machine.state is S.NORMAL and secondary.machine.partner is S.NORMAL
    for tag in "PS":
        assert f"{tag}: failover peer fo: peer moves from unknown-state to recover" in lines
        assert f"{tag}: failover peer fo: I move from startup to recover" in lines
        assert f"{tag}: Sent update request all message to fo" in lines
        assert f"{tag}: failover peer fo: Both servers normal" in lines
    assert secondary.machine.mclt == 30


def test_state_changes_are_handed_out_for_the_daemon_to_persist() -> None:
    secondary = started("secondary")
    secondary.connection_made(1, T0)
    secondary.message_received(1, connect_from_primary(), T0)

    actions = secondary.message_received(
        1, State(time=T0, xid=1, server_state=S.RECOVER, server_flags=ServerFlag.STARTUP), T0)

    records = [action.record for action in actions if isinstance(action, StateChanged)]
    assert records[-1].my_state == S.RECOVER.record_state
    assert records[-1].mclt == 30


def test_contact_goes_out_a_third_of_the_peers_receive_timer_after_the_last_send() -> None:
    secondary = linked_secondary()
    # Receive timer 9 in CONNECT: CONTACT after 3 s of silence on our side.
    assert secondary.next_deadline() == T0 + 3
    assert sent(secondary.handle_timer(T0 + 2)) == []

    contact = sent(secondary.handle_timer(T0 + 3))

    assert contact == [Contact(time=T0 + 3, xid=1)]
    assert secondary.next_deadline() == T0 + 6


def test_silence_for_max_response_delay_drops_the_link_and_interrupts_normal() -> None:
    primary, secondary = started(), started("secondary")
    pump(primary, secondary, T0)
    assert primary.machine.state is S.NORMAL
    # Our own CONTACTs do not count: only what the peer sends re-arms the timeout.
    for second in range(1, 10):
        primary.handle_timer(T0 + second)

    actions = primary.handle_timer(T0 + 10)

    assert "timeout waiting for failover peer fo" in logs(actions)
    assert "failover peer fo: I move from normal to communications-interrupted" in logs(actions)
    assert DropLink(1) in actions
    assert primary.active is None and primary.wants_connection()
    assert primary.connection_lost(1, T0 + 10) == []


def test_a_connection_without_connect_times_out_after_fifteen_seconds() -> None:
    secondary = started("secondary")
    secondary.connection_made(4, T0)
    assert LINK_STARTUP_SECONDS == 15
    assert secondary.next_deadline() == T0 + 15

    actions = secondary.handle_timer(T0 + 15)

    assert logs(actions)[0] == "failover: link startup timeout"
    assert DropLink(4) in actions


def test_losing_the_link_runs_the_disconnect_transition() -> None:
    primary, secondary = started(), started("secondary")
    pump(primary, secondary, T0)

    actions = secondary.connection_lost(1, T0 + 2)

    assert logs(actions)[:2] == [
        "peer fo: disconnected",
        "failover peer fo: I move from normal to communications-interrupted",
    ]
    assert any(isinstance(action, StateChanged) for action in actions)


def test_update_requests_are_handed_out_with_their_xid() -> None:
    secondary = linked_secondary()

    assert secondary.message_received(1, UpdReqAll(time=T0, xid=42), T0)[-1] == (
        UpdatesRequested(everything=True, xid=42))
    assert secondary.message_received(1, UpdReq(time=T0, xid=43), T0)[-1] == (
        UpdatesRequested(everything=False, xid=43))


def test_answers_carry_the_request_xid_and_new_messages_the_next_xid() -> None:
    secondary = linked_secondary()

    assert secondary.reply(UpdDone(time=T0, xid=42), T0) == [
        Transmit(1, UpdDone(time=T0, xid=42))]
    first = secondary.transmit(lambda xid: Contact(time=T0, xid=xid), T0)[0].message.xid
    second = secondary.transmit(lambda xid: Contact(time=T0, xid=xid), T0)[0].message.xid
    assert second == first + 1
    secondary.connection_lost(1, T0)
    assert secondary.reply(UpdDone(time=T0, xid=1), T0) == []
    assert secondary.transmit(lambda xid: Contact(time=T0, xid=xid), T0) == []


def test_a_bind_ack_is_handed_out() -> None:
    secondary = linked_secondary()
    ack = BndAck(time=T0, xid=7, assigned_address=IPv4Address("10.0.0.150"))

    assert secondary.message_received(1, ack, T0)[-1] == BindAckReceived(ack)


def test_a_bind_update_is_handed_out_and_acknowledged_with_address_and_xid_only() -> None:
    secondary = linked_secondary()
    update = BndUpd(time=T0, xid=5, assigned_address=IPv4Address("10.0.0.150"),
                    binding_status=BindingStatus.BACKUP, lease_expiry=0)

    received = secondary.message_received(1, update, T0)[-1]
    assert received == BindUpdateReceived(1, update)
    assert isinstance(received, BindUpdateReceived)

    assert sent(secondary.acknowledge(received, T0 + 1)) == [
        BndAck(time=T0 + 1, xid=5, assigned_address=IPv4Address("10.0.0.150"))]
    secondary.connection_lost(1, T0 + 2)
    assert secondary.acknowledge(received, T0 + 2) == []


def test_messages_on_a_connection_that_is_not_the_link_are_ignored() -> None:
    secondary = linked_secondary()
    secondary.connection_made(2, T0)

    assert secondary.message_received(2, UpdReqAll(time=T0, xid=1), T0) == []
    assert secondary.message_received(9, UpdReqAll(time=T0, xid=1), T0) == []


def test_a_disconnect_with_a_reason_is_logged_and_closes() -> None:
    secondary = linked_secondary()

    actions = secondary.message_received(
        1, Disconnect(time=T0, xid=3, reject_reason=RejectReason.DUP_CONNECTION), T0)

    assert logs(actions) == [
        "Failover DISCONNECT from fo: Connection rejected, duplicate connection."]
    assert actions[-1] == DropLink(1)


def test_shutdown_says_disconnect_on_the_link_and_closes_every_connection() -> None:
    secondary = linked_secondary()
    secondary.connection_made(2, T0)

    actions = secondary.shutdown(T0 + 1)

    assert actions == [Transmit(1, Disconnect(time=T0 + 1, xid=1)), DropLink(1), DropLink(2)]
    assert secondary.active is None


def test_a_pool_request_is_handed_out_with_its_xid() -> None:
    secondary = linked_secondary()

    actions = secondary.message_received(1, PoolReq(time=T0, xid=8), T0)

    assert actions[-1] == PoolRequested(8)
    assert sent(actions) == []


def test_any_message_from_the_peer_re_arms_the_receive_timeout() -> None:
    primary, secondary = started(), started("secondary")
    pump(primary, secondary, T0)

    primary.message_received(1, Contact(time=T0 + 8, xid=9), T0 + 8)

    assert primary.machine.deadlines()[Timer.RECEIVE_TIMEOUT] == T0 + 18
    assert "timeout waiting for failover peer fo" not in logs(primary.handle_timer(T0 + 10))
    assert primary.active == 1


def recovering_secondary() -> FailoverSession:
    """A fresh secondary (recover) linked to a primary in partner-down: it has just
    sent UPDREQALL."""
    secondary = linked_secondary()
    actions = secondary.message_received(
        1, State(time=T0, xid=1, server_state=S.PARTNER_DOWN, server_flags=ServerFlag(0),
                 stos=T0), T0)
    assert any(isinstance(message, UpdReqAll) for message in sent(actions))
    return secondary


def test_a_requested_update_that_stops_coming_is_said_once_in_the_log() -> None:
    """A stalled ISC primary keeps the link up with CONTACTs and sends nothing more:
    the admin is told which server to restart."""
    secondary = recovering_secondary()
    update = BndUpd(time=T0, xid=5, assigned_address=IPv4Address("10.0.0.150"),
                    binding_status=BindingStatus.ACTIVE)
    for second in (5, 10, 15):  # the peer's CONTACTs keep the link; its updates come
        secondary.message_received(1, Contact(time=T0 + second, xid=second), T0 + second)
        secondary.message_received(1, update, T0 + second)
    assert secondary.next_deadline() <= T0 + 35

    quiet: list[Action] = []
    for second in range(16, 35):
        if second % 5 == 0:  # only CONTACTs from now on
            secondary.message_received(1, Contact(time=T0 + second, xid=second), T0 + second)
        quiet += secondary.handle_timer(T0 + second)
    stalled = secondary.handle_timer(T0 + 35)

    assert logs(quiet) == []
    assert [line for line in logs(stalled) if "no binding update" in line] == [
        "failover peer fo: no binding update from the peer for 20 seconds while waiting"
        " for the update requested; a peer that lost a connection while sending one may"
        " be stuck (ISC dhcpd in partner-down keeps the updates that were in flight"
        " unacknowledged and sends no more): restart the peer"]
    assert secondary.update_watch.deadline() is None  # said once
    assert logs(secondary.handle_timer(T0 + 36)) == []


def test_an_update_that_ends_with_upddone_is_not_watched_any_more() -> None:
    secondary = recovering_secondary()

    secondary.message_received(1, UpdDone(time=T0 + 1, xid=1), T0 + 1)

    assert secondary.update_watch.deadline() is None


def test_losing_the_link_puts_back_the_updates_in_flight_and_ends_the_watch() -> None:
    """Whoever closes it, and in every state (see `connection_lost`)."""
    secondary = recovering_secondary()

    lost = secondary.connection_lost(1, T0 + 1)

    assert lost[0] == RescindUpdates()
    assert secondary.update_watch.deadline() is None


def test_a_link_dropped_for_silence_puts_back_the_updates_in_flight() -> None:
    """The receive timeout drops the link from inside the session: the adapter's
    report of the closed connection then changes nothing, so the rescind comes here."""
    secondary = recovering_secondary()

    dropped = secondary.handle_timer(T0 + 10)

    assert "timeout waiting for failover peer fo" in logs(dropped)
    assert RescindUpdates() in dropped and DropLink(1) in dropped
    assert secondary.connection_lost(1, T0 + 10) == []


def test_an_isc_primary_with_a_window_under_half_ours_is_warned_of_at_connect() -> None:
    session = FailoverSession.resume(
        config("secondary").model_copy(update={"max_unacked_updates": 100}), None, T0)
    session.start(T0)
    session.connection_made(1, T0)

    actions = session.message_received(
        1, connect_from_primary(max_unacked=10, vendor_class=b"isc-4.4.3-P1"), T0)

    assert [line for line in logs(actions) if "max-unacked-updates" in line] == [
        "failover peer fo: its max-unacked-updates (10) is under half of ours (100): ISC"
        " dhcpd acknowledges our updates only when 50 are pending or after 2 seconds, so"
        " they will crawl; give both servers the same max-unacked-updates"]
    assert session.active == 1
