"""The failover machine driven with plain numbers for time: timers, restarts, and the
typical sequences of spec failover §6.7 played between two machines."""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field

import pytest

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.machine import (
    BalancePools,
    CloseLink,
    FailoverMachine,
    FailoverSettings,
    Fatal,
    LogLine,
    Output,
    RescheduleExpired,
    RescindUpdates,
    SendQueuedUpdates,
    SendState,
    SendUpdReq,
    SendUpdReqAll,
    ServiceChanged,
    StateChanged,
    Timer,
)
from domain.failover.states import Input, Role, ServerState, ServiceState
from domain.failover.transitions import FailoverProtocolError
from domain.lease import FailoverState, FailoverStateRecord

S = ServerState
T0 = 1_800_000_000
MCLT = 3600


def machine(
    role: Role = Role.PRIMARY,
    record: FailoverStateRecord | None = None,
    now: int = T0,
    auto_partner_down: int = 0,
) -> FailoverMachine:
    settings = FailoverSettings("fo", role, MCLT, auto_partner_down=auto_partner_down)
    return FailoverMachine(settings, record, now)


def resumed(state: FailoverState, partner: FailoverState, role: Role = Role.PRIMARY,
            since: int = T0 - 86400, **kwargs: int) -> FailoverMachine:
    record = FailoverStateRecord("fo", state, since, partner, since)
    return machine(role, record, **kwargs)


def logs(outputs: list[Output]) -> list[str]:
    return [output.text for output in outputs if isinstance(output, LogLine)]


def of_type(outputs: list[Output], kind: type) -> list[Output]:
    return [output for output in outputs if isinstance(output, kind)]


@dataclass
class Pair:
    """Two machines joined by a loss-free link.  Each STATE sent is delivered to the
    other side; an update request is answered at once with UPDDONE (the lease traffic
    in between is not the machine's business)."""

    primary: FailoverMachine
    secondary: FailoverMachine
    now: int = T0
    log: list[tuple[str, str]] = field(default_factory=list)

    def deliver(self, sender: FailoverMachine, outputs: list[Output]) -> None:
        pending: deque[tuple[FailoverMachine, list[Output]]] = deque([(sender, outputs)])
        while pending:
            source, produced = pending.popleft()
            target = self.secondary if source is self.primary else self.primary
            side = "P" if source is self.primary else "S"
            self.log += [(side, text) for text in logs(produced)]
            for output in produced:
                if isinstance(output, SendState):
                    pending.append((target, target.handle(
                        Input.PEER_STATE, self.now, peer_state=int(output.state),
                        peer_startup=output.startup)))
                elif isinstance(output, SendUpdReq | SendUpdReqAll):
                    pending.append((source, source.handle(Input.UPDDONE, self.now)))

    def feed(self, side: FailoverMachine, event: Input) -> None:
        self.deliver(side, side.handle(event, self.now))

    def connect(self) -> None:
        self.feed(self.primary, Input.LINK_UP)
        self.feed(self.secondary, Input.LINK_UP)

    def states(self) -> tuple[S, S]:
        return self.primary.state, self.secondary.state


def test_first_start_of_both_servers_reaches_normal_as_isc_does() -> None:
    pair = Pair(machine(Role.PRIMARY), machine(Role.SECONDARY))
    pair.feed(pair.primary, Input.START)
    pair.feed(pair.secondary, Input.START)
    assert pair.states() == (S.STARTUP, S.STARTUP)
    pair.connect()
    assert pair.states() == (S.NORMAL, S.NORMAL)
    primary_log = [text for side, text in pair.log if side == "P"]
    expected_in_order = [
        "failover peer fo: I move from recover to startup",
        "failover peer fo: peer moves from unknown-state to recover",
        "failover peer fo: requesting full update from peer",
        "failover peer fo: I move from startup to recover",
        "failover peer fo: peer update completed.",
        "failover peer fo: I move from recover to recover-done",
        "failover peer fo: I move from recover-done to normal",
    ]
    positions = [primary_log.index(line) for line in expected_in_order]
    assert positions == sorted(positions)
    assert ("P", "failover peer fo: Both servers normal") in pair.log
    assert pair.primary.service is ServiceState.COOPERATING


def test_lost_database_waits_mclt_in_recover_wait_then_both_go_normal() -> None:
    # The partner lost the link when the secondary lost its disk: it is in
    # communications-interrupted; the secondary starts with no record, in recover.
    partner = resumed(FailoverState.COMMUNICATIONS_INTERRUPTED, FailoverState.NORMAL)
    amnesic = machine(Role.SECONDARY)
    pair = Pair(partner, amnesic)
    pair.feed(amnesic, Input.START)
    pair.connect()
    assert pair.states() == (S.PARTNER_DOWN, S.RECOVER_WAIT)
    assert amnesic.deadlines()[Timer.RECOVER_WAIT] == T0 + MCLT
    assert amnesic.service is ServiceState.NOT_RESPONDING
    # CONTACT messages keep the link alive meanwhile.
    pair.now = T0 + MCLT - 1
    pair.feed(amnesic, Input.MESSAGE_RECEIVED)
    assert amnesic.state is S.RECOVER_WAIT
    assert amnesic.next_deadline() == T0 + MCLT
    pair.now = T0 + MCLT
    pair.feed(amnesic, Input.TICK)
    assert pair.states() == (S.NORMAL, S.NORMAL)


def test_link_loss_and_return_go_through_communications_interrupted() -> None:
    pair = Pair(resumed(FailoverState.NORMAL, FailoverState.NORMAL),
                resumed(FailoverState.NORMAL, FailoverState.NORMAL, Role.SECONDARY))
    pair.connect()
    assert pair.states() == (S.NORMAL, S.NORMAL)
    pair.feed(pair.primary, Input.LINK_DOWN)
    pair.feed(pair.secondary, Input.LINK_DOWN)
    assert pair.states() == (S.COMMUNICATIONS_INTERRUPTED, S.COMMUNICATIONS_INTERRUPTED)
    assert pair.primary.service is ServiceState.NOT_COOPERATING
    pair.now += 50
    outputs = pair.primary.handle(Input.LINK_UP, pair.now)
    assert outputs == [SendState(S.COMMUNICATIONS_INTERRUPTED, False, T0)]
    pair.deliver(pair.primary, outputs)
    pair.feed(pair.secondary, Input.LINK_UP)
    assert pair.states() == (S.NORMAL, S.NORMAL)


def test_potential_conflict_is_resolved_primary_first() -> None:
    pair = Pair(resumed(FailoverState.PARTNER_DOWN, FailoverState.COMMUNICATIONS_INTERRUPTED),
                resumed(FailoverState.PARTNER_DOWN, FailoverState.COMMUNICATIONS_INTERRUPTED,
                        Role.SECONDARY))
    pair.connect()
    assert pair.states() == (S.NORMAL, S.NORMAL)
    moves = [(side, text) for side, text in pair.log if "I move" in text]
    assert moves == [
        ("S", "failover peer fo: I move from partner-down to potential-conflict"),
        ("P", "failover peer fo: I move from partner-down to potential-conflict"),
        ("P", "failover peer fo: I move from potential-conflict to conflict-done"),
        ("S", "failover peer fo: I move from potential-conflict to normal"),
        ("P", "failover peer fo: I move from conflict-done to normal"),
    ]


def test_max_response_delay_expiry_interrupts_communications() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    normal.handle(Input.LINK_UP, T0)
    assert normal.next_deadline() == T0 + 20
    assert normal.handle(Input.MESSAGE_RECEIVED, T0 + 15) == []
    assert normal.handle(Input.TICK, T0 + 34) == []
    outputs = normal.handle(Input.TICK, T0 + 35)
    assert normal.state is S.COMMUNICATIONS_INTERRUPTED
    assert logs(outputs)[:2] == [
        "timeout waiting for failover peer fo", "peer fo: disconnected"]
    assert CloseLink() in outputs
    assert RescindUpdates() in outputs
    assert not normal.connected
    assert not of_type(outputs, SendState)


def test_auto_partner_down_fires_after_its_delay() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL, auto_partner_down=300)
    normal.handle(Input.LINK_UP, T0)
    normal.handle(Input.LINK_DOWN, T0 + 10)
    assert normal.state is S.COMMUNICATIONS_INTERRUPTED
    assert normal.next_deadline() == T0 + 310
    assert normal.handle(Input.TICK, T0 + 309) == []
    outputs = normal.handle(Input.TICK, T0 + 310)
    assert normal.state is S.PARTNER_DOWN
    assert RescheduleExpired(T0 + 310 + MCLT) in outputs
    assert of_type(outputs, ServiceChanged) == [ServiceChanged(ServiceState.PARTNER_DOWN, "")]


def test_auto_partner_down_is_off_by_default() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    normal.handle(Input.LINK_UP, T0)
    normal.handle(Input.LINK_DOWN, T0)
    assert normal.state is S.COMMUNICATIONS_INTERRUPTED
    assert normal.next_deadline() is None


def test_startup_timeout_applies_the_disconnect_transition_to_the_saved_state() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    normal.handle(Input.START, T0)
    assert normal.next_deadline() == T0 + 15
    assert normal.handle(Input.TICK, T0 + 14) == []
    outputs = normal.handle(Input.TICK, T0 + 15)
    assert logs(outputs) == [
        "failover peer fo: I move from startup to communications-interrupted"]


def test_restart_resumes_from_the_persisted_state_without_a_new_stos() -> None:
    before = resumed(FailoverState.RECOVER_DONE, FailoverState.RECOVER_WAIT, since=T0 - 500)
    record = before.record()
    after = machine(Role.PRIMARY, record, now=T0)
    outputs = after.handle(Input.START, T0)
    assert of_type(outputs, StateChanged)[0].record.my_state is FailoverState.RECOVER_DONE
    assert after.handle(Input.LINK_UP, T0 + 1) == [SendState(S.RECOVER_DONE, True, T0 - 500)]
    outputs = after.handle(Input.PEER_STATE, T0 + 2, peer_state=int(S.NORMAL))
    assert logs(outputs) == [
        "failover peer fo: peer moves from recover-wait to normal",
        "failover peer fo: I move from startup to normal",
        "failover peer fo: Both servers normal",
    ]
    assert BalancePools() in outputs
    assert SendQueuedUpdates() in outputs
    # Leaving startup keeps the persisted stos, as ISC does.
    assert after.stos == T0 - 500


def test_restart_goes_straight_back_when_the_peer_state_is_unchanged() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    normal.handle(Input.START, T0)
    outputs = normal.handle(Input.PEER_STATE, T0 + 1, peer_state=int(S.NORMAL))
    assert logs(outputs) == [
        "failover peer fo: I move from startup to normal",
        "failover peer fo: Both servers normal",
    ]
    interrupted = resumed(FailoverState.RESOLUTION_INTERRUPTED, FailoverState.NORMAL)
    interrupted.handle(Input.START, T0)
    interrupted.handle(Input.PEER_STATE, T0 + 1, peer_state=int(S.NORMAL))
    assert interrupted.state is S.POTENTIAL_CONFLICT


def test_restart_in_recover_wait_finishes_at_once_when_mclt_has_passed() -> None:
    waiting = resumed(FailoverState.RECOVER_WAIT, FailoverState.PARTNER_DOWN,
                      since=T0 - MCLT - 1)
    waiting.handle(Input.START, T0)
    outputs = waiting.handle(Input.TICK, T0 + 15)
    assert logs(outputs) == [
        "failover peer fo: I move from startup to recover-wait",
        "failover peer fo: I move from recover-wait to recover-done",
    ]


def test_no_record_means_recover_since_now_with_an_unknown_partner() -> None:
    fresh = machine(Role.SECONDARY, now=T0)
    assert (fresh.state, fresh.stos, fresh.partner) == (S.RECOVER, T0, S.UNKNOWN_STATE)
    assert fresh.record().mclt == MCLT
    fresh.adopt_mclt(60)
    assert fresh.record().mclt == 60
    assert machine(Role.PRIMARY).record().mclt is None


def test_a_record_without_times_means_since_now() -> None:
    forced = machine(record=FailoverStateRecord("fo", FailoverState.PARTNER_DOWN), now=T0)
    assert (forced.state, forced.stos, forced.partner_stos) == (S.PARTNER_DOWN, T0, T0)


def test_a_repeated_peer_state_in_normal_is_ignored() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    assert normal.handle(Input.PEER_STATE, T0, peer_state=int(S.NORMAL)) == []


def test_an_undefined_peer_state_shuts_the_server_down() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    outputs = normal.handle(Input.PEER_STATE, T0, peer_state=99)
    assert normal.state is S.SHUTDOWN
    assert logs(outputs)[0] == "failover peer fo: Invalid state: 99"


def test_an_invalid_move_while_conflict_done_is_fatal_and_changes_nothing() -> None:
    done = resumed(FailoverState.CONFLICT_DONE, FailoverState.POTENTIAL_CONFLICT)
    outputs = done.handle(Input.PEER_STATE, T0, peer_state=int(S.RECOVER))
    assert outputs[-1] == Fatal(
        "Peer fo: Invalid attempt to move from potential-conflict to recover while local"
        " state is conflict-done.")
    assert done.state is S.CONFLICT_DONE


def test_normal_shuts_down_when_the_peer_claims_conflict_states() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    outputs = normal.handle(Input.PEER_STATE, T0, peer_state=int(S.CONFLICT_DONE))
    assert "Peer fo: Invalid state transition normal to conflict-done." in logs(outputs)
    assert normal.state is S.SHUTDOWN


def test_a_peer_in_partner_down_silences_a_normal_server() -> None:
    normal = resumed(FailoverState.COMMUNICATIONS_INTERRUPTED, FailoverState.NORMAL)
    outputs = normal.handle(Input.PEER_STATE, T0, peer_state=int(S.PARTNER_DOWN))
    assert normal.state is S.POTENTIAL_CONFLICT
    assert SendUpdReq() in outputs
    assert normal.service is ServiceState.NOT_RESPONDING


def test_admin_partner_down_moves_any_state() -> None:
    paused = resumed(FailoverState.PAUSED, FailoverState.NORMAL)
    outputs = paused.handle(Input.ADMIN_PARTNER_DOWN, T0)
    assert paused.state is S.PARTNER_DOWN
    assert RescheduleExpired(T0 + MCLT) in outputs


def test_an_input_without_a_row_is_a_protocol_error() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    with pytest.raises(FailoverProtocolError, match=r"primary.*recover-wait-elapsed.*normal"):
        normal.handle(Input.RECOVER_WAIT_ELAPSED, T0)
    normal.handle(Input.START, T0)
    with pytest.raises(FailoverProtocolError):
        normal.handle(Input.START, T0)


def test_a_failed_connect_is_not_a_disconnect() -> None:
    starting = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    starting.handle(Input.START, T0)
    assert starting.handle(Input.LINK_DOWN, T0 + 1) == []
    assert starting.state is S.STARTUP


def test_every_move_is_persisted_with_both_states_and_times() -> None:
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL, since=T0 - 100)
    normal.handle(Input.LINK_UP, T0 - 1)
    outputs = normal.handle(Input.LINK_DOWN, T0)
    assert of_type(outputs, StateChanged) == [StateChanged(
        FailoverStateRecord("fo", FailoverState.COMMUNICATIONS_INTERRUPTED, T0,
                            FailoverState.NORMAL, T0 - 100),
        "failover peer fo: I move from normal to communications-interrupted")]


def test_settings_from_config_take_the_saved_mclt_on_a_secondary() -> None:
    config = FailoverPeerConfig(name="fo", role="secondary", auto_partner_down=60)
    saved = FailoverStateRecord("fo", FailoverState.NORMAL, T0, mclt=1800)
    settings = FailoverSettings.from_config(config, saved)
    assert settings == FailoverSettings("fo", Role.SECONDARY, 1800, 20, 60)
    assert FailoverSettings.from_config(config, None).mclt == 0
    primary = FailoverPeerConfig(name="fo", mclt=600, split=128)
    assert FailoverSettings.from_config(primary, saved).mclt == 600


def test_a_peer_state_input_is_classified_by_the_machine_not_the_caller() -> None:
    interrupted = resumed(FailoverState.COMMUNICATIONS_INTERRUPTED, FailoverState.NORMAL)
    interrupted.handle(Input.PEER_STATE_REPEATED, T0, peer_state=int(S.RECOVER))
    assert interrupted.state is S.PARTNER_DOWN
    normal = resumed(FailoverState.NORMAL, FailoverState.NORMAL)
    assert normal.handle(Input.PEER_STATE_INVALID, T0, peer_state=int(S.NORMAL)) == []
