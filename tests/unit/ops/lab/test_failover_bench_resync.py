"""The resync benchmark's verdict: medians of the rounds, a failed run never counts as fast."""

from __future__ import annotations

from ops.lab.failover_bench_resync import Resync, median_of, report_lines, resync_line

NAMES = {"ours": "leaseledger secondary", "isc": "ISC dhcpd secondary  "}


def run(completed: float | None, normal: float | None = 30.0, failure: str = "") -> Resync:
    return Resync(ready=0.2, update_completed=completed, normal=normal,
                  active_after=60000 if completed else None, cpu_seconds=3.5,
                  failure=failure)


def test_the_median_is_of_every_round() -> None:
    assert median_of([run(5.4), run(4.6), run(6.0)], "update_completed") == 5.4
    assert median_of([run(5.0), run(4.0)], "update_completed") == 4.5


def test_a_failed_round_leaves_no_median() -> None:
    assert median_of([run(4.0), run(None)], "update_completed") is None
    assert median_of([], "update_completed") is None


def test_the_report_compares_the_medians_and_lists_each_round() -> None:
    lines = report_lines(60000, NAMES, {"ours": [run(4.6), run(5.0), run(4.8)],
                                        "isc": [run(5.0), run(5.2), run(5.1)]})
    text = "\n".join(lines)
    assert "leaseledger secondary: peer update completed 4.80 s (12500 leases/s)" in text
    assert "runs: 4.6, 5.0, 4.8" in text
    assert ("ratio leaseledger / ISC of the medians, to peer update completed: 0.94"
            "  (target at most 1: met); round by round: 0.92, 0.96, 0.94") in text
    assert "to normal: 1.00" in text


def test_the_target_is_not_met_when_our_median_is_slower() -> None:
    text = "\n".join(report_lines(60000, NAMES, {"ours": [run(5.6)], "isc": [run(5.0)]}))
    assert "1.12  (target at most 1: NOT MET)" in text


def test_a_side_with_a_failed_round_gets_no_verdict() -> None:
    text = "\n".join(report_lines(60000, NAMES, {"ours": [run(4.0), run(None, None, "x")],
                                                 "isc": [run(5.0), run(5.0)]}))
    assert "leaseledger secondary: not every run completed the update; runs: 4.0, failed" in text
    assert "ratio" not in text


def test_a_failed_run_prints_its_last_lines() -> None:
    line = resync_line("ours round 1", run(None, None, "one\ntwo"))
    assert "peer update completed never" in line
    assert line.endswith("      one\n      two")
