"""PRC official working days (法定工作日), adjusted workdays and holidays included.

Backed by the ``chinesecalendar`` package, which covers a fixed range of years;
a date outside it is an error naming the date, never a weekday guess.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

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


def is_working_day(day: dt.date) -> bool:
    if not covers(day):
        raise CalendarRangeError(day)
    return chinese_calendar.is_workday(day)


@lru_cache(maxsize=4096)
def working_days_between(earlier: dt.date, later: dt.date) -> int:
    """Working days strictly between two dates (neither end counted); 0 if not earlier."""
    for day in (earlier, later):
        if not covers(day):
            raise CalendarRangeError(day)
    if later <= earlier:
        return 0
    count = 0
    day = earlier + dt.timedelta(days=1)
    one = dt.timedelta(days=1)
    while day < later:
        if chinese_calendar.is_workday(day):
            count += 1
        day += one
    return count
