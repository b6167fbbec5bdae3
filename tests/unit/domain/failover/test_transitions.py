"""The transition table against the spec (failover §6.3-§6.5), row by row.

The expectations below are written out from the spec's tables, not read back from
`TRANSITIONS`, so a wrong row fails here.  Guards are given facts through `outcome`.
"""

from __future__ import annotations

import itertools
from dataclasses import replace

import pytest

from domain.failover.states import Input, Role, ServerState
from domain.failover.transitions import (
    TRANSITIONS,
    Branch,
    Effect,
    FailoverProtocolError,
    Guard,
    GuardFacts,
    Target,
    choose,
    guard_holds,
    row_for,
    to_dot,
)

S = ServerState
SETTLE = Target.SETTLE
SETTLED = [state for state in S if state is not S.STARTUP]

BASE = GuardFacts(
    role=Role.PRIMARY,
    in_startup=False,
    saved_state=None,
    previous_partner=S.UNKNOWN_STATE,
    partner=S.UNKNOWN_STATE,
    peer_startup_flag=False,
    mclt_pending=False,
    connected=True,
)


def outcome(
    state: S, event: Input, peer: S | None = None, **facts: object
) -> Branch:
    given = {"partner": peer if peer is not None else BASE.partner, **facts}
    chosen = replace(BASE, **given)  # type: ignore[arg-type]
    return choose(row_for(Role.PRIMARY, state, event, peer), chosen)


# (my state, peer states, expected next, expected effects, facts) from spec §6.4.
PEER_STATE_SPEC: list[tuple[S, tuple[S, ...], S | Target, tuple[Effect, ...], dict]] = [
    (S.NORMAL, (S.NORMAL,), SETTLE, (Effect.CHECK_POOL_BALANCE,), {}),
    (S.NORMAL, (S.PARTNER_DOWN,), S.POTENTIAL_CONFLICT, (), {}),
    (S.NORMAL, (S.PARTNER_DOWN,), S.RECOVER, (), {"in_startup": True}),
    (S.NORMAL, (S.POTENTIAL_CONFLICT, S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE),
     S.SHUTDOWN, (Effect.LOG_INVALID_TRANSITION,), {}),
    (S.NORMAL, (S.RECOVER, S.SHUTDOWN), S.PARTNER_DOWN, (), {}),
    (S.NORMAL, (S.PAUSED,), S.COMMUNICATIONS_INTERRUPTED, (), {}),
    (S.NORMAL, (S.RECOVER_WAIT, S.RECOVER_DONE, S.UNKNOWN_STATE, S.STARTUP,
                S.COMMUNICATIONS_INTERRUPTED), SETTLE, (), {}),
    (S.RECOVER, (S.RECOVER,), SETTLE,
     (Effect.LOG_REQUESTING_FULL_UPDATE, Effect.SEND_UPDREQALL), {}),
    (S.RECOVER, (S.RECOVER,), SETTLE, (Effect.LOG_REQUESTING_FULL_UPDATE,),
     {"in_startup": True}),
    (S.RECOVER, (S.POTENTIAL_CONFLICT, S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE, S.NORMAL),
     S.POTENTIAL_CONFLICT, (), {}),
    (S.RECOVER, (S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED), SETTLE,
     (Effect.SEND_UPDREQALL,), {}),
    (S.RECOVER, (S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED), SETTLE, (),
     {"in_startup": True}),
    (S.RECOVER, (S.SHUTDOWN,), S.PARTNER_DOWN, (), {}),
    (S.RECOVER, (S.PAUSED, S.RECOVER_DONE, S.RECOVER_WAIT, S.UNKNOWN_STATE, S.STARTUP),
     SETTLE, (), {}),
    (S.POTENTIAL_CONFLICT, (S.NORMAL,), S.SHUTDOWN, (Effect.LOG_PANIC_NORMAL_IN_CONFLICT,), {}),
    (S.POTENTIAL_CONFLICT, (S.CONFLICT_DONE,), SETTLE, (Effect.SEND_UPDREQ,),
     {"previous_partner": S.POTENTIAL_CONFLICT}),
    (S.POTENTIAL_CONFLICT, (S.CONFLICT_DONE,), SETTLE, (Effect.LOG_UNEXPECTED_CONFLICT_DONE,),
     {"previous_partner": S.RECOVER}),
    (S.POTENTIAL_CONFLICT, (S.RECOVER,), S.RECOVER, (), {}),
    (S.POTENTIAL_CONFLICT, (S.SHUTDOWN,), S.PARTNER_DOWN, (), {}),
    (S.POTENTIAL_CONFLICT, (S.RECOVER_DONE, S.RECOVER_WAIT, S.POTENTIAL_CONFLICT,
                            S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED,
                            S.RESOLUTION_INTERRUPTED, S.PAUSED, S.UNKNOWN_STATE, S.STARTUP),
     SETTLE, (), {}),
    (S.CONFLICT_DONE, (S.NORMAL,), S.NORMAL, (), {}),
    (S.CONFLICT_DONE, (S.SHUTDOWN,), S.SHUTDOWN, (), {}),
    (S.CONFLICT_DONE, (S.POTENTIAL_CONFLICT, S.RESOLUTION_INTERRUPTED), SETTLE, (), {}),
    (S.CONFLICT_DONE, (S.UNKNOWN_STATE, S.STARTUP, S.COMMUNICATIONS_INTERRUPTED,
                       S.PARTNER_DOWN, S.RECOVER, S.PAUSED, S.RECOVER_DONE,
                       S.CONFLICT_DONE, S.RECOVER_WAIT),
     SETTLE, (Effect.FATAL_CONFLICT_DONE,), {}),
    (S.PARTNER_DOWN, (S.RECOVER, S.RECOVER_WAIT), SETTLE, (), {}),
    (S.PARTNER_DOWN, (S.RECOVER_DONE,), S.NORMAL, (), {}),
    (S.PARTNER_DOWN, (S.NORMAL, S.POTENTIAL_CONFLICT, S.PARTNER_DOWN,
                      S.COMMUNICATIONS_INTERRUPTED, S.RESOLUTION_INTERRUPTED,
                      S.CONFLICT_DONE), S.POTENTIAL_CONFLICT, (), {}),
    (S.PARTNER_DOWN, tuple(S), SETTLE, (), {"peer_startup_flag": True}),
    (S.PARTNER_DOWN, (S.SHUTDOWN, S.PAUSED, S.UNKNOWN_STATE, S.STARTUP), SETTLE, (), {}),
    (S.COMMUNICATIONS_INTERRUPTED, (S.RECOVER,), S.PARTNER_DOWN, (), {}),
    (S.COMMUNICATIONS_INTERRUPTED, (S.NORMAL, S.COMMUNICATIONS_INTERRUPTED, S.RECOVER_DONE,
                                    S.RECOVER_WAIT),
     S.NORMAL, (Effect.SEND_QUEUED_UPDATES,), {}),
    (S.COMMUNICATIONS_INTERRUPTED, (S.POTENTIAL_CONFLICT, S.PARTNER_DOWN,
                                    S.RESOLUTION_INTERRUPTED, S.CONFLICT_DONE),
     S.POTENTIAL_CONFLICT, (), {}),
    (S.COMMUNICATIONS_INTERRUPTED, (S.SHUTDOWN,), S.PARTNER_DOWN, (), {}),
    (S.COMMUNICATIONS_INTERRUPTED, (S.PAUSED, S.UNKNOWN_STATE, S.STARTUP), SETTLE, (), {}),
    (S.RESOLUTION_INTERRUPTED, (S.NORMAL, S.RECOVER, S.POTENTIAL_CONFLICT, S.PARTNER_DOWN,
                                S.COMMUNICATIONS_INTERRUPTED, S.RESOLUTION_INTERRUPTED,
                                S.CONFLICT_DONE, S.RECOVER_DONE, S.RECOVER_WAIT),
     S.POTENTIAL_CONFLICT, (), {}),
    (S.RESOLUTION_INTERRUPTED, (S.SHUTDOWN,), S.PARTNER_DOWN, (), {}),
    (S.RESOLUTION_INTERRUPTED, (S.PAUSED, S.UNKNOWN_STATE, S.STARTUP), SETTLE, (), {}),
    (S.RECOVER_DONE, (S.RECOVER_DONE,), S.NORMAL, (Effect.LOG_BOTH_RECOVER_DONE,), {}),
    (S.RECOVER_DONE, (S.NORMAL,), S.NORMAL, (), {}),
    (S.RECOVER_DONE, (S.SHUTDOWN,), S.PARTNER_DOWN, (), {}),
    (S.RECOVER_DONE, (S.POTENTIAL_CONFLICT, S.PARTNER_DOWN, S.COMMUNICATIONS_INTERRUPTED,
                      S.RESOLUTION_INTERRUPTED, S.PAUSED, S.RECOVER, S.RECOVER_WAIT,
                      S.UNKNOWN_STATE, S.STARTUP, S.CONFLICT_DONE), SETTLE, (), {}),
    *[(mine, tuple(S), SETTLE, (), {})
      for mine in (S.RECOVER_WAIT, S.SHUTDOWN, S.PAUSED, S.UNKNOWN_STATE)],
]


@pytest.mark.parametrize(("mine", "peers", "expected", "effects", "facts"), PEER_STATE_SPEC)
def test_peer_state_rows_follow_the_spec(
    mine: S, peers: tuple[S, ...], expected: S | Target, effects: tuple[Effect, ...],
    facts: dict,
) -> None:
    for peer in peers:
        branch = outcome(mine, Input.PEER_STATE, peer, **facts)
        assert (branch.next, branch.effects) == (expected, effects), peer


def test_the_peer_state_spec_names_every_pair() -> None:
    named = {(mine, peer) for mine, peers, *_ in PEER_STATE_SPEC for peer in peers}
    assert named == set(itertools.product(SETTLED, S))


DISCONNECT_SPEC = {
    S.NORMAL: (S.COMMUNICATIONS_INTERRUPTED, ()),
    S.POTENTIAL_CONFLICT: (S.RESOLUTION_INTERRUPTED, ()),
    S.UNKNOWN_STATE: (S.RESOLUTION_INTERRUPTED, ()),
    S.CONFLICT_DONE: (SETTLE, (Effect.RESCIND_UPDATES,)),
    **{state: (SETTLE, ()) for state in (
        S.COMMUNICATIONS_INTERRUPTED, S.PARTNER_DOWN, S.PAUSED, S.RECOVER, S.RECOVER_DONE,
        S.RECOVER_WAIT, S.RESOLUTION_INTERRUPTED, S.SHUTDOWN)},
}


@pytest.mark.parametrize("mine", SETTLED)
def test_disconnect_rows_follow_the_spec(mine: S) -> None:
    branch = outcome(mine, Input.LINK_DOWN)
    assert (branch.next, branch.effects) == DISCONNECT_SPEC[mine]


UPDDONE_SPEC: list[tuple[S, dict, S | Target, tuple[Effect, ...]]] = [
    (S.RECOVER, {"mclt_pending": True, "partner": S.NORMAL}, S.RECOVER_WAIT, ()),
    (S.RECOVER, {"mclt_pending": True, "partner": S.RECOVER}, S.RECOVER_DONE, ()),
    (S.RECOVER, {"mclt_pending": True, "partner": S.RECOVER_DONE}, S.RECOVER_DONE, ()),
    (S.RECOVER, {"mclt_pending": False, "partner": S.PARTNER_DOWN}, S.RECOVER_DONE, ()),
    (S.POTENTIAL_CONFLICT, {"partner": S.CONFLICT_DONE, "role": Role.SECONDARY}, S.NORMAL, ()),
    (S.POTENTIAL_CONFLICT, {"partner": S.CONFLICT_DONE}, S.SHUTDOWN,
     (Effect.LOG_SECONDARY_CONFLICT_DONE,)),
    (S.POTENTIAL_CONFLICT, {"partner": S.POTENTIAL_CONFLICT}, S.CONFLICT_DONE, ()),
    (S.POTENTIAL_CONFLICT, {"partner": S.POTENTIAL_CONFLICT, "role": Role.SECONDARY},
     Target.STAY, (Effect.LOG_SPURIOUS_UPDDONE,)),
    (S.CONFLICT_DONE, {}, Target.STAY, (Effect.LOG_SPURIOUS_UPDDONE,)),
    *[(state, {}, Target.STAY, ()) for state in S
      if state not in (S.RECOVER, S.POTENTIAL_CONFLICT, S.CONFLICT_DONE)],
]


@pytest.mark.parametrize(("mine", "facts", "expected", "effects"), UPDDONE_SPEC)
def test_upddone_rows_follow_the_spec(
    mine: S, facts: dict, expected: S | Target, effects: tuple[Effect, ...]
) -> None:
    branch = outcome(mine, Input.UPDDONE, **facts)
    assert (branch.next, branch.effects) == (expected, effects)


@pytest.mark.parametrize("mine", list(S))
def test_a_repeated_peer_state_is_ignored_only_where_isc_ignores_it(mine: S) -> None:
    branch = outcome(mine, Input.PEER_STATE_REPEATED, saved_state=S.NORMAL)
    if mine is S.STARTUP:
        assert branch.next is SETTLE
        resolved = outcome(mine, Input.PEER_STATE_REPEATED,
                           saved_state=S.RESOLUTION_INTERRUPTED)
        assert resolved.next is S.POTENTIAL_CONFLICT
    elif mine in (S.NORMAL, S.POTENTIAL_CONFLICT, S.RECOVER_DONE, S.SHUTDOWN, S.PAUSED,
                  S.RECOVER_WAIT):
        assert (branch.next, branch.effects) == (Target.STAY, ())
    else:
        assert branch.effects == (Effect.EVALUATE_AS_CHANGE,)


@pytest.mark.parametrize("mine", list(S))
def test_simple_inputs(mine: S) -> None:
    assert outcome(mine, Input.PEER_STATE_INVALID).next is S.SHUTDOWN
    assert outcome(mine, Input.ADMIN_PARTNER_DOWN).next is S.PARTNER_DOWN
    assert outcome(mine, Input.LINK_UP) == Branch(Target.STAY, (Effect.SEND_STATE,))
    if mine is not S.STARTUP:
        assert outcome(mine, Input.START).next is S.STARTUP


def test_timers_move_only_their_own_state() -> None:
    assert outcome(S.RECOVER_WAIT, Input.RECOVER_WAIT_ELAPSED).next is S.RECOVER_DONE
    assert outcome(S.COMMUNICATIONS_INTERRUPTED,
                   Input.AUTO_PARTNER_DOWN_ELAPSED).next is S.PARTNER_DOWN


def _expected_keys() -> set[tuple[S, Input, S | None]]:
    every = list(S)
    per_state = {
        Input.START: SETTLED, Input.LINK_UP: every, Input.LINK_DOWN: SETTLED,
        Input.PEER_STATE_REPEATED: every, Input.PEER_STATE_INVALID: every,
        Input.UPDDONE: every, Input.RECOVER_WAIT_ELAPSED: [S.RECOVER_WAIT],
        Input.AUTO_PARTNER_DOWN_ELAPSED: [S.COMMUNICATIONS_INTERRUPTED],
        Input.ADMIN_PARTNER_DOWN: every,
    }
    keys: set[tuple[S, Input, S | None]] = {
        (state, event, None) for event, states in per_state.items() for state in states
    }
    keys |= {(mine, Input.PEER_STATE, peer) for mine in SETTLED for peer in S}
    return keys


def test_the_table_has_exactly_the_rows_the_spec_names() -> None:
    assert set(TRANSITIONS) == _expected_keys()


def test_every_missing_combination_is_a_protocol_error_naming_role_state_and_input() -> None:
    expected = _expected_keys()
    peers: list[S | None] = [None, *S]
    missing = [
        key for key in itertools.product(S, Input, peers) if key not in expected
    ]
    assert missing
    for state, event, peer in missing:
        with pytest.raises(FailoverProtocolError) as caught:
            row_for(Role.SECONDARY, state, event, peer)
        message = str(caught.value)
        assert "secondary" in message
        assert str(state.record_state) in message
        assert str(event) in message
        assert (caught.value.state, caught.value.event) == (state, event)


FACT_SPACE = [
    GuardFacts(role, startup, saved, previous, partner, flag, pending, connected)
    for role, startup, saved, previous, partner, flag, pending, connected in itertools.product(
        Role, (False, True), (S.NORMAL, S.RESOLUTION_INTERRUPTED),
        (S.UNKNOWN_STATE, S.POTENTIAL_CONFLICT), (S.NORMAL, S.RECOVER, S.CONFLICT_DONE),
        (False, True), (False, True), (False, True),
    )
]


@pytest.mark.parametrize("key", sorted(TRANSITIONS, key=str))
def test_every_branch_of_every_row_is_reachable_and_rows_end_unguarded(
    key: tuple[S, Input, S | None],
) -> None:
    row = TRANSITIONS[key]
    assert row[-1].guard is Guard.ALWAYS
    chosen = {choose(row, facts) for facts in FACT_SPACE}
    assert chosen == set(row)


def test_guards_mean_what_they_say() -> None:
    assert guard_holds(Guard.PRIMARY_OR_PEER_CONFLICT_DONE, BASE)
    secondary = replace(BASE, role=Role.SECONDARY)
    assert not guard_holds(Guard.PRIMARY_OR_PEER_CONFLICT_DONE, secondary)
    assert guard_holds(
        Guard.PRIMARY_OR_PEER_CONFLICT_DONE, replace(secondary, partner=S.CONFLICT_DONE)
    )
    assert guard_holds(Guard.CONNECTED, BASE)
    assert not guard_holds(Guard.CONNECTED, replace(BASE, connected=False))


def test_the_diagram_is_drawn_from_the_table() -> None:
    dot = to_dot()
    assert dot.startswith("digraph failover {")
    assert '"normal" -> "communications-interrupted" [label="link-down"];' in dot
    assert '"recover" -> "recover-wait" [label="upddone: [stos+MCLT > now and' in dot
    edges = {
        (state, branch.next)
        for (state, _, _), row in TRANSITIONS.items()
        for branch in row
        if isinstance(branch.next, S)
    }
    for state, target in edges:
        assert f'"{state.record_state}" -> "{target.record_state}"' in dot
    assert dot.count(" -> ") >= len(edges)


def test_server_states_carry_isc_codes_and_lease_file_words() -> None:
    codes = {state.record_state.value: int(state) for state in S}
    assert codes == {
        "unknown-state": 0, "startup": 1, "normal": 2, "communications-interrupted": 3,
        "partner-down": 4, "potential-conflict": 5, "recover": 6, "paused": 7,
        "shutdown": 8, "recover-done": 9, "resolution-interrupted": 10,
        "conflict-done": 11, "recover-wait": 254,
    }
    assert all(S.from_record(state.record_state) is state for state in S)
    assert S.from_wire(254) is S.RECOVER_WAIT
    assert S.from_wire(12) is None
