"""The failover partner never crashes on what a peer sends, whatever it sends and when.

A connected pair (two `FailoverPartner`s back to back, tests/failover_pair.py) is
handed a drawn sequence of events: any well-formed message of any type with any
option values (what a confused, buggy or hostile peer can put on the wire once the
codec has accepted it), on the live connection or one that is not; connections made
and lost; the operator's partner-down; timers firing as time goes on; lease changes
of our own.  Each side answers as it does on a real link, its transmissions reaching
the other side.  Nothing may raise, the exchange must settle (no endless ping-pong),
and every store the partner asks for must name an address of its pool.
"""

from __future__ import annotations

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from domain.failover.partner import FailoverPartner, PartnerAction, StoreLease
from domain.lease import BindingState, Hardware, Lease
from tests.failover_message_strategies import messages_naming
from tests.failover_pair import POOL, T0, Pair

SETTINGS = settings(max_examples=150, deadline=None,
                    suppress_health_check=[HealthCheck.too_slow])
ROLES = st.sampled_from(["primary", "secondary"])
MAX_ACTIONS = 20_000  # far more than any settled exchange of this pool needs

events = st.one_of(
    st.tuples(st.just("message"), ROLES, st.integers(1, 3), messages_naming(POOL)),
    st.tuples(st.just("made"), ROLES, st.integers(1, 3)),
    st.tuples(st.just("lost"), ROLES, st.integers(1, 3)),
    st.tuples(st.just("partner-down"), ROLES),
    st.tuples(st.just("lease"), ROLES, st.sampled_from(POOL), st.integers(0, 5)),
    st.tuples(st.just("time"), st.integers(1, 400)),
)


class Bounded(Pair):
    """The pair's runner, counting what it carries so a livelock fails the test."""

    carried = 0

    def _carry(self, role: str, other: str, action: PartnerAction, now: int) -> None:
        self.carried += 1
        assert self.carried < MAX_ACTIONS, "the two sides never settle"
        if isinstance(action, StoreLease):
            assert action.change.lease.ip in POOL, action
        super()._carry(role, other, action, now)


def step(pair: Bounded, event: tuple, now: int) -> None:
    kind, *rest = event
    partner: FailoverPartner
    if kind == "message":
        role, link, message = rest
        partner = pair.partners[role]
        actions = partner.carry(partner.session.message_received(link, message, now), now)
    elif kind in ("made", "lost"):
        role, link = rest
        partner = pair.partners[role]
        session = partner.session
        made = session.connection_made if kind == "made" else session.connection_lost
        actions = partner.carry(made(link, now), now)
    elif kind == "partner-down":
        partner = pair.partners[rest[0]]
        actions = partner.carry(partner.session.partner_down(now), now)
    else:  # "lease": a change of our own, made durable
        role, ip, octet = rest
        partner = pair.partners[role]
        lease = Lease(ip=ip, starts=now, ends=now + 600, cltt=now,
                      binding_state=BindingState.ACTIVE,
                      hardware=Hardware(1, bytes([2, 0, 0, 0, 0, octet])))
        pair.leases[role].records[ip] = lease
        actions = partner.lease_stored(lease, now)
    pair._queue.append((role if kind != "partner-down" else rest[0], actions))
    pair.run(now)


def fire_timers(pair: Bounded, now: int) -> None:
    for role, partner in pair.partners.items():
        pair._queue.append((role, partner.carry(partner.session.handle_timer(now), now)))
        pair._queue.append((role, partner.balance_due(now)))
    pair.run(now)


@SETTINGS
@given(st.lists(events, max_size=30))
def test_any_message_at_any_moment_is_answered_without_a_crash(steps: list[tuple]) -> None:
    pair = Bounded()
    pair.connect()
    now = T0
    for event in steps:
        if event[0] == "time":
            now += event[1]
            fire_timers(pair, now)
        else:
            step(pair, event, now)
    fire_timers(pair, now + 3600)  # and whatever was due
    assert pair.carried > 0  # the pair did exchange (connect alone carries messages)
