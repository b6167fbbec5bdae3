"""Dates in dhcpd.leases: ISC's `print_time` and the date arithmetic of its reader.

ISC writes a date as `W YYYY/MM/DD HH:MM:SS;` in UTC (W = weekday, 0 = Sunday), as
`never;` for MAX_TIME, or, under `db-time-format local;`, as `epoch N; # <local time>`
where the comment is for people and the reader skips it.  The text returned here
includes that `;`, because the failover state record puts the date straight after
`at` and relies on it.

ISC's reader does not use a calendar: it adds up days with a formula that is right
from 1970 to 2037, ignores the weekday, turns any year from 2038 on into `never`, and
does the sum in a C int.  `isc_date_value` repeats that sum, so that the fast path of
our reader gets the very number the token-by-token path (and dhcpd) gets.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, tzinfo
from functools import lru_cache

from domain.lease import NEVER

_DAYS_BEFORE_MONTH = (0, 31, 59, 90, 120, 151, 181, 212, 243, 273, 304, 334)
_C_DAY_NAMES = ("Mon", "Tue", "Wed", "Thu", "Fri", "Sat", "Sun")
_C_MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun",
                  "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")


@dataclass(frozen=True, slots=True)
class LeaseFileStyle:
    """How dhcpd.conf asks the lease file to be written.

    `local_zone` set means `db-time-format local;` (dates as `epoch N;` with a comment
    in that zone; ISC uses the process's TZ); `hex_lease_ids` means
    `lease-id-format hex;` (uid and server-duid as colon hex instead of octal-quoted)."""

    local_zone: tzinfo | None = None
    hex_lease_ids: bool = False


DEFAULT_STYLE = LeaseFileStyle()


def as_c_int(value: int) -> int:
    """`value` as a 32-bit C int holds it after an overflowing sum (two's complement)."""
    return (value + 0x80000000) % 0x100000000 - 0x80000000


def isc_date_value(year: int, month: int, mday: int, hour: int, minute: int, second: int,
                   tzoff: int = 0) -> int:
    """The time ISC's parse_date_core makes of a `W YYYY/MM/DD HH:MM:SS [tzoff]` date.

    Only for months 1 to 12: ISC reads past its month table for others (the caller
    leaves those to the token path)."""
    if year > 1900:
        year -= 1900
    if year >= 138:
        return NEVER
    mon = month - 1
    days = 365 * (year - 70) + int((year - 69) / 4)  # C division truncates towards 0
    days += _DAYS_BEFORE_MONTH[mon] if mon > 0 else 0
    if mon > 1 and not ((year - 72) & 3):
        days += 1
    days += mday - 1
    return as_c_int(((days * 24 + hour) * 60 + minute) * 60 + second + tzoff)


def _civil_from_days(days: int) -> tuple[int, int, int]:
    """(year, month, day) of a day count since 1970-01-01, proleptic Gregorian.

    Integer arithmetic, so that any time a record can hold has a date (datetime stops
    at year 9999)."""
    z = days + 719468
    era = z // 146097
    doe = z - era * 146097
    yoe = (doe - doe // 1460 + doe // 36524 - doe // 146096) // 365
    doy = doe - (365 * yoe + yoe // 4 - yoe // 100)
    mp = (5 * doy + 2) // 153
    day = doy - (153 * mp + 2) // 5 + 1
    month = mp + 3 if mp < 10 else mp - 9
    return yoe + era * 400 + (1 if month <= 2 else 0), month, day


@lru_cache(maxsize=16384)
def _utc_date(t: int) -> str:
    days, secs = divmod(t, 86400)
    year, month, day = _civil_from_days(days)
    hour, rest = divmod(secs, 3600)
    minute, second = divmod(rest, 60)
    weekday = (days + 4) % 7  # 1970-01-01 was a Thursday; 0 = Sunday as in strftime %w
    return f"{weekday} {year}/{month:02d}/{day:02d} {hour:02d}:{minute:02d}:{second:02d};"


def _local_comment(t: int, zone: tzinfo) -> str:
    """strftime("# %a %b %d %H:%M:%S %Y") in the C locale, in `zone`."""
    try:
        local = datetime.fromtimestamp(t, zone)
    except (OverflowError, OSError, ValueError):
        # Beyond what datetime can show: say it in UTC rather than fail to write.
        days, secs = divmod(t, 86400)
        year, month, day = _civil_from_days(days)
        hour, rest = divmod(secs, 3600)
        return (f"# {_C_DAY_NAMES[(days + 3) % 7]} {_C_MONTH_NAMES[month - 1]} {day:02d}"
                f" {hour:02d}:{rest // 60:02d}:{rest % 60:02d} {year}")
    return (f"# {_C_DAY_NAMES[local.weekday()]} {_C_MONTH_NAMES[local.month - 1]}"
            f" {local.day:02d} {local:%H:%M:%S} {local.year}")


def format_date(t: int, style: LeaseFileStyle = DEFAULT_STYLE) -> str:
    """A time as ISC's print_time writes it, `;` included: `2 2006/07/04 10:00:31;`,
    `never;`, or `epoch 1152007231; # Tue Jul 04 12:00:31 2006` under local style."""
    if t == NEVER:
        return "never;"
    if style.local_zone is not None:
        return f"epoch {t}; {_local_comment(t, style.local_zone)}"
    return _utc_date(t)
