"""The review report (.docx): round, method, reliability, warnings and the ranking table. Names no expert."""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def _num(value, digits=2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def review_report(review_round, ranking) -> bytes:
    """A Word document of the ranking. It never names an expert (blind or not: the report circulates), and its
    metadata says author "Tupo"."""
    from docx import Document

    doc = Document()
    props = doc.core_properties
    props.author = "Tupo"
    props.last_modified_by = "Tupo"
    props.title = review_round.title
    props.comments = ""
    doc.add_heading(review_round.title, level=0)
    doc.add_paragraph(_("Review report of %(org)s, deadline %(deadline)s, produced %(today)s.") % {
        "org": review_round.org.name, "deadline": review_round.deadline.isoformat(),
        "today": timezone.localdate().isoformat()})
    doc.add_heading(_("Method"), level=1)
    doc.add_paragraph(_("Items are ranked by: %(method)s. %(n)s submitted review(s); each review's total is the "
                        "weighted sum of its criterion scores (0–%(max)s).") % {
        "method": review_round.get_aggregation_display(), "n": ranking.n_reviews, "max": review_round.scale_max})
    doc.add_paragraph(_(
        "Calibrated score: each review is modelled as overall level + item quality + the expert's habitual "
        "leniency or strictness + noise, estimated jointly by empirical Bayes over the experts' overlapping items "
        "and weighted by the confidence each expert stated; the calibrated score is the item's estimated quality "
        "with the experts' leniency removed. Rank intervals (90 %) and the probability of being among the places "
        "to award come from posterior draws of the item qualities; neighbours whose intervals overlap are not "
        "reliably different."))
    doc.add_heading(_("Reliability"), level=1)
    if ranking.alpha is not None:
        doc.add_paragraph(_("Agreement between experts (Krippendorff's alpha, interval): %(a)s. %(words)s") % {
            "a": _num(ranking.alpha), "words": ranking.alpha_words})
    else:
        doc.add_paragraph(str(ranking.alpha_words))
    if ranking.warnings:
        for w in ranking.warnings:
            doc.add_paragraph(str(w), style="List Bullet")
    else:
        doc.add_paragraph(_("The experts' items overlap enough: every calibrated score is on one common scale."))
    doc.add_heading(_("Ranking"), level=1)
    headers = [_("Rank"), _("Item"), _("Calibrated score"), _("Trimmed mean"), _("Rank interval"), _("P(awarded)"),
               _("Decision")]
    table = doc.add_table(rows=1, cols=len(headers))
    table.style = "Table Grid"
    for cell, h in zip(table.rows[0].cells, headers, strict=True):
        cell.text = str(h)
    for n, r in enumerate(ranking.rows, start=1):
        decision = getattr(r.item, "decision", None)
        values = [str(n), r.item.title, _num(r.calibrated), _num(r.trimmed_mean),
                  f"{r.rank_low}–{r.rank_high}" if r.rank else "—",
                  f"{round(r.p_funded * 100)} %" if r.p_funded is not None else "—",
                  decision.get_decision_display() if decision else "—"]
        for cell, v in zip(table.add_row().cells, values, strict=True):
            cell.text = v
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()
