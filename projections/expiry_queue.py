"""Which leases fall due next, and when.

The server's lease timer (active -> expired/free, abandoned -> free) must find the
next lease to end without scanning the table; dhcpd keeps its active queue sorted by
`ends` for the same reason.  Only states that change by themselves when `ends` passes
are queued.
"""

from __future__ import annotations

from collections.abc import Sequence

from sortedcontainers import SortedList

from domain.lease import NEVER, BindingState, Lease
from projections.addresses import ip_number, ip_text

_TIMED_STATES = frozenset({BindingState.ACTIVE, BindingState.ABANDONED})
_IP_BITS = 0xFFFFFFFF


class ExpiryQueue:
    """Every lease that will change state when its time is up, ordered by (ends, ip).

    Each entry is one number, `ends << 32 | ip`, which sorts exactly as the pair would:
    a queue of 100,000 leases then costs one int each instead of a tuple and two ints."""

    def __init__(self, *, told_replaced: bool = False) -> None:
        """`told_replaced`: every `apply` names the record it replaces (the lease view
        knows it: its table hands it back), so the queue needs no map of its own from
        address to entry, which would cost about 80 bytes a lease."""
        self._queue: SortedList = SortedList()
        self._key_of: dict[int, int] | None = None if told_replaced else {}

    def __len__(self) -> int:
        return len(self._queue)

    def apply(self, lease: Lease, replaced: Lease | None = None) -> None:
        """Queue `lease` in place of its address's previous entry.  `replaced` (only
        read by a queue made `told_replaced`) is the record that `lease` replaces,
        None when the address had none."""
        ip = ip_number(lease.ip)
        if self._key_of is None:
            old = None if replaced is None else _entry(replaced, ip)
        else:
            old = self._key_of.pop(ip, None)
        if old is not None:
            self._queue.discard(old)
        key = _entry(lease, ip)
        if key is not None:
            self._queue.add(key)
            if self._key_of is not None:
                self._key_of[ip] = key

    def load(
        self,
        ips: Sequence[int],
        states: Sequence[BindingState | None],
        ends: Sequence[int | None],
    ) -> None:
        """Startup: queue every address (number, binding state and ends in three
        columns) at once: one sort instead of 100,000 inserts.  The queue must be empty."""
        if self._queue:
            raise ValueError("only an empty expiry queue is loaded")
        keys = [end << 32 | ip for ip, state, end in zip(ips, states, ends, strict=True)
                if state in _TIMED_STATES and end is not None and end != NEVER]
        self._queue.update(keys)
        if self._key_of is not None:
            self._key_of.update((key & _IP_BITS, key) for key in keys)

    def next_deadline(self) -> int | None:
        """When the next lease ends (seconds since the epoch), or None."""
        return self._queue[0] >> 32 if self._queue else None

    def due(self, now: int) -> list[str]:
        """The addresses whose `ends` is at or before `now`, earliest first."""
        return [ip_text(key & _IP_BITS) for key in self._queue.irange(maximum=now << 32 | _IP_BITS)]


def _entry(lease: Lease, ip: int) -> int | None:
    """The queue entry of `lease` (None: its state does not change by itself)."""
    # An end of 0 is a time (the epoch: due at once, as in dhcpd: omshell's `set ends =
    # 00:00:00:00`), not the absence of one.
    if lease.binding_state in _TIMED_STATES and lease.ends is not None and lease.ends != NEVER:
        return lease.ends << 32 | ip
    return None
