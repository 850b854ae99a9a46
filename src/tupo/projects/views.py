"""Pages of projects: portfolio (admin), my projects (team, liaison), project detail with its actions. Thin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.core import audit
from tupo.core.access import get_visible_or_404
from tupo.core.paging import BoundedPaginator
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.core.xlsx import xlsx_response
from tupo.orgs.models import Person
from tupo.projects import queries, services
from tupo.projects.choices import (
    DECISION_COLOURS,
    MILESTONE_COLOURS,
    PROBLEM_COLOURS,
    PROJECT_COLOURS,
    RATING_COLOURS,
    ProblemStatus,
    ProjectStatus,
)
from tupo.projects.forms import (
    PROBLEM_ROWS,
    AcceptanceForm,
    ChangeForm,
    ExtensionForm,
    LiaisonForm,
    LiaisonReportForm,
    ProgressForm,
    RateForm,
    VisitFormForm,
)
from tupo.projects.models import (
    Acceptance,
    ChangeRequest,
    ExtensionRequest,
    LiaisonAssignment,
    Problem,
    Project,
)
from tupo.topics import queries as topic_queries
from tupo.topics.choices import TeamRole, Tier

PAGE = settings.TUPO_PAGE_SIZE
COLOURS = {"project_colours": PROJECT_COLOURS, "milestone_colours": MILESTONE_COLOURS,
           "decision_colours": DECISION_COLOURS, "problem_colours": PROBLEM_COLOURS, "rating_colours": RATING_COLOURS}
ERRORS = (ValidationError, InvalidTransition, ConcurrentEditError)


def _errors(request, exc) -> None:
    for msg in (exc.messages if isinstance(exc, ValidationError) else [str(exc)]):
        messages.error(request, msg)


def _filtered(request):
    g = request.GET
    return queries.portfolio(request.user, call=g.get("call") or None, tier=g.get("tier", ""),
                             status=g.get("status", ""))


@login_required
def portfolio(request):
    qs = _filtered(request)
    page = BoundedPaginator(qs, PAGE).get_page(request.GET.get("page"))
    today = timezone.localdate()
    projects = list(page.object_list)
    assignments = list(LiaisonAssignment.objects.filter(project__in=[p.pk for p in projects], active=True))
    routines = queries.routine_statuses(assignments, today)  # the page's liaison routines in a few queries
    for p in projects:
        mine = [a for a in assignments if a.project_id == p.pk]
        p.routine_behind = any(routines[a.pk].behind for a in mine)
        p.has_liaison = bool(mine)
    return render(request, "projects/portfolio.html", {
        "page": page, "is_admin": request.user.has_perm("topics.use_admin"), "tiers": Tier.choices,
        "statuses": ProjectStatus.choices, "filters": request.GET, **COLOURS})


@login_required
def portfolio_export(request):
    if not request.user.has_perm("topics.use_admin"):
        raise Http404
    projects = list(_filtered(request))
    audit.record("project.export", actor=request.user, object_type="projects.project", object_repr=str(len(projects)),
                 details={"filters": request.GET.dict()})
    eff = {r["project_id"]: r for r in queries.efficiency_rows(projects)}
    rows = ((p.pk, p.call.title, p.title, p.get_status_display(), p.tier, p.org.name, p.principal.name,
             p.starts_on, p.ends_on, float(p.budget_total), eff[p.pk]["spent"], eff[p.pk]["person_days"],
             eff[p.pk]["team_size"], eff[p.pk]["milestones_met"], eff[p.pk]["milestones_total"],
             p.overdue_milestones, p.open_problems, eff[p.pk]["grade"]) for p in projects)
    headers = [_("Project"), _("Call"), _("Title"), _("Status"), _("Tier"), _("Organization"), _("Principal"),
               _("Starts on"), _("Ends on"), _("Budget"), _("Spent"), _("Person-days"), _("Team size"),
               _("Milestones met"), _("Milestones"), _("Overdue milestones"), _("Open problems"), _("Grade (0-3)")]
    return xlsx_response("projects.xlsx", headers, rows, title=_("Projects"))


@login_required
def detail(request, pk: int):
    project = get_visible_or_404(Project, request.user, pk=pk)
    user = request.user
    today = timezone.localdate()
    milestones = list(project.milestones.all())
    for m in milestones:
        m.overdue = m.is_overdue(today)
    liaisons = list(project.liaisons.filter(active=True).select_related("liaison"))
    for a in liaisons:
        a.routine = queries.routine_status(a, today)
    can_manage = user.has_perm("projects.manage_project", project)
    can_report = user.has_perm("projects.report", project)
    can_liaise = user.has_perm("projects.liaise", project)
    context = {
        "project": project, "milestones": milestones, "liaisons": liaisons, "can_manage": can_manage,
        "can_report": can_report, "can_liaise": can_liaise, "active": project.status == ProjectStatus.ACTIVE,
        "members": project.members.select_related("person"), "budget_lines": project.budget_lines.all(),
        "reports": project.progress_reports.select_related("milestone").prefetch_related("files")[:50],
        "visits": project.visits.prefetch_related("problems")[:50],
        "problems": project.problems.select_related("owner"), "extensions": project.extensions.all(),
        "changes": project.change_requests.all(), "acceptances": project.acceptances.prefetch_related("files"),
        "timeline": queries.timeline(project)[:100], "today": today, **COLOURS,
        "team_roles": dict(TeamRole.choices),
        "labels": topic_queries.timeline_labels(),
    }
    if can_report:
        context.update(progress_form=ProgressForm(project=project), extension_form=ExtensionForm(),
                       acceptance_form=AcceptanceForm(), change_form=ChangeForm(project=project))
    if can_manage:
        from tupo.accounts.models import User

        context.update(rate_form=RateForm(), liaison_form=LiaisonForm(
            liaisons=User.objects.filter(role_grants__role="liaison", is_active=True).distinct().order_by("username")))
    if can_liaise:
        context["liaison_report_form"] = LiaisonReportForm()
    return render(request, "projects/detail.html", context)


def _post_form(request, project, form, call):
    if form.is_valid():
        try:
            call(form.cleaned_data)
        except ERRORS as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Saved."))
    else:
        for field, errs in form.errors.items():
            for e in errs:
                messages.error(request, f"{form.fields[field].label if field in form.fields else ''}: {e}")
    return redirect("projects:detail", pk=project.pk)


@login_required
@require_POST
def action(request, pk: int, name: str):
    project = get_visible_or_404(Project, request.user, pk=pk)
    user = request.user
    if name == "progress":
        form = ProgressForm(request.POST, request.FILES, project=project)
        return _post_form(request, project, form,
                          lambda cd: services.report_progress(user, cd["milestone"], cd, upload=cd.get("file")))
    if name == "extension":
        return _post_form(request, project, ExtensionForm(request.POST),
                          lambda cd: services.request_extension(user, project, cd["months"], cd["reason"]))
    if name == "acceptance":
        form = AcceptanceForm(request.POST, request.FILES)
        return _post_form(request, project, form, lambda cd: services.submit_acceptance(
            user, project, cd["kind"], {**cd, "outputs": form.outputs()}, upload=cd.get("file")))
    if name == "change":
        return _post_form(request, project, ChangeForm(request.POST, project=project),
                          lambda cd: services.request_change(user, project, cd))
    if name == "liaison":
        from tupo.accounts.models import User

        form = LiaisonForm(request.POST, liaisons=User.objects.filter(role_grants__role="liaison").distinct())
        return _post_form(request, project, form, lambda cd: services.assign_liaison(user, project, cd["liaison"], cd))
    if name == "liaison_report":
        return _post_form(request, project, LiaisonReportForm(request.POST),
                          lambda cd: services.submit_liaison_report(user, project, cd["kind"], cd["text"]))
    raise Http404


@login_required
def visit(request, pk: int):
    project = get_visible_or_404(Project, request.user, pk=pk)
    if not request.user.has_perm("projects.liaise", project):
        raise PermissionDenied
    form = VisitFormForm(request.POST or None)
    people = Person.objects.filter(project_memberships__project=project)
    if request.method == "POST" and form.is_valid():
        problems = []
        for i in range(PROBLEM_ROWS):
            desc = (request.POST.get(f"pb-{i}-description") or "").strip()
            if desc:
                owner = people.filter(pk=request.POST.get(f"pb-{i}-owner") or 0).first()
                problems.append({"description": desc, "owner": owner,
                                 "deadline": request.POST.get(f"pb-{i}-deadline") or None})
        try:
            services.record_visit(request.user, project, form.cleaned_data, problems)
        except ERRORS as exc:
            form.add_error(None, exc.messages if isinstance(exc, ValidationError) else str(exc))
        else:
            messages.success(request, _("Visit recorded."))
            return redirect("projects:detail", pk=pk)
    return render(request, "projects/visit_form.html", {"project": project, "form": form, "people": people,
                                                        "rows": range(PROBLEM_ROWS)})


@login_required
@require_POST
def decide(request, kind: str, pk: int):
    model = {"extension": ExtensionRequest, "change": ChangeRequest, "acceptance": Acceptance, "problem": Problem}.get(kind)
    if model is None:
        raise Http404
    obj = get_object_or_404(model, pk=pk)
    project = get_visible_or_404(Project, request.user, pk=obj.project_id)
    user, post = request.user, request.POST
    try:
        if kind == "extension":
            services.decide_extension(user, obj, post.get("decision") == "approve", post.get("reason", ""))
        elif kind == "change":
            services.decide_change(user, obj, post.get("decision") == "approve", post.get("reason", ""))
        elif kind == "acceptance":
            services.rate_acceptance(user, obj, post.get("rating", ""), post.get("comments", ""))
        else:
            ms = project.milestones.filter(pk=post.get("milestone") or 0).first()
            services.solve_problem(user, obj, post.get("outcome", ""), ms)
    except ERRORS as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Decision recorded."))
    return redirect("projects:detail", pk=project.pk)


@login_required
def problems(request):
    """The problem list of the user's projects (liaison view): outcomes, not only visit counts."""
    qs = (Problem.objects.filter(project__in=Project.objects.visible_to(request.user))
          .select_related("project", "owner", "unblocked_milestone").order_by("status", "deadline"))
    rows = list(qs[:500])
    solved = sum(1 for p in rows if p.status == ProblemStatus.SOLVED)
    unblocked = sum(1 for p in rows if p.unblocked_milestone_id)
    return render(request, "projects/problems.html", {"problems": rows, "solved": solved, "open": len(rows) - solved,
                                                      "unblocked": unblocked, "today": timezone.localdate(),
                                                      **COLOURS})




@login_required
def project_file(request, pk: int, file_id: int):
    """Download a report's or package's file: whoever may see the project (404 otherwise)."""
    from tupo.cases.uploads import serve_file

    project = get_visible_or_404(Project, request.user, pk=pk)
    f = get_object_or_404(project.files, pk=file_id)
    return serve_file(f.file, f.content_type, f.original_name)
