"""The application recorder over the lease file: events also form one numbered
sequence, the notification log an eventsourcing application reads (and follows).

A notification id is an event's place in the file (1 for the first record); the
durable writing itself is `store.LeaseFileAggregateRecorder`'s.
"""

from __future__ import annotations

import os
from collections.abc import Collection, Sequence
from contextlib import suppress
from threading import Event
from typing import Any

from eventsourcing.persistence import (
    ApplicationRecorder,
    ListenNotifySubscription,
    Notification,
    StoredEvent,
    Subscription,
)

from adapters.leasefile.log_scan import ReadHeaderless
from adapters.leasefile.store import LeaseFileAggregateRecorder, Resume


class LeaseFileApplicationRecorder(LeaseFileAggregateRecorder, ApplicationRecorder):
    """The recorder an application uses: events also form one numbered sequence.

    A notification id is an event's place in the file (1 for the first record)."""

    def __init__(
        self,
        path: str | os.PathLike[str],
        *,
        record_topics: Collection[str],
        read_headerless: ReadHeaderless,
        resume: Resume | None = None,
    ) -> None:
        super().__init__(path, record_topics=record_topics, read_headerless=read_headerless,
                         resume=resume)
        self._listeners: set[Event] = set()

    def insert_events(
        self, stored_events: Sequence[StoredEvent], **kwargs: Any
    ) -> Sequence[int] | None:
        notification_ids = self._append(stored_events, **kwargs)
        for listener in list(self._listeners):
            listener.set()
        return notification_ids

    def select_notifications(
        self,
        start: int | None,
        limit: int,
        stop: int | None = None,
        topics: Sequence[str] = (),
        *,
        inclusive_of_start: bool = True,
    ) -> Sequence[Notification]:
        with self._lock:
            first = 1 if start is None else max(start + (0 if inclusive_of_start else 1), 1)
            last = len(self._index) if stop is None else min(stop, len(self._index))
            wanted = self._index.topic_numbers(topics) if topics else None
            if wanted is not None and not wanted:
                return []
            found: list[Notification] = []
            for event in self._index.numbers_between(first - 1, last - 1):
                if len(found) >= limit:
                    break
                if wanted is None or self._index.topic_number_of(event) in wanted:
                    found.append(self._notification(event))
            return found

    def max_notification_id(self) -> int | None:
        with self._lock:
            return len(self._index) or None

    def subscribe(
        self, gt: int | None = None, topics: Sequence[str] = ()
    ) -> Subscription[ApplicationRecorder]:
        return LeaseFileSubscription(recorder=self, gt=gt, topics=topics)

    def listen(self, event: Event) -> None:
        self._listeners.add(event)

    def unlisten(self, event: Event) -> None:
        with suppress(KeyError):
            self._listeners.remove(event)


class LeaseFileSubscription(ListenNotifySubscription[LeaseFileApplicationRecorder]):
    """Follows the file as it grows: woken by each append made through the recorder."""

    def __init__(
        self,
        recorder: LeaseFileApplicationRecorder,
        gt: int | None = None,
        topics: Sequence[str] = (),
    ) -> None:
        super().__init__(recorder=recorder, gt=gt, topics=topics)
        recorder.listen(self._has_been_notified)

    def stop(self) -> None:
        super().stop()
        self._recorder.unlisten(self._has_been_notified)
