"""What the result page and the export show: plain-language sentences, charts, sheets (all from stored results)."""

from __future__ import annotations

from django.utils.translation import gettext as _

from tupo.analytics import indicators
from tupo.analytics.models import AnalysisRun

REL_TOL = 1e-6


def labels(run: AnalysisRun) -> dict[str, str]:
    found = indicators.for_population(run.population)
    return {k: str(found[k].label) if k in found else k for k in list(run.input_keys) + list(run.output_keys)}


def units_of(run: AnalysisRun) -> dict[str, str]:
    found = indicators.for_population(run.population)
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


def table_rows(run: AnalysisRun, limit: int | None = None) -> list[dict]:
    names = labels(run)
    out = []
    for row in (run.results or {}).get("units", [])[:limit]:
        peers = sorted(row["peers"], key=lambda p: -p["lambda"])
        out.append({
            **row,
            "peers_text": ", ".join(f"{p['name']} (λ={fmt(p['lambda'], 3)})" for p in peers),
            "sentence": frontier_sentence(run, row, names),
            "cells": [(fmt(row["values"][k]), fmt(row["targets"][k])) for k in list(run.input_keys) + list(run.output_keys)],
        })
    return out


def histogram(run: AnalysisRun) -> dict:
    """Efficiency distribution in tenths, with efficient units (score 1) in a bar of their own."""
    bins = [0] * 10
    ones = 0
    for row in (run.results or {}).get("units", []):
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
    pts = [{"name": r["name"], "x": r["values"][x], "y": r["values"][y], "efficient": r["efficiency"] >= 1 - 1e-7}
           for r in (run.results or {}).get("units", [])]
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
        for r in e["reasons"]:
            if r["value"] is None:
                reasons.append(_("%(label)s: no value") % {"label": names.get(r["key"], r["key"])})
            else:
                reasons.append(_("%(label)s: %(value)s") % {"label": names.get(r["key"], r["key"]),
                                                              "value": fmt(r["value"])})
        out.append({"id": e["id"], "name": e["name"], "reasons": "; ".join(reasons)})
    return out


def parameter_rows(run: AnalysisRun) -> list[tuple[str, str]]:
    names = labels(run)
    rows = [
        (_("Population"), run.get_population_display()),
        (_("Root organization"), run.root_org.name),
    ]
    if run.depth:
        rows.append((_("Levels below the root"), str(run.depth)))
    if run.call_id:
        rows.append((_("Call"), f"#{run.call_id}"))
    if run.year:
        rows.append((_("Year"), str(run.year)))
    rows += [
        (_("Inputs"), ", ".join(names[k] for k in run.input_keys)),
        (_("Outputs"), ", ".join(names[k] for k in run.output_keys)),
        (_("Returns to scale"), run.get_rts_display()),
        (_("Orientation"), run.get_orientation_display()),
        (_("Super-efficiency"), _("yes") if run.super_efficiency else _("no")),
        (_("Units in the population"), str(run.unit_count)),
        (_("Units excluded"), str(len(run.excluded or []))),
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
    rows = []
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
        rows.append(row)
    sheets = [(_("Results"), head, rows),
              (_("Parameters"), [_("Parameter"), _("Value")], parameter_rows(run))]
    excl = excluded_rows(run)
    sheets.append((_("Excluded units"), [_("Unit"), _("Why")], [(e["name"], e["reasons"]) for e in excl]))
    warn = warning_texts(run)
    if warn:
        sheets.append((_("Warnings"), [_("Warning")], [(w,) for w in warn]))
    return sheets
