"""The notice as .docx (standard layout of a Chinese official notice) and PDF, and the certificates as PDF.

Fonts: WenQuanYi Zen Hei from Debian's fonts-wqy-zenhei (TrueType outlines, embedded as a subset). Noto CJK
(fonts-noto-cjk) has PostScript (CFF) outlines, which reportlab's TrueType reader refuses. Without either, the
PDF falls back to the Adobe CID font STSong-Light (not embedded: CJK-capable readers supply it).
"""

from __future__ import annotations

import io
from functools import lru_cache

from tupo.awards.models import Certificate, Notice

WQY_TTC = "/usr/share/fonts/truetype/wqy/wqy-zenhei.ttc"
SERIF_TTC = "/usr/share/fonts/opentype/noto/NotoSerifCJK-Regular.ttc"
SANS_TTC = "/usr/share/fonts/opentype/noto/NotoSansCJK-Regular.ttc"
PDF_FONT = "TupoCJK"


def _cn_date(d) -> str:
    return f"{d.year}年{d.month}月{d.day}日"


def notice_paragraphs(notice: Notice) -> list[str]:
    """The body as printed: the admin's text, the list of proposed winners, the period and how to object."""
    paras = [p.strip() for p in notice.body.splitlines() if p.strip()]
    for n, e in enumerate(notice.entries, start=1):
        paras.append(f"{n}. {e['grade_name']}：{e['org']}《{e['title']}》")
    paras.append(f"公示期：{_cn_date(notice.period_start)}至{_cn_date(notice.period_end)}。")
    if notice.objection_contact:
        paras.extend(p.strip() for p in notice.objection_contact.splitlines() if p.strip())
    return paras


def notice_docx(notice: Notice) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    style.font.size = Pt(16)  # 三号
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(notice.title)
    run.font.size = Pt(22)  # 二号
    run.bold = True
    run.font.name = "SimSun"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    for text in notice_paragraphs(notice):
        p = doc.add_paragraph(text)
        p.paragraph_format.first_line_indent = Pt(32)
    doc.add_paragraph("")
    for text in (notice.issuing_body, _cn_date(notice.issue_date)):
        p = doc.add_paragraph(text)
        p.alignment = WD_ALIGN_PARAGRAPH.RIGHT
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


CID_FONT = "STSong-Light"


@lru_cache(maxsize=1)
def _register_font() -> str:
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.cidfonts import UnicodeCIDFont
    from reportlab.pdfbase.ttfonts import TTFError, TTFont

    for path in (WQY_TTC, SERIF_TTC, SANS_TTC):
        try:
            pdfmetrics.registerFont(TTFont(PDF_FONT, path, subfontIndex=0))
            return PDF_FONT
        except (TTFError, OSError):
            continue
    pdfmetrics.registerFont(UnicodeCIDFont(CID_FONT))
    return CID_FONT


def _styles():
    from reportlab.lib.enums import TA_CENTER, TA_RIGHT
    from reportlab.lib.styles import ParagraphStyle

    font = _register_font()
    return {
        "title": ParagraphStyle("t", fontName=font, fontSize=20, leading=30, alignment=TA_CENTER, spaceAfter=18),
        "body": ParagraphStyle("b", fontName=font, fontSize=13, leading=22, firstLineIndent=26, wordWrap="CJK"),
        "right": ParagraphStyle("r", fontName=font, fontSize=13, leading=22, alignment=TA_RIGHT),
        "big": ParagraphStyle("g", fontName=font, fontSize=26, leading=40, alignment=TA_CENTER, spaceAfter=20),
        "center": ParagraphStyle("c", fontName=font, fontSize=15, leading=26, alignment=TA_CENTER, wordWrap="CJK"),
    }


def _esc(text: str) -> str:
    from xml.sax.saxutils import escape

    return escape(text or "")


def notice_pdf(notice: Notice) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    s = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                            bottomMargin=35 * mm, title=notice.title, author="Tupo", creator="Tupo",
                            subject=f"notice {notice.cycle_id} v{notice.version}")
    story = [Paragraph(_esc(notice.title), s["title"])]
    story += [Paragraph(_esc(t), s["body"]) for t in notice_paragraphs(notice)]
    story += [Spacer(1, 24), Paragraph(_esc(notice.issuing_body), s["right"]),
              Paragraph(_esc(_cn_date(notice.issue_date)), s["right"])]
    doc.build(story)
    return buf.getvalue()


def certificate_pdf(cert: Certificate, verify_url: str) -> bytes:
    from reportlab.lib.pagesizes import A4, landscape
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    nom = cert.nomination
    cycle = nom.cycle
    s = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=landscape(A4), leftMargin=30 * mm, rightMargin=30 * mm,
                            topMargin=30 * mm, bottomMargin=20 * mm, title=f"荣誉证书 {cert.serial}",
                            author="Tupo", creator="Tupo", subject=cert.serial, keywords=cert.code)
    story = [
        Paragraph("荣誉证书", s["big"]),
        Paragraph(_esc(nom.org.name), s["center"]),
        Spacer(1, 8),
        Paragraph(_esc(f"你单位《{nom.title}》荣获{cycle.name}{nom.grade_name}。特发此证，以资鼓励。"), s["center"]),
        Spacer(1, 30),
        Paragraph(_esc(cycle.issuing_body or cycle.approving_body), s["right"]),
        Paragraph(_esc(_cn_date(cert.issued_on)), s["right"]),
        Spacer(1, 20),
        Paragraph(_esc(f"证书编号：{cert.serial}　验证码：{cert.code}　批准文号：{cycle.approval_ref}"), s["center"]),
        Paragraph(_esc(f"验证：{verify_url}"), s["center"]),
    ]
    doc.build(story)
    return buf.getvalue()


# --- the commendation document (表彰决定) ---------------------------------------------------------------------

CN_NUM = "一二三四五六七八九十"


def commendation_parts(cycle) -> dict:
    """Title, approval line, body paragraphs and the winners by grade and category, as printed in both formats."""
    from tupo.awards.services import closed_on, winners_by_grade

    issuer = cycle.issuing_body or cycle.approving_body
    groups = winners_by_grade(cycle)
    total = sum(g["count"] for g in groups)
    body = [
        f"为充分发挥先进典型的示范引领作用，激励各级党组织围绕中心、服务大局、改革创新，经{cycle.approving_body}"
        f"批准（{cycle.approval_ref}），并经申报推荐、资格审查、分类初评、现场陈述、实地考察和公示，"
        f"决定授予以下{total}个项目“{cycle.name}”相应奖项，予以通报表彰。",
    ]
    sections = []
    for n, g in enumerate(groups):
        head = f"{CN_NUM[n] if n < len(CN_NUM) else n + 1}、{g['grade']['name']}（{g['count']}项）"
        lines = []
        for c in g["categories"]:
            lines.append(f"{c['category']}类：")
            lines.extend(f"{e.org.name}《{e.title}》" for e in c["entries"])
        sections.append((head, lines))
    closing = "希望受表彰的单位珍惜荣誉、再接再厉，进一步总结提炼经验做法；各级党组织要以先进为榜样，" \
              "积极探索组织工作实践创新，推动各项工作取得新成效。"
    return {"title": f"关于表彰{cycle.name}获奖项目的决定", "approval": f"批准文号：{cycle.approval_ref}",
            "body": body, "sections": sections, "closing": closing, "issuer": issuer,
            "date": _cn_date(closed_on(cycle))}


def commendation_docx(cycle) -> bytes:
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH
    from docx.oxml.ns import qn
    from docx.shared import Pt

    parts = commendation_parts(cycle)
    doc = Document()
    style = doc.styles["Normal"]
    style.font.name = "FangSong"
    style.element.rPr.rFonts.set(qn("w:eastAsia"), "仿宋_GB2312")
    style.font.size = Pt(16)
    title = doc.add_paragraph()
    title.alignment = WD_ALIGN_PARAGRAPH.CENTER
    run = title.add_run(parts["title"])
    run.font.size = Pt(22)
    run.bold = True
    run.font.name = "SimSun"
    run._element.rPr.rFonts.set(qn("w:eastAsia"), "方正小标宋简体")
    ref = doc.add_paragraph(parts["approval"])
    ref.alignment = WD_ALIGN_PARAGRAPH.CENTER
    for text in parts["body"]:
        doc.add_paragraph(text).paragraph_format.first_line_indent = Pt(32)
    for head, lines in parts["sections"]:
        h = doc.add_paragraph()
        h.paragraph_format.first_line_indent = Pt(32)
        r = h.add_run(head)
        r.font.name = "SimHei"
        r._element.rPr.rFonts.set(qn("w:eastAsia"), "黑体")
        for line in lines:
            doc.add_paragraph(line).paragraph_format.first_line_indent = Pt(32)
    doc.add_paragraph(parts["closing"]).paragraph_format.first_line_indent = Pt(32)
    doc.add_paragraph("")
    for text in (parts["issuer"], parts["date"]):
        doc.add_paragraph(text).alignment = WD_ALIGN_PARAGRAPH.RIGHT
    doc.core_properties.author = "Tupo"
    doc.core_properties.title = parts["title"]
    buf = io.BytesIO()
    doc.save(buf)
    return buf.getvalue()


def commendation_pdf(cycle) -> bytes:
    from reportlab.lib.pagesizes import A4
    from reportlab.lib.units import mm
    from reportlab.platypus import Paragraph, SimpleDocTemplate, Spacer

    parts = commendation_parts(cycle)
    s = _styles()
    buf = io.BytesIO()
    doc = SimpleDocTemplate(buf, pagesize=A4, leftMargin=28 * mm, rightMargin=26 * mm, topMargin=37 * mm,
                            bottomMargin=35 * mm, title=parts["title"], author="Tupo", creator="Tupo",
                            subject=f"commendation {cycle.pk}")
    story = [Paragraph(_esc(parts["title"]), s["title"]), Paragraph(_esc(parts["approval"]), s["center"]),
             Spacer(1, 12)]
    story += [Paragraph(_esc(t), s["body"]) for t in parts["body"]]
    for head, lines in parts["sections"]:
        story.append(Paragraph(_esc(head), s["body"]))
        story += [Paragraph(_esc(t), s["body"]) for t in lines]
    story += [Paragraph(_esc(parts["closing"]), s["body"]), Spacer(1, 24),
              Paragraph(_esc(parts["issuer"]), s["right"]), Paragraph(_esc(parts["date"]), s["right"])]
    doc.build(story)
    return buf.getvalue()


DOCX_TYPE = "application/vnd.openxmlformats-officedocument.wordprocessingml.document"


def commendation_response(cycle, fmt: str):
    """The commendation document as a download (``fmt`` is "docx" or "pdf"), for the page and the API."""
    from django.http import HttpResponse

    if fmt == "docx":
        data, ctype = commendation_docx(cycle), DOCX_TYPE
    else:
        data, ctype = commendation_pdf(cycle), "application/pdf"
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="commendation-{cycle.pk}.{fmt}"'
    return response
