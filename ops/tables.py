"""Plain-text tables and JSON-ready values for the read commands.

`leases`, `pools` and `audit` print a human table by default and JSON with `--json`;
both come from the same rows so the two never disagree.  Times are shown in UTC in
the lease file's own style (`2026/11/27 17:44:30`), which is what admins grep for.
"""

from __future__ import annotations

import sys
import time
from collections.abc import Sequence
from datetime import UTC, datetime
from typing import Any, TextIO

from domain.lease import NEVER, Hardware

Row = dict[str, Any]


def format_time(value: int | datetime | None) -> str:
    if value is None:
        return "-"
    if isinstance(value, datetime):
        return value.astimezone(UTC).strftime("%Y/%m/%d %H:%M:%S")
    if value == NEVER:
        return "never"
    return datetime.fromtimestamp(value, UTC).strftime("%Y/%m/%d %H:%M:%S")


def format_hardware(hardware: Hardware | None) -> str:
    if hardware is None:
        return "-"
    return ":".join(f"{b:02x}" for b in hardware.address) or "-"


def format_octets(data: bytes | None) -> str:
    if not data:
        return "-"
    return ":".join(f"{b:x}" for b in data)


def render_table(rows: Sequence[Row], columns: Sequence[tuple[str, str]]) -> str:
    """Left-aligned columns (`(key, heading)` pairs), one line per row."""
    if not rows:
        return "(none)"
    cells = [[heading for _, heading in columns]]
    cells += [[str(row.get(key, "-")) for key, _ in columns] for row in rows]
    widths = [max(len(line[i]) for line in cells) for i in range(len(columns))]
    return "\n".join(
        "  ".join(cell.ljust(width) for cell, width in zip(line, widths, strict=True)).rstrip()
        for line in cells
    )


class Progress:
    """A progress bar on stderr that appears only once a read has taken a second,
    so quick commands stay quiet and slow ones show they are alive."""

    def __init__(self, total: int, label: str, stream: TextIO = sys.stderr) -> None:
        self.total = max(total, 1)
        self.label = label
        self.stream = stream
        self.started = time.monotonic()
        self.shown = False
        self._last = 0.0

    def update(self, done: int) -> None:
        now = time.monotonic()
        if now - self.started < 1.0 or now - self._last < 0.1:
            return
        self._last = now
        self.shown = True
        fraction = min(done / self.total, 1.0)
        bar = "#" * int(fraction * 30)
        self.stream.write(f"\r{self.label} [{bar:<30}] {fraction:4.0%}")
        self.stream.flush()

    def finish(self) -> None:
        if self.shown:
            self.stream.write("\n")
            self.stream.flush()
