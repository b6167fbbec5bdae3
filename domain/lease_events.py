"""What can happen to one IPv4 address, as events: the lease history of an address.

Every event carries the WHOLE new lease record (state-carrying events, as ISC writes a
whole record per change), plus the cause: the sentence an operator reads in `audit`.
Replaying an address is therefore "the last event wins", exactly as dhcpd loads its
lease file, and each event is one ISC `lease` record in dhcpd.leases.

The aggregate is one per address, its id the dotted quad (`"10.0.0.111"`).  Any kind of
event may be the first of an address (an ACK, an update from the failover peer, an
import from an ISC file, a checkpoint), so every event class can both create the
aggregate and move it on.

Topics are explicit and registered: the log must outlive module paths.
Time is always passed in; nothing here reads a clock.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from eventsourcing.utils import register_topic

from domain.lease import Lease

ADDRESS_LEASE_TOPIC = "lease.AddressLease"

_Aggregate = TypeVar("_Aggregate", bound=BaseAggregate[Any])


class LeaseEventError(ValueError):
    """A lease event was built with a record for another address."""


@dataclass(frozen=True)
class LeaseEvent(CanInitAggregate[str]):
    """Base of every lease event: the new record for `originator_id`, and why."""

    TOPIC: ClassVar[str]

    originator_id: str
    originator_version: int
    timestamp: datetime
    lease: Lease
    cause: str
    originator_topic: str = ADDRESS_LEASE_TOPIC

    def __post_init__(self) -> None:
        if self.lease.ip != self.originator_id:
            raise LeaseEventError(
                f"{type(self).__name__} for {self.originator_id} carries the lease of"
                f" {self.lease.ip}"
            )

    def mutate(self, aggregate: _Aggregate | None) -> _Aggregate | None:
        """Create the aggregate when this is the address's first event, else move it on."""
        if aggregate is None:
            return super().mutate(None)
        return CanMutateAggregate.mutate(self, aggregate)

    def apply(self, aggregate: AddressLease) -> None:
        aggregate.lease = self.lease
        aggregate.cause = self.cause


class Acked(LeaseEvent):
    """The server acknowledged a DHCPREQUEST (or answered BOOTP): a client holds it."""

    TOPIC = "lease.Acked"


class Released(LeaseEvent):
    """The client gave the address back with DHCPRELEASE."""

    TOPIC = "lease.Released"


class Declined(LeaseEvent):
    """The client said the address is in use (DHCPDECLINE): it is abandoned."""

    TOPIC = "lease.Declined"


class Expired(LeaseEvent):
    """The lease's end passed without a renewal."""

    TOPIC = "lease.Expired"


class Freed(LeaseEvent):
    """An expired or released lease went back to the free pool."""

    TOPIC = "lease.Freed"


class Reclaimed(LeaseEvent):
    """An abandoned lease was taken back for reuse."""

    TOPIC = "lease.Reclaimed"


class Rebalanced(LeaseEvent):
    """Pool balancing moved a free lease to (or from) the failover peer's share."""

    TOPIC = "lease.Rebalanced"


class PeerAcked(LeaseEvent):
    """The failover peer acknowledged our update (BNDACK): tsfp moved up."""

    TOPIC = "lease.PeerAcked"


class UpdateSent(LeaseEvent):
    """A change of ours is being sent to the failover peer (BNDUPD): the record is
    written first with its rewind binding state moved up to what the peer will hold,
    as dhcpd writes it before it sends."""

    TOPIC = "lease.UpdateSent"


class PeerUpdateReceived(LeaseEvent):
    """The failover peer told us of its change to this lease (BNDUPD)."""

    TOPIC = "lease.PeerUpdateReceived"


class HeldForPeer(LeaseEvent):
    """Entering partner-down, an expired, released or reset lease is held until the
    peer can no longer be using it: tsfp = start of partner-down + MCLT."""

    TOPIC = "lease.HeldForPeer"


class Administered(LeaseEvent):
    """An operator changed the lease through OMAPI (`set ends = …; update`, as omshell
    does): dhcpd supersedes it the same way; the timers take it on from there."""

    TOPIC = "lease.Administered"


class Imported(LeaseEvent):
    """A record found in the lease file without a header: written by ISC dhcpd."""

    TOPIC = "lease.Imported"


class Carried(LeaseEvent):
    """The lease as it stood when a new log segment began (a checkpoint)."""

    TOPIC = "lease.Carried"


class AddressLease(BaseAggregate[str]):
    """The lease history of one address: its current record and the latest cause."""

    TOPIC = ADDRESS_LEASE_TOPIC

    def __init__(self, lease: Lease, cause: str) -> None:
        self.lease = lease
        self.cause = cause

    @classmethod
    def begin(
        cls, event_class: type[LeaseEvent], lease: Lease, cause: str, now: datetime
    ) -> Self:
        """The first event of an address: creates its aggregate."""
        return cls._create(event_class, id=lease.ip, lease=lease, cause=cause, timestamp=now)

    def record(
        self, event_class: type[LeaseEvent], lease: Lease, cause: str, now: datetime
    ) -> None:
        """A later event of the address: its new record and why it changed."""
        self.trigger_event(event_class, lease=lease, cause=cause, timestamp=now)


LEASE_EVENT_CLASSES: tuple[type[LeaseEvent], ...] = (
    Acked,
    Released,
    Declined,
    Expired,
    Freed,
    Reclaimed,
    Rebalanced,
    PeerAcked,
    UpdateSent,
    HeldForPeer,
    PeerUpdateReceived,
    Administered,
    Imported,
    Carried,
)

for _event_class in LEASE_EVENT_CLASSES:
    register_topic(_event_class.TOPIC, _event_class)
