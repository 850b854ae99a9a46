"""Every write to projects goes through here: the task book from the awarded bid, progress, liaison work,
change and extension requests, mid-term check and completion acceptance."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.conf import settings
from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.core import audit
from tupo.core.services import ConcurrentEditError, InvalidTransition, atomic_service, require_perm
from tupo.orgs.models import add_months
from tupo.projects.choices import (
    ALLOWED_DECISION_TRANSITIONS,
    ALLOWED_MILESTONE_TRANSITIONS,
    ALLOWED_PROJECT_TRANSITIONS,
    AcceptanceKind,
    Decision,
    LiaisonReportKind,
    MilestoneStatus,
    OutputType,
    ProblemStatus,
    ProjectStatus,
    Rating,
    VisitForm,
)
from tupo.projects.models import (
    Acceptance,
    ChangeRequest,
    ExtensionRequest,
    LiaisonAssignment,
    LiaisonReport,
    LiaisonVisit,
    Milestone,
    Problem,
    ProgressReport,
    Project,
    ProjectBudgetLine,
    ProjectEvent,
    ProjectMember,
)


def max_extension_months() -> int:
    return getattr(settings, "TUPO_MAX_EXTENSION_MONTHS", 3)


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(project, kind, actor, *, from_value="", to_value="", reason=""):
    ProjectEvent.objects.create(project=project, kind=kind, from_value=str(from_value)[:60], to_value=str(to_value)[:60],
                                reason=reason or "", actor=_user(actor))


def _amount(value, field, places="0.01") -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal(places))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter a number.")]}) from None
    if d < 0:
        raise ValidationError({field: [_("The number cannot be negative.")]})
    return d


def _require_active(project: Project) -> None:
    if project.status != ProjectStatus.ACTIVE:
        raise InvalidTransition(_("This project is finished: nothing more can be recorded on it."))


def _lock(project: Project, expected_version: int | None = None) -> Project:
    locked = Project.objects.select_for_update().select_related("call__org").get(pk=project.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


def check_in_period(project: Project, due_on: dt.date) -> None:
    if not project.starts_on <= due_on <= project.ends_on:
        raise ValidationError({"due_on": [_("The date %(d)s is outside the project period %(a)s – %(b)s.") % {
            "d": due_on.isoformat(), "a": project.starts_on.isoformat(), "b": project.ends_on.isoformat()}]})


# --- the task book -------------------------------------------------------------------------------------------

def create_from_bid(actor, bid) -> Project:
    """Freeze the awarded bid as the task book: topic, method, plan, team, budget and outputs are copied.

    Runs inside ``topics.services.award_bid`` (same transaction, permission already checked there).
    """
    from tupo.topics.choices import Invitation
    from tupo.topics.services import planned_period

    require_perm(actor, "topics.manage_bid", bid)
    topic = bid.topic
    starts_on, ends_on = planned_period(bid.call, topic)
    team = list(bid.team.exclude(invitation=Invitation.DECLINED).select_related("person"))
    lines = list(bid.budget_lines.all())
    plan = list(bid.milestones.all())
    project = Project.objects.create(
        bid=bid, call=bid.call, topic=topic, org=bid.org, org_path=bid.org_path, principal=bid.principal,
        title=bid.title, tier=topic.tier, method=bid.method, outline=bid.outline,
        expected_outputs=bid.expected_outputs, output_form=topic.output_form, funding=topic.funding,
        budget_total=bid.total_budget, starts_on=starts_on, ends_on=ends_on,
        task_book={
            "topic": {"id": topic.pk, "title": topic.title, "goals": topic.goals, "output_form": topic.output_form,
                      "tier": topic.tier, "funding": str(topic.funding), "duration_months": topic.duration_months},
            "title": bid.title, "angle": bid.angle, "outline": bid.outline, "method": bid.method,
            "expected_outputs": bid.expected_outputs, "total_budget": str(bid.total_budget),
            "team": [{"person": m.person_id, "name": m.person.name, "role": m.role} for m in team],
            "budget_lines": [{"item": x.item, "amount": str(x.amount)} for x in lines],
            "milestones": [{"title": m.title, "due_on": m.due_on.isoformat(), "deliverable": m.deliverable}
                           for m in plan],
        },
    )
    ProjectMember.objects.bulk_create([ProjectMember(project=project, person_id=m.person_id, role=m.role) for m in team])
    ProjectBudgetLine.objects.bulk_create([ProjectBudgetLine(project=project, item=x.item, amount=x.amount)
                                           for x in lines])
    for m in plan:
        check_in_period(project, m.due_on)
    Milestone.objects.bulk_create([Milestone(project=project, title=m.title, due_on=m.due_on,
                                             deliverable=m.deliverable) for m in plan])
    _event(project, "status", actor, to_value=ProjectStatus.ACTIVE, reason=bid.award_reason)
    audit.record("project.create", actor=actor, obj=project, details={"bid": bid.pk})
    return project


# --- the team ------------------------------------------------------------------------------------------------

@atomic_service
def report_progress(actor, milestone: Milestone, data: dict, *, upload=None) -> ProgressReport:
    """The team reports on one milestone (text, spending to date, person-days, a file); optionally marks it done."""
    project = milestone.project
    require_perm(actor, "projects.report", project)
    _require_active(project)
    text = (data.get("text") or "").strip()
    if not text:
        raise ValidationError({"text": [_("Describe the progress.")]})
    spent = _amount(data.get("spent_to_date", 0), "spent_to_date")
    days = _amount(data.get("person_days", 0), "person_days", "0.1")
    report = ProgressReport.objects.create(milestone=milestone, project=project, text=text, spent_to_date=spent,
                                           person_days=days, submitted_by=_user(actor))
    if upload is not None:
        _attach(actor, project, upload, report=report)
    to = data.get("status")
    if to and to != milestone.status:
        if to not in ALLOWED_MILESTONE_TRANSITIONS.get(milestone.status, set()):
            raise InvalidTransition(_("A milestone cannot go from “%(a)s” to “%(b)s”.")
                                    % {"a": milestone.get_status_display(), "b": to})
        frm = milestone.status
        milestone.status = to
        milestone.done_on = timezone.localdate() if to == MilestoneStatus.DONE else None
        milestone.save(update_fields=["status", "done_on"])
        _event(project, "milestone", actor, from_value=frm, to_value=to, reason=milestone.title)
    audit.record("project.progress", actor=actor, obj=project, details={"milestone": milestone.pk})
    return report


@atomic_service
def request_change(actor, project: Project, data: dict) -> ChangeRequest:
    require_perm(actor, "projects.report", project)
    _require_active(project)
    description, reason = (data.get("description") or "").strip(), (data.get("reason") or "").strip()
    if not description or not reason:
        raise ValidationError({"reason": [_("Describe the change and give the reason.")]})
    milestone, new_due = data.get("milestone"), data.get("new_due_on")
    if milestone is not None:
        if milestone.project_id != project.pk:
            raise ValidationError({"milestone": [_("Choose a milestone of this project.")]})
        if new_due is None:
            raise ValidationError({"new_due_on": [_("Give the new due date.")]})
        check_in_period(project, new_due)
    cr = ChangeRequest.objects.create(project=project, description=description, reason=reason, milestone=milestone,
                                      new_due_on=new_due, requested_by=_user(actor))
    _event(project, "change_request", actor, to_value=Decision.PENDING, reason=description)
    audit.record("project.change.request", actor=actor, obj=project, details={"request": cr.pk})
    return cr


@atomic_service
def decide_change(actor, cr: ChangeRequest, approve: bool, reason: str = "") -> ChangeRequest:
    project = _lock(cr.project)
    require_perm(actor, "projects.manage_project", project)
    _require_active(project)
    locked = ChangeRequest.objects.select_for_update().get(pk=cr.pk)
    to = Decision.APPROVED if approve else Decision.REFUSED
    if to not in ALLOWED_DECISION_TRANSITIONS[locked.status]:
        raise InvalidTransition(_("This request has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for refusing.")]})
    if approve and locked.milestone_id:
        check_in_period(project, locked.new_due_on)
        ms = Milestone.objects.get(pk=locked.milestone_id)
        _event(project, "milestone_moved", actor, from_value=ms.due_on.isoformat(),
               to_value=locked.new_due_on.isoformat(), reason=locked.description)
        ms.due_on = locked.new_due_on
        ms.save(update_fields=["due_on"])
    locked.status, locked.decision_reason = to, reason.strip()
    locked.decided_by, locked.decided_at = _user(actor), timezone.now()
    locked.save()
    project.version += 1
    project.save(update_fields=["version"])
    _event(project, "change_request", actor, from_value=Decision.PENDING, to_value=to, reason=reason)
    audit.record("project.change.decide", actor=actor, obj=project, details={"request": locked.pk, "decision": to})
    return locked


@atomic_service
def request_extension(actor, project: Project, months: int, reason: str) -> ExtensionRequest:
    """Before the project ends; at most the configured months (3 by default); one pending request at a time."""
    require_perm(actor, "projects.report", project)
    _require_active(project)
    if timezone.localdate() > project.ends_on:
        raise InvalidTransition(_("An extension must be requested before the project ends (%(d)s).")
                                % {"d": project.ends_on.isoformat()})
    limit = max_extension_months()
    if not 1 <= int(months or 0) <= limit:
        raise ValidationError({"months": [_("Between 1 and %(n)s months.") % {"n": limit}]})
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the extension.")]})
    if project.extensions.filter(status=Decision.PENDING).exists():
        raise ValidationError({"months": [_("An extension request is already waiting for a decision.")]})
    ext = ExtensionRequest.objects.create(project=project, months=int(months), reason=reason.strip(),
                                          requested_by=_user(actor))
    _event(project, "extension", actor, to_value=Decision.PENDING, reason=reason)
    audit.record("project.extension.request", actor=actor, obj=project, details={"months": int(months)})
    return ext


@atomic_service
def decide_extension(actor, ext: ExtensionRequest, approve: bool, reason: str = "") -> ExtensionRequest:
    project = _lock(ext.project)
    require_perm(actor, "projects.manage_project", project)
    _require_active(project)
    locked = ExtensionRequest.objects.select_for_update().get(pk=ext.pk)
    to = Decision.APPROVED if approve else Decision.REFUSED
    if to not in ALLOWED_DECISION_TRANSITIONS[locked.status]:
        raise InvalidTransition(_("This request has already been decided."))
    if not approve and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for refusing.")]})
    if approve:
        old = project.ends_on
        project.ends_on = add_months(project.ends_on, locked.months)
        project.version += 1
        project.save(update_fields=["ends_on", "version"])
        _event(project, "ends_on", actor, from_value=old.isoformat(), to_value=project.ends_on.isoformat(),
               reason=_("extension approved"))
    locked.status, locked.decision_reason = to, reason.strip()
    locked.decided_by, locked.decided_at = _user(actor), timezone.now()
    locked.save()
    _event(project, "extension", actor, from_value=Decision.PENDING, to_value=to, reason=reason)
    audit.record("project.extension.decide", actor=actor, obj=project, details={"decision": to})
    _notify_team(project, _("Extension request decided: %(t)s") % {"t": project.title},
                 _("Your extension request was %(d)s. %(r)s") % {"d": locked.get_status_display(), "r": reason})
    return locked


def _clean_outputs(outputs) -> dict:
    clean = {}
    for key, n in (outputs or {}).items():
        if key not in OutputType.values:
            raise ValidationError({"outputs": [_("Unknown output type: %(k)s.") % {"k": key}]})
        try:
            n = int(n or 0)
        except (TypeError, ValueError):
            raise ValidationError({"outputs": [_("Give the number of outputs of each type.")]}) from None
        if n < 0:
            raise ValidationError({"outputs": [_("Give the number of outputs of each type.")]})
        if n:
            clean[key] = n
    return clean


@atomic_service
def submit_acceptance(actor, project: Project, kind: str, data: dict, *, upload=None) -> Acceptance:
    """The team's mid-term or completion package: report, spending, person-days, outputs by type."""
    require_perm(actor, "projects.report", project)
    _require_active(project)
    if kind not in AcceptanceKind.values:
        raise ValidationError({"kind": [_("Choose mid-term check or completion acceptance.")]})
    if project.acceptances.filter(kind=kind, rating="").exists():
        raise ValidationError({"kind": [_("A package of this kind is already waiting for its rating.")]})
    if kind == AcceptanceKind.COMPLETION and project.acceptances.filter(kind=kind).exclude(rating="").exists():
        raise InvalidTransition(_("The completion package has already been rated."))
    report = (data.get("report") or "").strip()
    if not report:
        raise ValidationError({"report": [_("The report is required.")]})
    acc = Acceptance.objects.create(project=project, kind=kind, report=report,
                                    spending=_amount(data.get("spending", 0), "spending"),
                                    person_days=_amount(data.get("person_days", 0), "person_days", "0.1"),
                                    outputs=_clean_outputs(data.get("outputs")), submitted_by=_user(actor))
    if upload is not None:
        _attach(actor, project, upload, acceptance=acc)
    _event(project, kind, actor, to_value="submitted")
    audit.record("project.acceptance.submit", actor=actor, obj=project, details={"kind": kind})
    return acc


@atomic_service
def rate_acceptance(actor, acceptance: Acceptance, rating: str, comments: str) -> Acceptance:
    """The administrator (for the panel) rates the package; a completion rating finishes the project."""
    project = _lock(acceptance.project)
    require_perm(actor, "projects.manage_project", project)
    _require_active(project)
    locked = Acceptance.objects.select_for_update().get(pk=acceptance.pk)
    if locked.rating:
        raise InvalidTransition(_("This package has already been rated."))
    if rating not in Rating.values:
        raise ValidationError({"rating": [_("Choose excellent, pass or fail.")]})
    if not (comments or "").strip():
        raise ValidationError({"comments": [_("Give the comments behind the rating.")]})
    locked.rating, locked.comments = rating, comments.strip()
    locked.rated_by, locked.rated_at = _user(actor), timezone.now()
    locked.save()
    _event(project, locked.kind, actor, from_value="submitted", to_value=rating, reason=comments)
    if locked.kind == AcceptanceKind.COMPLETION:
        to = ProjectStatus.FAILED if rating == Rating.FAIL else ProjectStatus.COMPLETED
        if to not in ALLOWED_PROJECT_TRANSITIONS[project.status]:
            raise InvalidTransition(_("This project is already finished."))
        frm = project.status
        project.status = to
        project.version += 1
        project.save(update_fields=["status", "version"])
        _event(project, "status", actor, from_value=frm, to_value=to, reason=comments)
    audit.record("project.acceptance.rate", actor=actor, obj=project, details={"kind": locked.kind, "rating": rating})
    _notify_team(project, _("Acceptance result: %(t)s") % {"t": project.title},
                 _("%(k)s: %(r)s. %(c)s") % {"k": locked.get_kind_display(), "r": locked.get_rating_display(), "c": comments})
    return locked


def _notify_team(project, title: str, body: str) -> None:
    """In the platform and by e-mail (after commit), to the project's own team only."""
    from django.urls import reverse

    from tupo.accounts.models import User
    from tupo.core.notifications import notify

    team = User.objects.filter(person__project_memberships__project=project, is_active=True)
    notify(team, title, body, reverse("projects:detail", args=[project.pk]))


@atomic_service
def terminate(actor, project: Project, reason: str) -> Project:
    locked = _lock(project)
    require_perm(actor, "projects.manage_project", locked)
    if ProjectStatus.TERMINATED not in ALLOWED_PROJECT_TRANSITIONS[locked.status]:
        raise InvalidTransition(_("This project is already finished."))
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason.")]})
    frm, locked.status = locked.status, ProjectStatus.TERMINATED
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    _event(locked, "status", actor, from_value=frm, to_value=locked.status, reason=reason)
    audit.record("project.terminate", actor=actor, obj=locked, details={"reason": reason})
    return locked


# --- liaison -------------------------------------------------------------------------------------------------

@atomic_service
def assign_liaison(actor, project: Project, liaison, routine: dict | None = None) -> LiaisonAssignment:
    require_perm(actor, "projects.manage_project", project)
    _require_active(project)
    from tupo.accounts.choices import Role

    if Role.LIAISON not in liaison.roles:
        raise ValidationError({"liaison": [_("Choose a user who holds the liaison role.")]})
    routine = {k: int(v) for k, v in (routine or {}).items()
               if k in ("visits_per_quarter", "reports_per_half_year", "research_reports_per_year") and v is not None}
    if any(v < 0 for v in routine.values()):
        raise ValidationError({"visits_per_quarter": [_("The routine numbers cannot be negative.")]})
    if project.liaisons.filter(liaison=liaison, active=True).exists():
        raise ValidationError({"liaison": [_("This liaison is already assigned to the project.")]})
    a = LiaisonAssignment.objects.create(project=project, liaison=liaison, **routine)
    _event(project, "liaison", actor, to_value=liaison.get_username())
    audit.record("project.liaison.assign", actor=actor, obj=project, details={"liaison": liaison.pk, **routine})
    return a


@atomic_service
def record_visit(actor, project: Project, data: dict, problems=()) -> LiaisonVisit:
    """A liaison's visit with its findings, guidance and the problems raised (each with owner and deadline)."""
    require_perm(actor, "projects.liaise", project)
    _require_active(project)
    visited_on = data.get("visited_on")
    if not visited_on:
        raise ValidationError({"visited_on": [_("Give the date of the visit.")]})
    if visited_on > timezone.localdate():
        raise ValidationError({"visited_on": [_("A visit is recorded after it took place.")]})
    if data.get("form", VisitForm.ON_SITE) not in VisitForm.values:
        raise ValidationError({"form": [_("Choose the form of the visit.")]})
    hours = _amount(data.get("duration_hours") or 0, "duration_hours", "0.1")
    if hours <= 0:
        raise ValidationError({"duration_hours": [_("Give how long the visit lasted.")]})
    visit = LiaisonVisit.objects.create(project=project, liaison=actor, visited_on=visited_on, duration_hours=hours,
                                        form=data.get("form", VisitForm.ON_SITE),
                                        findings=(data.get("findings") or "").strip(),
                                        guidance=(data.get("guidance") or "").strip())
    for n, p in enumerate(problems or [], 1):
        desc = (p.get("description") or "").strip()
        if not desc:
            continue
        if not p.get("deadline"):
            raise ValidationError({"problems": [_("Problem %(n)s needs a deadline.") % {"n": n}]})
        Problem.objects.create(project=project, visit=visit, description=desc, owner=p.get("owner"),
                               deadline=p["deadline"])
    _event(project, "visit", actor, to_value=visited_on.isoformat(), reason=visit.findings[:200])
    audit.record("project.visit", actor=actor, obj=project, details={"visit": visit.pk})
    return visit


@atomic_service
def solve_problem(actor, problem: Problem, outcome: str, unblocked_milestone: Milestone | None = None) -> Problem:
    require_perm(actor, "projects.follow_problem", problem.project)
    locked = Problem.objects.select_for_update().get(pk=problem.pk)
    if locked.status != ProblemStatus.OPEN:
        raise InvalidTransition(_("This problem is already solved."))
    if not (outcome or "").strip():
        raise ValidationError({"outcome": [_("Describe how the problem was solved.")]})
    if unblocked_milestone is not None and unblocked_milestone.project_id != locked.project_id:
        raise ValidationError({"unblocked_milestone": [_("Choose a milestone of this project.")]})
    locked.status, locked.outcome, locked.solved_on = ProblemStatus.SOLVED, outcome.strip(), timezone.localdate()
    locked.unblocked_milestone = unblocked_milestone
    locked.save()
    _event(locked.project, "problem", actor, from_value=ProblemStatus.OPEN, to_value=ProblemStatus.SOLVED,
           reason=outcome)
    audit.record("project.problem.solve", actor=actor, obj=locked.project, details={"problem": locked.pk})
    return locked


@atomic_service
def submit_liaison_report(actor, project: Project, kind: str, text: str) -> LiaisonReport:
    require_perm(actor, "projects.liaise", project)
    if kind not in LiaisonReportKind.values or not (text or "").strip():
        raise ValidationError({"text": [_("Choose the kind of report and write it.")]})
    r = LiaisonReport.objects.create(project=project, liaison=actor, kind=kind, text=text.strip())
    _event(project, "liaison_report", actor, to_value=kind)
    audit.record("project.liaison.report", actor=actor, obj=project, details={"kind": kind})
    return r


def _attach(actor, project: Project, upload, *, report=None, acceptance=None):
    """Store a checked file with its report or package (inside the caller's transaction: a bad file
    means the report itself is not written either)."""
    from tupo.cases import uploads
    from tupo.projects.models import ProjectFile

    f = uploads.store_upload(ProjectFile(project=project, report=report, acceptance=acceptance), upload, images_only=False)
    audit.record("project.file.add", actor=actor, obj=project, details={"type": f.content_type, "bytes": f.size})
    return f
