"""`on expiry` / `on release` bodies: which transition runs which (dhcpd's
`make_binding_state_transition` and `release_lease`), how an ACK records them on the
lease, and what running one produces."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import pytest

from adapters.dhcpdconf.statement_body import parse_statement_body
from domain.config.statements import Statement
from domain.dhcp_decision import LogLevel
from domain.dhcp_packet import MessageType
from domain.lease import BindingState, Hardware, Lease
from domain.lease_event_bodies import body_decision, body_text, fired_body, with_event_bodies
from tests.unit.domain.conftest import dhcp_packet

MakeServer = Callable[..., Any]
S = BindingState
EXPIRY_TEXT = '\n    log (info, "expiry");\n  '
RELEASE_TEXT = '\n    log (info, "release");\n  '
MAC = Hardware(1, bytes.fromhex("020000000001"))
BOUND = Lease("10.0.0.100", starts=100, ends=1000, binding_state=S.ACTIVE, hardware=MAC,
              bindings=(("who", b"pc-1"),), on_expiry=EXPIRY_TEXT, on_release=RELEASE_TEXT)


def body(text: str) -> tuple[Statement, ...]:
    return parse_statement_body(text)


def moved(old: Lease, state: BindingState) -> Lease:
    return old.replace(binding_state=state)


@pytest.mark.parametrize(("before", "after", "failover", "event"), [
    # Without a peer: active to anything but released is an expiry.
    (S.ACTIVE, S.FREE, False, "expiry"),
    (S.ACTIVE, S.EXPIRED, False, "expiry"),
    (S.ACTIVE, S.ABANDONED, False, "expiry"),
    (S.ACTIVE, S.RELEASED, False, "release"),
    (S.EXPIRED, S.FREE, False, None),
    (S.ACTIVE, S.ACTIVE, False, None),
    # With a peer: only reaching free or backup ends the lease.
    (S.ACTIVE, S.EXPIRED, True, None),
    (S.EXPIRED, S.FREE, True, "expiry"),
    (S.ACTIVE, S.BACKUP, True, "expiry"),
    (S.RELEASED, S.FREE, True, "release"),
    (S.RELEASED, S.BACKUP, True, "release"),
    (S.ACTIVE, S.ABANDONED, True, None),
    (S.RESET, S.FREE, True, None),
])
def test_which_transition_runs_which_body(before: BindingState, after: BindingState,
                                          failover: bool, event: str | None) -> None:
    old = moved(BOUND, before)
    fired = fired_body(old, moved(old, after), released=False, failover=failover)
    expected = None if event is None else (
        event, EXPIRY_TEXT if event == "expiry" else RELEASE_TEXT)
    assert fired == expected


def test_a_release_runs_the_release_body_only_and_none_when_there_is_none() -> None:
    freed = moved(BOUND, S.FREE)
    assert fired_body(BOUND, freed, released=True, failover=False) == ("release", RELEASE_TEXT)
    assert fired_body(BOUND.replace(on_release=None), freed, released=True,
                      failover=False) is None
    assert fired_body(BOUND.replace(on_expiry=None), freed, released=False,
                      failover=False) is None


def test_running_a_body_sees_the_lease_and_places_its_commands() -> None:
    statements = body(
        'log(info, concat(who, " at ", binary-to-ascii(10, 8, ".", leased-address)));'
        ' execute("/bin/echo", binary-to-ascii(16, 8, ":", substring(hardware, 1, 6)));'
        ' log(error, "after");')
    output = body_decision(statements, BOUND, now=2000)
    assert [(line.level, line.text) for line in output.log] == [
        (LogLevel.INFO, "pc-1 at 10.0.0.100"),
        (LogLevel.DEBUG, "execute_statement argv[0] = /bin/echo"),
        (LogLevel.DEBUG, "execute_statement argv[1] = 2:0:0:0:0:1"),
        (LogLevel.ERROR, "after"),
    ]
    (command,) = output.commands
    assert (command.at, command.command, command.arguments) == (3, "/bin/echo", (b"2:0:0:0:0:1",))
    assert output.reply is None and output.changes == ()


def test_recording_bodies_keeps_what_is_not_named_and_clears_what_is_empty() -> None:
    expiry, release = body('log(info, "new expiry");'), body('log(info, "new release");')
    assert with_event_bodies(BOUND, None, None) is BOUND
    renamed = with_event_bodies(BOUND, expiry, None)
    assert renamed.on_expiry == '\n    log (info, "new expiry");\n  '
    assert renamed.on_release == RELEASE_TEXT and not renamed.on_expiry_or_release
    cleared = with_event_bodies(BOUND, (), release)
    assert cleared.on_expiry is None
    assert cleared.on_release == '\n    log (info, "new release");\n  '


def test_one_expiry_or_release_block_stays_one_block() -> None:
    (on,) = body('on expiry or release { log(info, "gone"); }')
    shared = with_event_bodies(BOUND, on.body, on.body)  # type: ignore[attr-defined]
    assert shared.on_expiry == shared.on_release == '\n    log (info, "gone");\n  '
    assert shared.on_expiry_or_release


def test_a_body_without_text_is_not_recorded_and_its_text_is_made_once() -> None:
    (define,) = body("define twice (word) { return concat(word, word); }")
    assert body_text((define,)) is None
    statements = body('log(info, "x");')
    assert body_text(statements) is body_text(statements)


BODIES_CONF = """
authoritative;
ping-check false;
default-lease-time 600;
max-lease-time 600;
subnet 10.0.0.0 netmask 255.255.255.0 {
  range 10.0.0.100 10.0.0.104;
  on expiry { log(info, concat("expired ", binary-to-ascii(10, 8, ".", leased-address))); }
  on release { execute("/bin/true"); }
}
"""


def test_the_ack_records_the_bodies_the_offer_does_not(make_server: MakeServer) -> None:
    server = make_server(BODIES_CONF)
    ack = server.dora(bytes.fromhex("020000000007"))
    (change,) = ack.changes
    assert change.lease.on_expiry is not None and "expired " in change.lease.on_expiry
    assert change.lease.on_release == '\n    execute ("/bin/true");\n  '
    assert not change.lease.on_expiry_or_release
    offered = make_server(BODIES_CONF).send(
        dhcp_packet(MessageType.DHCPDISCOVER, bytes.fromhex("020000000008")))
    assert all(held.on_expiry is None and held.on_release is None for held in offered.holds)


def test_an_on_expiry_inside_the_on_commit_body_is_recorded_too(
    make_server: MakeServer,
) -> None:
    server = make_server(BODIES_CONF.replace(
        "  on release { execute(\"/bin/true\"); }",
        "  on commit { on release { log(info, \"from commit\"); } }"))
    (change,) = server.dora(bytes.fromhex("020000000009")).changes
    assert change.lease.on_release == '\n    log (info, "from commit");\n  '
    assert change.lease.on_expiry is not None
