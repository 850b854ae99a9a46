"""Daily reminders in the platform and by e-mail (the ``topic_reminders`` command runs them): deadlines in
working days, through the one calendar service."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.core.calendar import WorkCalendar

CALL_DEADLINE_WORKDAYS = 3
MILESTONE_DUE_WORKDAYS = 5


def _mail(users, subject, body) -> int:
    """Notify (bell + e-mail); returns how many users were reached."""
    from tupo.core.notifications import notify

    return notify(users, subject, body)


def run(today: dt.date | None = None) -> dict:
    """Send today's reminders; returns how many addresses each kind reached."""
    from tupo.accounts.models import User
    from tupo.orgs import tree
    from tupo.projects.choices import MilestoneStatus, ProjectStatus
    from tupo.projects.models import LiaisonAssignment, Milestone
    from tupo.projects.queries import routine_status
    from tupo.topics.choices import CallStatus
    from tupo.topics.models import Call

    today = today or timezone.localdate()
    cal = WorkCalendar()
    sent = {"call_deadline": 0, "milestone_due": 0, "milestone_overdue": 0, "visit_due": 0}
    in_three = cal.add_workdays(today, CALL_DEADLINE_WORKDAYS)
    for call in Call.objects.filter(status=CallStatus.PUBLISHED).select_related("org"):
        if call.deadline_date == in_three:
            users = User.objects.filter(tree.subtree_q(call.org.path, "person__org_path"), is_active=True)
            sent["call_deadline"] += _mail(users, _("Deadline in 3 working days: %(t)s") % {"t": call.title},
                                           _("Bids for “%(t)s” close on %(d)s.") % {"t": call.title, "d": call.deadline_date})
    in_five = cal.add_workdays(today, MILESTONE_DUE_WORKDAYS)
    yesterday = today - dt.timedelta(days=1)
    open_ms = Milestone.objects.filter(project__status=ProjectStatus.ACTIVE).exclude(status=MilestoneStatus.DONE)
    for key, day, subject in (("milestone_due", in_five, _("Milestone due in 5 working days: %(t)s")),
                              ("milestone_overdue", yesterday, _("Milestone overdue: %(t)s"))):
        for ms in open_ms.filter(due_on=day).select_related("project"):
            team = User.objects.filter(person__project_memberships__project=ms.project_id, is_active=True)
            sent[key] += _mail(team, subject % {"t": ms.title}, f"{ms.project.title}: {ms.title} ({ms.due_on})")
    for a in LiaisonAssignment.objects.filter(active=True, project__status=ProjectStatus.ACTIVE).select_related(
            "project", "liaison"):
        r = routine_status(a, today)
        if r.visits_done < r.visits_due:
            sent["visit_due"] += _mail([a.liaison], _("Liaison visit due: %(t)s") % {"t": a.project.title},
                                       _("%(done)s of %(due)s visits recorded so far.") % {"done": r.visits_done,
                                                                                           "due": r.visits_due})
    return sent
