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
