"""Daily reminders of adoption results reports (run by the ``topic_reminders`` command with the others).

Who is reminded: the holders of a managing role (``cases.report_adoption``) at the adopting organization, or —
when nobody holds one there — at its nearest ancestor that has such holders; not every administrator up to the
top of the tree, who would get every county's reminders.
"""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.core.calendar import CalendarDataMissing, WorkCalendar

REPORT_DUE_WORKDAYS = 5


def nearest_managers(org_path: str) -> list:
    from tupo.accounts.choices import MANAGING_ROLES
    from tupo.accounts.models import User
    from tupo.orgs import tree

    chain = tree.ancestor_ids(org_path)
    rows = (User.objects.filter(is_active=True, role_grants__role__in=MANAGING_ROLES, role_grants__org_id__in=chain)
            .values_list("pk", "role_grants__org_id"))
    by_org: dict[int, set[int]] = {}
    for pk, org_id in rows:
        by_org.setdefault(org_id, set()).add(pk)
    for org_id in reversed(chain):  # the adopting organization first, then upwards
        if org_id in by_org:
            return list(User.objects.filter(pk__in=by_org[org_id]))
    return []


def run(today: dt.date | None = None) -> dict:
    """Fill due dates the calendar can now give, then remind of reports due in 5 working days and of those that
    became overdue yesterday (each adoption is reminded on those two days only, so a daily run sends no
    duplicates). Returns how many users each kind reached."""
    from tupo.cases import services
    from tupo.cases.models import Adoption
    from tupo.cases.queries import reported_adoption_q
    from tupo.core.notifications import notify

    today = today or timezone.localdate()
    sent = {"adoption_due_dates_filled": services.fill_report_due_dates(), "adoption_report_due": 0,
            "adoption_report_overdue": 0}
    try:
        in_five = WorkCalendar().add_workdays(today, REPORT_DUE_WORKDAYS)
    except CalendarDataMissing:
        in_five = None  # the calendar cannot tell which day that is: no "due soon" reminder rather than a guess
    open_adoptions = Adoption.objects.exclude(reported_adoption_q()).select_related("case", "org")
    for key, day, subject in (
            ("adoption_report_due", in_five, _("Results report due in 5 working days: %(t)s")),
            ("adoption_report_overdue", today - dt.timedelta(days=1), _("Results report overdue: %(t)s"))):
        if day is None:
            continue
        for a in open_adoptions.filter(report_due_on=day):
            body = _("%(org)s adopted “%(t)s” on %(start)s; its results report is due on %(due)s.") % {
                "org": a.org.name, "t": a.case.title, "start": a.started_on, "due": a.report_due_on}
            sent[key] += notify(nearest_managers(a.org_path), subject % {"t": a.case.title}, body,
                                reverse("cases:detail", args=[a.case_id]))
    return sent
