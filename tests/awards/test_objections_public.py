"""Objections, the public pages (no login, nothing beyond the notice), the .docx/PDF, certificates."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from tests.awards.helpers import AFTER_PERIOD, IN_PERIOD, build, travel
from tupo.awards import services
from tupo.awards.choices import OBJECTIONS_PER_HOUR
from tupo.core.models import AuditEvent
from tupo.core.services import InvalidTransition

OBJ = {"name": "王某", "contact": "13800000000", "content": "该项目成效数据有夸大。"}


@pytest.fixture
def w(tree, personas):
    return build(tree, personas)


def test_objection_without_name_or_contact_refused(w):
    with travel(IN_PERIOD):
        with pytest.raises(ValidationError) as exc:
            services.submit_online_objection(w.cycle, {"content": "匿名举报"}, ip="10.0.0.3")
        assert set(exc.value.message_dict) == {"name", "contact"}
        # even a crafted "anonymous" flag does not pass the online form
        with pytest.raises(ValidationError):
            services.submit_online_objection(w.cycle, {"content": "x", "anonymous": True}, ip="10.0.0.3")
    assert not w.cycle.objections.exists()


def test_anonymous_letter_recorded_as_such(w, personas):
    with travel(IN_PERIOD):
        obj = services.record_objection(personas.dept_admin, w.cycle, {
            "channel": "letter", "anonymous": True, "content": "匿名来信", "received_on": dt.date(2026, 10, 9),
            "postmark_on": dt.date(2026, 10, 8)})
    assert obj.anonymous and obj.name == "" and not obj.late


def test_late_objection_marked_not_lost(w, personas):
    with travel(AFTER_PERIOD):
        late = services.submit_online_objection(w.cycle, OBJ, ip="10.0.0.4")
        # a letter posted within the period but received after it counts by its postmark
        letter = services.record_objection(personas.dept_admin, w.cycle, {
            **OBJ, "channel": "letter", "received_on": dt.date(2026, 10, 15), "postmark_on": dt.date(2026, 10, 13)})
        with pytest.raises(ValidationError, match="postmark"):
            services.record_objection(personas.dept_admin, w.cycle, {**OBJ, "channel": "letter"})
    assert late.late and late.pk and not letter.late
    # still open: it blocks closing until answered
    with travel(AFTER_PERIOD), pytest.raises(InvalidTransition):
        services.change_status(personas.dept_admin, w.cycle, "closed")


def test_flood_from_one_address_refused_and_audited(w):
    with travel(IN_PERIOD):
        for _n in range(OBJECTIONS_PER_HOUR):
            services.submit_online_objection(w.cycle, OBJ, ip="10.9.9.9")
        with pytest.raises(services.TooManyObjections, match="Too many"):
            services.submit_online_objection(w.cycle, OBJ, ip="10.9.9.9")
        services.submit_online_objection(w.cycle, OBJ, ip="10.9.9.8")  # another address is fine
    assert AuditEvent.objects.filter(event_type="award.objection.flood", source_ip="10.9.9.9").count() == 1


def test_flood_through_the_public_form(w, client):
    url = reverse("awards:public_objection", args=[w.cycle.pk])
    with travel(IN_PERIOD):
        for _n in range(OBJECTIONS_PER_HOUR):
            assert client.post(url, OBJ).status_code == 200
        r = client.post(url, OBJ)
    assert r.status_code == 429 and "Too many objections" in r.content.decode()


def test_upheld_objection_withdraws_and_promotes_with_new_notice(w, personas):
    admin = personas.dept_admin
    with travel(IN_PERIOD):
        obj = services.submit_online_objection(w.cycle, {**OBJ, "nomination": w.a2.pk}, ip="10.0.0.5")
        services.resolve_objection(admin, obj, outcome="upheld", findings="数据不实，属实。", withdraw=True,
                                   promote=w.b1)
    w.a2.refresh_from_db()
    w.b1.refresh_from_db()
    assert w.a2.status == "withdrawn" and (w.b1.status, w.b1.grade) == ("awarded", "second")
    with travel(AFTER_PERIOD), pytest.raises(InvalidTransition, match="own notice"):
        services.change_status(admin, w.cycle, "closed")
    with travel(dt.datetime(2026, 10, 14, 9, 0)):
        v2 = services.draft_notice(admin, w.cycle, {"title": "补充公示", "body": "递补", "issuing_body": "中共某县委组织部",
                                                    "issue_date": dt.date(2026, 10, 14), "correction_note": "递补"})
        v2 = services.publish_notice(admin, v2)
    assert {e["org"] for e in v2.entries} == {"幸福村党总支", "向阳村党支部"}
    assert v2.period_end == dt.date(2026, 10, 21)
    with travel(dt.datetime(2026, 10, 22, 9, 0)):
        services.change_status(admin, w.cycle, "closed")


def test_rejected_objection_cannot_withdraw(w, personas):
    with travel(IN_PERIOD):
        obj = services.submit_online_objection(w.cycle, {**OBJ, "nomination": w.a1.pk}, ip="10.0.0.6")
        with pytest.raises(ValidationError):
            services.resolve_objection(personas.dept_admin, obj, outcome="rejected", findings="x", withdraw=True)


def test_certificate_for_non_winner_refused(w, personas):
    with travel(IN_PERIOD), pytest.raises(InvalidTransition):
        services.issue_certificate(personas.dept_admin, w.a1)  # not closed yet
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
        with pytest.raises(ValidationError, match="did not win"):
            services.issue_certificate(personas.dept_admin, w.b1)


# --- public pages ------------------------------------------------------------------------------------------

def _secrets(w):
    """Things the public must never see: panel scores, reviewer names, unpublished nominees, objectors."""
    return ["aw_expert1", "aw_expert2", "aw_expert3", "情况属实", "张三、李四", w.b1.title, "向阳村党支部", "90.00", "80.0"]


def test_public_pages_reveal_nothing_beyond_the_notice(w, client, personas):
    with travel(IN_PERIOD):
        obj = services.submit_online_objection(w.cycle, {**OBJ, "name": "举报人甲"}, ip="10.0.0.7")
    pages = [reverse("awards:public_notice", args=[w.cycle.pk]),
             reverse("awards:public_objection", args=[w.cycle.pk]),
             reverse("awards:public_receipt") + f"?receipt={obj.receipt}",
             f"/api/v1/awards/public/{w.cycle.pk}/notice", f"/api/v1/awards/public/objections/{obj.receipt}"]
    for url in pages:
        r = client.get(url)
        assert r.status_code == 200, url
        text = r.content.decode()
        for secret in [*_secrets(w), "举报人甲", OBJ["contact"]]:
            assert secret not in text, (url, secret)
    notice_page = client.get(pages[0]).content.decode()
    assert w.a1.title in notice_page and "2026-10-13" in notice_page and w.a1.abstract in notice_page
    for fmt in ("docx", "pdf"):
        data = client.get(reverse("awards:public_notice_file", args=[w.cycle.pk, 1, fmt])).content
        for secret in ["aw_expert1", w.b1.title]:
            assert secret.encode() not in data


def test_public_pages_of_unpublished_cycle_are_404(tree, personas, client):
    w = build(tree, personas, upto="decided")
    for url in (reverse("awards:public_notice", args=[w.cycle.pk]), reverse("awards:public_objection", args=[w.cycle.pk]),
                f"/api/v1/awards/public/{w.cycle.pk}/notice"):
        assert client.get(url).status_code == 404
    assert client.get(reverse("awards:cycle", args=[w.cycle.pk])).status_code == 302  # login required


def test_receipt_lookup_shows_outcome(w, client, personas):
    with travel(IN_PERIOD):
        obj = services.submit_online_objection(w.cycle, OBJ, ip="10.0.0.8")
        services.resolve_objection(personas.dept_admin, obj, outcome="rejected", findings="经核实，反映问题不属实。")
    r = client.get(reverse("awards:public_receipt"), {"receipt": obj.receipt.lower()})
    assert "经核实，反映问题不属实。" in r.content.decode() and "Rejected" in r.content.decode()
    assert "No objection has this receipt" in client.get(reverse("awards:public_receipt"),
                                                         {"receipt": "AAAA-BBBB-CCCC"}).content.decode()
    assert len(obj.receipt) == 14 and obj.receipt.count("-") == 2


def test_public_objection_form_gives_receipt(w, client):
    with travel(IN_PERIOD):
        r = client.post(reverse("awards:public_objection", args=[w.cycle.pk]), {**OBJ, "nomination": w.a1.pk})
        missing = client.post(reverse("awards:public_objection", args=[w.cycle.pk]), {"content": "x"})
    obj = w.cycle.objections.get()
    assert obj.receipt in r.content.decode() and obj.channel == "online" and obj.nomination_id == w.a1.pk
    assert "Give your real name" in missing.content.decode()


def test_notice_docx_layout_and_text(w, client):
    from docx import Document
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    r = client.get(reverse("awards:public_notice_file", args=[w.cycle.pk, 1, "docx"]))
    doc = Document(io.BytesIO(r.content))
    paras = [p for p in doc.paragraphs if p.text.strip()]
    assert paras[0].text == w.notice.title and paras[0].alignment == WD_ALIGN_PARAGRAPH.CENTER
    text = "\n".join(p.text for p in paras)
    assert "一等奖：幸福村党总支《积分制管理激活村级组织》" in text and "2026年10月13日" in text
    assert [p.text for p in paras[-2:]] == ["中共某县委组织部", "2026年9月30日"]
    assert all(p.alignment == WD_ALIGN_PARAGRAPH.RIGHT for p in paras[-2:])


def test_notice_and_certificate_pdf(w, client, personas):
    # The PDFs are opened and their text read back (the CJK font is embedded, with a ToUnicode map).
    import io

    from pypdf import PdfReader

    from tupo.awards.documents import _register_font

    # With fonts-wqy-zenhei installed the font is embedded (FontFile2); otherwise the CID fallback is named.
    font = b"/FontFile2" if _register_font() == "TupoCJK" else _register_font().encode()
    r = client.get(reverse("awards:public_notice_file", args=[w.cycle.pk, 1, "pdf"]))
    assert r.content.startswith(b"%PDF") and font in r.content
    notice_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(r.content)).pages)
    assert "幸福村党总支" in notice_text and "中共某县委组织部" in notice_text
    assert f"notice {w.cycle.pk} v1".encode() in r.content
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
        client.force_login(personas.dept_admin)
        pdf = client.get(reverse("awards:certificate", args=[w.a1.pk]))
        refused = client.get(reverse("awards:certificate", args=[w.b1.pk]), follow=True)
    cert = w.a1.certificate
    assert pdf["Content-Type"] == "application/pdf" and font in pdf.content
    assert cert.serial.encode() in pdf.content and cert.code.encode() in pdf.content
    cert_text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf.content)).pages)
    assert "幸福村党总支" in cert_text and cert.serial in cert_text and "一等奖" in cert_text
    assert "did not win" in refused.content.decode()
    v = client.get(reverse("awards:verify"), {"code": cert.code}).content.decode()
    assert "幸福村党总支" in v and cert.serial in v and "一等奖" in v
