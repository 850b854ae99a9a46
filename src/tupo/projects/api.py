"""API of projects: visible projects, their milestones and liaison visits; progress and visits through services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Router, Schema, Status

from tupo.core.access import get_visible_or_404
from tupo.projects import services
from tupo.projects.models import Project

router = Router(tags=["projects"])


class ProjectOut(Schema):
    id: int
    bid_id: int
    call_id: int
    topic_id: int
    org_id: int
    principal_id: int
    title: str
    tier: str
    status: str
    budget_total: Decimal
    starts_on: dt.date
    ends_on: dt.date
    version: int


class MilestoneOut(Schema):
    id: int
    title: str
    due_on: dt.date
    status: str
    done_on: dt.date | None


class ProgressIn(Schema):
    text: str
    spent_to_date: Decimal = Decimal("0")
    person_days: Decimal = Decimal("0")
    status: str | None = None


class ProblemIn(Schema):
    description: str
    deadline: dt.date
    owner_id: int | None = None


class VisitIn(Schema):
    visited_on: dt.date
    duration_hours: Decimal
    form: str = "on_site"
    findings: str = ""
    guidance: str = ""
    problems: list[ProblemIn] = []


class VisitOut(Schema):
    id: int
    visited_on: dt.date
    duration_hours: Decimal
    form: str
    findings: str
    guidance: str


@router.get("/projects", response=list[ProjectOut])
def list_projects(request):
    return list(Project.objects.visible_to(request.auth).order_by("-created_at", "-id")[:500])


@router.get("/projects/{project_id}", response=ProjectOut)
def get_project(request, project_id: int):
    return get_visible_or_404(Project, request.auth, pk=project_id)


@router.get("/projects/{project_id}/milestones", response=list[MilestoneOut])
def milestones(request, project_id: int):
    return list(get_visible_or_404(Project, request.auth, pk=project_id).milestones.all())


@router.post("/projects/{project_id}/milestones/{milestone_id}/progress", response={201: dict})
def report_progress(request, project_id: int, milestone_id: int, payload: ProgressIn):
    project = get_visible_or_404(Project, request.auth, pk=project_id)
    ms = project.milestones.filter(pk=milestone_id).first()
    if ms is None:
        from django.http import Http404

        raise Http404
    report = services.report_progress(request.auth, ms, payload.dict())
    return Status(201, {"id": report.pk})


@router.get("/projects/{project_id}/visits", response=list[VisitOut])
def visits(request, project_id: int):
    return list(get_visible_or_404(Project, request.auth, pk=project_id).visits.all())


@router.post("/projects/{project_id}/visits", response={201: VisitOut})
def record_visit(request, project_id: int, payload: VisitIn):
    project = get_visible_or_404(Project, request.auth, pk=project_id)
    data = payload.dict()
    members = {m.person_id: m.person for m in project.members.select_related("person")}
    problems = [{"description": p["description"], "deadline": p["deadline"], "owner": members.get(p["owner_id"])}
                for p in data.pop("problems")]
    return Status(201, services.record_visit(request.auth, project, data, problems))
