"""Table and value formatting for the read commands."""

from __future__ import annotations

import io
from datetime import UTC, datetime

from domain.lease import NEVER, Hardware
from ops.tables import Progress, format_hardware, format_octets, format_time, render_table


def test_times_in_the_lease_files_style() -> None:
    assert format_time(1795801470) == "2026/11/27 17:44:30"
    assert format_time(datetime(2026, 11, 27, 17, 44, 30, tzinfo=UTC)) == "2026/11/27 17:44:30"
    assert format_time(NEVER) == "never"
    assert format_time(None) == "-"


def test_client_identities() -> None:
    assert format_hardware(Hardware(1, bytes.fromhex("0004acd65896"))) == "00:04:ac:d6:58:96"
    assert format_hardware(None) == "-"
    assert format_octets(bytes([1, 2, 0, 0x71])) == "1:2:0:71"


def test_table_columns_align() -> None:
    text = render_table([{"ip": "10.0.0.5", "state": "active"}], [("ip", "IP"), ("state", "S")])
    assert text.splitlines() == ["IP        S", "10.0.0.5  active"]
    assert render_table([], [("ip", "IP")]) == "(none)"


def test_progress_stays_silent_for_quick_reads() -> None:
    out = io.StringIO()
    progress = Progress(100, "reading", stream=out)
    progress.update(100)
    progress.finish()
    assert out.getvalue() == ""


def test_progress_shows_after_a_second() -> None:
    out = io.StringIO()
    progress = Progress(100, "reading", stream=out)
    progress.started -= 2
    progress.update(50)
    progress.finish()
    assert "reading [" in out.getvalue() and "50%" in out.getvalue()
