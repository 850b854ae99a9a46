"""Input-output analysis (投入产出分析) pages. Views stay thin: services compute, present formats."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.analytics import indicators, present, services
from tupo.analytics.forms import MalmquistForm, RunForm, SnapshotForm
from tupo.analytics.models import AnalysisRun, Population, RunExport, RunKind, RunStatus
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.htmx import is_htmx
from tupo.core.paging import BoundedPaginator
from tupo.core.services import InvalidTransition


def _require_use(user):
    """Department administrators and leaders only; for anyone else these pages do not exist."""
    if not user.has_perm("analytics.use"):
        raise Http404




@login_required
def run_list(request):
    _require_use(request.user)
    qs = AnalysisRun.objects.visible_to(request.user).select_related("root_org", "created_by")
    page = BoundedPaginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "analytics/run_list.html", {"page": page, "runs": page.object_list})


def _tabs(active: str):
    tabs = [(f"?population={p}", label, p == active) for p, label in Population.choices
            if indicators.for_population(p)]
    tabs.append(("?kind=malmquist", _("Organizations over years (Malmquist)"), active == RunKind.MALMQUIST))
    return tabs


def _start(request, form):
    """Start the run described by a valid form; errors go back onto the form. Returns a response or None."""
    try:
        run = services.start_run(request.user, {**form.cleaned_data})
    except ValidationError as exc:
        _form_errors(form, exc)
    except PermissionDenied:
        form.add_error("root_org", _("You may not analyse this organization."))
    else:
        if run.status == RunStatus.FAILED:
            messages.error(request, run.message)
        return redirect("analytics:run", pk=run.pk)
    return None


def _malmquist_new(request, source=None):
    initial = {}
    if source is not None:
        initial = {"root_org": source.root_org_id, "depth": source.depth, "years": source.years,
                   "inputs": source.input_keys, "outputs": source.output_keys}
    form = MalmquistForm(request.user, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and (response := _start(request, form)):
        return response
    snapshot_form = SnapshotForm(request.user)
    return render(request, "analytics/malmquist_form.html", {
        "form": form, "tabs": _tabs(RunKind.MALMQUIST), "snapshots": present.snapshot_rows(form.snapshots),
        "snapshot_form": snapshot_form if snapshot_form.fields["root_org"].choices else None,
        "this_year": timezone.localdate().year})


@require_POST
@login_required
def snapshot_take(request):
    """Take this year's figures of a subtree (department administrators; a leader's crafted post is 403)."""
    from tupo.orgs.models import Organization

    _require_use(request.user)
    back = redirect(reverse("analytics:new") + "?kind=malmquist#snapshots")
    raw = request.POST.get("root_org", "")
    root = Organization.objects.filter(pk=int(raw)).first() if raw.isdigit() else None
    if root is None:
        messages.error(request, _("Choose the organization whose subtree is analysed."))
        return back
    try:
        snap = services.take_snapshot(request.user, root)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
        return back
    if snap is None:
        messages.success(request, _("The figures of %(root)s are being taken in the background; they appear "
                                    "below when done.") % {"root": root.name})
    else:
        messages.success(request, _("The figures of %(year)s were taken for %(root)s.") % {
            "year": snap.year, "root": root.name})
    return back


@login_required
def run_new(request):
    _require_use(request.user)
    source = None
    if request.method == "GET" and request.GET.get("from"):
        source = get_visible_or_404(AnalysisRun, request.user, pk=request.GET["from"])
    kind = request.POST.get("kind") or request.GET.get("kind") or (source.kind if source else RunKind.DEA)
    if kind == RunKind.MALMQUIST:
        return _malmquist_new(request, source)
    population = request.POST.get("population") or request.GET.get("population") or Population.ORGS
    if population not in Population.values:
        population = Population.ORGS
    initial = {}
    if source is not None:
        population = source.population
        initial = {"root_org": source.root_org_id, "depth": source.depth, "call_id": source.call_id,
                   "year": source.year, "inputs": source.input_keys, "outputs": source.output_keys,
                   "rts": source.rts, "orientation": source.orientation,
                   "super_efficiency": source.super_efficiency}
    form = RunForm(request.user, population, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid() and (response := _start(request, form)):
        return response
    return render(request, "analytics/run_form.html", {"form": form, "population": population,
                                                        "tabs": _tabs(population)})


def _result_context(run):
    chart = present.histogram(run)
    return {
        "rows": list(present.table_rows(run, limit=present.PAGE_ROWS)),
        "rows_total": (run.results or {}).get("n", 0),
        "rows_limit": present.PAGE_ROWS,
        "keys": [(k, present.labels(run)[k], k in run.input_keys) for k in list(run.input_keys) + list(run.output_keys)],
        "histogram": chart,
        "frontier": present.frontier_chart(run),
        "warnings": present.warning_texts(run),
        "excluded": present.excluded_rows(run),
    }


def _malmquist_context(run):
    return {
        "pairs": present.pair_rows(run),
        "index_labels": [present.index_labels()[k] for k in present.INDEX_NAMES],
        "unit_rows": list(present.malmquist_rows(run, limit=present.PAGE_ROWS)),
        "rows_total": (run.results or {}).get("n", 0),
        "rows_limit": present.PAGE_ROWS,
        "trend": present.trend_chart(run),
    }


@login_required
def run_detail(request, pk: int):
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    context = {"run": run, "parameters": present.parameter_rows(run),
               "may_cancel": not run.is_finished and request.user.has_perm("analytics.cancel_run", run),
               "export_in_background": run.status == RunStatus.DONE and services.exports_in_background(run)}
    if context["export_in_background"]:
        context["export"] = _export_of(run)
    if run.status == RunStatus.DONE:
        context.update(_malmquist_context(run) if run.is_malmquist else _result_context(run))
    if run.status in (RunStatus.DONE, RunStatus.FAILED):
        context["excluded"] = present.excluded_rows(run)
    template = "analytics/malmquist_detail.html" if run.is_malmquist else "analytics/run_detail.html"
    return render(request, template, context)


@require_POST
@login_required
def run_cancel(request, pk: int):
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    try:
        services.cancel_run(request.user, run)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("The run was cancelled."))
    return redirect("analytics:run", pk=run.pk)


@login_required
def run_progress(request, pk: int):
    """Polled by htmx every 2 s while the run is queued or running; sends the browser on once it is finished."""
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    if run.is_finished and is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("analytics:run", args=[run.pk])
        return response
    return render(request, "analytics/partials/_progress.html", {
        "run": run, "may_cancel": request.user.has_perm("analytics.cancel_run", run)})


@login_required
def run_export(request, pk: int):
    """The .xlsx: written within the request for an ordinary run; for a very large one (more than
    ``TUPO_ANALYTICS_EXPORT_INLINE_MAX`` rows) the file the worker prepared, or back to the page to ask for it."""
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    if run.status != RunStatus.DONE:
        raise Http404
    if services.exports_in_background(run):
        export = services.prepared_export(request.user, run)
        if export is None:
            messages.info(request, _("This run is large: its Excel file is prepared in the background first."))
            return redirect(reverse("analytics:run", args=[run.pk]) + "#export")
        return present.export_file_response(run, export)
    return present.export_file_response(run, services.inline_export(request.user, run))


@require_POST
@login_required
def run_export_prepare(request, pk: int):
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    try:
        services.request_export(request.user, run)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    return redirect(reverse("analytics:run", args=[run.pk]) + "#export")


@login_required
def run_export_status(request, pk: int):
    """Polled by htmx every 2 s while the file is being prepared."""
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    return render(request, "analytics/partials/_export.html", {"run": run, "export": _export_of(run)})


def _export_of(run):
    return RunExport.objects.filter(run=run).first()
