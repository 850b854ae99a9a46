"""Projects: task book frozen from the bid, milestones in the period, liaison routine, problems, extensions,
change requests, acceptance and the DEA rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from tests.factories import make_user
from tests.projects.helpers import awarded_project
from tests.topics.helpers import travel
from tupo.accounts.choices import Role
from tupo.core.services import InvalidTransition
from tupo.projects import queries, services
from tupo.projects.choices import Decision, MilestoneStatus, ProblemStatus, ProjectStatus
from tupo.projects.models import Project
from tupo.topics.models import Bid

IN_PROJECT = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def project(world):
    return awarded_project(world)


def test_task_book_is_frozen_copy_of_the_bid(world, project):
    bid = Bid.objects.get(pk=project.bid_id)
    Bid.objects.filter(pk=bid.pk).update(method="changed later")
    project.refresh_from_db()
    assert project.method == "field research" and project.task_book["method"] == "field research"
    assert project.starts_on == dt.date(2026, 3, 20) and project.ends_on == dt.date(2027, 3, 20)
    assert [m["title"] for m in project.task_book["milestones"]] == ["Survey done", "Report drafted"]
    assert {m["role"] for m in project.task_book["team"]} == {"principal", "member"}


def test_progress_report_and_milestone_done(world, project):
    ms = project.milestones.first()
    with travel(IN_PROJECT):
        services.report_progress(world.a, ms, {"text": "Survey of 12 villages", "spent_to_date": "3000",
                                               "person_days": "20", "status": MilestoneStatus.DONE})
        with pytest.raises(InvalidTransition):
            services.report_progress(world.c, ms, {"text": "again", "status": MilestoneStatus.PLANNED})
        with pytest.raises(PermissionDenied):
            services.report_progress(world.b, ms, {"text": "not my project"})
    ms.refresh_from_db()
    assert ms.status == MilestoneStatus.DONE


def test_change_request_moves_a_milestone_only_when_approved_and_within_the_period(world, project):
    ms = project.milestones.first()
    with pytest.raises(ValidationError, match="outside the project period"):
        services.request_change(world.a, project, {"description": "later", "reason": "r", "milestone": ms,
                                                   "new_due_on": dt.date(2027, 6, 1)})
    cr = services.request_change(world.a, project, {"description": "later", "reason": "weather", "milestone": ms,
                                                    "new_due_on": dt.date(2026, 8, 31)})
    ms.refresh_from_db()
    assert ms.due_on == dt.date(2026, 6, 30)
    with pytest.raises(PermissionDenied):
        services.decide_change(world.a, cr, True)
    services.decide_change(world.admin, cr, True, "fine")
    ms.refresh_from_db()
    assert ms.due_on == dt.date(2026, 8, 31)
    with pytest.raises(InvalidTransition):
        services.decide_change(world.admin, cr, False, "changed my mind")


def test_extension_before_the_end_at_most_three_months(world, project):
    with pytest.raises(ValidationError, match="Between 1 and 3"):
        services.request_extension(world.a, project, 4, "need time")
    ext = services.request_extension(world.a, project, 3, "need time")
    with pytest.raises(ValidationError, match="already waiting"):
        services.request_extension(world.a, project, 1, "again")
    with pytest.raises(ValidationError):
        services.decide_extension(world.admin, ext, False, "")
    services.decide_extension(world.admin, ext, True)
    project.refresh_from_db()
    assert project.ends_on == dt.date(2027, 6, 20)
    with travel(dt.datetime(2027, 7, 1, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))), \
            pytest.raises(InvalidTransition, match="before the project ends"):
        services.request_extension(world.a, project, 1, "late")


def test_liaison_visit_problems_followed_until_solved(world, project, tree, personas):
    liaison = personas.liaison_a
    with pytest.raises(PermissionDenied):
        services.record_visit(liaison, project, {"visited_on": dt.date(2026, 3, 20), "duration_hours": 2})
    services.assign_liaison(world.admin, project, liaison, {"visits_per_quarter": 2})
    with pytest.raises(ValidationError):
        services.assign_liaison(world.admin, project, world.b)  # no liaison role
    with travel(IN_PROJECT):
        visit = services.record_visit(liaison, project, {
            "visited_on": dt.date(2026, 7, 9), "duration_hours": "3", "form": "on_site", "findings": "slow survey",
            "guidance": "use the township data"},
            problems=[{"description": "No access to township data", "owner": world.a.person,
                       "deadline": dt.date(2026, 7, 31)}])
        problem = visit.problems.get()
        ms = project.milestones.first()
        services.solve_problem(liaison, problem, "Data shared by the township", unblocked_milestone=ms)
        with pytest.raises(InvalidTransition):
            services.solve_problem(liaison, problem, "again")
        routine = queries.routine_status(project.liaisons.get(), dt.date(2026, 7, 10))
    problem.refresh_from_db()
    assert problem.status == ProblemStatus.SOLVED and problem.unblocked_milestone == ms
    assert routine.visits_due == 2 and routine.visits_done == 1 and routine.behind
    with pytest.raises(ValidationError, match="after it took place"):
        services.record_visit(liaison, project, {"visited_on": dt.date(2026, 12, 1), "duration_hours": 1})


def test_midterm_and_completion_acceptance(world, project):
    mid = services.submit_acceptance(world.a, project, "midterm", {"report": "half done", "spending": "3000",
                                                                     "outputs": {"report": 1}})
    with pytest.raises(PermissionDenied):
        services.rate_acceptance(world.a, mid, "pass", "ok")
    services.rate_acceptance(world.admin, mid, "pass", "on track")
    project.refresh_from_db()
    assert project.status == ProjectStatus.ACTIVE
    with pytest.raises(ValidationError, match="Unknown output type"):
        services.submit_acceptance(world.a, project, "completion", {"report": "r", "outputs": {"poem": 1}})
    fin = services.submit_acceptance(world.a, project, "completion", {
        "report": "done", "spending": "7800", "person_days": "60", "outputs": {"report": 1, "article": 2}})
    with pytest.raises(ValidationError, match="comments"):
        services.rate_acceptance(world.admin, fin, "excellent", "")
    services.rate_acceptance(world.admin, fin, "excellent", "Adopted by the county")
    project.refresh_from_db()
    assert project.status == ProjectStatus.COMPLETED
    from tupo.core.models import Notification

    # The team is told the result in the platform; nobody outside the team is.
    told = set(Notification.objects.filter(title__startswith="Acceptance result").values_list("user__username", flat=True))
    assert world.a.username in told and world.admin.username not in told
    with pytest.raises(InvalidTransition):
        services.rate_acceptance(world.admin, fin, "fail", "no")
    with pytest.raises(InvalidTransition):
        services.report_progress(world.a, project.milestones.first(), {"text": "late"})


def test_failed_completion_fails_the_project(world, project):
    fin = services.submit_acceptance(world.a, project, "completion", {"report": "done", "spending": "1"})
    services.rate_acceptance(world.admin, fin, "fail", "no output")
    project.refresh_from_db()
    assert project.status == ProjectStatus.FAILED


def test_efficiency_rows_for_dea(world, project):
    ms = project.milestones.first()
    services.report_progress(world.a, ms, {"text": "x", "spent_to_date": "3000", "person_days": "20",
                                           "status": "done"})
    fin = services.submit_acceptance(world.a, project, "completion", {
        "report": "done", "spending": "7800", "person_days": "60", "outputs": {"report": 1, "article": 2}})
    services.rate_acceptance(world.admin, fin, "excellent", "good")
    [row] = queries.efficiency_rows(Project.objects.filter(pk=project.pk))
    assert row["budget"] == 8000.0 and row["spent"] == 7800.0 and row["person_days"] == 60.0
    assert row["team_size"] == 2 and row["milestones_met"] == 1 and row["milestones_total"] == 2
    assert row["grade"] == 3 and row["outputs_report"] == 1 and row["outputs_article"] == 2
    assert all(isinstance(v, (int, float)) for k, v in row.items() if k != "tier")


def test_portfolio_flags_overdue_milestones(world, project):
    with travel(dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))):
        [p] = queries.portfolio(world.admin)
    assert p.overdue_milestones == 1 and p.open_problems == 0


def test_project_visibility(world, project, personas, tree):
    seen = lambda u: Project.objects.visible_to(u).filter(pk=project.pk).exists()  # noqa: E731
    assert seen(world.admin) and seen(world.a) and seen(world.c)
    assert not seen(world.b) and not seen(personas.liaison_a) and not seen(personas.org_admin_a)
    services.assign_liaison(world.admin, project, personas.liaison_a)
    assert seen(personas.liaison_a)
    other_admin = make_user("other_admin", Role.DEPT_ADMIN, tree.other)
    assert not seen(other_admin)


def test_unfinished_project_then_completed_frees_the_principal(world, project, tree):
    from tests.topics.helpers import end_of, make_call
    from tupo.topics import eligibility

    later = make_call(world.admin, tree.county, [world.topic2], ends_at=end_of(dt.date(2026, 12, 30)))
    assert [r.rule for r in eligibility.check_principal(later, world.a.person)] == ["unfinished"]
    fin = services.submit_acceptance(world.a, project, "completion", {"report": "done", "spending": Decimal("1")})
    services.rate_acceptance(world.admin, fin, "pass", "ok")
    assert eligibility.check_principal(later, world.a.person) == []


def test_decisions_statuses(world, project):
    cr = services.request_change(world.a, project, {"description": "team", "reason": "r"})
    services.decide_change(world.admin, cr, False, "no")
    cr.refresh_from_db()
    assert cr.status == Decision.REFUSED


def test_reminders_use_working_days(world, project, personas, mailoutbox):
    from tupo.accounts.models import User
    from tupo.core.calendar import WorkCalendar
    from tupo.projects import reminders

    User.objects.filter(pk__in=[world.a.pk, world.c.pk, personas.liaison_a.pk]).update(email="x@example.org")
    services.assign_liaison(world.admin, project, personas.liaison_a)
    ms = project.milestones.first()
    cal = WorkCalendar()
    day = ms.due_on - dt.timedelta(days=10)
    while cal.add_workdays(day, 5) != ms.due_on:
        day += dt.timedelta(days=1)
    from tupo.core.models import Notification

    team = User.objects.filter(person__project_memberships__project=project).count()
    assert team >= 1
    assert reminders.run(day)["milestone_due"] == team
    assert Notification.objects.filter(title__contains=ms.title).count() == team
    assert reminders.run(ms.due_on + dt.timedelta(days=1))["milestone_overdue"] == team
    before = Notification.objects.filter(user=personas.liaison_a, title__startswith="Liaison visit due").count()
    assert reminders.run(dt.date(2026, 7, 1))["visit_due"] == 1
    assert Notification.objects.filter(user=personas.liaison_a, title__startswith="Liaison visit due").count() == before + 1
    from tests.topics.helpers import end_of, make_call

    later = make_call(world.admin, world.call.org, [world.topic2], ends_at=end_of(dt.date(2026, 3, 27)))  # a Friday
    assert later.deadline_date == dt.date(2026, 3, 27)
    in_scope = User.objects.filter(person__org_path__startswith=world.call.org.path, is_active=True).count()
    assert reminders.run(dt.date(2026, 3, 24))["call_deadline"] == in_scope  # Tuesday: 3 working days before
    assert all("x@example.org" in m.to for m in mailoutbox)


def test_track_record_and_efficiency_by_org(world, project):
    from tupo.topics.queries import track_record

    record = track_record(world.c.person)
    assert [(b.pk, role) for b, role in record["bids"]] == [(project.bid_id, "member")]
    assert [(p.pk, role) for p, role in record["projects"]] == [(project.pk, "member")]
    rows = queries.efficiency_rows(Project.objects.all())
    [org] = queries.efficiency_by_org(rows)
    assert org["org_id"] == project.org_id and org["projects"] == 1 and org["budget"] == 8000.0


def test_a_progress_report_carries_a_checked_file(world, project, personas, client):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tupo.projects.models import ProgressReport, ProjectFile

    ms = project.milestones.first()
    pdf = SimpleUploadedFile("调研报告.pdf", b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n", content_type="application/pdf")
    report = services.report_progress(world.a, ms, {"text": "调研完成", "spent_to_date": "100", "person_days": "2"}, upload=pdf)
    f = ProjectFile.objects.get(report=report)
    assert f.content_type == "application/pdf" and f.original_name == "调研报告.pdf"
    # A file whose content is not what its name says is refused, and the report is not written either.
    before = ProgressReport.objects.count()
    fake = SimpleUploadedFile("x.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationError):
        services.report_progress(world.a, ms, {"text": "再报一次"}, upload=fake)
    assert ProgressReport.objects.count() == before
    client.force_login(world.a)
    assert client.get(f"/projects/{project.pk}/files/{f.pk}/").status_code == 200
    client.force_login(personas.org_admin_b)
    assert client.get(f"/projects/{project.pk}/files/{f.pk}/").status_code == 404
