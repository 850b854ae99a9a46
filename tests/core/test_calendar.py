import datetime as dt

import pytest

from tupo.core import calendar as workcal
from tupo.core.calendar import CalendarDataMissing
from tupo.core.models import WorkCalendarDay, WorkCalendarYear

D = dt.date


def test_five_working_days_cross_national_day_and_count_the_make_up_saturday(db):
    # 2026: 1–7 Oct holidays; Saturday 10 Oct is a make-up working day.
    assert workcal.add_workdays(D(2026, 9, 30), 5) == D(2026, 10, 13)
    assert workcal.is_workday(D(2026, 10, 10))
    assert not workcal.is_workday(D(2026, 10, 5))


def test_a_year_without_data_raises_instead_of_guessing(db):
    with pytest.raises(CalendarDataMissing, match="2027"):
        workcal.add_workdays(D(2026, 12, 28), 10)


def test_an_entered_year_uses_weekdays_and_the_overrides(db):
    WorkCalendarYear.objects.create(year=2027, source="国办发明电〔2026〕X号")
    WorkCalendarDay.objects.create(date=D(2027, 1, 1), is_workday=False, name="元旦")
    cal = workcal.calendar()
    assert not cal.is_workday(D(2027, 1, 1))      # override: holiday
    assert cal.is_workday(D(2027, 1, 4))          # Monday
    assert not cal.is_workday(D(2027, 1, 2))      # Saturday
    # From Thursday 31 Dec 2026: Fri 1 Jan is a holiday, so the first working day is Mon 4 Jan.
    assert cal.add_workdays(D(2026, 12, 31), 1) == D(2027, 1, 4)


def test_an_override_beats_the_package_data(db):
    WorkCalendarDay.objects.create(date=D(2026, 10, 10), is_workday=False, name="调整")
    assert not workcal.is_workday(D(2026, 10, 10))


def test_workdays_between_counts_elapsed_working_days(db):
    assert workcal.calendar().workdays_between(D(2026, 9, 30), D(2026, 10, 13)) == 5


def test_only_the_system_administrator_edits_the_calendar(personas, login):
    c = login(personas.dept_admin)
    assert c.get("/calendar/").status_code == 404
    r = c.post("/calendar/day/", {"date": "2026-12-31", "is_workday": "", "name": "x"})
    assert r.status_code == 403
    assert not WorkCalendarDay.objects.exists()
    c = login(personas.sysadmin)
    assert c.get("/calendar/").status_code == 200
    c.post("/calendar/day/", {"date": "2026-12-31", "is_workday": "", "name": "假期"})
    assert WorkCalendarDay.objects.get().is_workday is False
