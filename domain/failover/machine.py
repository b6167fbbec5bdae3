"""The failover state machine of one relationship, sans I/O and without a clock.

`FailoverMachine.handle(input, now)` looks the input up in `transitions.TRANSITIONS`,
carries the chosen branch out and returns what the daemon must do, as typed outputs:
messages to send, the state record to persist as a `domain.failover_events.StateChanged`,
the new service state, log lines in dhcpd's words (the output types live in
`states.py` and are re-exported here).  `next_deadline()` says when the next
timer is due (receive timeout, 15 s startup, recover-wait until stos + MCLT,
auto-partner-down); the adapter calls `handle(Input.TICK, now)` then.  Time always comes
in as `now` (seconds since the epoch), so tests drive the machine with plain numbers.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass

from domain.config.failover_peer import FailoverPeerConfig
from domain.failover.rules import service_state
from domain.failover.states import (
    BalancePools,
    CheckPoolBalance,
    CloseLink,
    Fatal,
    Input,
    LogLine,
    Output,
    RescheduleExpired,
    RescindUpdates,
    Role,
    SendQueuedUpdates,
    SendState,
    SendUpdReq,
    SendUpdReqAll,
    ServerState,
    ServiceChanged,
    StateChanged,
)
from domain.failover.transitions import (
    EFFECT_LOG_LINES,
    ENTRY_EFFECTS,
    EXIT_EFFECTS,
    KEYED_BY_SAVED_STATE_IN_STARTUP,
    Effect,
    GuardFacts,
    Target,
    choose,
    guard_holds,
    row_for,
)
from domain.lease import FailoverStateRecord

STARTUP_SECONDS = 15


@dataclass(frozen=True, slots=True)
class FailoverSettings:
    """The configuration the machine needs, resolved: a secondary's MCLT is the one it
    saved in dhcpd.leases until a CONNECT tells it the primary's (`adopt_mclt`)."""

    name: str
    role: Role
    mclt: int
    max_response_delay: int = 20
    auto_partner_down: int = 0

    @classmethod
    def from_config(
        cls, config: FailoverPeerConfig, record: FailoverStateRecord | None
    ) -> FailoverSettings:
        """The settings for `config`, with the MCLT the lease file saved as fallback."""
        saved_mclt = record.mclt if record is not None else None
        return cls(
            name=config.name,
            role=Role(config.role),
            mclt=config.mclt if config.mclt is not None else saved_mclt or 0,
            max_response_delay=config.max_response_delay,
            auto_partner_down=config.auto_partner_down,
        )


class Timer(enum.Enum):
    """The timers `next_deadline` reports."""

    RECEIVE_TIMEOUT = "receive timeout"
    STARTUP = "startup"
    RECOVER_WAIT = "recover wait"
    AUTO_PARTNER_DOWN = "auto partner down"


_PLAIN_EFFECTS: dict[Effect, Output] = {
    Effect.SEND_UPDREQ: SendUpdReq(),
    Effect.SEND_UPDREQALL: SendUpdReqAll(),
    Effect.SEND_QUEUED_UPDATES: SendQueuedUpdates(),
    Effect.RESCIND_UPDATES: RescindUpdates(),
    Effect.BALANCE_POOLS: BalancePools(),
    Effect.CHECK_POOL_BALANCE: CheckPoolBalance(),
}


_PEER_STATE_INPUTS = frozenset(
    {Input.PEER_STATE, Input.PEER_STATE_REPEATED, Input.PEER_STATE_INVALID}
)
_FROM_PEER = _PEER_STATE_INPUTS | {Input.MESSAGE_RECEIVED, Input.UPDDONE, Input.LINK_UP}


class FailoverMachine:
    """One relationship's state, resumed from its last persisted record."""

    def __init__(
        self, settings: FailoverSettings, record: FailoverStateRecord | None, now: int
    ) -> None:
        """With no record (a first start), ISC starts in recover since `now` with the
        partner unknown; a record's state without a time means "since now"."""
        self.settings = settings
        self.mclt = settings.mclt
        self.state = ServerState.RECOVER
        self.stos = now
        self.partner = ServerState.UNKNOWN_STATE
        self.partner_stos = now
        if record is not None and record.my_state is not None:
            self.state = ServerState.from_record(record.my_state)
            self.stos = record.my_time if record.my_time is not None else now
        if record is not None and record.partner_state is not None:
            self.partner = ServerState.from_record(record.partner_state)
            self.partner_stos = record.partner_time if record.partner_time is not None else now
        self.saved_state: ServerState | None = None
        self.connected = False
        self.last_received = now
        self.entered_at = now
        self.service, self.service_reason = service_state(self.state, self.partner)

    def adopt_mclt(self, mclt: int) -> None:
        """A secondary takes the primary's MCLT from CONNECT."""
        self.mclt = mclt

    @property
    def effective_state(self) -> ServerState:
        """My state, or the saved one while in startup (what STATE and the log carry)."""
        if self.state is ServerState.STARTUP and self.saved_state is not None:
            return self.saved_state
        return self.state

    def deadlines(self) -> dict[Timer, int]:
        """Every armed timer and when it is due."""
        due: dict[Timer, int] = {}
        if self.connected:
            due[Timer.RECEIVE_TIMEOUT] = self.last_received + self.settings.max_response_delay
        if self.state is ServerState.STARTUP:
            due[Timer.STARTUP] = self.entered_at + STARTUP_SECONDS
        if self.state is ServerState.RECOVER_WAIT:
            due[Timer.RECOVER_WAIT] = self.stos + self.mclt
        if (
            self.state is ServerState.COMMUNICATIONS_INTERRUPTED
            and self.settings.auto_partner_down > 0
        ):
            due[Timer.AUTO_PARTNER_DOWN] = self.entered_at + self.settings.auto_partner_down
        return due

    def next_deadline(self) -> int | None:
        """When `handle(Input.TICK, now)` next has something to do, or None."""
        return min(self.deadlines().values(), default=None)

    def handle(
        self,
        event: Input,
        now: int,
        *,
        peer_state: int | None = None,
        peer_startup: bool = False,
    ) -> list[Output]:
        """Carry out one input.  PEER_STATE needs `peer_state`, the received
        server-state code, and `peer_startup`, its server-flags STARTUP bit; the machine
        itself tells a repeated or an undefined state apart (so the two PEER_STATE_*
        inputs are classified the same way when handed in).  Raises
        `FailoverProtocolError` for an input the table has no row for."""
        outputs: list[Output] = []
        if event in _FROM_PEER:
            self.last_received = now
        if event is Input.LINK_UP:
            self.connected = True
        if event is Input.UPDDONE:
            outputs.append(self._log(f"failover peer {self.settings.name}: peer update completed."))
        if event in _PEER_STATE_INPUTS:
            outputs += self._peer_state(peer_state or 0, peer_startup, now)
        elif event is Input.LINK_DOWN:
            outputs += self._link_down(now)
        elif event not in (Input.TICK, Input.MESSAGE_RECEIVED):
            outputs += self._transition(event, now)
        return outputs + self._fire_due(now)

    def _link_down(self, now: int) -> list[Output]:
        """ISC runs the disconnect transition only for a link whose CONNECT was
        accepted: a failed connect attempt changes nothing."""
        if not self.connected:
            return []
        self.connected = False
        return [
            self._log(f"peer {self.settings.name}: disconnected"),
            *self._transition(Input.LINK_DOWN, now),
        ]

    def _fire_due(self, now: int) -> list[Output]:
        outputs: list[Output] = []
        while due := [(at, timer) for timer, at in self.deadlines().items() if at <= now]:
            _, timer = min(due, key=lambda item: item[0])
            if timer is Timer.RECEIVE_TIMEOUT:
                outputs.append(self._log(f"timeout waiting for failover peer {self.settings.name}"))
                outputs.append(CloseLink())
                outputs += self._link_down(now)
            elif timer is Timer.STARTUP:
                outputs += self._transition(Input.LINK_DOWN, now)
            elif timer is Timer.RECOVER_WAIT:
                outputs += self._transition(Input.RECOVER_WAIT_ELAPSED, now)
            else:
                outputs += self._transition(Input.AUTO_PARTNER_DOWN_ELAPSED, now)
        return outputs

    def _peer_state(self, code: int, startup_flag: bool, now: int) -> list[Output]:
        peer = ServerState.from_wire(code)
        if peer is None:
            self.partner_stos = now
            return [
                LogLine("error", f"failover peer {self.settings.name}: Invalid state: {code}"),
                *self._transition(Input.PEER_STATE_INVALID, now),
            ]
        if peer is self.partner:
            return self._transition(
                Input.PEER_STATE_REPEATED, now, peer=peer, startup_flag=startup_flag
            )
        return self._peer_changed(peer, startup_flag, now)

    def _peer_changed(self, peer: ServerState, startup_flag: bool, now: int) -> list[Output]:
        previous = self.partner
        self.partner = peer
        self.partner_stos = now
        name = self.settings.name
        cause = (
            f"failover peer {name}: peer moves from {previous.record_state} to "
            f"{peer.record_state}"
        )
        outputs: list[Output] = [self._log(cause)]
        if self.state is ServerState.NORMAL and peer is ServerState.NORMAL:
            outputs.append(self._log(f"failover peer {name}: Both servers normal"))
        outputs.append(StateChanged(self.record(), cause))
        outputs += self._transition(
            Input.PEER_STATE, now, peer=peer, startup_flag=startup_flag, previous=previous
        )
        return outputs + self._service_update()

    def _facts(
        self, now: int, previous: ServerState | None, startup_flag: bool
    ) -> GuardFacts:
        return GuardFacts(
            role=self.settings.role,
            in_startup=self.state is ServerState.STARTUP,
            saved_state=self.saved_state,
            previous_partner=previous if previous is not None else self.partner,
            partner=self.partner,
            peer_startup_flag=startup_flag,
            mclt_pending=self.stos + self.mclt > now,
            connected=self.connected,
        )

    def _transition(
        self,
        event: Input,
        now: int,
        *,
        peer: ServerState | None = None,
        startup_flag: bool = False,
        previous: ServerState | None = None,
    ) -> list[Output]:
        key_state = (
            self.effective_state if event in KEYED_BY_SAVED_STATE_IN_STARTUP else self.state
        )
        row_peer = peer if event is Input.PEER_STATE else None
        row = row_for(self.settings.role, key_state, event, row_peer)
        branch = choose(row, self._facts(now, previous, startup_flag))
        if Effect.EVALUATE_AS_CHANGE in branch.effects and peer is not None:
            return self._peer_changed(peer, startup_flag, now)
        outputs = [self._effect(effect, peer, previous) for effect in branch.effects]
        if any(isinstance(output, Fatal) for output in outputs):
            return outputs
        if isinstance(branch.next, ServerState):
            outputs += self._move(branch.next, now)
        elif branch.next is Target.SETTLE and self.saved_state is not None and (
            self.state is ServerState.STARTUP
        ):
            outputs += self._move(self.saved_state, now)
        return outputs

    def _move(self, new: ServerState, now: int) -> list[Output]:
        """Enter `new`: ISC's `dhcp_failover_set_state` (spec §6.6)."""
        old = self.state
        outputs: list[Output] = [_PLAIN_EFFECTS[e] for e in EXIT_EFFECTS.get(old, ())]
        if new not in (ServerState.RECOVER_WAIT, ServerState.STARTUP) and (
            old is not ServerState.STARTUP
        ):
            self.stos = now
        if new is ServerState.STARTUP and old is not ServerState.STARTUP:
            self.saved_state = old
        self.state = new
        self.entered_at = now
        if new is not ServerState.STARTUP:
            self.saved_state = None
        name = self.settings.name
        cause = f"failover peer {name}: I move from {old.record_state} to {new.record_state}"
        outputs.append(self._log(cause))
        if new is ServerState.NORMAL and self.partner is ServerState.NORMAL:
            outputs.append(self._log(f"failover peer {name}: Both servers normal"))
        outputs.append(StateChanged(self.record(), cause))
        outputs += self._service_update()
        if self.connected:
            outputs.append(self._send_state())
        facts = self._facts(now, None, False)
        for guard, effect in ENTRY_EFFECTS.get(new, ()):
            if guard_holds(guard, facts):
                outputs.append(self._effect(effect, None, None))
        return outputs

    def record(self) -> FailoverStateRecord:
        """The state record dhcpd.leases keeps (in startup, the saved state); `mclt` is
        written by the secondary only."""
        secondary = self.settings.role is Role.SECONDARY
        return FailoverStateRecord(
            peer=self.settings.name,
            my_state=self.effective_state.record_state,
            my_time=self.stos,
            partner_state=self.partner.record_state,
            partner_time=self.partner_stos,
            mclt=self.mclt if secondary else None,
        )

    def _service_update(self) -> list[Output]:
        service, reason = service_state(self.state, self.partner)
        if (service, reason) == (self.service, self.service_reason):
            return []
        self.service, self.service_reason = service, reason
        return [ServiceChanged(service, reason)]

    def _send_state(self) -> SendState:
        return SendState(
            self.effective_state, self.state is ServerState.STARTUP, self.stos
        )

    def _log(self, text: str) -> LogLine:
        return LogLine("info", text)

    def _effect(
        self, effect: Effect, peer: ServerState | None, previous: ServerState | None
    ) -> Output:
        """The output an effect stands for; log effects in dhcpd's words."""
        if effect in _PLAIN_EFFECTS:
            return _PLAIN_EFFECTS[effect]
        if effect is Effect.SEND_STATE:
            return self._send_state()
        if effect is Effect.RESCHEDULE_EXPIRED:
            return RescheduleExpired(self.stos + self.mclt)
        level, text = EFFECT_LOG_LINES[effect]
        text = text.format(
            name=self.settings.name,
            mine=self.effective_state.record_state,
            new=peer.record_state if peer is not None else "",
            old=previous.record_state if previous is not None else "",
        )
        return Fatal(text) if level == "fatal" else LogLine(level, text)
