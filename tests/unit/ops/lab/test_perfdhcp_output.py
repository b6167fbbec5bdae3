"""perfdhcp's final report, read from real output captured in the lab (fixtures/README.md)."""

from __future__ import annotations

from pathlib import Path

import pytest

from ops.lab.perfdhcp_output import PerfdhcpOutputError, parse_perfdhcp_output

FIXTURES = Path(__file__).parent / "fixtures"


def fixture(name: str) -> str:
    return (FIXTURES / name).read_text()


def test_a_complete_run_reads_every_count_and_delay() -> None:
    stats = parse_perfdhcp_output(fixture("perfdhcp-complete.txt"))

    assert stats.reported_rate == pytest.approx(74.7314)
    assert stats.expected_rate == 100
    assert stats.malformed == 0
    offer = stats.discover_offer
    assert (offer.sent, offer.received, offer.drops) == (299, 299, 0)
    assert (offer.orphans, offer.rejected_leases, offer.non_unique_addresses) == (0, 0, 0)
    assert (offer.min_delay_ms, offer.avg_delay_ms, offer.max_delay_ms) == (0.071, 0.129, 2.216)
    ack = stats.request_ack
    assert (ack.sent, ack.received, ack.drops) == (299, 299, 0)
    assert (ack.min_delay_ms, ack.avg_delay_ms, ack.max_delay_ms) == (0.209, 0.319, 1.538)


def test_completed_exchanges_are_the_acks_received() -> None:
    stats = parse_perfdhcp_output(fixture("perfdhcp-server-stopped.txt"))

    assert stats.discover_offer.sent == 299
    assert stats.discover_offer.drops == 150
    assert stats.completed_exchanges == 149
    assert stats.completion_ratio == pytest.approx(149 / 299)
    # The lab's rate is ACKs per second of sending, not perfdhcp's own `Rate:` figure
    # (37.24/s), which also counts the second it waits for late answers.
    assert stats.exchanges_per_second(3) == pytest.approx(149 / 3)
    assert stats.reported_rate == pytest.approx(37.2402)


def test_a_run_without_answers_has_no_delays_and_completes_nothing() -> None:
    stats = parse_perfdhcp_output(fixture("perfdhcp-no-server.txt"))

    assert stats.expected_rate == 50
    assert stats.reported_rate == 0
    assert (stats.discover_offer.sent, stats.discover_offer.drops) == (99, 99)
    assert stats.discover_offer.min_delay_ms is None
    assert stats.discover_offer.avg_delay_ms is None
    assert stats.discover_offer.max_delay_ms is None
    assert stats.request_ack.sent == 0
    assert stats.completed_exchanges == 0
    assert stats.completion_ratio == 0.0


def test_output_of_a_failed_start_is_our_error() -> None:
    # What perfdhcp prints when it refuses its arguments: no statistics at all.
    text = (
        "Running: perfdhcp -4 -i -l rly0\nScenario: basic.\nMulti-thread mode enabled.\n\n"
        "ERROR: running perfdhcp: Packets exchange not specified\n"
    )
    with pytest.raises(PerfdhcpOutputError, match="Rate:"):
        parse_perfdhcp_output(text)


@pytest.mark.parametrize(
    ("cut", "missing"),
    [
        ("***Statistics for: REQUEST-ACK***", "REQUEST-ACK"),
        ("***Statistics for: DISCOVER-OFFER***", "DISCOVER-OFFER"),
    ],
)
def test_a_missing_exchange_section_is_named(cut: str, missing: str) -> None:
    text = fixture("perfdhcp-complete.txt").replace(cut, "")

    with pytest.raises(PerfdhcpOutputError, match=missing):
        parse_perfdhcp_output(text)


def test_a_missing_count_is_named() -> None:
    text = fixture("perfdhcp-complete.txt").replace("orphans: 0\n", "", 1)

    with pytest.raises(PerfdhcpOutputError, match="DISCOVER-OFFER statistics lack orphans"):
        parse_perfdhcp_output(text)
