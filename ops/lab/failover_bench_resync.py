"""The resynchronisation half of `ops/bench/failover`: a secondary that lost its database
comes back to an ISC primary holding every lease, sends UPDREQALL and receives them all.

One run is timed from the secondary's start to its log line `failover peer NAME: peer
update completed.` and to its move to normal (which waits the MCLT).  A single run says
little on a shared two-core machine: the same secondary has read anywhere between 4.6
and 5.7 s for 60,000 leases within one session.  So the benchmark runs several rounds,
each timing our secondary and ISC's one after the other on the same primary lease file,
and compares the medians (every run is printed as well).
"""

from __future__ import annotations

import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

from ops.lab.failover_bench_pair import (
    QUIET_SECONDS,
    REACHED_NORMAL,
    SETTLE_TIMEOUT,
    UPDATE_COMPLETED,
    active_addresses,
    pair_configs,
    wait_until_quiet,
)
from ops.lab.netns import SRV1, SRV2, Lab
from ops.lab.processes import LabError
from ops.lab.servers import DHCPD, start_dhcpd

PRIMARY_START_TIMEOUT = 120.0
RESYNC_TIMEOUT = 900.0


@dataclass(frozen=True)
class Resync:
    """One UPDREQALL recovery of a secondary from the ISC primary (seconds from its start)."""

    ready: float
    update_completed: float | None
    normal: float | None
    active_after: int | None
    cpu_seconds: float  # the secondary's CPU time until the update completed (or it failed)
    failure: str


def cpu_seconds(pid: int) -> float:
    """User + system CPU time a process has used so far (/proc/PID/stat, all threads)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rpartition(")")[2].split()
    # After the command name: state is field 3, utime and stime are fields 14 and 15.
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def resync(lab: Lab, secondary_program: tuple[str, ...], name: str, primary_leases: str,
           *, pool: int, mclt: int) -> Resync:
    """The ISC primary with its leases, then a secondary with an empty lease file."""
    primary_conf, secondary_conf = pair_configs(pool, mclt=mclt)
    primary_folder = lab.workdir / f"{name}-primary"
    primary_folder.mkdir(parents=True, exist_ok=True)
    (primary_folder / "dhcpd.leases").write_text(primary_leases, encoding="utf-8")
    primary = start_dhcpd(lab, SRV1, primary_conf, name=primary_folder.name, program=(DHCPD,),
                          timeout=PRIMARY_START_TIMEOUT)
    started = time.monotonic()
    secondary = start_dhcpd(lab, SRV2, secondary_conf, name=f"{name}-secondary",
                            program=secondary_program, timeout=PRIMARY_START_TIMEOUT)
    ready = time.monotonic() - started
    update_completed = normal = active = None
    failure = ""
    cpu = 0.0
    try:
        try:
            secondary.process.wait_for(UPDATE_COMPLETED, RESYNC_TIMEOUT)
            update_completed = time.monotonic() - started
        finally:
            if secondary.process.is_running():
                cpu = cpu_seconds(secondary.process.pid)
        secondary.process.wait_for(REACHED_NORMAL, RESYNC_TIMEOUT)
        normal = time.monotonic() - started
        wait_until_quiet(secondary, quiet_seconds=QUIET_SECONDS, timeout=SETTLE_TIMEOUT)
        active = active_addresses(secondary.leases_text())
    except LabError as error:
        failure = str(error)
    finally:
        secondary.process.stop()
        primary.process.stop()
    return Resync(ready, update_completed, normal, active, cpu, failure)


def resync_line(label: str, result: Resync) -> str:
    def seconds(value: float | None) -> str:
        return "never" if value is None else f"{value:.1f} s"

    done = result.update_completed
    cpu = f" ({result.cpu_seconds:.1f} s CPU)" if done else ""
    line = (f"  {label}: ready {seconds(result.ready)}, peer update completed"
            f" {seconds(done)}{cpu}, normal {seconds(result.normal)};"
            f" active leases afterwards: {result.active_after}")
    if result.failure:
        line += "\n" + "\n".join(f"      {text}" for text in result.failure.splitlines()[-15:])
    return line


def median_of(results: list[Resync], field: str) -> float | None:
    """The median of one timing over every run; None if a run never reached it (a run
    that failed is not a fast run)."""
    values = [getattr(result, field) for result in results]
    if not values or any(value is None for value in values):
        return None
    return statistics.median(values)


def report_lines(leases: int, names: dict[str, str], runs: dict[str, list[Resync]]) -> list[str]:
    """Each side's runs and medians; the ratio of the medians when both sides ran."""
    lines = [f"\nUPDREQALL resynchronisation of {leases} leases from an ISC primary"
             " (seconds from the secondary's start; median of the rounds):"]
    medians = {side: (median_of(results, "update_completed"), median_of(results, "normal"))
               for side, results in runs.items()}
    for side, results in runs.items():
        done, normal = medians[side]
        each = ", ".join("failed" if result.update_completed is None
                         else f"{result.update_completed:.1f}" for result in results)
        if done is None:
            lines.append(f"  {names[side]}: not every run completed the update; runs: {each}")
            continue
        normal_text = "-" if normal is None else f"{normal:.1f} s"
        lines.append(f"  {names[side]}: peer update completed {done:.2f} s"
                     f" ({leases / done:.0f} leases/s), normal {normal_text}; runs: {each}")
    if "ours" not in runs or "isc" not in runs:
        return lines
    (our_done, our_normal), (isc_done, isc_normal) = medians["ours"], medians["isc"]
    if our_done and isc_done:
        ratio = our_done / isc_done
        rounds = ", ".join(
            f"{mine.update_completed / theirs.update_completed:.2f}"
            for mine, theirs in zip(runs["ours"], runs["isc"], strict=False)
            if mine.update_completed and theirs.update_completed)
        lines.append(f"  ratio leaseledger / ISC of the medians, to peer update completed:"
                     f" {ratio:.2f}  (target at most 1: {'met' if ratio <= 1 else 'NOT MET'});"
                     f" round by round: {rounds}")
    if our_normal and isc_normal:
        lines.append(f"  ratio leaseledger / ISC of the medians, to normal:"
                     f" {our_normal / isc_normal:.2f}")
    return lines
