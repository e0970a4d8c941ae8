"""W-K3-NOTICE calendar: PRC official working days, from the chinesecalendar tables."""

import datetime as dt

import chinese_calendar
import pytest
from hypothesis import given
from hypothesis import strategies as st

from zgcfund.core.workdays import FIRST_YEAR, LAST_YEAR, CalendarRangeError, is_working_day, working_days_between

covered = st.dates(dt.date(FIRST_YEAR, 1, 1), dt.date(LAST_YEAR, 12, 31))


def slow_count(a: dt.date, b: dt.date) -> int:
    return sum(chinese_calendar.is_workday(a + dt.timedelta(days=n)) for n in range(1, (b - a).days))


@given(day=covered)
def test_is_working_day_agrees_with_chinesecalendar(day):
    assert is_working_day(day) == chinese_calendar.is_workday(day)


@given(a=covered, days=st.integers(0, 400))
def test_working_days_between_counts_days_strictly_between(a, days):
    b = min(a + dt.timedelta(days=days), dt.date(LAST_YEAR, 12, 31))
    assert working_days_between(a, b) == slow_count(a, b)
    assert working_days_between(b, a) == 0


def test_national_day_2025_holiday_and_adjusted_workdays():
    # 2025-10-01..08 off; Sunday 2025-09-28 and Saturday 2025-10-11 are adjusted workdays.
    assert is_working_day(dt.date(2025, 9, 28))
    assert not is_working_day(dt.date(2025, 10, 3))
    assert is_working_day(dt.date(2025, 10, 11))
    # strictly between 09-26 (Fri) and 10-10 (Fri): 09-28, 09-29, 09-30, 10-09
    assert working_days_between(dt.date(2025, 9, 26), dt.date(2025, 10, 10)) == 4


@pytest.mark.parametrize("day", [dt.date(FIRST_YEAR - 1, 12, 31), dt.date(LAST_YEAR + 1, 1, 1)])
def test_a_date_outside_the_calendar_is_an_error_naming_it(day):
    with pytest.raises(CalendarRangeError, match=day.isoformat()):
        working_days_between(day, dt.date(2025, 1, 1))
    with pytest.raises(CalendarRangeError, match=day.isoformat()):
        is_working_day(day)
