"""Which leases fall due next, and when.

The server's lease timer (active -> expired/free, abandoned -> free) must find the
next lease to end without scanning the table; dhcpd keeps its active queue sorted by
`ends` for the same reason.  Only states that change by themselves when `ends` passes
are queued.
"""

from __future__ import annotations

from sortedcontainers import SortedList

from domain.lease import NEVER, BindingState, Lease
from projections.addresses import ip_number, ip_text

_TIMED_STATES = frozenset({BindingState.ACTIVE, BindingState.ABANDONED})
_IP_BITS = 0xFFFFFFFF


class ExpiryQueue:
    """Every lease that will change state when its time is up, ordered by (ends, ip).

    Each entry is one number, `ends << 32 | ip`, which sorts exactly as the pair would:
    a queue of 100,000 leases then costs one int each instead of a tuple and two ints."""

    def __init__(self) -> None:
        self._queue: SortedList = SortedList()
        self._key_of: dict[int, int] = {}  # ip -> its entry in the queue

    def __len__(self) -> int:
        return len(self._queue)

    def apply(self, lease: Lease) -> None:
        ip = ip_number(lease.ip)
        old = self._key_of.pop(ip, None)
        if old is not None:
            self._queue.discard(old)
        if lease.binding_state in _TIMED_STATES and lease.ends and lease.ends != NEVER:
            key = lease.ends << 32 | ip
            self._queue.add(key)
            self._key_of[ip] = key

    def next_deadline(self) -> int | None:
        """When the next lease ends (seconds since the epoch), or None."""
        return self._queue[0] >> 32 if self._queue else None

    def due(self, now: int) -> list[str]:
        """The addresses whose `ends` is at or before `now`, earliest first."""
        return [ip_text(key & _IP_BITS) for key in self._queue.irange(maximum=now << 32 | _IP_BITS)]
