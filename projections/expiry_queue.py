"""Which leases fall due next, and when.

The server's lease timer (active -> expired/free, abandoned -> free) must find the
next lease to end without scanning the table; dhcpd keeps its active queue sorted by
`ends` for the same reason.  Only states that change by themselves when `ends` passes
are queued.
"""

from __future__ import annotations

import ipaddress

from sortedcontainers import SortedList

from domain.lease import NEVER, BindingState, Lease

_TIMED_STATES = frozenset({BindingState.ACTIVE, BindingState.ABANDONED})


class ExpiryQueue:
    """(ends, ip) for every lease that will change state when its time is up."""

    def __init__(self) -> None:
        self._queue: SortedList = SortedList()
        self._ends: dict[int, int] = {}

    def __len__(self) -> int:
        return len(self._queue)

    def apply(self, lease: Lease) -> None:
        ip = int(ipaddress.IPv4Address(lease.ip))
        old = self._ends.pop(ip, None)
        if old is not None:
            self._queue.discard((old, ip))
        if lease.binding_state in _TIMED_STATES and lease.ends and lease.ends != NEVER:
            self._queue.add((lease.ends, ip))
            self._ends[ip] = lease.ends

    def next_deadline(self) -> int | None:
        """When the next lease ends (seconds since the epoch), or None."""
        return self._queue[0][0] if self._queue else None

    def due(self, now: int) -> list[str]:
        """The addresses whose `ends` is at or before `now`, earliest first."""
        return [
            str(ipaddress.IPv4Address(ip))
            for _, ip in self._queue.irange(maximum=(now, 0xFFFFFFFF))
        ]
