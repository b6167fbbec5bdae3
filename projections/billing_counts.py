"""How many leases each class with a `lease limit` has billed right now.

dhcpd keeps a count per (sub)class (`leases_consumed`, server/class.c `bill_class` /
`unbill_class`) and checks it for every lease it hands out.  Here the count follows
from the records themselves: a record counts for the class on its `billing` line while
its binding state is one dhcpd keeps a billing in — active, or (in a failover pool)
expired, released or reset while the peer has yet to acknowledge the change.  These
are the states in which dhcpd re-bills a lease read from the lease file
(server/mdb.c `enter_lease`'s billing step); the lease lifecycle drops the billing
from the record when the lease leaves them, as `unbill_class` does.

Each change costs two dict operations, so the counts can be asked on every request.
"""

from __future__ import annotations

from collections.abc import Iterable

from domain.classify import BILLED_STATES
from domain.lease import BillingClass, Lease


class BillingCounts:
    """Active leases per billing class, kept in step record by record."""

    def __init__(self) -> None:
        self._billed: dict[str, BillingClass] = {}
        self._counts: dict[BillingClass, int] = {}

    def apply(self, lease: Lease) -> None:
        """`lease` is now the current record of its address (it replaces any other)."""
        billing = lease.billing
        ip = lease.ip
        if billing is None or lease.binding_state not in BILLED_STATES:
            if self._billed:
                self._unbill(ip)
            return
        if self._billed.get(ip) == billing:
            return
        self._unbill(ip)
        self._billed[ip] = billing
        self._counts[billing] = self._counts.get(billing, 0) + 1

    def load(self, leases: Iterable[Lease]) -> None:
        """Startup: the current records that carry a billing line (others never count)."""
        for lease in leases:
            self.apply(lease)

    def _unbill(self, ip: str) -> None:
        billing = self._billed.pop(ip, None)
        if billing is None:
            return
        left = self._counts[billing] - 1
        if left:
            self._counts[billing] = left
        else:
            del self._counts[billing]

    def count(self, billing: BillingClass) -> int:
        """The leases billed to `billing` now."""
        return self._counts.get(billing, 0)

    def billed_to(self, ip: str) -> BillingClass | None:
        """The class the current record of `ip` is counted against, if any."""
        return self._billed.get(ip)

    def counts(self) -> dict[BillingClass, int]:
        """Every class with at least one lease billed (a copy)."""
        return dict(self._counts)
