"""What can happen to one failover relationship, as events.

ISC dhcpd appends a `failover peer "NAME" state { … }` record to dhcpd.leases on every
state change of either side; each of these events is one such record, carried whole,
with the cause an operator reads in `audit`.  One aggregate per relationship, its id
`failover:<peer name>`.  Like lease events, any of them may be a relationship's first.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any, ClassVar, Self, TypeVar

from eventsourcing.domain import BaseAggregate, CanInitAggregate, CanMutateAggregate
from eventsourcing.utils import register_topic

from domain.lease import FailoverStateRecord

FAILOVER_RELATIONSHIP_TOPIC = "failover.Relationship"
FAILOVER_ID_PREFIX = "failover:"

_Aggregate = TypeVar("_Aggregate", bound=BaseAggregate[Any])


def failover_id(peer_name: str) -> str:
    """The aggregate id of the relationship named `peer_name` in dhcpd.conf."""
    return FAILOVER_ID_PREFIX + peer_name


class FailoverEventError(ValueError):
    """A failover event was built with the record of another relationship."""


@dataclass(frozen=True)
class FailoverEvent(CanInitAggregate[str]):
    """Base of every failover event: the relationship's new state record, and why."""

    TOPIC: ClassVar[str]

    originator_id: str
    originator_version: int
    timestamp: datetime
    state: FailoverStateRecord
    cause: str
    originator_topic: str = FAILOVER_RELATIONSHIP_TOPIC

    def __post_init__(self) -> None:
        if failover_id(self.state.peer) != self.originator_id:
            raise FailoverEventError(
                f"{type(self).__name__} for {self.originator_id} carries the state of"
                f" peer {self.state.peer!r}"
            )

    def mutate(self, aggregate: _Aggregate | None) -> _Aggregate | None:
        """Create the aggregate on the relationship's first event, else move it on."""
        if aggregate is None:
            return super().mutate(None)
        return CanMutateAggregate.mutate(self, aggregate)

    def apply(self, aggregate: FailoverRelationship) -> None:
        aggregate.state = self.state
        aggregate.cause = self.cause


class StateChanged(FailoverEvent):
    """Our state or the peer's changed (ISC writes the record for either)."""

    TOPIC = "failover.StateChanged"


class Imported(FailoverEvent):
    """A failover state record found without a header: written by ISC dhcpd."""

    TOPIC = "failover.Imported"


class Carried(FailoverEvent):
    """The state as it stood when a new log segment began (a checkpoint)."""

    TOPIC = "failover.Carried"


class FailoverRelationship(BaseAggregate[str]):
    """One failover relationship's persisted state: the last record wins, as in ISC."""

    TOPIC = FAILOVER_RELATIONSHIP_TOPIC

    def __init__(self, state: FailoverStateRecord, cause: str) -> None:
        self.state = state
        self.cause = cause

    @classmethod
    def begin(
        cls,
        event_class: type[FailoverEvent],
        state: FailoverStateRecord,
        cause: str,
        now: datetime,
    ) -> Self:
        """The relationship's first event: creates its aggregate."""
        return cls._create(
            event_class, id=failover_id(state.peer), state=state, cause=cause, timestamp=now
        )

    def record(
        self,
        event_class: type[FailoverEvent],
        state: FailoverStateRecord,
        cause: str,
        now: datetime,
    ) -> None:
        """A later event of the relationship: its new state record and why."""
        self.trigger_event(event_class, state=state, cause=cause, timestamp=now)


FAILOVER_EVENT_CLASSES: tuple[type[FailoverEvent], ...] = (StateChanged, Imported, Carried)

for _event_class in FAILOVER_EVENT_CLASSES:
    register_topic(_event_class.TOPIC, _event_class)
