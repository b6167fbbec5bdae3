"""Dates as ISC's print_time writes them and as its parse_date_core computes them.

The reference is dhcpd itself: the fixtures hold the same leases written by dhcpd with
the default date format (UTC) and with `db-time-format local;` (seconds, plus a comment
in the local zone), so every time in them comes with both of its forms.
"""

from __future__ import annotations

import calendar
import re
from datetime import UTC, datetime
from pathlib import Path
from zoneinfo import ZoneInfo

from hypothesis import given
from hypothesis import strategies as st

from adapters.leasefile.dates import (
    LeaseFileStyle,
    as_c_int,
    format_date,
    isc_date_value,
)
from domain.lease import NEVER

FIXTURES = Path(__file__).parent / "fixtures"
_TIME_LINE = re.compile(r"^  (?:starts|ends|tstp|tsfp|atsfp|cltt) (.*)$", re.MULTILINE)
_LOCAL = re.compile(r"^epoch (\d+); (# .*)$")
BERLIN = ZoneInfo("Europe/Berlin")
NEW_YORK = ZoneInfo("America/New_York")


def _dates(name: str) -> list[str]:
    return _TIME_LINE.findall((FIXTURES / "isc" / f"{name}.leases").read_text())


def test_utc_dates_are_written_as_dhcpd_wrote_the_same_times() -> None:
    utc, local = _dates("fields"), _dates("fields-local")
    assert len(utc) == len(local) > 20
    for utc_text, local_text in zip(utc, local, strict=True):
        if utc_text == "never;":
            assert local_text == "never;"
            continue
        seconds = int(_LOCAL.match(local_text).group(1))
        assert format_date(seconds) == utc_text


def test_local_dates_carry_the_comment_dhcpd_wrote_in_that_zone() -> None:
    for name, zone in (("fields-local", BERLIN), ("pair-secondary", NEW_YORK)):
        style = LeaseFileStyle(local_zone=zone)
        texts = [t for t in _dates(name) if t != "never;"]
        assert texts
        for text in texts:
            seconds = int(_LOCAL.match(text).group(1))
            assert format_date(seconds, style) == text


def test_the_comment_follows_daylight_saving_time() -> None:
    style = LeaseFileStyle(local_zone=BERLIN)
    summer = calendar.timegm((2026, 7, 1, 12, 0, 0))
    winter = calendar.timegm((2026, 1, 5, 12, 0, 0))
    assert format_date(summer, style) == f"epoch {summer}; # Wed Jul 01 14:00:00 2026"
    assert format_date(winter, style) == f"epoch {winter}; # Mon Jan 05 13:00:00 2026"


def test_never_is_written_as_never_in_both_formats() -> None:
    assert format_date(NEVER) == "never;"
    assert format_date(NEVER, LeaseFileStyle(local_zone=BERLIN)) == "never;"


@given(st.integers(min_value=-(2**40), max_value=2**40).filter(lambda t: t != NEVER))
def test_utc_date_has_strftime_fields_with_sunday_as_zero(t: int) -> None:
    text = format_date(t)
    if -62135596800 <= t <= 253402300799:  # where datetime can check it
        when = datetime.fromtimestamp(t, UTC)
        assert text == when.strftime("%w %Y/%m/%d %H:%M:%S;")
    assert text.endswith(";")


def test_times_beyond_datetime_still_get_a_local_comment() -> None:
    text = format_date(2**40, LeaseFileStyle(local_zone=BERLIN))
    assert text.startswith(f"epoch {2**40}; # ")
    assert text.endswith(" 36812")


@given(st.integers(min_value=0, max_value=2145916799))
def test_isc_arithmetic_matches_the_calendar_from_1970_to_2037(t: int) -> None:
    when = datetime.fromtimestamp(t, UTC)
    assert isc_date_value(when.year, when.month, when.day, when.hour, when.minute,
                          when.second) == t


def test_isc_reads_any_date_from_2038_on_as_never() -> None:
    assert isc_date_value(2038, 1, 1, 0, 0, 0) == NEVER
    assert isc_date_value(2199, 1, 1, 0, 0, 1) == NEVER
    assert isc_date_value(138, 1, 1, 0, 0, 0) == NEVER  # the year minus 1900 also counts


def test_isc_arithmetic_keeps_its_quirks() -> None:
    # Years are taken as offsets from 1900 when they are small.
    assert isc_date_value(126, 11, 27, 0, 0, 0) == isc_date_value(2026, 11, 27, 0, 0, 0)
    # Fields are not checked: February 31 is March 3 (2026 is not a leap year).
    assert isc_date_value(2026, 2, 31, 0, 0, 0) == calendar.timegm((2026, 3, 3, 0, 0, 0))
    # A time-zone offset is simply added.
    assert isc_date_value(2026, 1, 1, 0, 0, 0, 3600) == calendar.timegm((2026, 1, 1, 1, 0, 0))
    # The sum is done in a C int.
    assert isc_date_value(2037, 12, 31, 23, 59, 59, 2**31) == as_c_int(2145916799 + 2**31)


def test_c_int_wraps_like_twos_complement() -> None:
    assert as_c_int(2**31) == -(2**31)
    assert as_c_int(2**32 + 5) == 5
    assert as_c_int(-(2**31) - 1) == 2**31 - 1
    assert as_c_int(123) == 123

