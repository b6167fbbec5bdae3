"""Every transition of the failover state machine lives here, and only here.

`TRANSITIONS` maps (my state, input, peer state or None) to a row of branches; the first
branch whose guard holds decides the next state and the effects.  `ENTRY_EFFECTS` and
`EXIT_EFFECTS` say what entering or leaving a state does, whatever caused the move.
The machine (`machine.py`) only looks rows up and carries them out; a combination with
no row is a protocol error, never a silent default.  Facts from ISC dhcpd 4.4
server/failover.c (`dhcp_failover_state_transition`, `dhcp_failover_peer_state_changed`,
`dhcp_failover_process_update_done`, `dhcp_failover_set_state`; spec failover §6).

Which "my state" keys a row: for LINK_DOWN and PEER_STATE ISC looks at the state saved
when startup began while it is in startup (`KEYED_BY_SAVED_STATE_IN_STARTUP`); every
other input is keyed by the state the server is really in.  `Target.SETTLE` means "stay
where the row's key says I am": nothing happens outside startup, and in startup the
server leaves for its saved state, which is what ISC does after both transitions.
"""

from __future__ import annotations

import enum
from collections.abc import Iterable
from dataclasses import dataclass

from domain.failover.states import Input, Role, ServerState

S = ServerState


class Target(enum.StrEnum):
    """A next state that is not a fixed state."""

    STAY = "stay"
    SETTLE = "settle"


class Guard(enum.StrEnum):
    """A named condition a branch needs; `guard_holds` gives each its meaning."""

    ALWAYS = "always"
    IN_STARTUP = "in startup"
    NOT_IN_STARTUP = "not in startup"
    PEER_WAS_POTENTIAL_CONFLICT = "peer was potential-conflict"
    PEER_STARTUP_FLAG = "peer STARTUP flag set"
    SAVED_RESOLUTION_INTERRUPTED = "saved state resolution-interrupted"
    MCLT_PENDING_PEER_NOT_RECOVERING = "stos+MCLT > now and peer not recover(-done)"
    PEER_CONFLICT_DONE_I_AM_SECONDARY = "peer conflict-done, I am secondary"
    PEER_CONFLICT_DONE = "peer conflict-done"
    I_AM_PRIMARY = "I am primary"
    PRIMARY_OR_PEER_CONFLICT_DONE = "I am primary or peer conflict-done"
    CONNECTED = "connected"


class Effect(enum.StrEnum):
    """Something a transition makes the server do besides changing state."""

    SEND_STATE = "send STATE"
    SEND_UPDREQ = "send UPDREQ"
    SEND_UPDREQALL = "send UPDREQALL"
    SEND_QUEUED_UPDATES = "send queued updates"
    RESCIND_UPDATES = "move un-acked updates back to the update queue"
    CHECK_POOL_BALANCE = "schedule a pool balance check"
    BALANCE_POOLS = "balance pools and queue updates"
    RESCHEDULE_EXPIRED = "expired leases free at stos+MCLT"
    EVALUATE_AS_CHANGE = "process as a peer state change"
    LOG_REQUESTING_FULL_UPDATE = "log: requesting full update"
    LOG_INVALID_TRANSITION = "log: invalid state transition"
    LOG_PANIC_NORMAL_IN_CONFLICT = "log: peer normal during conflict resolution"
    LOG_UNEXPECTED_CONFLICT_DONE = "log: unexpected move to conflict-done"
    LOG_BOTH_RECOVER_DONE = "log: both servers recover-done"
    LOG_SPURIOUS_UPDDONE = "log: spurious update-done"
    LOG_SECONDARY_CONFLICT_DONE = "log: secondary conflict-done is illegal"
    FATAL_CONFLICT_DONE = "exit: invalid move while conflict-done"


@dataclass(frozen=True, slots=True)
class Branch:
    """One possible outcome of a row: taken when `guard` holds."""

    next: ServerState | Target
    effects: tuple[Effect, ...] = ()
    guard: Guard = Guard.ALWAYS


Row = tuple[Branch, ...]
Key = tuple[ServerState, Input, ServerState | None]


@dataclass(frozen=True, slots=True)
class GuardFacts:
    """What guards may look at, gathered by the machine at the moment of the input."""

    role: Role
    in_startup: bool
    saved_state: ServerState | None
    previous_partner: ServerState
    partner: ServerState
    peer_startup_flag: bool
    mclt_pending: bool
    connected: bool


def guard_holds(guard: Guard, facts: GuardFacts) -> bool:
    """Whether `guard` holds: the only meaning a guard has."""
    primary = facts.role is Role.PRIMARY
    peer_done = facts.partner is S.CONFLICT_DONE
    return {
        Guard.ALWAYS: True,
        Guard.IN_STARTUP: facts.in_startup,
        Guard.NOT_IN_STARTUP: not facts.in_startup,
        Guard.PEER_WAS_POTENTIAL_CONFLICT: facts.previous_partner is S.POTENTIAL_CONFLICT,
        Guard.PEER_STARTUP_FLAG: facts.peer_startup_flag,
        Guard.SAVED_RESOLUTION_INTERRUPTED: facts.saved_state is S.RESOLUTION_INTERRUPTED,
        Guard.MCLT_PENDING_PEER_NOT_RECOVERING: facts.mclt_pending
        and facts.partner not in (S.RECOVER, S.RECOVER_DONE),
        Guard.PEER_CONFLICT_DONE_I_AM_SECONDARY: peer_done and not primary,
        Guard.PEER_CONFLICT_DONE: peer_done,
        Guard.I_AM_PRIMARY: primary,
        Guard.PRIMARY_OR_PEER_CONFLICT_DONE: primary or peer_done,
        Guard.CONNECTED: facts.connected,
    }[guard]


class FailoverProtocolError(Exception):
    """An input arrived in a state that has no transition for it."""

    def __init__(
        self, role: Role, state: ServerState, event: Input, peer: ServerState | None
    ) -> None:
        peer_text = f" (peer {peer.record_state})" if peer is not None else ""
        super().__init__(
            f"failover {role}: no transition for {event} in state {state.record_state}"
            f"{peer_text}"
        )
        self.role = role
        self.state = state
        self.event = event
        self.peer = peer


KEYED_BY_SAVED_STATE_IN_STARTUP = frozenset({Input.LINK_DOWN, Input.PEER_STATE})

_SETTLE: Row = (Branch(Target.SETTLE),)
_STAY: Row = (Branch(Target.STAY),)
_ALL = tuple(ServerState)
_SETTLED = tuple(state for state in ServerState if state is not S.STARTUP)


def _go(state: ServerState | Target, *effects: Effect) -> Row:
    return (Branch(state, effects),)


def _peer_rows(
    my_state: ServerState, rows: dict[ServerState, Row], prefix: Row = ()
) -> dict[Key, Row]:
    """The PEER_STATE rows of one state: those given, SETTLE for every other peer state."""
    return {
        (my_state, Input.PEER_STATE, peer): prefix + rows.get(peer, _SETTLE) for peer in _ALL
    }


def _each(states: Iterable[ServerState], row: Row) -> dict[ServerState, Row]:
    return dict.fromkeys(states, row)


_TO_PC = _go(S.POTENTIAL_CONFLICT)
_TO_PD = _go(S.PARTNER_DOWN)

_PEER_STATE_ROWS: dict[Key, Row] = {
    **_peer_rows(S.NORMAL, {
        S.NORMAL: _go(Target.SETTLE, Effect.CHECK_POOL_BALANCE),
        S.PARTNER_DOWN: (Branch(S.RECOVER, guard=Guard.IN_STARTUP), *_TO_PC),
        **_each((S.POTENTIAL_CONFLICT, S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE),
                _go(S.SHUTDOWN, Effect.LOG_INVALID_TRANSITION)),
        **_each((S.RECOVER, S.SHUTDOWN), _TO_PD),
        S.PAUSED: _go(S.COMMUNICATIONS_INTERRUPTED),
    }),
    **_peer_rows(S.RECOVER, {
        S.RECOVER: (
            Branch(Target.SETTLE, (Effect.LOG_REQUESTING_FULL_UPDATE, Effect.SEND_UPDREQALL),
                   Guard.NOT_IN_STARTUP),
            Branch(Target.SETTLE, (Effect.LOG_REQUESTING_FULL_UPDATE,)),
        ),
        **_each((S.POTENTIAL_CONFLICT, S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE, S.NORMAL),
                _TO_PC),
        **_each((S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED), (
            Branch(Target.SETTLE, (Effect.SEND_UPDREQALL,), Guard.NOT_IN_STARTUP),
            *_SETTLE,
        )),
        S.SHUTDOWN: _TO_PD,
    }),
    **_peer_rows(S.POTENTIAL_CONFLICT, {
        S.NORMAL: _go(S.SHUTDOWN, Effect.LOG_PANIC_NORMAL_IN_CONFLICT),
        S.CONFLICT_DONE: (
            Branch(Target.SETTLE, (Effect.SEND_UPDREQ,), Guard.PEER_WAS_POTENTIAL_CONFLICT),
            Branch(Target.SETTLE, (Effect.LOG_UNEXPECTED_CONFLICT_DONE,)),
        ),
        S.RECOVER: _go(S.RECOVER),
        S.SHUTDOWN: _TO_PD,
    }),
    **_peer_rows(S.CONFLICT_DONE, {
        **_each(_ALL, _go(Target.SETTLE, Effect.FATAL_CONFLICT_DONE)),
        S.NORMAL: _go(S.NORMAL),
        S.SHUTDOWN: _go(S.SHUTDOWN),
        S.POTENTIAL_CONFLICT: _SETTLE,
        S.RESOLUTION_INTERRUPTED: _SETTLE,
    }),
    **_peer_rows(S.PARTNER_DOWN, {
        S.RECOVER_DONE: _go(S.NORMAL),
        **_each((S.NORMAL, S.POTENTIAL_CONFLICT, S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED,
                 S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE), _TO_PC),
    }, prefix=(Branch(Target.SETTLE, guard=Guard.PEER_STARTUP_FLAG),)),
    **_peer_rows(S.COMMUNICATIONS_INTERRUPTED, {
        S.RECOVER: _TO_PD,
        **_each((S.NORMAL, S.COMMUNICATIONS_INTERRUPTED, S.RECOVER_DONE, S.RECOVER_WAIT),
                _go(S.NORMAL, Effect.SEND_QUEUED_UPDATES)),
        **_each((S.POTENTIAL_CONFLICT, S.PARTNER_DOWN, S.RESOLUTION_INTERRUPTED,
                 S.CONFLICT_DONE), _TO_PC),
        S.SHUTDOWN: _TO_PD,
    }),
    **_peer_rows(S.RESOLUTION_INTERRUPTED, {
        **_each((S.NORMAL, S.RECOVER, S.POTENTIAL_CONFLICT, S.PARTNER_DOWN,
                 S.COMMUNICATIONS_INTERRUPTED, S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE,
                 S.RECOVER_DONE, S.RECOVER_WAIT), _TO_PC),
        S.SHUTDOWN: _TO_PD,
    }),
    **_peer_rows(S.RECOVER_DONE, {
        S.RECOVER_DONE: _go(S.NORMAL, Effect.LOG_BOTH_RECOVER_DONE),
        S.NORMAL: _go(S.NORMAL),
        S.SHUTDOWN: _TO_PD,
    }),
    **_peer_rows(S.RECOVER_WAIT, {}),
    **_peer_rows(S.SHUTDOWN, {}),
    **_peer_rows(S.PAUSED, {}),
    **_peer_rows(S.UNKNOWN_STATE, {}),
}

_EVALUATE: Row = _go(Target.STAY, Effect.EVALUATE_AS_CHANGE)

_PEER_STATE_REPEATED: dict[ServerState, Row] = {
    S.STARTUP: (Branch(S.POTENTIAL_CONFLICT, guard=Guard.SAVED_RESOLUTION_INTERRUPTED),
                *_SETTLE),
    **_each((S.NORMAL, S.POTENTIAL_CONFLICT, S.RECOVER_DONE, S.SHUTDOWN, S.PAUSED,
             S.RECOVER_WAIT), _STAY),
    **_each((S.UNKNOWN_STATE, S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED,
             S.RESOLUTION_INTERRUPTED, S.RECOVER, S.CONFLICT_DONE), _EVALUATE),
}

_LINK_DOWN: dict[ServerState, Row] = {
    **_each(_SETTLED, _SETTLE),
    S.CONFLICT_DONE: _go(Target.SETTLE, Effect.RESCIND_UPDATES),
    S.POTENTIAL_CONFLICT: _go(S.RESOLUTION_INTERRUPTED),
    S.UNKNOWN_STATE: _go(S.RESOLUTION_INTERRUPTED),
    S.NORMAL: _go(S.COMMUNICATIONS_INTERRUPTED),
}

_UPDDONE: dict[ServerState, Row] = {
    **_each(_ALL, _STAY),
    S.RECOVER: (Branch(S.RECOVER_WAIT, guard=Guard.MCLT_PENDING_PEER_NOT_RECOVERING),
                *_go(S.RECOVER_DONE)),
    S.POTENTIAL_CONFLICT: (
        Branch(S.NORMAL, guard=Guard.PEER_CONFLICT_DONE_I_AM_SECONDARY),
        Branch(S.SHUTDOWN, (Effect.LOG_SECONDARY_CONFLICT_DONE,), Guard.PEER_CONFLICT_DONE),
        Branch(S.CONFLICT_DONE, guard=Guard.I_AM_PRIMARY),
        *_go(Target.STAY, Effect.LOG_SPURIOUS_UPDDONE),
    ),
    S.CONFLICT_DONE: _go(Target.STAY, Effect.LOG_SPURIOUS_UPDDONE),
}


def _by_state(event: Input, rows: dict[ServerState, Row]) -> dict[Key, Row]:
    return {(state, event, None): row for state, row in rows.items()}


TRANSITIONS: dict[Key, Row] = {
    **_by_state(Input.START, _each(_SETTLED, _go(S.STARTUP))),
    **_by_state(Input.LINK_UP, _each(_ALL, _go(Target.STAY, Effect.SEND_STATE))),
    **_by_state(Input.LINK_DOWN, _LINK_DOWN),
    **_PEER_STATE_ROWS,
    **_by_state(Input.PEER_STATE_REPEATED, _PEER_STATE_REPEATED),
    **_by_state(Input.PEER_STATE_INVALID,
                _each(_ALL, _go(S.SHUTDOWN))),
    **_by_state(Input.UPDDONE, _UPDDONE),
    **_by_state(Input.RECOVER_WAIT_ELAPSED, {S.RECOVER_WAIT: _go(S.RECOVER_DONE)}),
    **_by_state(Input.AUTO_PARTNER_DOWN_ELAPSED,
                {S.COMMUNICATIONS_INTERRUPTED: _go(S.PARTNER_DOWN)}),
    **_by_state(Input.ADMIN_PARTNER_DOWN, _each(_ALL, _go(S.PARTNER_DOWN))),
}

ENTRY_EFFECTS: dict[ServerState, tuple[tuple[Guard, Effect], ...]] = {
    S.NORMAL: ((Guard.ALWAYS, Effect.BALANCE_POOLS), (Guard.ALWAYS, Effect.SEND_QUEUED_UPDATES)),
    S.POTENTIAL_CONFLICT: ((Guard.PRIMARY_OR_PEER_CONFLICT_DONE, Effect.SEND_UPDREQ),),
    S.RECOVER: ((Guard.CONNECTED, Effect.SEND_UPDREQALL),),
    S.PARTNER_DOWN: ((Guard.ALWAYS, Effect.RESCHEDULE_EXPIRED),),
}

EXIT_EFFECTS: dict[ServerState, tuple[Effect, ...]] = {
    S.NORMAL: (Effect.RESCIND_UPDATES,),
    S.POTENTIAL_CONFLICT: (Effect.RESCIND_UPDATES,),
    S.PARTNER_DOWN: (Effect.RESCIND_UPDATES,),
}

# What the log effects say, in dhcpd's words (server/failover.c); `{name}` is the peer
# name, `{old}`/`{new}` the peer's previous and new state, `{mine}` my state.  A
# "fatal" line is one after which dhcpd exits.
EFFECT_LOG_LINES: dict[Effect, tuple[str, str]] = {
    Effect.LOG_REQUESTING_FULL_UPDATE: (
        "info", "failover peer {name}: requesting full update from peer"),
    Effect.LOG_INVALID_TRANSITION: (
        "error", "Peer {name}: Invalid state transition {old} to {new}."),
    Effect.LOG_PANIC_NORMAL_IN_CONFLICT: (
        "error", "Peer {name} moves to normal during conflict resolution - panic,"
        " shutting down."),
    Effect.LOG_UNEXPECTED_CONFLICT_DONE: (
        "error", "Peer {name}: Unexpected move to conflict-done."),
    Effect.LOG_BOTH_RECOVER_DONE: ("error", "Both servers have entered recover-done!"),
    Effect.LOG_SPURIOUS_UPDDONE: ("error", "Spurious update-done message."),
    Effect.LOG_SECONDARY_CONFLICT_DONE: (
        "error", "Secondary is in conflict_done state after conflict resolution,"
        " this is illegal."),
    Effect.FATAL_CONFLICT_DONE: (
        "fatal", "Peer {name}: Invalid attempt to move from {old} to {new} while local"
        " state is {mine}."),
}


def row_for(
    role: Role, state: ServerState, event: Input, peer: ServerState | None = None
) -> Row:
    """The row for `event` in `state`; a missing row is the caller's protocol error."""
    try:
        return TRANSITIONS[(state, event, peer)]
    except KeyError:
        raise FailoverProtocolError(role, state, event, peer) from None


def choose(row: Row, facts: GuardFacts) -> Branch:
    """The first branch of `row` whose guard holds (every row ends with ALWAYS)."""
    return next(branch for branch in row if guard_holds(branch.guard, facts))


def to_dot() -> str:
    """The state diagram as Graphviz dot, drawn from `TRANSITIONS` so it cannot drift.

    One edge per (from, to, input); a PEER_STATE edge lists the peer states that take
    it, and a guarded branch shows its guard in brackets."""
    labels: dict[tuple[ServerState, ServerState, Input], list[str]] = {}
    for (state, event, peer), row in TRANSITIONS.items():
        for branch in row:
            if isinstance(branch.next, Target):
                continue
            text = peer.record_state.value if peer is not None else ""
            if branch.guard is not Guard.ALWAYS:
                text = f"{text} [{branch.guard}]".strip()
            labels.setdefault((state, branch.next, event), []).append(text)
    lines = ["digraph failover {", "  rankdir=LR;"]
    for (state, target, event), texts in labels.items():
        detail = ", ".join(text for text in dict.fromkeys(texts) if text)
        label = f"{event}: {detail}" if detail else str(event)
        lines.append(
            f'  "{state.record_state}" -> "{target.record_state}" [label="{label}"];'
        )
    lines.append("}")
    return "\n".join(lines) + "\n"
