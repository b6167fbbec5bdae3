"""What the DHCP core reads from the lease projections, as a port.

`domain` may not import `projections`, yet `decide()` must ask "which lease has this
client?", "which address has been free longest?" and "how many leases has this class
billed?".  These protocols name exactly those questions;
`projections.lease_view.LeaseView` satisfies them structurally, and tests may pass it
directly.
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Sequence
from typing import Protocol, runtime_checkable

from domain.lease import BillingClass, BindingState, Hardware, Lease


class LeaseIndex(Protocol):
    """The current record of every address, with the client indexes."""

    def get(self, ip: str) -> Lease | None: ...

    def by_client_id(self, uid: bytes) -> list[Lease]: ...

    def by_hardware(self, hardware: Hardware) -> list[Lease]: ...

    def __iter__(self) -> Iterator[Lease]: ...

    def in_states(self, states: Collection[BindingState]) -> list[Lease]:
        """The records in any of `states`, in table order (cheaper than iterating)."""
        ...


class PoolFill(Protocol):
    """A pool's size and how much of it is free (for adaptive-lease-time-threshold)."""

    @property
    def total(self) -> int: ...

    @property
    def free(self) -> int: ...

    @property
    def backup(self) -> int: ...


class PoolIndex(Protocol):
    """Per-pool queues ordered by `ends`, oldest first, as dhcpd keeps them."""

    def oldest_free(self, pool_id: int) -> int | None: ...

    def oldest_backup(self, pool_id: int) -> int | None:
        """The head of a failover pool's backup queue (the secondary's to give)."""
        ...

    def oldest_abandoned(self, pool_id: int) -> int | None: ...

    def counts(self) -> Sequence[PoolFill]: ...

    def fill_of(self, pool_id: int) -> tuple[int, int, int]:
        """One pool's total, free and backup counts (asked per request: no list of
        every pool)."""
        ...


class DeadlineIndex(Protocol):
    """Leases that change state by themselves when their `ends` passes."""

    def next_deadline(self) -> int | None: ...

    def due(self, now: int) -> list[str]: ...


class BillingIndex(Protocol):
    """Active leases per class with a `lease limit` (dhcpd's `leases_consumed`)."""

    def count(self, billing: BillingClass) -> int: ...

    def billed_to(self, ip: str) -> BillingClass | None:
        """The class the current record of `ip` counts against, if any."""
        ...


@runtime_checkable
class LeaseReader(Protocol):
    """The read side `decide()` and the lease timer work from."""

    @property
    def table(self) -> LeaseIndex: ...

    @property
    def pools(self) -> PoolIndex: ...

    @property
    def expiry(self) -> DeadlineIndex: ...

    @property
    def billing(self) -> BillingIndex: ...

    def is_held(self, ip: str) -> bool:
        """Whether the address's current record is an offer held in memory only
        (dhcpd's `cannot_reuse`: a REQUEST after such an offer must be written)."""
        ...
