"""Project pages and API: team reports, liaison visits with problems, admin decisions, portfolio and export."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.projects.helpers import awarded_project
from tests.topics.helpers import travel
from tupo.accounts.services import create_token
from tupo.core.services import SYSTEM
from tupo.projects import services
from tupo.projects.models import Problem

JULY = dt.datetime(2026, 7, 10, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # first milestone overdue
# Cadres' passwords were set on 2026-03-02 and expire after 90 days: pages they use are opened before June.
MAY = dt.datetime(2026, 5, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


@pytest.fixture
def project(world, personas):
    p = awarded_project(world)
    services.assign_liaison(world.admin, p, personas.liaison_a)
    return p


def _auth(user):
    _t, key = create_token(SYSTEM, user, name="t", days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_who_opens_the_project_page(client, login, world, personas, project):
    url = reverse("projects:detail", args=[project.pk])
    for user, code in ((world.admin, 200), (world.a, 200), (world.c, 200), (personas.liaison_a, 200),
                       (world.b, 404), (personas.org_admin_a, 404), (personas.expert, 404), (personas.nobody, 404)):
        login(user)
        assert client.get(url).status_code == code, user


def test_team_reports_and_requests_through_pages(client, login, world, project):
    ms = project.milestones.first()
    with travel(MAY):
        login(world.c)
        client.post(reverse("projects:action", args=[project.pk, "progress"]), {
            "milestone": ms.pk, "text": "Survey done", "spent_to_date": "3000", "person_days": "12", "status": "done"})
        r = client.post(reverse("projects:action", args=[project.pk, "extension"]), {"months": 5, "reason": "x"},
                        follow=True)
        assert "Between 1 and 3 months" in r.content.decode()
        client.post(reverse("projects:action", args=[project.pk, "extension"]), {"months": 2, "reason": "floods"})
        client.post(reverse("projects:action", args=[project.pk, "acceptance"]), {
            "kind": "midterm", "report": "half", "spending": "3000", "person_days": "12", "out_report": 1})
        login(world.b)
        r = client.post(reverse("projects:action", args=[project.pk, "progress"]), {
            "milestone": ms.pk, "text": "hijack", "spent_to_date": "1", "person_days": "1"})
        assert r.status_code == 404
    ms.refresh_from_db()
    assert ms.status == "done" and project.progress_reports.count() == 1
    ext = project.extensions.get()
    acc = project.acceptances.get()
    with travel(MAY):
        login(world.c)
        assert client.post(reverse("projects:decide", args=["extension", ext.pk]),
                           {"decision": "approve"}).status_code == 403
        ext.refresh_from_db()
        assert ext.status == "pending"  # the team cannot decide its own request
        login(world.admin)
        client.post(reverse("projects:decide", args=["extension", ext.pk]), {"decision": "approve"})
        client.post(reverse("projects:decide", args=["acceptance", acc.pk]), {"rating": "pass", "comments": "fine"})
    ext.refresh_from_db()
    acc.refresh_from_db()
    project.refresh_from_db()
    assert ext.status == "approved" and project.ends_on == dt.date(2027, 5, 20) and acc.rating == "pass"


def test_liaison_records_a_visit_with_problems_and_follows_them(client, login, world, personas, project):
    with travel(MAY):
        login(personas.liaison_a)
        url = reverse("projects:visit", args=[project.pk])
        assert client.get(url).status_code == 200
        r = client.post(url, {"visited_on": "2026-05-19", "duration_hours": "2.5", "form": "on_site",
                              "findings": "Survey slow", "guidance": "Ask the township",
                              "pb-0-description": "No data access", "pb-0-owner": world.a.person.pk,
                              "pb-0-deadline": "2026-06-15", "pb-1-description": ""})
        assert r.status_code == 302
        problem = Problem.objects.get(project=project)
        assert problem.owner == world.a.person
        ms = project.milestones.first()
        client.post(reverse("projects:decide", args=["problem", problem.pk]), {"outcome": "Shared", "milestone": ms.pk})
        page = client.get(reverse("projects:problems")).content.decode()
        login(world.a)
        assert client.get(url).status_code == 403
    problem.refresh_from_db()
    assert problem.status == "solved" and problem.unblocked_milestone == ms
    assert "No data access" in page and "Survey done" in page


def test_portfolio_highlights_and_export(client, login, world, project):
    with travel(JULY):
        login(world.admin)
        page = client.get(reverse("projects:portfolio")).content.decode()
        assert project.title in page and "table-warning" in page and "Behind schedule" in page
        r = client.get(reverse("projects:export"))
        assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")
        login(world.a)
        assert client.get(reverse("projects:export")).status_code == 404
        assert project.title in client.get(reverse("projects:portfolio")).content.decode()
        login(world.b)
        assert project.title not in client.get(reverse("projects:portfolio")).content.decode()


def test_nav_entries_per_role(client, login, world, personas, project):
    from tupo.projects import nav as pnav
    from tupo.topics import nav as tnav

    keys = lambda u: [k for _l, _u, k in tnav.items(u) + pnav.items(u)]  # noqa: E731
    assert keys(world.admin) == ["topics", "topics_topics", "projects"]
    assert keys(world.a) == ["topics", "topics_bids", "projects"]
    assert keys(personas.liaison_a) == ["projects", "projects_problems"]


def test_api_projects_milestones_visits(client, world, personas, project):
    a, liaison, b = _auth(world.a), _auth(personas.liaison_a), _auth(world.b)
    assert [p["id"] for p in client.get("/api/v1/projects", **a).json()] == [project.pk]
    assert client.get("/api/v1/projects", **b).json() == []
    assert client.get(f"/api/v1/projects/{project.pk}", **b).status_code == 404
    ms = client.get(f"/api/v1/projects/{project.pk}/milestones", **a).json()
    assert len(ms) == 2
    r = client.post(f"/api/v1/projects/{project.pk}/milestones/{ms[0]['id']}/progress",
                    {"text": "ok", "spent_to_date": "100", "person_days": "2"}, content_type="application/json", **a)
    assert r.status_code == 201
    r = client.post(f"/api/v1/projects/{project.pk}/visits", {
        "visited_on": "2026-03-02", "duration_hours": "1", "problems": [
            {"description": "p", "deadline": "2026-04-01", "owner_id": world.a.person.pk}]},
        content_type="application/json", **liaison)
    assert r.status_code == 201, r.content
    assert client.post(f"/api/v1/projects/{project.pk}/visits", {"visited_on": "2026-03-02", "duration_hours": "1"},
                       content_type="application/json", **a).status_code == 403
    assert len(client.get(f"/api/v1/projects/{project.pk}/visits", **a).json()) == 1
