"""Every write of the input-output analysis goes through here: starting a run and computing it.

The numbers come from ``tupo.methods.dea.dea`` (pure, tested on its own); this module only gathers the
indicator values, hands them over, and stores what the page shows.

Zero or missing values: DEA needs strictly positive data. Rather than refusing a whole run because one
township has no published case yet, such units are *excluded* and listed, with the indicator and the value,
on the result page and in the export; the others are compared among themselves. If fewer than two units
remain, the run fails with a message saying so.
"""

from __future__ import annotations

import logging
import math
import time

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.analytics import indicators, queries
from tupo.analytics.models import AnalysisRun, Orientation, Population, Rts, RunStatus
from tupo.core import audit
from tupo.core.services import atomic_service, require_perm
from tupo.orgs.models import Organization

log = logging.getLogger(__name__)

MAX_DEPTH = 6
PROGRESS_EVERY_S = 1.0
EPS = 1e-9


def inline_max() -> int:
    """Populations up to this many units are computed at once; larger ones go to the background worker."""
    return getattr(settings, "TUPO_ANALYTICS_INLINE_MAX", 500)


def validate_params(actor, params: dict) -> dict:
    """Check and normalise run parameters. Raises ValidationError({field: [messages]})."""
    errors: dict[str, list[str]] = {}
    clean: dict = {}
    population = params.get("population") or Population.ORGS
    if population not in Population.values:
        errors.setdefault("population", []).append(_("Choose organizations or projects."))
    clean["population"] = population
    root = params.get("root_org")
    if root is not None and not isinstance(root, Organization):
        root = Organization.objects.filter(pk=root).first()
    if root is None:
        errors.setdefault("root_org", []).append(_("Choose the organization whose subtree is analysed."))
    clean["root_org"] = root
    if population == Population.ORGS:
        try:
            depth = int(params.get("depth") or 1)
        except (TypeError, ValueError):
            depth = 0
        if not 1 <= depth <= MAX_DEPTH:
            errors.setdefault("depth", []).append(_("Choose 1 to %(n)s levels below the root.") % {"n": MAX_DEPTH})
        clean["depth"] = depth
    else:
        clean["call_id"] = int(params["call_id"]) if params.get("call_id") else None
        clean["year"] = int(params["year"]) if params.get("year") else None
        if not clean["call_id"] and not clean["year"]:
            errors.setdefault("call_id", []).append(_("Choose a call or a year."))
    available = indicators.for_population(population)
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
    clean["inputs"], clean["outputs"] = inputs, outputs
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
    if len(units) <= inline_max():
        execute_run(run, units=units)
    else:
        from tupo.analytics.tasks import run_analysis

        pk = run.pk
        transaction.on_commit(lambda: run_analysis.enqueue(pk))
    return run


def _default_title(run) -> str:
    if run.population == Population.ORGS:
        return _("%(root)s, %(n)s level(s) below") % {"root": run.root_org.name, "n": run.depth}
    bits = [run.root_org.name]
    if run.call_id:
        bits.append(_("call #%(id)s") % {"id": run.call_id})
    if run.year:
        bits.append(str(run.year))
    return " · ".join(bits)


def _fail(run, message: str) -> AnalysisRun:
    run.status = RunStatus.FAILED
    run.message = message
    run.finished_at = timezone.now()
    run.save(update_fields=["status", "message", "finished_at"])
    return run


def execute_run(run: AnalysisRun, units: list | None = None) -> AnalysisRun:
    """Gather the values, call the DEA method, store results. Never raises for bad data: the run fails."""
    from tupo.methods.dea import DEAInputError

    run.status = RunStatus.RUNNING
    run.progress_done = 0
    run.save(update_fields=["status", "progress_done"])
    try:
        if units is None:
            units = queries.units_of(run)
        return _compute(run, units)
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
        run.save(update_fields=["excluded", "unit_count"])
        return _fail(run, _(
            "%(n)s unit(s) left with positive values in every chosen indicator: DEA compares units with each "
            "other and needs at least two. See the excluded units below, or choose other indicators."
        ) % {"n": len(kept)})
    X = np.array([[vals[k][u.pk] for k in run.input_keys] for u in kept], dtype=float)
    Y = np.array([[vals[k][u.pk] for k in run.output_keys] for u in kept], dtype=float)
    ids = [u.pk for u in kept]
    run.progress_total = len(kept)
    run.save(update_fields=["excluded", "unit_count", "progress_total"])
    last = [0.0]

    def progress(done, total):
        now = time.monotonic()
        if now - last[0] >= PROGRESS_EVERY_S or done >= total:
            last[0] = now
            AnalysisRun.objects.filter(pk=run.pk).update(progress_done=done, progress_total=total)

    res = dea(X, Y, rts=run.rts, orientation=run.orientation, slacks=True,
              super_efficiency=run.super_efficiency, ids=ids, input_names=list(run.input_keys),
              output_names=list(run.output_keys), progress=progress)
    run.results = _results(run, kept, res, X, Y)
    run.warnings = _warnings(res, len(kept), len(run.input_keys), len(run.output_keys))
    run.status = RunStatus.DONE
    run.message = ""
    run.progress_done = run.progress_total = len(kept)
    run.finished_at = timezone.now()
    run.save(update_fields=["results", "warnings", "status", "message", "progress_done", "progress_total",
                            "finished_at"])
    return run


def _num(v):
    if v is None:
        return None
    v = float(v)
    return None if math.isnan(v) else v


def _results(run, kept, res, X, Y) -> dict:
    names = [queries.unit_name(u) for u in kept]
    eff = res.efficiency
    sup = res.super_efficiency
    score = [(_num(sup[i]) if sup is not None and _num(sup[i]) is not None else float(eff[i]))
             for i in range(res.n)]
    # Competition ranking (1, 2, 2, 4), scores rounded so solver noise does not split ties.
    rounded = [round(s, 9) for s in score]
    order = sorted(rounded, reverse=True)
    rank = {s: order.index(s) + 1 for s in set(rounded)}
    units = []
    for i, u in enumerate(kept):
        row = {
            "id": u.pk, "name": names[i], "efficiency": float(eff[i]),
            "phi": _num(res.phi[i]) if res.phi is not None else None,
            "super": _num(sup[i]) if sup is not None else None,
            "super_status": str(res.super_status[i]) if res.super_status is not None else None,
            "rank": rank[rounded[i]],
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
        units.append(row)
    units.sort(key=lambda r: (r["rank"], r["name"]))
    return {"units": units, "n": len(units)}


def _warnings(res, n, m, s) -> list[dict]:
    out = []
    for text in res.warnings:
        if text.startswith("weak discrimination"):
            out.append({"code": "weak", "n": n, "m": m, "s": s, "need": max(3 * (m + s), m * s)})
        else:
            out.append({"code": "method", "text": text})
    return out
