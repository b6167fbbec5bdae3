"""The update and ack queues of one relationship (ISC failover.c semantics)."""

from __future__ import annotations

from domain.failover.update_queue import AckOutcome, UpdateQueue


def test_sends_oldest_first_within_the_peers_max_unacked() -> None:
    queue = UpdateQueue()
    queue.queue_all(["a", "b", "c"])

    assert queue.take(2) == ["a", "b"]
    queue.sent("a", 1)
    queue.sent("b", 2)
    assert queue.take(2) == []
    assert queue.acknowledged("a", 1).outcome is AckOutcome.ACCEPTED
    assert queue.take(2) == ["c"]
    assert len(queue) == 1  # b in flight (c was taken, not yet reported sent)


def test_a_changed_lease_in_flight_is_sent_again_and_a_late_ack_is_a_mismatch() -> None:
    queue = UpdateQueue()
    queue.queue("a")
    queue.take(10)
    queue.sent("a", 1)

    queue.queue("a")  # changed again before the ack
    assert queue.take(10) == ["a"]
    queue.sent("a", 2)

    assert queue.acknowledged("a", 1).outcome is AckOutcome.XID_MISMATCH
    assert queue.unacked == {"a": 2}
    assert queue.acknowledged("a", 2).outcome is AckOutcome.ACCEPTED
    assert queue.acknowledged("a", 2).outcome is AckOutcome.NOT_OUTSTANDING


def test_a_request_leaves_queued_and_in_flight_addresses_where_they_are() -> None:
    queue = UpdateQueue()
    queue.queue("a")
    queue.take(10)
    queue.sent("a", 1)
    queue.queue("b")

    queue.queue_all(["a", "b", "c"])

    assert list(queue.pending) == ["b", "c"]
    assert queue.unacked == {"a": 1}


def test_update_done_follows_the_ack_of_the_last_queued_address() -> None:
    queue = UpdateQueue()
    queue.queue_all(["a", "b"])
    assert queue.answer_request(xid=42)
    for xid, ip in enumerate(queue.take(10)):
        queue.sent(ip, xid)

    assert queue.acknowledged("a", 0).update_done_xid is None
    assert queue.acknowledged("b", 1).update_done_xid == 42


def test_update_done_is_due_at_once_when_nothing_waits() -> None:
    assert not UpdateQueue().answer_request(xid=7)


def test_a_rejecting_ack_unqueues_whatever_its_xid_and_may_complete_a_request() -> None:
    queue = UpdateQueue()
    queue.queue("a")
    queue.answer_request(xid=9)
    queue.take(10)
    queue.sent("a", 5)

    result = queue.acknowledged("a", 99, rejected=True)

    assert queue.unacked == {}
    assert result.update_done_xid == 9


def test_a_held_address_is_not_sent_until_released() -> None:
    queue = UpdateQueue()
    queue.hold("a")
    queue.queue("b")

    assert queue.take(10) == ["b"]
    queue.release("a")
    assert queue.take(10) == ["a"]


def test_a_lost_link_puts_unacked_updates_back_first() -> None:
    queue = UpdateQueue()
    queue.queue_all(["a", "b", "c"])
    for xid, ip in enumerate(queue.take(2)):
        queue.sent(ip, xid)

    queue.rescind()

    assert list(queue.pending) == ["a", "b", "c"]
    assert queue.unacked == {}
