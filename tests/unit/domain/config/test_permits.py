"""Pool permit lists: spelling and ISC's `permitted` test."""

from __future__ import annotations

import pytest

from domain.config.permits import PoolPermit, permits_admit

KNOWN = PoolPermit(kind="known-clients")
UNKNOWN = PoolPermit(kind="unknown-clients")
BOOTP = PoolPermit(kind="dynamic-bootp-clients")


def admit(allow: list[PoolPermit], deny: list[PoolPermit], **facts: object) -> bool:
    client = {"known": False, "bootp": False, "classes": (), "now": 0}
    client.update(facts)
    return permits_admit(allow, deny, **client)  # type: ignore[arg-type]


@pytest.mark.parametrize(
    ("permit", "text"),
    [
        (KNOWN, "known-clients"),
        (UNKNOWN, "unknown-clients"),
        (PoolPermit(kind="all-clients"), "all clients"),
        (BOOTP, "dynamic bootp clients"),
        (PoolPermit(kind="unauthenticated-clients"), "unauthenticated clients"),
        (PoolPermit(kind="class", class_name="voip"), 'members of "voip"'),
        (PoolPermit(kind="after", after=1704067200), "after 1 2024/01/01 00:00:00"),
    ],
)
def test_terms_are_spelled_as_in_dhcpd_conf(permit: PoolPermit, text: str) -> None:
    assert permit.describe() == text


def test_a_pool_without_lists_admits_everyone() -> None:
    assert admit([], [], known=True)
    assert admit([], [], known=False, bootp=True)


def test_allow_known_clients_admits_only_known_clients() -> None:
    assert admit([KNOWN], [], known=True)
    assert not admit([KNOWN], [], known=False)


def test_deny_unknown_clients_refuses_unknown_clients() -> None:
    assert admit([], [UNKNOWN], known=True)
    assert not admit([], [UNKNOWN], known=False)


def test_a_deny_match_wins_over_an_allow_match() -> None:
    assert not admit([PoolPermit(kind="all-clients")], [BOOTP], bootp=True)
    assert admit([PoolPermit(kind="all-clients")], [BOOTP], bootp=False)


def test_members_of_a_class_match_by_name() -> None:
    voip = PoolPermit(kind="class", class_name="voip")
    assert admit([voip], [], classes={"voip"})
    assert not admit([voip], [], classes={"printers"})


def test_after_matches_only_later_than_the_date() -> None:
    after = PoolPermit(kind="after", after=1000)
    assert not admit([after], [], now=1000)
    assert admit([after], [], now=1001)


def test_nobody_is_authenticated() -> None:
    assert not admit([PoolPermit(kind="authenticated-clients")], [], known=True)
    assert admit([PoolPermit(kind="unauthenticated-clients")], [], known=True)
