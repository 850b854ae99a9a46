"""The review report (.docx and PDF): round, method, reliability, warnings and the ranking table. Names no expert.

Both formats render the same content (``report_content``). The PDF uses the awards app's CJK font handling
(``tupo.awards.documents._register_font``: an embedded TrueType CJK font when one is installed, the Adobe CID font
STSong-Light otherwise), imported rather than copied.
"""

from __future__ import annotations

import io

from django.utils import timezone
from django.utils.translation import gettext as _

DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
PDF_TYPE = "application/pdf"


def _num(value, digits=2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report_content(review_round, ranking) -> list[tuple[str, object]]:
    """The report as a list of blocks: ("title" | "heading" | "para" | "bullet", text) and ("table", rows)."""
    out: list[tuple[str, object]] = [("title", review_round.title)]
    out.append(("para", _("Review report of %(org)s, deadline %(deadline)s, produced %(today)s.") % {
        "org": review_round.org.name, "deadline": review_round.deadline.isoformat(),
        "today": timezone.localdate().isoformat()}))
    out.append(("heading", _("Method")))
    out.append(("para", _("Items are ranked by: %(method)s. %(n)s submitted review(s); each review's total is the "
                          "weighted sum of its criterion scores (0–%(max)s).") % {
        "method": review_round.get_aggregation_display(), "n": ranking.n_reviews, "max": review_round.scale_max}))
    out.append(("para", _(
        "Calibrated score: each review is modelled as overall level + item quality + the expert's habitual "
        "leniency or strictness + noise, estimated jointly by empirical Bayes over the experts' overlapping items "
        "and weighted by the confidence each expert stated; the calibrated score is the item's estimated quality "
        "with the experts' leniency removed. Rank intervals (90 %) and the probability of being among the places "
        "to award come from posterior draws of the item qualities; neighbours whose intervals overlap are not "
        "reliably different.")))
    out.append(("heading", _("Reliability")))
    if ranking.alpha is not None:
        out.append(("para", _("Agreement between experts (Krippendorff's alpha, interval): %(a)s. %(words)s") % {
            "a": _num(ranking.alpha), "words": ranking.alpha_words}))
    else:
        out.append(("para", str(ranking.alpha_words)))
    if ranking.warnings:
        out += [("bullet", str(w)) for w in ranking.warnings]
    else:
        out.append(("para", _("The experts' items overlap enough: every calibrated score is on one common scale.")))
    out.append(("heading", _("Ranking")))
    rows = [[str(h) for h in (_("Rank"), _("Item"), _("Calibrated score"), _("Trimmed mean"), _("Rank interval"),
                              _("P(awarded)"), _("Decision"))]]
    for n, r in enumerate(ranking.rows, start=1):
        decision = getattr(r.item, "decision", None)
        rows.append([str(n), r.item.title, _num(r.calibrated), _num(r.trimmed_mean),
                     f"{r.rank_low}–{r.rank_high}" if r.rank else "—",
                     f"{round(r.p_funded * 100)} %" if r.p_funded is not None else "—",
                     str(decision.get_decision_display()) if decision else "—"])
    out.append(("table", rows))
    return out


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
    for kind, value in report_content(review_round, ranking):
        if kind == "title":
            doc.add_heading(value, level=0)
        elif kind == "heading":
            doc.add_heading(value, level=1)
        elif kind == "bullet":
            doc.add_paragraph(value, style="List Bullet")
        elif kind == "table":
            table = doc.add_table(rows=0, cols=len(value[0]))
            table.style = "Table Grid"
            for row in value:
                for cell, v in zip(table.add_row().cells, row, strict=True):
                    cell.text = v
        else:
            doc.add_paragraph(value)
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def review_report_pdf(review_round, ranking) -> bytes:
    """The same report as an A4 PDF; metadata author/creator "Tupo", never an expert's name."""
    from xml.sax.saxutils import escape

    from reportlab.lib import colors
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.styles import ParagraphStyle
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer, Table, TableStyle

    from tupo.awards.documents import _register_font

    font = _register_font()
    title = ParagraphStyle("t", fontName=font, fontSize=18, leading=26, spaceAfter=10)
    heading = ParagraphStyle("h", fontName=font, fontSize=13, leading=20, spaceBefore=10, spaceAfter=4)
    body = ParagraphStyle("b", fontName=font, fontSize=10, leading=16, wordWrap="CJK", spaceAfter=4)
    bullet = ParagraphStyle("u", parent=body, leftIndent=12, bulletIndent=2)
    cell = ParagraphStyle("c", fontName=font, fontSize=9, leading=12, wordWrap="CJK")
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=18 * mm, rightMargin=18 * mm, topMargin=18 * mm,
                            bottomMargin=18 * mm, title=review_round.title, author="Tupo", creator="Tupo",
                            subject=f"review round {review_round.pk}")
    story = []
    for kind, value in report_content(review_round, ranking):
        if kind == "table":
            widths = [12 * mm, 52 * mm, 20 * mm, 20 * mm, 24 * mm, 22 * mm, 24 * mm]
            data = [[Paragraph(escape(v), cell) for v in row] for row in value]
            table = Table(data, colWidths=widths, repeatRows=1)
            table.setStyle(TableStyle([
                ("GRID", (0, 0), (-1, -1), 0.4, colors.grey),
                ("BACKGROUND", (0, 0), (-1, 0), colors.HexColor("#f2f2f2")),
                ("VALIGN", (0, 0), (-1, -1), "TOP"),
            ]))
            story.append(table)
        elif kind == "bullet":
            story.append(Paragraph(escape(value), bullet, bulletText="•"))
        else:
            style = {"title": title, "heading": heading}.get(kind, body)
            story.append(Paragraph(escape(value), style))
            if kind == "title":
                story.append(Spacer(1, 4))
    doc.build(story)
    return buf.getvalue()
