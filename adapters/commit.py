"""The group committer: many requests, one write and one fsync.

A DHCP server may not send a DHCPACK (and a failover peer may not send a BNDACK)
before the lease behind it is on disk.  An fsync costs ~0.13 ms here, so a server that
syncs once per lease tops out near ISC dhcpd's 800–1000 exchanges/s.  Grouping fixes
that: callers hand their events to one writer task and wait; the writer takes whatever
has queued up, saves it all with one `write()` + one `fdatasync()` in its own writer
thread (the trio thread keeps serving meanwhile), applies the results to the
projections on the trio thread, and only then wakes the callers.  Under load batches
grow by themselves; when idle every batch is a single request and nothing waits.

The writer thread lives as long as `run()`: a batch is handed to it through a queue
and reported back through the trio token, two hand-offs and nothing else.  Measured in
a failover resynchronisation, where batches follow each other strictly (the peer sends
the next BNDUPDs only once the last are acknowledged): through `trio.to_thread` a
batch took ~85 µs to reach its thread and ~120 µs to come back, through this thread
~70 µs and ~90 µs.

The queue is bounded, so a disk that cannot keep up slows callers down instead of
growing memory.

`commit_now` is the other way in, for a caller that has nothing else to do until its
events are durable: a failover peer sends its next BNDUPDs only once the last ones are
acknowledged, so during a resynchronisation the trio thread would only wait for the
two hand-offs.  When the committer is idle (nothing queued, nothing being written) and
the store says the batch is only a write (no rotation due), it saves on the calling
thread, in order with everything before.  Measured over a resynchronisation of 60,000
leases (windows of ten BNDUPDs): ~0.91 ms a window this way, ~1.03 ms through the
writer thread.
"""

from __future__ import annotations

import abc
import queue
import threading
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass, field
from typing import Generic, TypeVar

import trio

E = TypeVar("E")  # what callers commit (events)
R = TypeVar("R")  # what the store returns per event (recordings)


class BatchStore(abc.ABC, Generic[E, R]):
    """The port the committer writes through: one call is one durable write."""

    @abc.abstractmethod
    def save_batch(self, events: Sequence[E]) -> list[R]:
        """Make all `events` durable with one write and one sync; return one result
        per event, in order.  Runs in the writer thread.  Raising means nothing of
        the batch may be considered durable."""

    def save_batch_quickly(self, events: Sequence[E]) -> list[R] | None:
        """`save_batch` on the trio thread (`commit_now`), when the batch is only the
        write and the sync; None, and nothing done, when it would bring more (upkeep
        such as rewriting a file).  By default a store never says it is quick."""
        return None


@dataclass
class _Request(Generic[E, R]):
    events: Sequence[E]
    done: trio.Event = field(default_factory=trio.Event)
    results: list[R] | None = None
    error: BaseException | None = None


class CommitFailed(Exception):
    """The store could not make a batch durable; the caller must not reply."""


class GroupCommitter(Generic[E, R]):
    """Runs the single writer task; `commit()` is what request handlers call."""

    def __init__(
        self,
        store: BatchStore[E, R],
        apply: Callable[[list[R]], None],
        *,
        max_batch_events: int = 1024,
        queue_size: float = 4096,
    ) -> None:
        self._store = store
        self._apply = apply
        self._max_batch_events = max_batch_events
        self._send, self._receive = trio.open_memory_channel[_Request[E, R]](queue_size)
        self.batches_written = 0
        self.events_written = 0
        self._unwritten = 0  # requests queued or being written (a queued one may
        # already be handed to the writer task, out of the channel's buffer)

    async def commit(self, events: Sequence[E]) -> list[R]:
        """Return once `events` are durable and applied to the projections.

        The events join the queue before this coroutine first yields, so commits
        reach the store in the order they are called (the daemon numbers each
        address's events as it stages them; the store refuses a version older than
        one it holds).  Only a full queue makes a caller wait for room, first come
        first served.  Raises CommitFailed when the store failed; the events are
        then not applied."""
        if not events:
            return []
        request: _Request[E, R] = _Request(events)
        self._unwritten += 1
        try:
            self._send.send_nowait(request)
        except trio.WouldBlock:
            try:
                await self._send.send(request)
            except BaseException:
                self._unwritten -= 1  # never queued
                raise
        return await self._outcome(request)

    def submit(self, events: Sequence[E]) -> Callable[[], Awaitable[list[R]]]:
        """Queue `events` now, from synchronous code, in call order; returns what to
        await for the outcome (as `commit`).  For a caller that must not yield
        between numbering its events and queueing them.  A full queue raises
        trio.WouldBlock."""
        request: _Request[E, R] = _Request(events)
        if events:
            self._send.send_nowait(request)  # (raises before anything is queued)
            self._unwritten += 1
        else:
            request.results = []
            request.done.set()
        return lambda: self._outcome(request)

    def commit_now(self, events: Sequence[E]) -> list[R] | None:
        """Save `events` on this thread, durable and applied when it returns, if the
        committer is idle; None (nothing done) if it is not, and the caller commits
        as usual; also None when the store says this batch is not quick.  Raises
        CommitFailed when the store failed, as `commit` does; a failure to apply what
        is durable propagates (the projections can no longer be trusted)."""
        if not events or self._unwritten:
            return None
        try:
            results = self._store.save_batch_quickly(events)
        except Exception as exc:
            raise CommitFailed(str(exc)) from exc
        if results is None:
            return None
        if len(results) != len(events):
            raise CommitFailed(f"store returned {len(results)} results for {len(events)} events")
        self.batches_written += 1
        self.events_written += len(events)
        self._apply(results)
        return results

    async def _outcome(self, request: _Request[E, R]) -> list[R]:
        await request.done.wait()
        if request.error is not None:
            raise CommitFailed(str(request.error)) from request.error
        assert request.results is not None
        return request.results

    async def run(self, *, task_status: trio.TaskStatus[None] = trio.TASK_STATUS_IGNORED) -> None:
        """The writer task: run it in the daemon's nursery for the daemon's lifetime."""
        writer = _WriterThread(self._store.save_batch)
        try:
            task_status.started()
            async with self._receive:
                async for first in self._receive:
                    batch = [first]
                    count = len(first.events)
                    while count < self._max_batch_events:
                        try:
                            nxt = self._receive.receive_nowait()
                        except (trio.WouldBlock, trio.EndOfChannel):
                            break
                        batch.append(nxt)
                        count += len(nxt.events)
                    try:
                        await self._write(writer, batch)
                    finally:
                        self._unwritten -= len(batch)
        finally:
            writer.stop()

    async def _write(self, writer: _WriterThread[E, R], batch: list[_Request[E, R]]) -> None:
        flat = [event for request in batch for event in request.events]
        try:
            results = await writer.save(flat)
            if len(results) != len(flat):
                raise CommitFailed(f"store returned {len(results)} results for {len(flat)} events")
        except Exception as exc:
            for request in batch:
                request.error = exc
                request.done.set()
            return
        self.batches_written += 1
        self.events_written += len(flat)
        try:
            self._apply(results)
        except BaseException as exc:
            # Durable but not applied: the projections can no longer be trusted.
            # Release the callers without a reply and stop; a restart replays the log.
            for request in batch:
                request.error = exc
                request.done.set()
            raise
        start = 0
        for request in batch:
            end = start + len(request.events)
            request.results = results[start:end]
            start = end
            request.done.set()

    @property
    def callers_held_back(self) -> int:
        """Callers waiting for room in the queue (the disk is not keeping up)."""
        return self._send.statistics().tasks_waiting_send

    def close(self) -> None:
        """No more commits: the writer finishes what is queued and returns."""
        self._send.close()


class _WriterThread(Generic[E, R]):
    """The thread that runs `save_batch`, one batch at a time, for `GroupCommitter.run`.

    A batch handed over is always seen through: the wait for it cannot be cancelled
    (as `trio.to_thread.run_sync`'s cannot), so the committer never forgets a write
    that may have reached the disk."""

    def __init__(self, save_batch: Callable[[Sequence[E]], list[R]]) -> None:
        self._save_batch = save_batch
        self._token = trio.lowlevel.current_trio_token()
        self._jobs: queue.SimpleQueue[_Request[E, R] | None] = queue.SimpleQueue()
        self._thread = threading.Thread(target=self._loop, name="lease-log writer",
                                        daemon=True)
        self._thread.start()

    async def save(self, events: Sequence[E]) -> list[R]:
        job: _Request[E, R] = _Request(events)
        self._jobs.put(job)
        with trio.CancelScope(shield=True):
            await job.done.wait()
        if job.error is not None:
            raise job.error
        assert job.results is not None
        return job.results

    def stop(self) -> None:
        """No more batches: the thread ends once the one it holds, if any, is done."""
        self._jobs.put(None)

    def _loop(self) -> None:
        while (job := self._jobs.get()) is not None:
            try:
                job.results = self._save_batch(job.events)
            except BaseException as error:  # the committer's to raise: never a silent hang
                job.error = error
            try:
                self._token.run_sync_soon(job.done.set)
            except trio.RunFinishedError:
                return
