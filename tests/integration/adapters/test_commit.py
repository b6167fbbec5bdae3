"""The group committer with a fake store: batching, ordering, failure, back-pressure."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
import trio
import trio.testing

from adapters.commit import BatchStore, CommitFailed, GroupCommitter


class FakeStore(BatchStore[str, str]):
    """Records each batch; can be held shut to let requests pile up."""

    def __init__(self) -> None:
        self.batches: list[list[str]] = []
        self.gate = threading.Event()
        self.gate.set()
        self.fail = False

    def save_batch(self, events: Sequence[str]) -> list[str]:
        self.gate.wait(10)
        if self.fail:
            raise OSError("disk full")
        self.batches.append(list(events))
        return [f"rec:{e}" for e in events]


async def test_a_commit_returns_after_the_events_are_saved_and_applied() -> None:
    store, applied = FakeStore(), []
    committer = GroupCommitter(store, applied.extend)
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        assert await committer.commit(["a", "b"]) == ["rec:a", "rec:b"]
        assert applied == ["rec:a", "rec:b"]
        committer.close()
    assert store.batches == [["a", "b"]]


async def test_concurrent_callers_share_one_write() -> None:
    store, applied = FakeStore(), []
    committer = GroupCommitter(store, applied.extend)
    results: dict[int, list[str]] = {}
    store.gate.clear()

    async def caller(i: int) -> None:
        results[i] = await committer.commit([f"e{i}"])

    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        nursery.start_soon(caller, 0)
        await trio.testing.wait_all_tasks_blocked()  # caller 0's write is in flight
        for i in range(1, 64):
            nursery.start_soon(caller, i)
        await trio.testing.wait_all_tasks_blocked()
        store.gate.set()
        while len(results) < 64:
            await trio.sleep(0.001)
        committer.close()
    assert len(store.batches) == 2
    assert sorted(store.batches[1]) == sorted(f"e{i}" for i in range(1, 64))
    assert all(results[i] == [f"rec:e{i}"] for i in range(64))
    assert committer.events_written == 64


async def test_a_batch_never_exceeds_the_event_limit() -> None:
    store = FakeStore()
    committer = GroupCommitter(store, lambda _: None, max_batch_events=4)
    store.gate.clear()
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        for i in range(10):
            nursery.start_soon(committer.commit, [f"x{i}", f"y{i}"])
        await trio.testing.wait_all_tasks_blocked()
        store.gate.set()
        while committer.events_written < 20:
            await trio.sleep(0.001)
        committer.close()
    assert max(len(b) for b in store.batches) <= 4


async def test_a_failed_write_fails_every_caller_and_applies_nothing() -> None:
    store, applied = FakeStore(), []
    store.fail = True
    committer = GroupCommitter(store, applied.extend)
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        with pytest.raises(CommitFailed, match="disk full"):
            await committer.commit(["a"])
        committer.close()
    assert applied == []


async def test_a_full_queue_holds_callers_back() -> None:
    store = FakeStore()
    committer = GroupCommitter(store, lambda _: None, queue_size=1)
    store.gate.clear()
    finished: list[int] = []

    async def caller(i: int) -> None:
        await committer.commit([str(i)])
        finished.append(i)

    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        nursery.start_soon(caller, 0)
        await trio.testing.wait_all_tasks_blocked()  # caller 0's write is in flight
        for i in range(1, 4):
            nursery.start_soon(caller, i)
        await trio.testing.wait_all_tasks_blocked()
        # one write in flight, one request queued, the other two held back
        assert finished == []
        assert committer.callers_held_back == 2
        store.gate.set()
        while len(finished) < 4:
            await trio.sleep(0.001)
        committer.close()
    assert sorted(finished) == [0, 1, 2, 3]


async def test_an_empty_commit_does_not_write() -> None:
    store = FakeStore()
    committer = GroupCommitter(store, lambda _: None)
    assert await committer.commit([]) == []
    assert store.batches == []


async def test_submitted_events_reach_the_store_in_the_order_they_were_submitted() -> None:
    store, applied = FakeStore(), []
    committer = GroupCommitter(store, applied.extend)
    results: dict[int, list[str]] = {}

    async def wait(number: int, outcome) -> None:
        results[number] = await outcome()

    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        # Queued synchronously, awaited by tasks that trio may run in any order.
        outcomes = [committer.submit([f"e{n}"]) for n in range(40)]
        for number, outcome in enumerate(outcomes):
            nursery.start_soon(wait, number, outcome)
        await trio.testing.wait_all_tasks_blocked()
        committer.close()
    assert [event for batch in store.batches for event in batch] == [
        f"e{n}" for n in range(40)]
    assert results == {n: [f"rec:e{n}"] for n in range(40)}


def _writer_threads() -> list[threading.Thread]:
    return [thread for thread in threading.enumerate() if thread.name == "lease-log writer"]


async def test_a_write_in_flight_is_seen_through_when_the_committer_is_cancelled() -> None:
    store, applied = FakeStore(), []
    committer = GroupCommitter(store, applied.extend)
    store.gate.clear()
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        outcome = committer.submit(["a"])
        await trio.testing.wait_all_tasks_blocked()  # the write is in the thread
        nursery.cancel_scope.cancel()
        # The disk answers only after the cancellation: run() must still wait for it.
        threading.Timer(0.05, store.gate.set).start()
    assert store.batches == [["a"]]
    assert applied == ["rec:a"]
    assert await outcome() == ["rec:a"]


async def test_the_writer_thread_ends_with_the_committer() -> None:
    # Threads of earlier tests' committers may still be ending: watch only this one's.
    before = set(_writer_threads())
    committer = GroupCommitter(FakeStore(), lambda _: None)
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        (ours,) = set(_writer_threads()) - before
        assert ours.is_alive()
        await committer.commit(["a"])
        committer.close()
    ours.join(5)
    assert not ours.is_alive()


class _Halt(BaseException):
    """Not an Exception: what a store should never raise, yet must not hang on."""


class HaltingStore(BatchStore[str, str]):
    def save_batch(self, events: Sequence[str]) -> list[str]:
        raise _Halt


def test_a_store_that_raises_more_than_an_exception_ends_the_committer() -> None:
    """The writer thread reports even a BaseException; were it to die without a word,
    the committer's uncancellable wait would hang for ever.  trio runs in a thread here
    so that a hang fails the test instead of hanging it."""
    raised: list[BaseException] = []

    async def commit_one() -> None:
        committer = GroupCommitter(HaltingStore(), lambda _: None)
        async with trio.open_nursery() as nursery:
            await nursery.start(committer.run)
            await committer.commit(["a"])

    def run() -> None:
        try:
            trio.run(commit_one)
        except BaseException as error:  # what trio.run ended with, whatever it is
            raised.append(error)

    runner = threading.Thread(target=run, daemon=True)
    runner.start()
    runner.join(10)
    assert not runner.is_alive(), "the committer hung on a store that raised"
    assert len(raised) == 1 and _contains(raised[0], _Halt), raised


def _contains(error: BaseException, wanted: type[BaseException]) -> bool:
    if isinstance(error, wanted):
        return True
    if isinstance(error, BaseExceptionGroup):
        return any(_contains(inner, wanted) for inner in error.exceptions)
    return False


class QuickStore(FakeStore):
    """A store that may save on the caller's thread unless told the batch is not quick."""

    def __init__(self) -> None:
        super().__init__()
        self.quick = True
        self.threads: list[str] = []

    def save_batch(self, events: Sequence[str]) -> list[str]:
        self.threads.append(threading.current_thread().name)
        return super().save_batch(events)

    def save_batch_quickly(self, events: Sequence[str]) -> list[str] | None:
        return self.save_batch(events) if self.quick else None


async def test_commit_now_saves_and_applies_on_the_calling_thread_when_idle() -> None:
    store, applied = QuickStore(), []
    committer = GroupCommitter(store, applied.extend)
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        assert committer.commit_now(["a", "b"]) == ["rec:a", "rec:b"]
        assert applied == ["rec:a", "rec:b"]
        assert store.threads == [threading.current_thread().name]
        assert (committer.batches_written, committer.events_written) == (1, 2)
        committer.close()


async def test_commit_now_leaves_a_batch_to_the_queue_while_one_is_queued_or_written() -> None:
    # Nothing may overtake what is already on its way to the disk: the queued request
    # (handed to the writer task, or held at the store's gate) goes first.
    store, applied = QuickStore(), []
    committer = GroupCommitter(store, applied.extend)
    store.gate.clear()
    async with trio.open_nursery() as nursery:
        await nursery.start(committer.run)
        durable = committer.submit(["first"])
        assert committer.commit_now(["second"]) is None  # queued, not yet taken
        await trio.testing.wait_all_tasks_blocked()  # now held at the gate, in the thread
        assert committer.commit_now(["second"]) is None
        store.gate.set()
        assert await durable() == ["rec:first"]
        assert committer.commit_now(["second"]) == ["rec:second"]
        committer.close()
    assert store.batches == [["first"], ["second"]]
    assert applied == ["rec:first", "rec:second"]


async def test_commit_now_does_nothing_when_the_store_says_the_batch_is_not_quick() -> None:
    store, applied = QuickStore(), []
    store.quick = False
    committer = GroupCommitter(store, applied.extend)
    assert committer.commit_now(["a"]) is None
    assert committer.commit_now([]) is None
    assert (store.batches, applied, committer.batches_written) == ([], [], 0)


async def test_a_failed_commit_now_raises_commit_failed_and_applies_nothing() -> None:
    store, applied = QuickStore(), []
    store.fail = True
    committer = GroupCommitter(store, applied.extend)
    with pytest.raises(CommitFailed, match="disk full"):
        committer.commit_now(["a"])
    assert (applied, committer.batches_written) == ([], 0)


def test_a_store_is_not_quick_unless_it_says_so() -> None:
    assert FakeStore().save_batch_quickly(["a"]) is None


async def test_a_caller_cancelled_before_its_request_was_queued_does_not_hold_commit_now_off(
) -> None:
    store = QuickStore()
    committer = GroupCommitter(store, lambda _: None, queue_size=0)
    # No buffer and no writer task: the caller waits to hand its request over.
    with trio.move_on_after(0.01):
        await committer.commit(["never"])
    assert committer.commit_now(["a"]) == ["rec:a"]
    assert store.batches == [["a"]]
