"""Argument reading for the lease commands (the commands themselves: tests/story)."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest

from ops.lease_commands import UsageError, parse_time

MOMENT = datetime(2026, 11, 24, 14, 5, tzinfo=UTC)


@pytest.mark.parametrize(
    "text",
    [
        "2026/11/24 14:05",
        "2026/11/24 14:05:00",
        "2026-11-24T14:05:00",
        "2 2026/11/24 14:05:00",  # as the lease file writes it
        f"epoch {int(MOMENT.timestamp())}",
        str(int(MOMENT.timestamp())),
    ],
)
def test_times_in_every_form_admins_paste(text: str) -> None:
    assert parse_time(text) == MOMENT


def test_a_date_alone_means_midnight_utc() -> None:
    assert parse_time("2026-11-24") == datetime(2026, 11, 24, tzinfo=UTC)


@pytest.mark.parametrize("text", ["yesterday", "2026/13/40 10:00", "14:05"])
def test_unreadable_times_are_usage_errors(text: str) -> None:
    with pytest.raises(UsageError, match="cannot read the time"):
        parse_time(text)
