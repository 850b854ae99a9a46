"""When an adopting organization owes its results report: the due date, the to-do line, the page, the reminder."""

import datetime as dt
from importlib import import_module

import pytest
from django.apps import apps as django_apps
from django.core.exceptions import PermissionDenied
from django.utils import timezone

from tests.cases.factories import make_case, publish
from tupo.cases import reminders, services
from tupo.cases.models import Adoption
from tupo.core.models import Notification, WorkCalendarYear
from tupo.core.todo import collect

pytestmark = pytest.mark.django_db

DUE_LABEL = "Adoption results reports due"


@pytest.fixture
def case(tree, personas):
    return publish(make_case(personas.org_admin_a, tree.village_a1), personas.org_admin_a, personas.dept_admin)


def adopt(personas, case, org, started_on):
    return services.adopt_case(personas.org_admin_b, case, org,
                               {"adapted": "按村民小组划分网格", "started_on": started_on, "contact": "赵六 138"})


def report(personas, case, org):
    return services.report_adoption(personas.org_admin_b, case, org, {"summary": "纠纷下降", "rating": 4})


def due_line(user):
    return next((t for t in collect(user) if str(t.label) == DUE_LABEL), None)


# --- the due date ----------------------------------------------------------------------------------------

def test_due_date_counts_working_days_across_the_national_day_holiday(tree, personas, case, settings):
    settings.TUPO_ADOPTION_REPORT_WORKDAYS = 5
    # Friday 26 September 2025: Sunday 28th is a make-up working day, 1–8 October are the holiday
    a = adopt(personas, case, tree.village_b1, dt.date(2025, 9, 26))
    assert a.report_due_on == dt.date(2025, 10, 10)  # 28, 29, 30 September, 9, 10 October (weekdays alone: 3 Oct)


def test_default_is_sixty_working_days(tree, personas, case):
    a = adopt(personas, case, tree.village_b1, dt.date(2025, 3, 3))
    assert a.report_due_on == dt.date(2025, 5, 29)  # Qingming, Labour Day and Dragon Boat days not counted


def test_missing_calendar_year_stores_no_due_date_and_says_so(tree, personas, case, settings, login):
    settings.TUPO_ADOPTION_REPORT_WORKDAYS = 5
    a = adopt(personas, case, tree.village_b1, dt.date(2026, 12, 28))  # the 5th working day is in 2027: unknown
    assert a.report_due_on is None
    page = login(personas.org_admin_b).get(f"/cases/{case.pk}/").content.decode()
    assert "the working-day calendar has no data for that year yet" in page
    assert services.fill_report_due_dates() == 0  # still unknown: nothing guessed
    WorkCalendarYear.objects.create(year=2027, source="国办发明电〔2026〕x号")
    assert services.fill_report_due_dates() == 1
    assert Adoption.objects.get(pk=a.pk).report_due_on == dt.date(2027, 1, 4)  # 29, 30, 31 Dec, 1 and 4 Jan 2027


def test_data_migration_fills_existing_adoptions_where_computable(tree, personas, case, settings):
    settings.TUPO_ADOPTION_REPORT_WORKDAYS = 5
    known = adopt(personas, case, tree.village_b1, dt.date(2025, 9, 26))
    unknown = adopt(personas, case, tree.town_b, dt.date(2026, 12, 28))
    Adoption.objects.update(report_due_on=None)  # as before the column existed
    import_module("tupo.cases.migrations.0003_adoption_report_due_on").fill(django_apps, None)
    assert Adoption.objects.get(pk=known.pk).report_due_on == dt.date(2025, 10, 10)
    assert Adoption.objects.get(pk=unknown.pk).report_due_on is None


# --- to-do list, pages -----------------------------------------------------------------------------------

def test_todo_shows_overdue_report_to_the_managers_until_it_is_filed(tree, personas, case, login):
    adopt(personas, case, tree.village_b1, dt.date(2025, 3, 3))  # due 29 May 2025: overdue
    line = due_line(personas.org_admin_b)
    assert line is not None and line.count == 1 and line.overdue == 1 and line.badge == "danger"
    assert due_line(personas.dept_admin).count == 1  # the county's department administrator manages it too
    home = login(personas.org_admin_b).get("/").content.decode()
    assert DUE_LABEL in home
    page = login(personas.org_admin_b).get(line.url).content.decode()
    assert "向阳村党支部" in page and "Results report overdue" in page and "was due 2025-05-29" in page
    report(personas, case, tree.village_b1)
    assert due_line(personas.org_admin_b) is None
    assert "No adoptions." in login(personas.org_admin_b).get(line.url).content.decode()
    assert "Results reported" in login(personas.org_admin_b).get("/cases/adoptions/").content.decode()


def test_todo_counts_reports_due_soon_but_not_far_off_or_undated(tree, personas, case, settings):
    today = timezone.localdate()
    settings.TUPO_ADOPTION_REPORT_WORKDAYS = 1
    a = adopt(personas, case, tree.village_b1, today - dt.timedelta(days=1))
    Adoption.objects.filter(pk=a.pk).update(report_due_on=today + dt.timedelta(days=10))
    line = due_line(personas.org_admin_b)
    assert line.count == 1 and line.overdue == 0 and line.badge == "warning"
    Adoption.objects.filter(pk=a.pk).update(report_due_on=today + dt.timedelta(days=40))
    assert due_line(personas.org_admin_b) is None
    Adoption.objects.filter(pk=a.pk).update(report_due_on=None)
    assert due_line(personas.org_admin_b) is None


@pytest.mark.parametrize("who", ["leader", "liaison_a", "org_admin_a", "member_a", "sysadmin"])
def test_roles_that_cannot_file_the_report_get_no_todo_line(tree, personas, case, who):
    adopt(personas, case, tree.village_b1, dt.date(2025, 3, 3))
    user = getattr(personas, who)
    assert due_line(user) is None
    with pytest.raises(PermissionDenied):
        services.report_adoption(user, case, tree.village_b1, {"summary": "x", "rating": 3})


def test_adoptions_page_hidden_from_separated_admins_and_scoped_for_others(tree, personas, case, login):
    adopt(personas, case, tree.village_b1, dt.date(2025, 3, 3))
    assert login(personas.sysadmin).get("/cases/adoptions/").status_code == 404
    assert "向阳村党支部" not in login(personas.org_admin_a).get("/cases/adoptions/").content.decode()
    assert "向阳村党支部" in login(personas.leader).get("/cases/adoptions/").content.decode()  # sees, cannot file


def test_api_returns_the_due_date(tree, personas, case, settings, client):
    from tupo.accounts.services import create_token
    from tupo.core.services import SYSTEM

    settings.TUPO_ADOPTION_REPORT_WORKDAYS = 5
    adopt(personas, case, tree.village_b1, dt.date(2025, 9, 26))
    raw = create_token(SYSTEM, personas.org_admin_b, name="t")[1]
    rows = client.get(f"/api/v1/cases/{case.pk}/adoptions", HTTP_AUTHORIZATION=f"Bearer {raw}").json()
    assert rows[0]["report_due_on"] == "2025-10-10"


# --- reminders -------------------------------------------------------------------------------------------

def test_reminders_go_to_the_nearest_managers_on_the_two_days_only(tree, personas, case):
    a = adopt(personas, case, tree.village_b1, dt.date(2025, 3, 3))
    Adoption.objects.filter(pk=a.pk).update(report_due_on=dt.date(2025, 10, 10))
    sent = reminders.run(today=dt.date(2025, 9, 26))  # 26 Sep + 5 working days (holiday skipped) = 10 Oct
    assert sent["adoption_report_due"] == 1
    assert list(Notification.objects.values_list("user__username", flat=True)) == ["org_admin_b"]
    assert reminders.run(today=dt.date(2025, 10, 11))["adoption_report_overdue"] == 1
    assert reminders.run(today=dt.date(2025, 10, 12)) == {"adoption_due_dates_filled": 0, "adoption_report_due": 0,
                                                          "adoption_report_overdue": 0}
    report(personas, case, tree.village_b1)
    assert reminders.run(today=dt.date(2025, 10, 11))["adoption_report_overdue"] == 0
