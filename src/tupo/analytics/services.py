"""Every write of the input-output analysis goes through here: starting, computing and cancelling a run
(one period, DEA; or several years, Malmquist) and taking the yearly figures of organizations.

The numbers come from ``tupo.methods.dea.dea`` (pure, tested on its own); this module only gathers the
indicator values, hands them over, and stores what the page shows.

Zero or missing values: DEA needs strictly positive data. Rather than refusing a whole run because one
township has no published case yet, such units are *excluded* and listed, with the indicator and the value,
on the result page and in the export; the others are compared among themselves. If fewer than two units
remain, the run fails with a message saying so.
"""

from __future__ import annotations

import datetime as dt
import logging
import math
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.analytics import indicators, queries, yearly
from tupo.analytics.models import (
    ALLOWED_RUN_TRANSITIONS,
    AnalysisRun,
    ExportStatus,
    FigureSource,
    OrgYearFigure,
    Orientation,
    Population,
    Rts,
    RunExport,
    RunKind,
    RunStatus,
    UnitResult,
    YearSnapshot,
)
from tupo.core import audit
from tupo.core.services import InvalidTransition, atomic_service, require_perm
from tupo.orgs import tree
from tupo.orgs.models import Organization

log = logging.getLogger(__name__)

MAX_DEPTH = 6
PROGRESS_EVERY_S = 1.0
EPS = 1e-9
FIGURE_BATCH = 5000
ROW_BATCH = 2000
MIN_YEAR = 2000


class RunCancelled(Exception):
    """Raised inside the computation when someone cancelled the run: it stops and keeps *cancelled*."""


def inline_max() -> int:
    """Populations up to this many units are computed at once; larger ones go to the background worker."""
    return getattr(settings, "TUPO_ANALYTICS_INLINE_MAX", 500)




def _check_root(params: dict, errors: dict) -> Organization | None:
    """The root organization (an instance or a primary key), or a message in ``errors``."""
    root = params.get("root_org")
    if root is not None and not isinstance(root, Organization):
        root = Organization.objects.filter(pk=root).first()
    if root is None:
        errors.setdefault("root_org", []).append(_("Choose the organization whose subtree is analysed."))
    return root


def _check_depth(params: dict, errors: dict) -> int:
    """How many levels below the root the units lie (1..MAX_DEPTH), or a message in ``errors``."""
    try:
        depth = int(params.get("depth") or 1)
    except (TypeError, ValueError):
        depth = 0
    if not 1 <= depth <= MAX_DEPTH:
        errors.setdefault("depth", []).append(_("Choose 1 to %(n)s levels below the root.") % {"n": MAX_DEPTH})
    return depth

def _check_indicators(params: dict, available: dict, errors: dict) -> tuple[list[str], list[str]]:
    """The chosen inputs and outputs (duplicates dropped), with a message in ``errors`` for each problem:
    none chosen on a side, an indicator unknown here, one indicator on both sides."""
    inputs = list(dict.fromkeys(params.get("inputs") or []))
    outputs = list(dict.fromkeys(params.get("outputs") or []))
    if not inputs:
        errors.setdefault("inputs", []).append(_("Choose at least one input."))
    if not outputs:
        errors.setdefault("outputs", []).append(_("Choose at least one output."))
    for field, keys in (("inputs", inputs), ("outputs", outputs)):
        unknown = [k for k in keys if k not in available]
        if unknown:
            errors.setdefault(field, []).append(_("Unknown indicator: %(keys)s.") % {"keys": ", ".join(unknown)})
    both = [k for k in inputs if k in outputs]
    if both:
        labels = ", ".join(str(available[k].label) if k in available else k for k in both)
        errors.setdefault("outputs", []).append(
            _("An indicator cannot be both an input and an output: %(labels)s.") % {"labels": labels})
    return inputs, outputs

def validate_params(actor, params: dict) -> dict:
    """Check and normalise run parameters. Raises ValidationError({field: [messages]})."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    population = params.get("population") or Population.ORGS
    if population not in Population.values:
        errors.setdefault("population", []).append(_("Choose organizations or projects."))
    clean["population"] = population
    clean["root_org"] = _check_root(params, errors)
    if population == Population.ORGS:
        clean["depth"] = _check_depth(params, errors)
    else:
        clean["call_id"] = int(params["call_id"]) if params.get("call_id") else None
        clean["year"] = int(params["year"]) if params.get("year") else None
        if not clean["call_id"] and not clean["year"]:
            errors.setdefault("call_id", []).append(_("Choose a call or a year."))
    available = indicators.for_population(population)
    clean["inputs"], clean["outputs"] = _check_indicators(params, available, errors)
    rts = params.get("rts") or Rts.CRS
    orientation = params.get("orientation") or Orientation.IN
    if rts not in Rts.values:
        errors.setdefault("rts", []).append(_("Choose constant or variable returns to scale."))
    if orientation not in Orientation.values:
        errors.setdefault("orientation", []).append(_("Choose input or output orientation."))
    clean["rts"], clean["orientation"] = rts, orientation
    clean["super_efficiency"] = bool(params.get("super_efficiency"))
    clean["title"] = (params.get("title") or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    return clean


@atomic_service
def start_run(actor, params: dict) -> AnalysisRun:
    """Record a run and compute it: at once when small, else in the background (after the commit)."""
    if params.get("kind") == RunKind.MALMQUIST:
        return _start_malmquist(actor, params)
    clean = validate_params(actor, params)
    root = clean["root_org"]
    require_perm(actor, "analytics.run_analysis", root)
    run = AnalysisRun(
        created_by=actor if getattr(actor, "pk", None) else None, title=clean["title"],
        population=clean["population"], root_org=root, root_path=root.path, depth=clean.get("depth"),
        call_id=clean.get("call_id"), year=clean.get("year"), input_keys=clean["inputs"],
        output_keys=clean["outputs"], rts=clean["rts"], orientation=clean["orientation"],
        super_efficiency=clean["super_efficiency"],
    )
    units = queries.units_of(run)
    if not units:
        raise ValidationError({"root_org" if run.population == Population.ORGS else "call_id": [
            _("This population has no units: choose another organization, depth, call or year.")]})
    run.unit_count = run.progress_total = len(units)
    if not run.title:
        run.title = _default_title(run)
    run.save()
    audit.record("analytics.run", actor=actor, obj=run, details={
        "population": run.population, "root": root.pk, "depth": run.depth, "call": run.call_id, "year": run.year,
        "inputs": run.input_keys, "outputs": run.output_keys, "rts": run.rts, "orientation": run.orientation,
        "super": run.super_efficiency, "units": run.unit_count})
    _dispatch(run, units)
    return run


def _dispatch(run: AnalysisRun, units: list) -> None:
    if len(units) <= inline_max():
        execute_run(run, units=units)
    else:
        from tupo.analytics.tasks import run_analysis

        pk = run.pk
        transaction.on_commit(lambda: run_analysis.enqueue(pk))


def _default_title(run) -> str:
    if run.kind == RunKind.MALMQUIST:
        return _("%(root)s, %(n)s level(s) below, %(first)s–%(last)s") % {
            "root": run.root_org.name, "n": run.depth, "first": run.years[0], "last": run.years[-1]}
    if run.population == Population.ORGS:
        return _("%(root)s, %(n)s level(s) below") % {"root": run.root_org.name, "n": run.depth}
    bits = [run.root_org.name]
    if run.call_id:
        bits.append(_("call #%(id)s") % {"id": run.call_id})
    if run.year:
        bits.append(str(run.year))
    return " · ".join(bits)


def _finish(run: AnalysisRun, fields: dict) -> AnalysisRun:
    """Write the outcome only if the run is still running: a cancel that came in meanwhile wins."""
    written = AnalysisRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(**fields)
    if not written:
        UnitResult.objects.filter(run_id=run.pk).delete()  # cancelled meanwhile: no half result is kept
        run.refresh_from_db()
        return run
    for name, value in fields.items():
        setattr(run, name, value)
    return run


def _fail(run, message: str) -> AnalysisRun:
    return _finish(run, {"status": RunStatus.FAILED, "message": message, "finished_at": timezone.now(),
                         "excluded": run.excluded, "unit_count": run.unit_count})


def _progress_writer(run: AnalysisRun):
    """The method's progress callback: writes done/total at most once a second, and stops a cancelled run
    (the same conditional UPDATE tells whether the run is still running: no extra query)."""
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or done >= total:
            last[0] = now
            if not AnalysisRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                    progress_done=done, progress_total=total):
                raise RunCancelled

    return progress


def execute_run(run: AnalysisRun, units: list | None = None) -> AnalysisRun:
    """Gather the values, call the method, store results. Never raises for bad data: the run fails.

    A run cancelled before it starts is left as it is; one cancelled while computing stops at its next
    progress report and stays *cancelled* (its partial work is dropped)."""
    from tupo.methods.dea import DEAInputError

    if not AnalysisRun.objects.filter(pk=run.pk, status__in=[RunStatus.QUEUED, RunStatus.RUNNING]).update(
            status=RunStatus.RUNNING, progress_done=0):
        run.refresh_from_db()
        return run
    run.status, run.progress_done = RunStatus.RUNNING, 0
    try:
        if units is None:
            units = queries.units_of(run)
        if run.kind == RunKind.MALMQUIST:
            return _compute_malmquist(run, units)
        return _compute(run, units)
    except RunCancelled:
        UnitResult.objects.filter(run_id=run.pk).delete()
        run.refresh_from_db()
        return run
    except DEAInputError as exc:
        return _fail(run, _("The data cannot be analysed: %(reason)s") % {"reason": exc})
    except Exception as exc:  # a bug must not leave the run "running" for ever
        log.exception("analysis run %s failed", run.pk)
        return _fail(run, _("The analysis stopped on an unexpected error: %(error)s") % {"error": exc})


def _compute(run: AnalysisRun, units: list) -> AnalysisRun:
    import numpy as np

    from tupo.methods.dea import dea

    keys = list(run.input_keys) + list(run.output_keys)
    available = indicators.for_population(run.population)
    missing = [k for k in keys if k not in available]
    if missing:
        return _fail(run, _("These indicators are no longer available: %(keys)s.") % {"keys": ", ".join(missing)})
    vals = indicators.values(run.population, keys, units)
    kept, excluded = [], []
    for u in units:
        bad = []
        for k in keys:
            v = vals[k].get(u.pk)
            if v is None or not math.isfinite(v) or v <= 0:
                bad.append({"key": k, "value": v})
        if bad:
            excluded.append({"id": u.pk, "name": queries.unit_name(u), "reasons": bad})
        else:
            kept.append(u)
    run.excluded = excluded
    run.unit_count = len(units)
    if len(kept) < 2:
        return _fail(run, _(
            "%(n)s unit(s) left with positive values in every chosen indicator: DEA compares units with each "
            "other and needs at least two. See the excluded units below, or choose other indicators."
        ) % {"n": len(kept)})
    X = np.array([[vals[k][u.pk] for k in run.input_keys] for u in kept], dtype=float)
    Y = np.array([[vals[k][u.pk] for k in run.output_keys] for u in kept], dtype=float)
    del vals  # the values now live in X and Y; at 100,000 units the dicts are the larger part
    ids = [u.pk for u in kept]
    run.progress_total = len(kept)
    if not AnalysisRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
            excluded=excluded, unit_count=len(units), progress_total=len(kept)):
        raise RunCancelled
    res = dea(X, Y, rts=run.rts, orientation=run.orientation, slacks=True,
              super_efficiency=run.super_efficiency, ids=ids, input_names=list(run.input_keys),
              output_names=list(run.output_keys), progress=_progress_writer(run))
    return _finish(run, {
        "results": _results(run, kept, res, X, Y),
        "warnings": _warnings(res, len(kept), len(run.input_keys), len(run.output_keys)),
        "status": RunStatus.DONE, "message": "", "progress_done": len(kept), "progress_total": len(kept),
        "finished_at": timezone.now()})


def _num(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def _ranks(score):
    """Competition ranking (1, 2, 2, 4), scores rounded so solver noise does not split ties."""
    import numpy as np

    rounded = np.round(np.asarray(score, dtype=float), 9)
    desc = -np.sort(-rounded)
    return 1 + np.searchsorted(-desc, -rounded, side="left")


def _results(run, kept, res, X, Y) -> dict:
    """Write one UnitResult per unit in chunks (by rank, then name) and return the small summary the page
    keeps on the run: count, efficiency histogram, and the frontier chart's points (bounded)."""
    import numpy as np

    from tupo.analytics.present import CHART_POINTS

    names = [queries.unit_name(u) for u in kept]
    eff = np.asarray(res.efficiency, dtype=float)
    sup = res.super_efficiency
    score = eff if sup is None else np.where(np.isfinite(sup), sup, eff)
    rank = _ranks(score)
    order = sorted(range(len(kept)), key=lambda i: (int(rank[i]), names[i]))

    def rows():
        for i in order:
            row = {
                "id": kept[i].pk, "name": names[i], "efficiency": float(eff[i]),
                "phi": _num(res.phi[i]) if res.phi is not None else None,
                "super": _num(sup[i]) if sup is not None else None,
                "super_status": str(res.super_status[i]) if res.super_status is not None else None,
                "rank": int(rank[i]),
                "efficient": bool(res.efficient[i]), "weakly_efficient": bool(res.weakly_efficient[i]),
                "peers": [{"id": kept[j].pk, "name": names[j], "lambda": float(lam)}
                          for j, lam in res.peers_of(i) if j != i],
                "values": {}, "targets": {}, "slacks": {},
            }
            for c, k in enumerate(run.input_keys):
                row["values"][k] = float(X[i, c])
                row["targets"][k] = float(res.targets_in[i, c])
                row["slacks"][k] = float(res.slacks_in[i, c])
            for c, k in enumerate(run.output_keys):
                row["values"][k] = float(Y[i, c])
                row["targets"][k] = float(res.targets_out[i, c])
                row["slacks"][k] = float(res.slacks_out[i, c])
            yield row["id"], row["name"], row["efficiency"], row

    n = _store_rows(run, rows())
    ones = eff >= 1 - 1e-7
    bins = np.bincount(np.minimum(9, (eff[~ones] * 10).astype(int)), minlength=10)[:10]
    summary = {"n": n, "histogram": [int(b) for b in bins] + [int(ones.sum())]}
    if len(run.input_keys) == 1 and len(run.output_keys) == 1:
        # every frontier unit, then the best-ranked others: a readable chart, a bounded page
        picked = [i for i in order if ones[i]] + [i for i in order if not ones[i]]
        summary["frontier_points"] = [{"name": names[i], "x": float(X[i, 0]), "y": float(Y[i, 0]),
                                       "efficient": bool(ones[i])} for i in picked[:CHART_POINTS]]
    return summary


def _store_rows(run: AnalysisRun, rows) -> int:
    """Replace the run's result rows with ``rows`` ((unit id, name, score, data) in display order),
    ROW_BATCH at a time; returns how many. A retried task starts from a clean slate."""
    UnitResult.objects.filter(run_id=run.pk).delete()
    batch, n = [], 0
    for unit_id, name, score, data in rows:
        batch.append(UnitResult(run_id=run.pk, position=n, unit_id=unit_id, name=str(name)[:200], score=score,
                                data=data))
        n += 1
        if len(batch) >= ROW_BATCH:
            UnitResult.objects.bulk_create(batch)
            batch = []
    UnitResult.objects.bulk_create(batch)
    return n


def _warnings(res, n, m, s) -> list[dict]:
    out = []
    for text in res.warnings:
        if text.startswith("weak discrimination"):
            out.append({"code": "weak", "n": n, "m": m, "s": s, "need": max(3 * (m + s), m * s)})
        else:
            out.append({"code": "method", "text": text})
    return out


# --- cancelling ---------------------------------------------------------------------------------------

@atomic_service
def cancel_run(actor, run: AnalysisRun) -> AnalysisRun:
    """Stop a queued or running run. The task checks at start and at each progress report (about once a
    second) and stops; a run that finished in the meantime is not changed."""
    locked = AnalysisRun.objects.select_for_update().select_related("root_org").get(pk=run.pk)
    require_perm(actor, "analytics.cancel_run", locked)
    if RunStatus.CANCELLED not in ALLOWED_RUN_TRANSITIONS[locked.status]:
        raise InvalidTransition(_("This run has already finished: only a queued or running run can be cancelled."))
    before = locked.status
    locked.status = RunStatus.CANCELLED
    locked.message = _("Cancelled by %(user)s.") % {"user": actor}
    locked.finished_at = timezone.now()
    locked.save(update_fields=["status", "message", "finished_at"])
    audit.record("analytics.cancel", actor=actor, obj=locked, details={"from": before,
                                                                        "done": locked.progress_done,
                                                                        "total": locked.progress_total})
    return locked


# --- the Excel file of a large run -------------------------------------------------------------------

def export_inline_max() -> int:
    """Runs with up to this many result rows are exported within the request; larger ones by the worker."""
    return getattr(settings, "TUPO_ANALYTICS_EXPORT_INLINE_MAX", 20000)


def exports_in_background(run: AnalysisRun) -> bool:
    return (run.results or {}).get("n", 0) > export_inline_max()


@atomic_service
def request_export(actor, run: AnalysisRun) -> RunExport:
    """Ask the worker for the .xlsx of a finished run. Idempotent: a file being prepared or ready is returned
    as it is; a failed one is prepared again. Audited (``analytics.export.request``); each download of the
    file is audited too (``analytics.export``)."""
    require_perm(actor, "analytics.view_run", run)
    if run.status != RunStatus.DONE:
        raise InvalidTransition(_("Only a finished run can be exported."))
    export = RunExport.objects.select_for_update().filter(run=run).first()
    if export is not None and export.status != ExportStatus.FAILED:
        return export
    if export is None:
        export = RunExport(run=run)
    elif export.file:
        export.file.delete(save=False)
    export.status, export.message, export.size, export.finished_at = ExportStatus.QUEUED, "", 0, None
    export.requested_by = actor if getattr(actor, "pk", None) else None
    export.save()
    audit.record("analytics.export.request", actor=actor, obj=run, details={"rows": (run.results or {}).get("n")})
    from tupo.analytics.tasks import build_export

    run_id = run.pk
    transaction.on_commit(lambda: build_export.enqueue(run_id))
    return export


def build_export(run_id: int) -> str:
    """Write the run's workbook to a temporary file (rows streamed from the database, write-only workbook:
    memory stays bounded), then into storage. Only a queued export is claimed (conditional update), so a
    duplicate task does nothing."""
    import secrets
    import tempfile

    from django.core.files import File

    from tupo.analytics import present
    from tupo.core.xlsx import write_workbook

    if not RunExport.objects.filter(run_id=run_id, status=ExportStatus.QUEUED).update(status=ExportStatus.RUNNING):
        return "skipped"
    export = RunExport.objects.select_related("run__root_org", "run__created_by").get(run_id=run_id)
    run = export.run
    try:
        with tempfile.TemporaryFile(suffix=".xlsx") as tmp:
            write_workbook(tmp, present.malmquist_sheets(run) if run.is_malmquist else present.workbook_sheets(run))
            size = tmp.tell()
            tmp.seek(0)
            export.file.save(f"run-{run.pk}-{secrets.token_hex(8)}.xlsx", File(tmp), save=False)
    except Exception as exc:  # the page says so and offers to try again; the worker must not die on it
        log.exception("export of analysis run %s failed", run.pk)
        RunExport.objects.filter(pk=export.pk).update(status=ExportStatus.FAILED, message=str(exc)[:500],
                                                      finished_at=timezone.now())
        return "failed"
    RunExport.objects.filter(pk=export.pk).update(status=ExportStatus.READY, file=export.file.name, size=size,
                                                  finished_at=timezone.now())
    return "ready"


def prepared_export(actor, run: AnalysisRun) -> RunExport | None:
    """The ready Excel file of a large run (``None`` while none is ready). Handing it out is audited
    (``analytics.export``, ``prepared``), for the page's download and the API's alike."""
    export = RunExport.objects.filter(run=run, status=ExportStatus.READY).first()
    if export is not None:
        audit.record("analytics.export", actor=actor, obj=run, details={"prepared": True})
    return export


def inline_export(actor, run: AnalysisRun) -> bytes:
    """The .xlsx of an ordinary run, written within the request (audited as ``analytics.export``)."""
    from tupo.analytics import present
    from tupo.core.xlsx import workbook_bytes

    audit.record("analytics.export", actor=actor, obj=run)
    return workbook_bytes(present.malmquist_sheets(run) if run.is_malmquist else present.workbook_sheets(run))


EXPORT_FOLDER = "analytics/exports"


def orphan_export_files(*, min_age: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Stored Excel files that no export row names any more (their run was deleted: the row goes with the run,
    the file stays). Files younger than ``min_age`` are left alone: the worker stores the file a moment before
    it writes the name on the row."""
    from django.core.files.storage import default_storage

    kept = set(RunExport.objects.exclude(file="").values_list("file", flat=True))
    cutoff = timezone.now() - min_age
    found, folders = [], [EXPORT_FOLDER]
    while folders:
        folder = folders.pop()
        try:
            subfolders, files = default_storage.listdir(folder)
        except FileNotFoundError:
            continue
        folders += [f"{folder}/{d}" for d in subfolders]
        for name in files:
            path = f"{folder}/{name}"
            if path not in kept and default_storage.get_modified_time(path) < cutoff:
                found.append(path)
    return sorted(found)


def prune_export_files(*, dry_run: bool = False, min_age: dt.timedelta = dt.timedelta(hours=1)) -> list[str]:
    """Delete the orphaned Excel files (see ``orphan_export_files``); audited when anything was deleted."""
    from django.core.files.storage import default_storage

    paths = orphan_export_files(min_age=min_age)
    if dry_run or not paths:
        return paths
    for path in paths:
        default_storage.delete(path)
    from tupo.core.services import SYSTEM

    audit.record("analytics.export.prune", actor=SYSTEM, details={"files": len(paths)})
    return paths


# --- yearly figures -----------------------------------------------------------------------------------

def _check_year(year) -> int:
    try:
        year = int(year)
    except (TypeError, ValueError):
        raise ValidationError({"year": [_("Give a year such as 2025.")]}) from None
    today = timezone.localdate()
    if not MIN_YEAR <= year <= today.year:
        raise ValidationError({"year": [_("Figures can be taken for %(first)s to %(last)s; %(year)s has not "
                                          "happened yet.") % {"first": MIN_YEAR, "last": today.year,
                                                              "year": year}]})
    return year


@atomic_service
def snapshot_year(actor, root, year, *, dry_run: bool = False) -> YearSnapshot:
    """Take the yearly figures of every organization of ``root``'s subtree for ``year``.

    Dated indicators are counted from the records of that year (any past year may be taken or retaken).
    Head-counts (people, cadres, organizations) describe the register *today*, so they are taken only for
    the current year and skipped, with a note, for a past one. The figures of the subtree, year and
    indicators taken are replaced; the snapshot row records what was taken, when and by whom.
    ``dry_run`` computes and counts but writes nothing (the transaction is rolled back).
    """
    require_perm(actor, "analytics.take_snapshot", root)
    year = _check_year(year)
    now = timezone.now()
    current = timezone.localdate().year == year
    taken, skipped = [], []
    rows = 0
    in_subtree = OrgYearFigure.objects.filter(tree.subtree_q(root.path, "org__path"), year=year)
    for key, ind in yearly.registry().items():
        if not ind.dated and not current:
            skipped.append(key)
            continue
        own = ind.own(root.path, year)
        source = FigureSource.RECORDED if ind.dated else FigureSource.SNAPSHOT
        in_subtree.filter(indicator=key).delete()
        batch = []
        for org_id, value in own.items():
            batch.append(OrgYearFigure(org_id=org_id, year=year, indicator=key, value=value, source=source,
                                       taken_at=now))
            if len(batch) >= FIGURE_BATCH:
                OrgYearFigure.objects.bulk_create(batch)
                rows += len(batch)
                batch = []
        OrgYearFigure.objects.bulk_create(batch)
        rows += len(batch)
        taken.append(key)
    snap = YearSnapshot(root_org=root, root_path=root.path, year=year, indicators=taken, skipped=skipped,
                        source=FigureSource.SNAPSHOT if current else FigureSource.RECORDED,
                        org_count=Organization.objects.filter(tree.subtree_q(root.path)).count(),
                        taken_by=actor if getattr(actor, "pk", None) else None)
    snap.figure_rows = rows
    if dry_run:
        transaction.set_rollback(True)
        return snap
    snap.save()
    audit.record("analytics.snapshot", actor=actor, obj=snap, details={
        "root": root.pk, "year": year, "indicators": taken, "skipped": skipped, "rows": rows})
    return snap


def snapshot_inline_max() -> int:
    """Subtrees up to this many organizations are snapshotted in the request; larger ones by the worker."""
    return getattr(settings, "TUPO_ANALYTICS_SNAPSHOT_INLINE_MAX", 20000)


@atomic_service
def take_snapshot(actor, root, year=None) -> YearSnapshot | None:
    """The page's and the API's "take the snapshot" (this year unless ``year`` is given). A small subtree is
    taken at once and its snapshot returned; a large one (a province: several hundred thousand figures, most of
    a minute) goes to the task after the commit, which takes it in the actor's name; ``None`` is returned then
    and the request is audited (``analytics.snapshot.request``)."""
    require_perm(actor, "analytics.take_snapshot", root)
    year = _check_year(timezone.localdate().year if year in (None, "") else year)
    size = Organization.objects.filter(tree.subtree_q(root.path)).count()
    if size <= snapshot_inline_max():
        return snapshot_year(actor, root, year)
    from tupo.analytics.tasks import snapshot_figures

    audit.record("analytics.snapshot.request", actor=actor, obj=root, details={"year": year, "orgs": size})
    root_id, actor_id = root.pk, getattr(actor, "pk", None)
    transaction.on_commit(lambda: snapshot_figures.enqueue(root_id, year, actor_id))
    return None


# --- Malmquist: productivity change over years --------------------------------------------------------

def validate_malmquist(actor, params: dict) -> dict:
    """Check the parameters of a Malmquist run. Raises ValidationError({field: [messages]})."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    clean["root_org"] = _check_root(params, errors)
    clean["depth"] = _check_depth(params, errors)
    years = []
    for y in params.get("years") or []:
        try:
            years.append(int(y))
        except (TypeError, ValueError):
            errors.setdefault("years", []).append(_("Give a year such as 2025."))
    years = sorted(set(years))
    if len(years) < 2:
        errors.setdefault("years", []).append(_("Choose at least two years: the trend compares each year with "
                                                "the one before."))
    clean["years"] = years
    available = yearly.registry()
    clean["inputs"], clean["outputs"] = _check_indicators(params, available, errors)
    clean["title"] = (params.get("title") or "").strip()[:200]
    if errors:
        raise ValidationError(errors)
    return clean


def _missing_figures(root, years, keys, available) -> list[str]:
    """One message per chosen year lacking figures of a chosen indicator for this subtree."""
    have: dict[int, set] = {}
    for year, taken in queries.covering_snapshots(root.path).filter(year__in=years).values_list("year",
                                                                                              "indicators"):
        have.setdefault(year, set()).update(taken or [])
    out = []
    for year in years:
        missing = [k for k in keys if k not in have.get(year, set())]
        if not missing:
            continue
        labels = ", ".join(str(available[k].label) for k in missing)
        if not have.get(year):
            out.append(_("No figures of %(year)s for this organization: take the year's snapshot first "
                         "(command “tupo analytics_snapshot --year %(year)s”).") % {"year": year})
        elif all(not available[k].dated for k in missing):
            out.append(_("%(year)s has no %(labels)s: head-counts exist only for years whose snapshot was taken "
                         "during the year itself; the register keeps no history.") % {"year": year,
                                                                                     "labels": labels})
        else:
            out.append(_("%(year)s has no figures of %(labels)s: take the year's snapshot again.") % {
                "year": year, "labels": labels})
    return out


def _start_malmquist(actor, params: dict) -> AnalysisRun:
    clean = validate_malmquist(actor, params)
    root = clean["root_org"]
    require_perm(actor, "analytics.run_analysis", root)
    # after the permission check: which years have figures is itself a fact about the subtree
    missing = _missing_figures(root, clean["years"], clean["inputs"] + clean["outputs"], yearly.registry())
    if missing:
        raise ValidationError({"years": missing})
    run = AnalysisRun(
        created_by=actor if getattr(actor, "pk", None) else None, title=clean["title"], kind=RunKind.MALMQUIST,
        population=Population.ORGS, root_org=root, root_path=root.path, depth=clean["depth"],
        years=clean["years"], input_keys=clean["inputs"], output_keys=clean["outputs"], rts=Rts.CRS,
        orientation=Orientation.IN)
    units = queries.org_units(root, clean["depth"])
    if not units:
        raise ValidationError({"root_org": [_("This population has no units: choose another organization or "
                                              "depth.")]})
    run.unit_count = run.progress_total = len(units)
    if not run.title:
        run.title = _default_title(run)
    run.save()
    audit.record("analytics.run", actor=actor, obj=run, details={
        "kind": run.kind, "root": root.pk, "depth": run.depth, "years": run.years, "inputs": run.input_keys,
        "outputs": run.output_keys, "units": run.unit_count})
    _dispatch(run, units)
    return run


MALMQUIST_INDICES = ("effch", "techch", "pech", "sech", "tfpch")
# Gathering the yearly figures (one grouped query per indicator and year) is quick beside the method's linear
# programmes (100,000 units: 4 s against 100 s), so it fills the first tenth of the progress bar.
MALMQUIST_GATHER_SHARE = 0.1


def _geomean(values) -> float | None:
    vals = [v for v in values if v is not None and math.isfinite(v) and v > 0]
    if not vals:
        return None
    return math.exp(sum(math.log(v) for v in vals) / len(vals))


def _compute_malmquist(run: AnalysisRun, units: list) -> AnalysisRun:
    import numpy as np

    from tupo.methods.dea import malmquist

    available = yearly.registry()
    keys = list(run.input_keys) + list(run.output_keys)
    missing = [k for k in keys if k not in available]
    if missing:
        return _fail(run, _("These indicators are no longer available: %(keys)s.") % {"keys": ", ".join(missing)})
    names = {u.pk: queries.unit_name(u) for u in units}
    X, Y, ids, periods = [], [], [], []
    excluded, present = [], {}
    for step, year in enumerate(run.years):
        vals = yearly.unit_values(units, year, keys)
        present[year] = set()
        for u in units:
            bad = [{"key": k, "value": vals[k].get(u.pk)} for k in keys
                   if not (vals[k].get(u.pk) or 0) > 0 or not math.isfinite(vals[k][u.pk])]
            if bad:
                excluded.append({"id": u.pk, "name": names[u.pk], "year": year,
                                 "reasons": [] if len(bad) == len(keys) else bad})
                continue
            present[year].add(u.pk)
            X.append([vals[k][u.pk] for k in run.input_keys])
            Y.append([vals[k][u.pk] for k in run.output_keys])
            ids.append(u.pk)
            periods.append(year)
        # report each year gathered, and stop here if cancelled
        if not AnalysisRun.objects.filter(pk=run.pk, status=RunStatus.RUNNING).update(
                progress_done=int(len(units) * MALMQUIST_GATHER_SHARE * (step + 1) / len(run.years))):
            raise RunCancelled
    run.excluded = excluded
    run.unit_count = len(units)
    thin = [(y, len(present[y])) for y in run.years if len(present[y]) < 2]
    if thin:
        return _fail(run, _(
            "%(years)s: fewer than two units with positive figures in every chosen indicator. Each year needs at "
            "least two to compare; see the units missing below, or choose other years or indicators."
        ) % {"years": ", ".join(_("%(year)s (%(n)s unit(s))") % {"year": y, "n": n} for y, n in thin)})
    pairs = list(zip(run.years[:-1], run.years[1:], strict=False))
    if not any(present[a] & present[b] for a, b in pairs):
        return _fail(run, _("No unit has figures in two consecutive years chosen, so no change can be measured."))
    # the method's share of the bar: what gathering left (its callback moves it per batch of solved points;
    # the writer stops a cancelled run there too)
    writer, total = _progress_writer(run), len(units)
    base = int(total * MALMQUIST_GATHER_SHARE)

    def progress(done, of):
        writer(min(total, base + int((total - base) * done / max(1, of))), total)

    res = malmquist(np.array(X, dtype=float), np.array(Y, dtype=float), ids, periods,
                    input_names=list(run.input_keys), output_names=list(run.output_keys), progress=progress)
    rows = []
    for i, unit_id in enumerate(res.dmu):
        row = {"id": unit_id, "name": names[unit_id], "from": int(res.period_from[i]), "to": int(res.period_to[i])}
        for name in MALMQUIST_INDICES:
            row[name] = _num(getattr(res, name)[i])
        rows.append(row)
    summary = []
    for a, b in pairs:
        these = [r for r in rows if r["from"] == a and r["to"] == b]
        gone = sorted(names[u] for u in present[a] - present[b])
        new = sorted(names[u] for u in present[b] - present[a])
        summary.append({"from": a, "to": b, "n": len(these), "missing_from": gone[:50], "missing_to": new[:50],
                        "missing_count": len(gone) + len(new),
                        **{name: _geomean(r[name] for r in these) for name in MALMQUIST_INDICES}})
    rows.sort(key=lambda r: (r["name"], r["from"]))
    n = _store_rows(run, ((r["id"], r["name"], r["tfpch"], r) for r in rows))
    return _finish(run, {
        "results": {"pairs": summary, "n": n}, "excluded": excluded,
        "unit_count": len(units), "warnings": [], "status": RunStatus.DONE, "message": "",
        "progress_done": len(units), "progress_total": len(units), "finished_at": timezone.now()})
