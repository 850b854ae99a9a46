"""What the result page and the export show: plain-language sentences, charts, sheets (all from stored results)."""

from __future__ import annotations

import math

from django.http import FileResponse, HttpResponse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext

from tupo.analytics import indicators
from tupo.analytics.models import AnalysisRun, RunExport
from tupo.core.xlsx import XLSX_TYPE

REL_TOL = 1e-6


def _found(run: AnalysisRun) -> dict:
    if run.is_malmquist:
        from tupo.analytics import yearly

        return yearly.registry()
    return indicators.for_population(run.population)


def labels(run: AnalysisRun) -> dict[str, str]:
    found = _found(run)
    return {k: str(found[k].label) if k in found else k for k in list(run.input_keys) + list(run.output_keys)}


def units_of(run: AnalysisRun) -> dict[str, str]:
    found = _found(run)
    return {k: str(found[k].unit) if k in found else "" for k in list(run.input_keys) + list(run.output_keys)}


def fmt(v: float | None, digits: int = 2) -> str:
    if v is None:
        return "—"
    text = f"{v:,.{digits}f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def frontier_sentence(run: AnalysisRun, row: dict, names: dict[str, str]) -> str:
    """'To reach the frontier: with 3 less “People” (−20%) and 1.5 more “Published cases” (+30%).'"""
    parts = []
    for k in run.input_keys:
        v, t = row["values"][k], row["targets"][k]
        if v - t > REL_TOL * max(1.0, abs(v)):
            parts.append(_("%(amount)s less “%(label)s” (−%(pct)s%%)") % {
                "amount": fmt(v - t), "label": names[k], "pct": fmt(100 * (v - t) / v, 0)})
    for k in run.output_keys:
        v, t = row["values"][k], row["targets"][k]
        if t - v > REL_TOL * max(1.0, abs(v)):
            parts.append(_("%(amount)s more “%(label)s” (+%(pct)s%%)") % {
                "amount": fmt(t - v), "label": names[k], "pct": fmt(100 * (t - v) / v, 0)})
    if not parts:
        return _("On the frontier: no unit of this population does better with these indicators.")
    return _("To reach the frontier: with %(changes)s.") % {"changes": _(" and ").join(parts)}


PAGE_ROWS = 500
CHART_POINTS = 3000


def result_rows(run: AnalysisRun, limit: int | None = None):
    """The result rows in display order, read from the database a chunk at a time (``limit`` for a page).
    Runs saved before rows existed kept them in ``results["units"]``."""
    legacy = (run.results or {}).get("units")
    if legacy is not None:
        yield from legacy[:limit]
        return
    qs = run.unit_results.order_by("position").values_list("data", flat=True)
    if limit is not None:
        yield from qs[:limit]
    else:
        yield from qs.iterator(chunk_size=2000)


def table_rows(run: AnalysisRun, limit: int | None = None):
    names = labels(run)
    for row in result_rows(run, limit):
        peers = sorted(row["peers"], key=lambda p: -p["lambda"])
        yield ({
            **row,
            "peers_text": ", ".join(f"{p['name']} (λ={fmt(p['lambda'], 3)})" for p in peers),
            "sentence": frontier_sentence(run, row, names),
            "cells": [(fmt(row["values"][k]), fmt(row["targets"][k])) for k in list(run.input_keys) + list(run.output_keys)],
        })


def histogram(run: AnalysisRun) -> dict:
    """Efficiency distribution in tenths, with efficient units (score 1) in a bar of their own."""
    stored = (run.results or {}).get("histogram")
    if stored is not None:
        bins, ones = stored[:10], stored[10]
    else:
        bins, ones = [0] * 10, 0
        for row in result_rows(run):
            e = row["efficiency"]
            if e >= 1 - 1e-7:
                ones += 1
            else:
                bins[min(9, int(e * 10))] += 1
    rows = [[f"{i / 10:.1f}–{(i + 1) / 10:.1f}", n] for i, n in enumerate(bins)]
    rows.append([_("1 (on the frontier)"), ones])
    return {"kind": "bar", "rows": rows}


def frontier_chart(run: AnalysisRun) -> dict | None:
    """Scatter of the single input against the single output, frontier units highlighted."""
    if len(run.input_keys) != 1 or len(run.output_keys) != 1:
        return None
    names = labels(run)
    x, y = run.input_keys[0], run.output_keys[0]
    pts = (run.results or {}).get("frontier_points")
    if pts is None:
        pts = [{"name": r["name"], "x": r["values"][x], "y": r["values"][y],
                "efficient": r["efficiency"] >= 1 - 1e-7} for r in result_rows(run)]
    if len(pts) > CHART_POINTS:  # a readable chart, bounded page: every frontier unit, then the best-ranked others
        pts = [p for p in pts if p["efficient"]] + [p for p in pts if not p["efficient"]]
        pts = pts[:CHART_POINTS]
    if not pts:
        return None
    eff = sorted((p for p in pts if p["efficient"]), key=lambda p: p["x"])
    if run.rts == "crs":
        best = max(pts, key=lambda p: p["y"] / p["x"])
        xmax = max(p["x"] for p in pts)
        line = [[0, 0], [xmax, xmax * best["y"] / best["x"]]]
    else:
        # VRS frontier: from the smallest efficient input, rising through the efficient units, then flat.
        line = [[eff[0]["x"], 0]] + [[p["x"], p["y"]] for p in eff] if eff else []
        if eff:
            line.append([max(p["x"] for p in pts), eff[-1]["y"]])
    return {"x_label": names[x], "y_label": names[y], "points": pts, "frontier": line,
            "legend": [_("Other units"), _("On the frontier"), _("Frontier")]}


def warning_texts(run: AnalysisRun) -> list[str]:
    out = []
    for w in run.warnings or []:
        if w.get("code") == "weak":
            out.append(_(
                "Weak discrimination: %(n)s units for %(m)s input(s) and %(s)s output(s). A common rule asks for "
                "at least %(need)s units; with fewer, many units score 1 and the ranking says little."
            ) % w)
        else:
            out.append(w.get("text", ""))
    return out


def excluded_rows(run: AnalysisRun) -> list[dict]:
    names = labels(run)
    out = []
    for e in run.excluded or []:
        reasons = []
        if not e["reasons"]:
            reasons.append(_("no figures in this year"))
        for r in e["reasons"]:
            if r["value"] is None:
                reasons.append(_("%(label)s: no value") % {"label": names.get(r["key"], r["key"])})
            else:
                reasons.append(_("%(label)s: %(value)s") % {"label": names.get(r["key"], r["key"]),
                                                              "value": fmt(r["value"])})
        out.append({"id": e["id"], "name": e["name"], "year": e.get("year"), "reasons": "; ".join(reasons)})
    return out


def parameter_rows(run: AnalysisRun) -> list[tuple[str, str]]:
    names = labels(run)
    rows = [
        (_("Kind of analysis"), run.get_kind_display()),
        (_("Population"), run.get_population_display()),
        (_("Root organization"), run.root_org.name),
    ]
    if run.depth:
        rows.append((_("Levels below the root"), str(run.depth)))
    if run.call_id:
        rows.append((_("Call"), f"#{run.call_id}"))
    if run.year:
        rows.append((_("Year"), str(run.year)))
    if run.years:
        rows.append((_("Years"), ", ".join(str(y) for y in run.years)))
    rows += [
        (_("Inputs"), ", ".join(names[k] for k in run.input_keys)),
        (_("Outputs"), ", ".join(names[k] for k in run.output_keys)),
    ]
    if run.is_malmquist:
        rows.append((_("Model"), _("Input oriented; efficiency and technical change under constant returns to "
                                   "scale, pure efficiency change under variable returns to scale")))
    else:
        rows += [
            (_("Returns to scale"), run.get_rts_display()),
            (_("Orientation"), run.get_orientation_display()),
            (_("Super-efficiency"), _("yes") if run.super_efficiency else _("no")),
        ]
    rows += [
        (_("Units in the population"), str(run.unit_count)),
        (_("Units excluded") if not run.is_malmquist else _("Units missing in a year"),
         str(len({e["id"] for e in run.excluded or []}))),
        (_("Run by"), str(run.created_by or "")),
        (_("Started at"), run.created_at.strftime("%Y-%m-%d %H:%M") if run.created_at else ""),
    ]
    return rows


def workbook_sheets(run: AnalysisRun) -> list:
    names = labels(run)
    keys = list(run.input_keys) + list(run.output_keys)
    head = [_("Unit"), _("Efficiency"), _("Rank")]
    if run.orientation == "out":
        head.append("φ")
    if run.super_efficiency:
        head.append(_("Super-efficiency"))
    head += [_("Weakly efficient"), _("Peers to learn from (λ)")]
    for k in keys:
        head += [names[k], _("%(label)s target") % {"label": names[k]}]
    head.append(_("To reach the frontier"))

    def rows():
        for r in table_rows(run):
            row = [r["name"], round(r["efficiency"], 6), r["rank"]]
            if run.orientation == "out":
                row.append(None if r["phi"] is None else round(r["phi"], 6))
            if run.super_efficiency:
                row.append(None if r["super"] is None else round(r["super"], 6))
            row += [_("yes") if r["weakly_efficient"] else "", r["peers_text"]]
            for k in keys:
                row += [r["values"][k], round(r["targets"][k], 6)]
            row.append(r["sentence"])
            yield row

    sheets = [(_("Results"), head, rows()),
              (_("Parameters"), [_("Parameter"), _("Value")], parameter_rows(run))]
    excl = excluded_rows(run)
    sheets.append((_("Excluded units"), [_("Unit"), _("Why")], [(e["name"], e["reasons"]) for e in excl]))
    warn = warning_texts(run)
    if warn:
        sheets.append((_("Warnings"), [_("Warning")], [(w,) for w in warn]))
    return sheets


# --- Malmquist --------------------------------------------------------------------------------------------

INDEX_NAMES = ("tfpch", "effch", "techch", "pech", "sech")  # productivity first: the headline


def index_labels() -> dict[str, str]:
    return {
        "effch": _("Efficiency change"),
        "techch": _("Technical change"),
        "pech": _("Pure efficiency change"),
        "sech": _("Scale efficiency change"),
        "tfpch": _("Productivity change (TFP)"),
    }


def change_text(v: float | None) -> str:
    """'+12.3%' / '−4.0%' / 'no change' for an index around 1."""
    if v is None:
        return "—"
    pct = 100 * (v - 1)
    if abs(pct) < 0.05:
        return _("no change")
    return f"+{pct:.1f}%" if pct > 0 else f"−{-pct:.1f}%"


def pair_label(row: dict) -> str:
    return f"{row['from']}→{row['to']}"


def pair_rows(run: AnalysisRun) -> list[dict]:
    """Per pair of consecutive years: geometric means, a plain sentence, the units missing."""
    out = []
    for p in (run.results or {}).get("pairs", []):
        tfp = p.get("tfpch")
        if tfp is None:
            sentence = _("No unit has figures in both years.")
        elif tfp > 1 + 5e-4:
            sentence = _("Productivity rose by %(pct)s on average (geometric mean of %(n)s units).")
        elif tfp < 1 - 5e-4:
            sentence = _("Productivity fell by %(pct)s on average (geometric mean of %(n)s units).")
        else:
            sentence = _("Productivity held steady on average (geometric mean of %(n)s units).")
        if tfp is not None:
            sentence = sentence % {"pct": change_text(tfp).lstrip("+−"), "n": p["n"]}
        driver = ""
        if tfp is not None and p.get("effch") and p.get("techch"):
            if abs(math.log(p["techch"])) >= abs(math.log(p["effch"])):
                driver = _("Mostly from the frontier moving (technical change: the best units did better or worse).")
            else:
                driver = _("Mostly from units moving relative to the frontier (efficiency change: catching up or "
                           "falling behind the best).")
        out.append({**p, "label": pair_label(p), "sentence": sentence, "driver": driver,
                    "cells": [(p.get(k), change_text(p.get(k))) for k in INDEX_NAMES]})
    return out


def trend_chart(run: AnalysisRun) -> dict | None:
    pairs = [p for p in (run.results or {}).get("pairs", []) if p.get("tfpch") is not None]
    if not pairs:
        return None
    names = index_labels()
    return {"categories": [pair_label(p) for p in pairs],
            "series": [{"name": names[k], "data": [round(p[k], 4) if p.get(k) else None for p in pairs]}
                       for k in ("tfpch", "effch", "techch")],
            "y_label": _("Index (1 = no change)")}


def malmquist_rows(run: AnalysisRun, limit: int | None = None):
    for r in result_rows(run, limit):
        yield {**r, "label": pair_label(r), "cells": [(r.get(k), change_text(r.get(k))) for k in INDEX_NAMES]}


def malmquist_sheets(run: AnalysisRun) -> list:
    names = index_labels()
    head = [_("Unit"), pgettext("year", "From"), pgettext("year", "To")] + [f"{names[k]} ({k})" for k in INDEX_NAMES]
    rows = ([r["name"], r["from"], r["to"]] + [None if r.get(k) is None else round(r[k], 6) for k in INDEX_NAMES]
            for r in malmquist_rows(run))
    pairs_head = [pgettext("year", "From"), pgettext("year", "To"), _("Units compared")] + [f"{names[k]} ({k})" for k in INDEX_NAMES] + [
        _("Units missing in one of the two years")]
    pairs = [[p["from"], p["to"], p["n"]] + [None if p.get(k) is None else round(p[k], 6) for k in INDEX_NAMES]
             + [p.get("missing_count", 0)] for p in pair_rows(run)]
    missing = [(e["name"], e["year"], e["reasons"]) for e in excluded_rows(run)]
    return [(_("Per unit"), head, rows),
            (_("Geometric means per year pair"), pairs_head, pairs),
            (_("Parameters"), [_("Parameter"), _("Value")], parameter_rows(run)),
            (_("Units missing in a year"), [_("Unit"), _("Year"), _("Why")], missing)]


def snapshot_rows(snapshots) -> list[dict]:
    """The yearly figures a user can draw on, newest year first, with what was taken and what was not."""
    from tupo.analytics import yearly

    found = yearly.registry()
    out = []
    for s in snapshots:
        out.append({
            "year": s.year, "root": s.root_org.name, "source": s.get_source_display(), "source_key": s.source,
            "taken_at": s.taken_at, "taken_by": str(s.taken_by or _("system")),
            "indicators": ", ".join(str(found[k].label) if k in found else k for k in s.indicators),
            "skipped": ", ".join(str(found[k].label) if k in found else k for k in s.skipped),
        })
    return out


def export_name(run) -> str:
    return _("input-output analysis %(id)s.xlsx") % {"id": run.pk}


def export_file_response(run, source) -> HttpResponse:
    """The download of a run's Excel file: a prepared ``RunExport`` streamed from storage, or bytes written now
    (the page and the API answer with the same file and name)."""
    if isinstance(source, RunExport):
        return FileResponse(source.file.open("rb"), as_attachment=True, filename=export_name(run),
                            content_type=XLSX_TYPE)
    from urllib.parse import quote

    response = HttpResponse(source, content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(export_name(run))}"
    return response
