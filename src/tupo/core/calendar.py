"""The one working-day calendar service: every "N working days" in Tupo goes through here.

Sources, in order: an administrator's override of a single date (``WorkCalendarDay``); the
chinesecalendar package for the years it knows (State Council schedules up to its release); for later
years, Monday–Friday — but only once an administrator has entered that year's schedule
(``WorkCalendarYear``). A date in a year nobody knows raises ``CalendarDataMissing``: never a guess.
"""

from __future__ import annotations

import datetime as dt
from functools import lru_cache

import chinese_calendar

from tupo.core.models import WorkCalendarDay, WorkCalendarYear


class CalendarDataMissing(Exception):
    """The holiday schedule of this year is not known yet."""

    def __init__(self, year: int):
        self.year = year
        super().__init__(
            f"工作日历缺少 {year} 年的数据：请系统管理员录入国务院办公厅公布的 {year} 年节假日安排。 "
            f"(No working-day data for {year}: the system administrator must enter that year's holiday schedule.)"
        )


@lru_cache(maxsize=1)
def _package_years() -> tuple[int, int]:
    years = [d.year for d in chinese_calendar.holidays] + [d.year for d in chinese_calendar.workdays]
    return min(years), max(years)


class WorkCalendar:
    """Loads overrides once per instance; use ``calendar()`` for a fresh one per request or task."""

    def __init__(self) -> None:
        self._overrides = dict(WorkCalendarDay.objects.values_list("date", "is_workday"))
        self._entered_years = set(WorkCalendarYear.objects.values_list("year", flat=True))

    def knows(self, day: dt.date) -> bool:
        low, high = _package_years()
        return low <= day.year <= high or day.year in self._entered_years

    def is_workday(self, day: dt.date) -> bool:
        if isinstance(day, dt.datetime):
            day = day.date()
        if day in self._overrides:
            return self._overrides[day]
        if not self.knows(day):
            raise CalendarDataMissing(day.year)
        low, high = _package_years()
        if low <= day.year <= high:
            return chinese_calendar.is_workday(day)
        return day.weekday() < 5

    def add_workdays(self, start: dt.date, n: int) -> dt.date:
        """The date that is the n-th working day after ``start`` (start itself not counted).

        ``add_workdays(friday, 1)`` is the next working day. n must be ≥ 1.
        """
        if n < 1:
            raise ValueError("n must be at least 1")
        day, counted = start, 0
        while counted < n:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                counted += 1
        return day

    def workdays_between(self, start: dt.date, end: dt.date) -> int:
        """Working days in (start, end]: how many have passed since ``start``."""
        count, day = 0, start
        while day < end:
            day += dt.timedelta(days=1)
            if self.is_workday(day):
                count += 1
        return count

    def next_workday(self, day: dt.date) -> dt.date:
        """``day`` if it is a working day, else the next one."""
        while not self.is_workday(day):
            day += dt.timedelta(days=1)
        return day


def calendar() -> WorkCalendar:
    return WorkCalendar()


def add_workdays(start: dt.date, n: int) -> dt.date:
    return calendar().add_workdays(start, n)


def is_workday(day: dt.date) -> bool:
    return calendar().is_workday(day)
