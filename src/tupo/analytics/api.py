"""API of the input-output analysis: saved runs (list, read, start, cancel, progress, paged results) and the
yearly snapshots (list, take). The same services and rules as the pages: anyone without an analytics role gets
404 everywhere; a run outside the user's subtree is 404; a run they see but may not stop is 403."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tupo.analytics import present, queries, services
from tupo.analytics.models import AnalysisRun, ExportStatus, RunExport, RunKind, RunStatus
from tupo.core.access import get_visible_or_404
from tupo.core.services import InvalidTransition

router = Router(tags=["analytics"])

MAX_PAGE = 1000


def _require_use(user) -> None:
    if not user.has_perm("analytics.use"):
        raise Http404


def _run(user, run_id: int) -> AnalysisRun:
    _require_use(user)
    return get_visible_or_404(AnalysisRun, user, pk=run_id)


class RunListOut(Schema):
    id: int
    kind: str
    title: str
    population: str
    root_org_id: int
    status: str
    percent: int
    unit_count: int
    created_by: str
    created_at: dt.datetime
    finished_at: dt.datetime | None


class RunOut(RunListOut):
    depth: int | None
    call_id: int | None
    year: int | None
    years: list[int]
    inputs: list[str]
    outputs: list[str]
    rts: str
    orientation: str
    super_efficiency: bool
    message: str
    progress_done: int
    progress_total: int
    warnings: list[str]
    excluded: list[dict]
    summary: dict


class RunIn(Schema):
    kind: str = RunKind.DEA
    title: str = ""
    population: str = "orgs"
    root_org_id: int
    depth: int | None = None
    call_id: int | None = None
    year: int | None = None
    years: list[int] = []
    inputs: list[str] = []
    outputs: list[str] = []
    rts: str = "crs"
    orientation: str = "in"
    super_efficiency: bool = False


class ProgressOut(Schema):
    id: int
    status: str
    progress_done: int
    progress_total: int
    percent: int
    message: str


class ResultsOut(Schema):
    id: int
    kind: str
    total: int
    offset: int
    limit: int
    rows: list[dict]


class SnapshotOut(Schema):
    id: int
    year: int
    root_org_id: int
    root: str
    source: str
    indicators: list[str]
    skipped: list[str]
    org_count: int
    taken_at: dt.datetime
    taken_by: str


class SnapshotIn(Schema):
    root_org_id: int
    year: int | None = None


def _list_row(run: AnalysisRun) -> dict:
    return {"id": run.pk, "kind": run.kind, "title": run.title, "population": run.population,
            "root_org_id": run.root_org_id, "status": run.status, "percent": run.percent,
            "unit_count": run.unit_count, "created_by": str(run.created_by or ""), "created_at": run.created_at,
            "finished_at": run.finished_at}


def _detail(run: AnalysisRun) -> dict:
    summary = {k: v for k, v in (run.results or {}).items() if k != "units"}  # legacy runs kept rows there
    return {**_list_row(run), "depth": run.depth, "call_id": run.call_id, "year": run.year, "years": run.years,
            "inputs": run.input_keys, "outputs": run.output_keys, "rts": run.rts, "orientation": run.orientation,
            "super_efficiency": run.super_efficiency, "message": run.message,
            "progress_done": run.progress_done, "progress_total": run.progress_total,
            "warnings": present.warning_texts(run), "excluded": present.excluded_rows(run), "summary": summary}


@router.get("/analytics/runs", response=list[RunListOut])
def runs(request, offset: int = 0, limit: int = 50):
    """Runs whose root lies in the user's subtree, newest first (at most 200 per call)."""
    _require_use(request.auth)
    offset, limit = max(0, offset), min(max(1, limit), 200)
    qs = AnalysisRun.objects.visible_to(request.auth).select_related("created_by")
    return [_list_row(r) for r in qs[offset:offset + limit]]


@router.get("/analytics/runs/{run_id}", response=RunOut)
def run(request, run_id: int):
    return _detail(_run(request.auth, run_id))


@router.post("/analytics/runs", response={201: RunOut})
def start_run(request, payload: RunIn):
    """Start a DEA or Malmquist run, validated as the form is (422 with messages per field; 403 for a root outside
    the user's subtree). Small populations are computed at once, large ones in the background (poll progress)."""
    _require_use(request.auth)
    data = payload.dict()
    data["root_org"] = data.pop("root_org_id")
    if data["kind"] not in RunKind.values:
        raise ValidationError({"kind": [_("Choose dea or malmquist.")]})
    return Status(201, _detail(services.start_run(request.auth, data)))


@router.post("/analytics/runs/{run_id}/cancel", response=RunOut)
def cancel_run(request, run_id: int):
    return _detail(services.cancel_run(request.auth, _run(request.auth, run_id)))


@router.get("/analytics/runs/{run_id}/progress", response=ProgressOut)
def progress(request, run_id: int):
    r = _run(request.auth, run_id)
    return {"id": r.pk, "status": r.status, "progress_done": r.progress_done, "progress_total": r.progress_total,
            "percent": r.percent, "message": r.message}


@router.get("/analytics/runs/{run_id}/results", response=ResultsOut)
def results(request, run_id: int, offset: int = 0, limit: int = 100):
    """One page of result rows in display order (DEA: by rank; Malmquist: by unit, then year pair)."""
    r = _run(request.auth, run_id)
    errors = {}
    if offset < 0:
        errors["offset"] = [_("The offset is 0 or more.")]
    if not 1 <= limit <= MAX_PAGE:
        errors["limit"] = [_("Ask for 1 to %(n)s rows at a time.") % {"n": MAX_PAGE}]
    if errors:
        raise ValidationError(errors)
    if r.status != RunStatus.DONE:
        raise InvalidTransition(_("This run is %(status)s: results exist once it is done.") % {
            "status": r.get_status_display()})
    legacy = (r.results or {}).get("units")
    if legacy is not None:
        rows, total = legacy[offset:offset + limit], len(legacy)
    else:
        rows = list(r.unit_results.order_by("position").values_list("data", flat=True)[offset:offset + limit])
        total = (r.results or {}).get("n", 0)
    return {"id": r.pk, "kind": r.kind, "total": total, "offset": offset, "limit": limit, "rows": rows}


def _snapshot(s) -> dict:
    return {"id": s.pk, "year": s.year, "root_org_id": s.root_org_id, "root": s.root_org.name, "source": s.source,
            "indicators": s.indicators, "skipped": s.skipped, "org_count": s.org_count, "taken_at": s.taken_at,
            "taken_by": str(s.taken_by or "system")}


@router.get("/analytics/snapshots", response=list[SnapshotOut])
def snapshots(request):
    """The yearly figures in the user's scope (what a Malmquist run can draw on), newest year first."""
    _require_use(request.auth)
    return [_snapshot(s) for s in queries.snapshots_in_scope(request.auth)]


@router.post("/analytics/snapshots", response={201: SnapshotOut, 202: dict})
def take_snapshot(request, payload: SnapshotIn):
    """Take the yearly figures of a subtree (department administrators; this year unless ``year`` is given).
    A large subtree is taken by the background worker: 202 and the snapshot appears in the list when done."""
    from tupo.orgs.models import Organization

    _require_use(request.auth)
    root = Organization.objects.filter(pk=payload.root_org_id).first()
    if root is None:
        raise ValidationError({"root_org_id": [_("Choose the organization whose subtree is analysed.")]})
    snap = services.take_snapshot(request.auth, root, payload.year)
    if snap is None:
        return Status(202, {"detail": _("The snapshot is being taken in the background.")})
    return Status(201, _snapshot(snap))


# --- the Excel file of a run -------------------------------------------------------------------------------------

class ExportOut(Schema):
    run_id: int
    in_background: bool
    status: str
    ready: bool
    size: int
    message: str
    requested_at: dt.datetime | None
    finished_at: dt.datetime | None
    download: str


def _export_state(run: AnalysisRun) -> dict:
    """Where the run's Excel file stands. An ordinary run's file is written on download (always ready once the run
    is done); a large run's (more than ``TUPO_ANALYTICS_EXPORT_INLINE_MAX`` rows) is prepared by the worker first."""
    background = run.status == RunStatus.DONE and services.exports_in_background(run)
    export = RunExport.objects.filter(run=run).first()
    if background:
        status = export.status if export else "none"
        ready = status == ExportStatus.READY
    else:
        status = "inline" if run.status == RunStatus.DONE else "none"
        ready = run.status == RunStatus.DONE
    return {"run_id": run.pk, "in_background": background, "status": status, "ready": ready,
            "size": export.size if export and background else 0,
            "message": export.message if export and background else "",
            "requested_at": export.requested_at if export and background else None,
            "finished_at": export.finished_at if export and background else None,
            "download": f"/api/v1/analytics/runs/{run.pk}/export/file" if ready else ""}


@router.get("/analytics/runs/{run_id}/export", response=ExportOut)
def export_state(request, run_id: int):
    """Poll this after asking for the file: ``status`` none / queued / running / ready / failed (large runs) or
    ``inline`` (ordinary runs: written on download); ``download`` is set once the file can be fetched."""
    return _export_state(_run(request.auth, run_id))


@router.post("/analytics/runs/{run_id}/export", response={200: ExportOut, 202: ExportOut})
def request_export(request, run_id: int):
    """"Prepare the Excel file": ``request_export`` as on the page (audited; asking again while it is prepared or
    ready changes nothing; a failed one is prepared again). 202 while the worker writes it, 200 once ready;
    409 for a run that is not finished."""
    run = _run(request.auth, run_id)
    if run.status != RunStatus.DONE or services.exports_in_background(run):
        services.request_export(request.auth, run)
    # an ordinary run's file is written on download (as on the page, which offers no "Prepare" for it)
    state = _export_state(run)
    return Status(200 if state["ready"] else 202, state)


@router.get("/analytics/runs/{run_id}/export/file")
def export_file(request, run_id: int):
    """The .xlsx (Results, Parameters, Excluded units, Warnings), as the page's download: a large run's prepared
    file streamed from storage (409 until it is ready), an ordinary run's written now. Each download audited."""
    run = _run(request.auth, run_id)
    if run.status != RunStatus.DONE:
        raise InvalidTransition(_("Only a finished run can be exported."))
    if services.exports_in_background(run):
        export = services.prepared_export(request.auth, run)
        if export is None:
            raise InvalidTransition(_("This run is large: its Excel file is prepared in the background first."))
        return present.export_file_response(run, export)
    return present.export_file_response(run, services.inline_export(request.auth, run))
