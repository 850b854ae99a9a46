"""When an adopting organization owes its results report: working days through the one calendar service."""

from __future__ import annotations

import datetime as dt

from django.conf import settings

from tupo.core.calendar import CalendarDataMissing, WorkCalendar

DEFAULT_REPORT_WORKDAYS = 60  # about three months of working days: long enough for a practice to show results


def report_workdays() -> int:
    return int(getattr(settings, "TUPO_ADOPTION_REPORT_WORKDAYS", DEFAULT_REPORT_WORKDAYS))


def report_due_date(started_on: dt.date, cal: WorkCalendar | None = None) -> dt.date | None:
    """The n-th working day after ``started_on``, or None when the calendar has no data for a year on the way
    (``CalendarDataMissing``): the adoption then has no due date rather than a guessed one."""
    cal = cal or WorkCalendar()
    try:
        return cal.add_workdays(started_on, report_workdays())
    except CalendarDataMissing:
        return None
