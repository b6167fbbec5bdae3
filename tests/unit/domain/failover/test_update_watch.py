"""The watch over an update we asked the peer for: one error line when it stalls."""

from __future__ import annotations

from domain.failover.update_watch import MIN_STALL_SECONDS, UpdateWatch, ack_window_warning

T0 = 1_800_000_000


def test_the_stall_limit_is_twice_max_response_delay_and_twenty_seconds_at_least() -> None:
    assert UpdateWatch.for_peer("fo", 60).stall_seconds == 120
    assert UpdateWatch.for_peer("fo", 5).stall_seconds == MIN_STALL_SECONDS == 20


def test_nothing_is_due_before_a_request_nor_after_the_update_ended() -> None:
    watch = UpdateWatch.for_peer("fo", 10)
    assert watch.deadline() is None and watch.due(T0 + 999) == []
    watch.requested(T0)
    watch.ended()
    assert watch.deadline() is None and watch.due(T0 + 999) == []


def test_each_update_received_moves_the_deadline() -> None:
    watch = UpdateWatch.for_peer("fo", 10)
    watch.requested(T0)
    watch.progress(T0 + 15)
    assert watch.deadline() == T0 + 35
    assert watch.due(T0 + 34) == []


def test_a_stalled_update_is_said_once_naming_the_peer() -> None:
    watch = UpdateWatch.for_peer("dhcp-failover", 10)
    watch.requested(T0)

    lines = watch.due(T0 + 20)

    assert [line.level for line in lines] == ["error"]
    assert lines[0].text.startswith(
        "failover peer dhcp-failover: no binding update from the peer for 20 seconds")
    assert lines[0].text.endswith("restart the peer")
    assert watch.due(T0 + 60) == [] and watch.deadline() is None
    watch.requested(T0 + 100)  # a new request watches again
    assert watch.deadline() == T0 + 120


def test_an_isc_peer_with_under_half_our_window_is_named_with_the_remedy() -> None:
    """ISC acks once half of *our* max-unacked-updates are pending (or after 2 s): with
    its own window under that half, our updates to it would wait 2 s a window."""
    lines = ack_window_warning("fo", 100, 10, b"isc-4.4.3-P1")

    assert [(line.level, line.text) for line in lines] == [(
        "error",
        "failover peer fo: its max-unacked-updates (10) is under half of ours (100):"
        " ISC dhcpd acknowledges our updates only when 50 are pending or after 2 seconds,"
        " so they will crawl; give both servers the same max-unacked-updates")]


def test_equal_or_close_windows_and_peers_that_are_not_isc_are_fine() -> None:
    assert ack_window_warning("fo", 10, 10, b"isc-4.4.3-P1") == []
    assert ack_window_warning("fo", 20, 10, b"isc-4.4.3-P1") == []  # half: ISC acks
    assert ack_window_warning("fo", 10, 100, b"isc-4.4.3-P1") == []  # theirs larger
    assert ack_window_warning("fo", 100, 10, b"leaseledger-0.1") == []  # we ack at once
    assert ack_window_warning("fo", 100, 10, None) == []
