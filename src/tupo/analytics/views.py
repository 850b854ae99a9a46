"""Input-output analysis (投入产出分析) pages. Views stay thin: services compute, present formats."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _

from tupo.analytics import indicators, present, services
from tupo.analytics.forms import RunForm
from tupo.analytics.models import AnalysisRun, Population, RunStatus
from tupo.core import audit
from tupo.core.access import get_visible_or_404
from tupo.core.htmx import is_htmx
from tupo.core.paging import BoundedPaginator
from tupo.core.xlsx import XLSX_TYPE, workbook_bytes


def _require_use(user):
    """Department administrators and leaders only; for anyone else these pages do not exist."""
    if not user.has_perm("analytics.use"):
        raise Http404


def _form_errors(form, exc: ValidationError):
    if hasattr(exc, "error_dict"):
        for field, errors in exc.error_dict.items():
            form.add_error(field if field in form.fields else None, errors)
    else:
        form.add_error(None, exc.messages)


@login_required
def run_list(request):
    _require_use(request.user)
    qs = AnalysisRun.objects.visible_to(request.user).select_related("root_org", "created_by")
    page = BoundedPaginator(qs, 25).get_page(request.GET.get("page"))
    return render(request, "analytics/run_list.html", {"page": page, "runs": page.object_list})


@login_required
def run_new(request):
    _require_use(request.user)
    population = request.POST.get("population") or request.GET.get("population") or Population.ORGS
    if population not in Population.values:
        population = Population.ORGS
    initial = {}
    if request.method == "GET" and request.GET.get("from"):
        source = get_visible_or_404(AnalysisRun, request.user, pk=request.GET["from"])
        population = source.population
        initial = {"root_org": source.root_org_id, "depth": source.depth, "call_id": source.call_id,
                   "year": source.year, "inputs": source.input_keys, "outputs": source.output_keys,
                   "rts": source.rts, "orientation": source.orientation,
                   "super_efficiency": source.super_efficiency}
    form = RunForm(request.user, population, request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        params = {**form.cleaned_data}
        try:
            run = services.start_run(request.user, params)
        except ValidationError as exc:
            _form_errors(form, exc)
        except PermissionDenied:
            form.add_error("root_org", _("You may not analyse this organization."))
        else:
            if run.status == RunStatus.FAILED:
                messages.error(request, run.message)
            return redirect("analytics:run", pk=run.pk)
    tabs = [(p, label, p == population and True) for p, label in Population.choices
            if indicators.for_population(p)]
    return render(request, "analytics/run_form.html", {"form": form, "population": population, "tabs": tabs})


def _result_context(run):
    chart = present.histogram(run)
    return {
        "rows": present.table_rows(run, limit=present.PAGE_ROWS),
        "rows_total": (run.results or {}).get("n", 0),
        "rows_limit": present.PAGE_ROWS,
        "keys": [(k, present.labels(run)[k], k in run.input_keys) for k in list(run.input_keys) + list(run.output_keys)],
        "histogram": chart,
        "frontier": present.frontier_chart(run),
        "warnings": present.warning_texts(run),
        "excluded": present.excluded_rows(run),
    }


@login_required
def run_detail(request, pk: int):
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    context = {"run": run, "parameters": present.parameter_rows(run)}
    if run.status == RunStatus.DONE:
        context.update(_result_context(run))
    elif run.status == RunStatus.FAILED:
        context["excluded"] = present.excluded_rows(run)
    return render(request, "analytics/run_detail.html", context)


@login_required
def run_progress(request, pk: int):
    """Polled by htmx every 2 s while the run is queued or running; sends the browser on once it is finished."""
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    if run.is_finished and is_htmx(request):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = reverse("analytics:run", args=[run.pk])
        return response
    return render(request, "analytics/partials/_progress.html", {"run": run})


@login_required
def run_export(request, pk: int):
    run = get_visible_or_404(AnalysisRun, request.user, pk=pk)
    if run.status != RunStatus.DONE:
        raise Http404
    audit.record("analytics.export", actor=request.user, obj=run)
    data = workbook_bytes(present.workbook_sheets(run))
    response = HttpResponse(data, content_type=XLSX_TYPE)
    from urllib.parse import quote

    name = _("input-output analysis %(id)s.xlsx") % {"id": run.pk}
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response
