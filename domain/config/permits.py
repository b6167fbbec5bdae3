"""Pool permit lists (`allow …;` / `deny …;` inside a pool) and the test dhcpd applies.

A pool admits a client when its allow list is empty or some entry matches, and its deny
list is empty or no entry matches (server/dhcp.c `permitted`, used wherever a lease is
chosen).  The kinds and their spelling follow server/confpars.c `get_permit`.
"""

from __future__ import annotations

import datetime
from collections.abc import Collection, Sequence
from typing import Literal

from domain.config.frozen_model import FrozenModel

PermitKind = Literal[
    "known-clients",
    "unknown-clients",
    "all-clients",
    "dynamic-bootp-clients",
    "authenticated-clients",
    "unauthenticated-clients",
    "class",
    "after",
]

_SPELLING = {
    "known-clients": "known-clients",
    "unknown-clients": "unknown-clients",
    "all-clients": "all clients",
    "dynamic-bootp-clients": "dynamic bootp clients",
    "authenticated-clients": "authenticated clients",
    "unauthenticated-clients": "unauthenticated clients",
}


class PoolPermit(FrozenModel):
    """One permit term.  `class_name` is set for `members of "…"`, `after` (seconds
    since the epoch, UTC) for `after DATE`."""

    kind: PermitKind
    class_name: str | None = None
    after: int | None = None

    def describe(self) -> str:
        """The term as an administrator writes it after `allow`/`deny`."""
        if self.kind == "class":
            return f'members of "{self.class_name}"'
        if self.kind == "after":
            moment = datetime.datetime.fromtimestamp(self.after or 0, datetime.UTC)
            return f"after {moment:%w %Y/%m/%d %H:%M:%S}"
        return _SPELLING[self.kind]

    def matches(
        self, *, known: bool, bootp: bool, classes: Collection[str], now: int
    ) -> bool:
        """Whether this term matches a client.

        `classes` must hold the names of the classes the client matched and, for
        matched subclasses, their superclass names, since `members of "c"` admits
        members of c's subclasses.  Authentication is never implemented in dhcpd, so
        every client is unauthenticated.
        """
        if self.kind == "known-clients":
            return known
        if self.kind == "unknown-clients":
            return not known
        if self.kind == "all-clients":
            return True
        if self.kind == "dynamic-bootp-clients":
            return bootp
        if self.kind == "authenticated-clients":
            return False
        if self.kind == "unauthenticated-clients":
            return True
        if self.kind == "class":
            return self.class_name in classes
        return now > (self.after or 0)


def permits_admit(
    permit_list: Sequence[PoolPermit],
    prohibit_list: Sequence[PoolPermit],
    *,
    known: bool,
    bootp: bool,
    classes: Collection[str],
    now: int,
) -> bool:
    """dhcpd's pool admission test: some allow term matches (or there are none) and
    no deny term matches."""

    def matched(permit: PoolPermit) -> bool:
        return permit.matches(known=known, bootp=bootp, classes=classes, now=now)

    if permit_list and not any(matched(p) for p in permit_list):
        return False
    return not any(matched(p) for p in prohibit_list)
