"""`leaseledger leases`, `pools` and `audit`: reading the lease log as an administrator.

All three read the log without a lock and without changing it, so they are safe to
run beside a running server.  They print a table by default and JSON with `--json`.
Times on the command line and in the output are UTC, like the lease file's.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import sys
from collections.abc import Iterator
from dataclasses import asdict
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

from adapters.leasefile.history import read_history
from adapters.leasefile.segments import ARCHIVE_INFIX, archived_segments
from adapters.leasefile.store_errors import LeaseFileError
from domain.config.model import DhcpConfig
from domain.lease import BindingState, Lease
from domain.lease_events import LeaseEvent
from ops.server_files import (
    DEFAULT_CONF,
    LEASE_FILE_VARIABLE,
    ConfigUnreadable,
    config_for_paths,
    configured_files,
    load_config,
)
from ops.tables import Progress, format_hardware, format_octets, format_time, render_table
from projections.history import Subject, TimelineEntry, leases_at, timeline
from projections.lease_view import LeaseView

_DATE = re.compile(
    r"^(?:\d\s+)?(\d{4})[/-](\d{1,2})[/-](\d{1,2})(?:[ T](\d{1,2}):(\d{2})(?::(\d{2}))?)?$"
)


class UsageError(Exception):
    """A bad argument or an unreadable input: one line for the user, exit 1."""


def parse_time(text: str) -> datetime:
    """`2026/11/24 14:05`, `2026-11-24T14:05:00`, ISC's `2 2026/11/24 14:05:00`,
    `epoch N` or a plain number of seconds — all UTC."""
    text = text.strip()
    epoch = text.removeprefix("epoch").strip()
    if epoch.isdigit():
        return datetime.fromtimestamp(int(epoch), UTC)
    m = _DATE.match(text)
    if m is None:
        raise UsageError(f"cannot read the time {text!r} (try 2026/11/24 14:05:00, UTC)")
    year, month, day, hour, minute, second = (int(g) if g else 0 for g in m.groups())
    try:
        return datetime(year, month, day, hour, minute, second, tzinfo=UTC)
    except ValueError as exc:
        raise UsageError(f"cannot read the time {text!r}: {exc}") from None


def lease_file(args: argparse.Namespace, config: DhcpConfig | None = None) -> str:
    """The log to read: -lf, else LEASELEDGER_LEASE_FILE, else the `lease-file-name` of
    the configuration (`config`, or the one -cf names, or dhcpd's default if present),
    else dhcpd's default: the file `serve` with that configuration writes."""
    explicit = args.leasefile or os.environ.get(LEASE_FILE_VARIABLE)
    if explicit:
        return str(explicit)
    return configured_files(config or config_for_paths(args.config)).lease_file


def lease_events(path: str, *, live_only: bool = False) -> Iterator[tuple[str, int, LeaseEvent]]:
    """The lease events of every segment (or of the live one), with a progress bar
    for long reads."""
    live = Path(path)
    if not live.exists():
        raise UsageError(f"{path}: no such lease file")
    archives = archived_segments(live)
    segments = 1 if live_only else len(archives) + 1
    progress = Progress(segments, f"reading {path}")
    seen_segments: list[str] = []
    try:
        for segment, position, event in read_history(live, live_only=live_only):
            if not seen_segments or seen_segments[-1] != segment:
                if not live_only and not seen_segments:
                    _note_pruned_history(archives, event.timestamp)
                seen_segments.append(segment)
            if isinstance(event, LeaseEvent):
                progress.update(len(seen_segments) - 1)
                yield segment, position, event
    finally:
        progress.finish()


def _note_pruned_history(archives: list[Path], first: datetime) -> None:
    """Older segments were removed (`serve --keep-segments`): say where the history now
    starts, so an empty or short answer about the past is not taken for the truth."""
    if archives and not archives[0].name.endswith(f"{ARCHIVE_INFIX}000001"):
        print(f"leaseledger: note: the segments before {archives[0].name} were removed"
              f" (serve --keep-segments); the history starts at {format_time(first)} UTC",
              file=sys.stderr)


def current_leases(path: str) -> list[Lease]:
    """The table now: the live segment alone holds it (it starts with a checkpoint)."""
    return leases_at(lease_events(path, live_only=True), datetime.max.replace(tzinfo=UTC))


def lease_row(lease: Lease) -> dict[str, Any]:
    return {
        "ip": lease.ip,
        "state": str(lease.binding_state or "-"),
        "starts": format_time(lease.starts),
        "ends": format_time(lease.ends),
        "hardware": format_hardware(lease.hardware),
        "client_id": format_octets(lease.uid),
        "hostname": lease.client_hostname or "-",
    }


def run_leases(args: argparse.Namespace) -> int:
    if args.at:
        leases = leases_at(lease_events(lease_file(args)), parse_time(args.at))
    else:
        leases = current_leases(lease_file(args))
    if args.state:
        try:
            wanted = BindingState(args.state)
        except ValueError:
            names = ", ".join(s.value for s in BindingState)
            raise UsageError(f"unknown state {args.state!r} (one of: {names})") from None
        leases = [lease for lease in leases if lease.binding_state is wanted]
    rows = [lease_row(lease) for lease in leases]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        columns = [("ip", "IP"), ("state", "STATE"), ("starts", "STARTS (UTC)"),
                   ("ends", "ENDS (UTC)"), ("hardware", "HARDWARE"),
                   ("client_id", "CLIENT-ID"), ("hostname", "HOSTNAME")]
        print(render_table(rows, columns))
    return 0


def run_pools(args: argparse.Namespace) -> int:
    config = load_config(args.config or DEFAULT_CONF)
    view = LeaseView(config)
    view.load(current_leases(lease_file(args, config)))
    counts = view.pool_counts()
    if args.json:
        print(json.dumps([asdict(c) for c in counts], indent=2))
        return 0
    rows = [dict(asdict(c), failover_peer=c.failover_peer or "-") for c in counts]
    columns = [("pool_id", "POOL"), ("network", "NETWORK"), ("failover_peer", "FAILOVER"),
               ("total", "TOTAL"), ("free", "FREE"), ("backup", "BACKUP"), ("lts", "LTS")]
    print(render_table(rows, columns))
    print()
    for c in counts:
        print(c.isc_line())
    return 0


def audit_row(entry: TimelineEntry) -> dict[str, Any]:
    before = str(entry.previous_state) if entry.previous_state else "-"
    after = str(entry.state) if entry.state else "-"
    return {
        "time": format_time(entry.time),
        "event": entry.event,
        "ip": entry.ip,
        "change": f"{before} -> {after}",
        "hardware": format_hardware(entry.hardware),
        "client_id": format_octets(entry.client_id),
        "hostname": entry.client_hostname or "-",
        "starts": format_time(entry.starts),
        "ends": format_time(entry.ends),
        "cause": entry.cause,
        "segment": entry.segment,
    }


def run_audit(args: argparse.Namespace) -> int:
    since = parse_time(args.since) if args.since else None
    until = parse_time(args.until) if args.until else None
    entries = timeline(
        lease_events(lease_file(args)), Subject.parse(args.subject), since=since, until=until
    )
    rows = [audit_row(entry) for entry in entries]
    if args.json:
        print(json.dumps(rows, indent=2))
    else:
        columns = [("time", "TIME (UTC)"), ("event", "EVENT"), ("ip", "IP"),
                   ("change", "STATE"), ("hardware", "HARDWARE"), ("client_id", "CLIENT-ID"),
                   ("hostname", "HOSTNAME"), ("ends", "ENDS (UTC)"), ("cause", "CAUSE")]
        print(render_table(rows, columns))
    return 0


def add_commands(sub: Any) -> None:
    """Register the three commands on the main parser's subparsers."""

    def common(p: argparse.ArgumentParser) -> None:
        p.add_argument("-cf", dest="config", metavar="FILE",
                       help=f"the server's configuration (default {DEFAULT_CONF}); its"
                            " lease-file-name is the log read when -lf is not given")
        p.add_argument("-lf", dest="leasefile", metavar="FILE",
                       help=f"the lease log (default: ${LEASE_FILE_VARIABLE}, else the"
                            " configuration's lease-file-name, else dhcpd's)")
        p.add_argument("--json", action="store_true", help="JSON for scripts")

    leases = sub.add_parser("leases", help="the lease table, now or at a past moment")
    common(leases)
    leases.add_argument("--state", help="only leases in this binding state")
    leases.add_argument("--at", metavar="TIME", help="as it stood at TIME (UTC)")
    leases.set_defaults(run=_guarded(run_leases))

    pools = sub.add_parser("pools", help="free, backup and total addresses per pool")
    common(pools)
    pools.set_defaults(run=_guarded(run_pools))

    audit = sub.add_parser("audit", help="the full history of an address or a client")
    common(audit)
    audit.add_argument("subject", metavar="IP|MAC|CLIENT-ID")
    audit.add_argument("--since", metavar="TIME")
    audit.add_argument("--until", metavar="TIME")
    audit.set_defaults(run=_guarded(run_audit))


def _guarded(command: Any) -> Any:
    def run(args: argparse.Namespace) -> int:
        try:
            return int(command(args))
        except (UsageError, ConfigUnreadable, LeaseFileError) as exc:
            print(f"leaseledger: {exc}", file=sys.stderr)
            return 1
        except OSError as exc:
            print(f"leaseledger: {exc.filename or ''}: {exc.strerror}", file=sys.stderr)
            return 1

    return run
