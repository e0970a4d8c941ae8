"""PRC official working days (法定工作日), adjusted workdays and holidays included.

Backed by the ``chinesecalendar`` package, which covers a fixed range of years;
a date outside it is an error naming the date, never a weekday guess.
"""

from __future__ import annotations

import datetime as dt

import chinese_calendar


def _supported_years() -> tuple[int, int]:
    years = sorted({d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays})
    return years[0], years[-1]


FIRST_YEAR, LAST_YEAR = _supported_years()


class CalendarRangeError(ValueError):
    def __init__(self, day: dt.date):
        self.day = day
        super().__init__(
            f"日期 {day.isoformat()} 超出法定工作日历覆盖范围（{FIRST_YEAR}–{LAST_YEAR}年）"
        )


def covers(day: dt.date) -> bool:
    return FIRST_YEAR <= day.year <= LAST_YEAR


# chinese_calendar.is_workday() rescans its tables on every call (~30 µs). The covered range is
# small (a few thousand days), so precompute a running count of working days once: any
# "working days between" is then one subtraction.
_START = dt.date(FIRST_YEAR, 1, 1)


def _running_counts() -> list[int]:
    holidays, workdays = chinese_calendar.holidays, chinese_calendar.workdays
    counts, total, day, one = [0], 0, _START, dt.timedelta(days=1)
    while day.year <= LAST_YEAR:
        total += day in workdays or (day.weekday() <= 4 and day not in holidays)
        counts.append(total)  # counts[i + 1] = working days among the first i + 1 days of the range
        day += one
    return counts


_COUNTS = _running_counts()


def _index(day: dt.date) -> int:
    if not covers(day):
        raise CalendarRangeError(day)
    return (day - _START).days


def is_working_day(day: dt.date) -> bool:
    i = _index(day)
    return _COUNTS[i + 1] > _COUNTS[i]


def working_days_between(earlier: dt.date, later: dt.date) -> int:
    """Working days strictly between two dates (neither end counted); 0 if not earlier."""
    i, j = _index(earlier), _index(later)
    return _COUNTS[j] - _COUNTS[i + 1] if j > i else 0
