"""Lease history: who had an address when, and what a client held over time.

This is what dhcpd throws away at every hourly rewrite and leaseledger keeps: every
event of every segment, in order.  `audit` turns the events of one address, MAC or
client identifier into a timeline an administrator can read ("who had 10.0.0.111 last
Tuesday at 14:05?"), and `leases --at` replays the log up to a moment to show the lease
table as it stood then.  Both read the events once, in log order.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import datetime

from domain.lease import BindingState, Hardware, Lease
from domain.lease_events import Carried, LeaseEvent


@dataclass(frozen=True)
class Subject:
    """What an audit asks about: an address, a hardware address or a client id."""

    kind: str  # "ip" | "hardware" | "client-id"
    ip: str | None = None
    hardware: bytes | None = None
    client_id: bytes | None = None

    @classmethod
    def parse(cls, text: str) -> Subject:
        """An IPv4 address, a 6-octet MAC (`aa:bb:cc:dd:ee:ff`), or a client id as
        colon hex (`1:2:0:0:0:0:71`) or, failing that, as literal text."""
        try:
            return cls("ip", ip=str(ipaddress.IPv4Address(text)))
        except ValueError:
            pass
        octets = _colon_hex(text)
        if octets is not None and len(octets) == 6:
            return cls("hardware", hardware=octets)
        if octets is not None:
            return cls("client-id", client_id=octets)
        return cls("client-id", client_id=text.encode("latin-1", "replace"))

    def matches(self, lease: Lease) -> bool:
        if self.kind == "ip":
            return lease.ip == self.ip
        if self.kind == "hardware":
            return lease.hardware is not None and lease.hardware.address == self.hardware
        return lease.uid == self.client_id


def _colon_hex(text: str) -> bytes | None:
    parts = text.split(":")
    if len(parts) < 2 or not all(1 <= len(p) <= 2 for p in parts):
        return None
    try:
        return bytes(int(p, 16) for p in parts)
    except ValueError:
        return None


@dataclass(frozen=True)
class TimelineEntry:
    """One line of an audit: what happened to which address, and why."""

    time: datetime
    event: str
    ip: str
    previous_state: BindingState | None
    state: BindingState | None
    hardware: Hardware | None
    client_id: bytes | None
    client_hostname: str | None
    starts: int | None
    ends: int | None
    cause: str
    segment: str
    position: int


def timeline(
    events: Iterable[tuple[str, int, LeaseEvent]],
    subject: Subject,
    *,
    since: datetime | None = None,
    until: datetime | None = None,
) -> Iterator[TimelineEntry]:
    """The entries for `subject`, in log order, checkpoint copies left out.  An event
    counts for a MAC or client id when either the record before it or the record it
    makes belongs to that client, so the moment a client loses an address shows in
    its own timeline too."""
    previous: dict[str, Lease] = {}
    for segment, position, event in events:
        lease = event.lease
        before = previous.get(lease.ip)
        previous[lease.ip] = lease
        if isinstance(event, Carried):
            continue  # a new segment's copy of the state, not something that happened
        if not (subject.matches(lease) or (before is not None and subject.matches(before))):
            continue
        if since is not None and event.timestamp < since:
            continue
        if until is not None and event.timestamp > until:
            continue
        yield TimelineEntry(
            time=event.timestamp,
            event=type(event).__name__,
            ip=lease.ip,
            previous_state=before.binding_state if before is not None else None,
            state=lease.binding_state,
            hardware=lease.hardware,
            client_id=lease.uid,
            client_hostname=lease.client_hostname,
            starts=lease.starts,
            ends=lease.ends,
            cause=event.cause,
            segment=segment,
            position=position,
        )


def leases_at(events: Iterable[tuple[str, int, LeaseEvent]], moment: datetime) -> list[Lease]:
    """The lease table as it stood at `moment`: the last record of each address whose
    event happened at or before then, in address order."""
    table: dict[str, Lease] = {}
    for _segment, _position, event in events:
        if event.timestamp <= moment:
            table[event.lease.ip] = event.lease
    return sorted(table.values(), key=lambda lease: ipaddress.IPv4Address(lease.ip))
