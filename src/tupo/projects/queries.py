"""Reads: who sees which projects; the portfolio with what is late; liaison routines; inputs and outputs for DEA."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Exists, OuterRef, Q
from django.utils import timezone

from tupo.orgs import tree
from tupo.projects.choices import (
    RATING_SCORE,
    UNFINISHED,
    AcceptanceKind,
    LiaisonReportKind,
    MilestoneStatus,
    ProblemStatus,
)
from tupo.topics.rules import TOPIC_MANAGING_ROLES

NOTHING = Q(pk__in=[])


def visible_project_q(user) -> Q:
    """Department administrators of the call's scope, the project team, and the project's liaisons."""
    from tupo.projects.models import LiaisonAssignment, ProjectMember

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    paths = [g.org.path for g in user.grants if g.role in TOPIC_MANAGING_ROLES and g.org_id]
    q = tree.subtrees_q(paths, "call__org__path") if paths else NOTHING
    if user.person_id:
        q |= Q(Exists(ProjectMember.objects.filter(project_id=OuterRef("pk"), person_id=user.person_id)))
    q |= Q(Exists(LiaisonAssignment.objects.filter(project_id=OuterRef("pk"), liaison_id=user.pk, active=True)))
    return q


def unfinished_projects_of(person):
    """Projects the person leads that are not finished (blocks bids of later calls when the call says so)."""
    from tupo.projects.models import Project

    return Project.objects.filter(principal=person, status__in=UNFINISHED)


def annotate_portfolio(qs, today: dt.date | None = None):
    today = today or timezone.localdate()
    return qs.annotate(
        overdue_milestones=Count("milestones", filter=Q(milestones__due_on__lt=today)
                                 & ~Q(milestones__status=MilestoneStatus.DONE), distinct=True),
        open_problems=Count("problems", filter=Q(problems__status=ProblemStatus.OPEN), distinct=True),
    )


def portfolio(user, *, call=None, tier="", status="", org=None):
    from tupo.projects.models import Project

    qs = Project.objects.visible_to(user).select_related("call", "org", "principal", "topic")
    if call:
        qs = qs.filter(call_id=call)
    if tier:
        qs = qs.filter(tier=tier)
    if status:
        qs = qs.filter(status=status)
    if org is not None:
        qs = qs.filter(tree.subtree_q(org.path, "org_path"))
    return annotate_portfolio(qs).order_by("call_id", "ends_on", "id")


@dataclass
class Routine:
    visits_due: int
    visits_done: int
    half_year_due: int
    half_year_done: int
    research_due: int
    research_done: int

    @property
    def behind(self) -> bool:
        return (self.visits_done < self.visits_due or self.half_year_done < self.half_year_due
                or self.research_done < self.research_due)


def _full_periods(start: dt.date, today: dt.date, months: int) -> int:
    elapsed = (today.year - start.year) * 12 + today.month - start.month - (1 if today.day < start.day else 0)
    return max(0, elapsed) // months


def _routine(assignment, today: dt.date, visits: int, reports: dict) -> Routine:
    start = assignment.started_on
    return Routine(
        visits_due=_full_periods(start, today, 3) * assignment.visits_per_quarter, visits_done=visits,
        half_year_due=_full_periods(start, today, 6) * assignment.reports_per_half_year,
        half_year_done=reports.get(LiaisonReportKind.HALF_YEAR, 0),
        research_due=_full_periods(start, today, 12) * assignment.research_reports_per_year,
        research_done=reports.get(LiaisonReportKind.RESEARCH, 0),
    )


def routine_status(assignment, today: dt.date | None = None) -> Routine:
    """What the routine required up to the last full period since the assignment began, and what was done."""
    today = today or timezone.localdate()
    start = assignment.started_on
    project = assignment.project
    visits = project.visits.filter(liaison_id=assignment.liaison_id, visited_on__gte=start).count()
    reports = dict(project.liaison_reports.filter(liaison_id=assignment.liaison_id, submitted_on__gte=start)
                   .values("kind").annotate(n=Count("id")).values_list("kind", "n"))
    return _routine(assignment, today, visits, reports)


def routine_statuses(assignments, today: dt.date | None = None) -> dict[int, Routine]:
    """``routine_status`` of many assignments (a page of the portfolio) in two queries: {assignment id: Routine}."""
    from tupo.projects.models import LiaisonReport, LiaisonVisit

    today = today or timezone.localdate()
    assignments = list(assignments)
    if not assignments:
        return {}
    project_ids = {a.project_id for a in assignments}
    visits = list(LiaisonVisit.objects.filter(project_id__in=project_ids).values_list("project_id", "liaison_id",
                                                                                      "visited_on"))
    reports = list(LiaisonReport.objects.filter(project_id__in=project_ids).values_list("project_id", "liaison_id",
                                                                                        "kind", "submitted_on"))
    out = {}
    for a in assignments:
        key = (a.project_id, a.liaison_id)
        n_visits = sum(1 for p, u, on in visits if (p, u) == key and on >= a.started_on)
        kinds: dict[str, int] = {}
        for p, u, kind, on in reports:
            if (p, u) == key and on >= a.started_on:
                kinds[kind] = kinds.get(kind, 0) + 1
        out[a.pk] = _routine(a, today, n_visits, kinds)
    return out


def timeline(project):
    return project.events.select_related("actor")


def efficiency_rows(projects) -> list[dict]:
    """Per project, numeric inputs and outputs the efficiency analysis (DEA) reads, in a fixed number of queries.

    Inputs: budget, spent (latest figure reported), person-days, team size.
    Outputs: milestones met, completion grade (excellent 3, pass 2, fail 1, none 0), outputs by type.
    """
    from django.db.models import Max, Sum

    from tupo.projects.models import Acceptance, Milestone, ProgressReport, ProjectMember

    projects = list(projects)
    ids = [p.pk for p in projects]
    team = dict(ProjectMember.objects.filter(project_id__in=ids).values("project_id").annotate(n=Count("id"))
                .values_list("project_id", "n"))
    met = dict(Milestone.objects.filter(project_id__in=ids, status=MilestoneStatus.DONE).values("project_id")
               .annotate(n=Count("id")).values_list("project_id", "n"))
    total_ms = dict(Milestone.objects.filter(project_id__in=ids).values("project_id").annotate(n=Count("id"))
                    .values_list("project_id", "n"))
    progress = {r["project_id"]: r for r in ProgressReport.objects.filter(project_id__in=ids).values("project_id")
                .annotate(spent=Max("spent_to_date"), days=Sum("person_days"))}
    completion = {}
    outputs: dict[int, dict] = {}
    for a in Acceptance.objects.filter(project_id__in=ids).order_by("submitted_at", "id"):
        if a.kind == AcceptanceKind.COMPLETION:
            completion[a.project_id] = a
        if a.outputs:
            outputs[a.project_id] = a.outputs
    rows = []
    for p in projects:
        acc = completion.get(p.pk)
        prog = progress.get(p.pk, {})
        spent = float(acc.spending) if acc else float(prog.get("spent") or 0)
        days = float(acc.person_days) if acc and acc.person_days else float(prog.get("days") or 0)
        row = {
            "project_id": p.pk, "org_id": p.org_id, "call_id": p.call_id, "tier": p.tier,
            "budget": float(p.budget_total), "spent": spent, "person_days": days, "team_size": team.get(p.pk, 0),
            "milestones_total": total_ms.get(p.pk, 0), "milestones_met": met.get(p.pk, 0),
            "grade": RATING_SCORE.get(acc.rating, 0) if acc else 0,
        }
        for key, n in (outputs.get(p.pk) or {}).items():
            row[f"outputs_{key}"] = int(n or 0)
        rows.append(row)
    return rows


def efficiency_by_org(rows: list[dict]) -> list[dict]:
    """The per-project rows summed per organization (inputs and outputs alike; grade averaged over graded ones)."""
    out: dict[int, dict] = {}
    for row in rows:
        agg = out.setdefault(row["org_id"], {"org_id": row["org_id"], "projects": 0, "graded": 0, "grade_sum": 0})
        agg["projects"] += 1
        if row["grade"]:
            agg["graded"] += 1
            agg["grade_sum"] += row["grade"]
        for k, v in row.items():
            if k in ("project_id", "org_id", "call_id", "tier", "grade"):
                continue
            agg[k] = agg.get(k, 0) + v
    for agg in out.values():
        agg["grade"] = agg.pop("grade_sum") / agg["graded"] if agg["graded"] else 0
    return sorted(out.values(), key=lambda r: r["org_id"])
