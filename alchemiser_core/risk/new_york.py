"""`trading_day`: the New York calendar date of an aware timestamp (daily limits reset on it).

US Eastern time is computed from the statutory rules rather than a tz database, so the
core reads no files: since 2007 daylight time runs from 2:00 on the second Sunday of
March to 2:00 on the first Sunday of November; from 1987 to 2006, from the first
Sunday of April to the last Sunday of October. Earlier timestamps are rejected.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

from alchemiser_core._fields import aware_datetime
from alchemiser_core.errors import InvalidInputError

__all__ = ["new_york_offset", "trading_day"]

_STANDARD = timedelta(hours=-5)
_DAYLIGHT = timedelta(hours=-4)
_FIRST_RULE_YEAR = 1987
_CURRENT_RULE_YEAR = 2007
_SUNDAY = 6


def _nth_sunday(year: int, month: int, n: int) -> date:
    first = date(year, month, 1)
    first_sunday = first + timedelta(days=(_SUNDAY - first.weekday()) % 7)
    return first_sunday + timedelta(weeks=n - 1)


def _last_sunday_of_october(year: int) -> date:
    last = date(year, 10, 31)
    return last - timedelta(days=(last.weekday() - _SUNDAY) % 7)


def new_york_offset(moment: datetime) -> timedelta:
    """UTC offset of New York at an aware instant (-5 h standard, -4 h daylight).

    >>> new_york_offset(datetime(2026, 7, 1, 12, tzinfo=UTC))
    datetime.timedelta(days=-1, seconds=72000)
    """
    utc = aware_datetime(moment, "ts").astimezone(UTC)
    year = utc.year
    if year < _FIRST_RULE_YEAR:
        raise InvalidInputError("ts", f"a timestamp from {_FIRST_RULE_YEAR} on", moment)
    if year >= _CURRENT_RULE_YEAR:
        start, end = _nth_sunday(year, 3, 2), _nth_sunday(year, 11, 1)
    else:
        start, end = _nth_sunday(year, 4, 1), _last_sunday_of_october(year)
    # 2:00 local standard time = 07:00 UTC; 2:00 local daylight time = 06:00 UTC.
    daylight_from = datetime(start.year, start.month, start.day, 7, tzinfo=UTC)
    daylight_until = datetime(end.year, end.month, end.day, 6, tzinfo=UTC)
    return _DAYLIGHT if daylight_from <= utc < daylight_until else _STANDARD


def trading_day(ts: datetime) -> date:
    """The New York calendar date of `ts`; naive timestamps raise `InvalidInputError`.

    >>> trading_day(datetime(2026, 11, 27, 3, 30, tzinfo=UTC))  # 22:30 on the 26th in New York
    datetime.date(2026, 11, 26)
    """
    utc = aware_datetime(ts, "ts").astimezone(UTC)
    return (utc + new_york_offset(utc)).date()
