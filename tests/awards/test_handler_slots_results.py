"""Objection handlers, editing presentation slots, the commendation document and the public results page."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.awards.helpers import AFTER_PERIOD, IN_PERIOD, REVIEW_DAY, SLOT_AT, build, travel
from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.awards import services
from tupo.core.models import AuditEvent, Notification
from tupo.core.services import InvalidTransition


def objected(tree, personas):
    w = build(tree, personas)
    with travel(IN_PERIOD):
        w.objection = services.submit_online_objection(w.cycle, {
            "name": "王某", "contact": "13800000000", "content": "材料不实", "nomination": w.a1.pk}, ip="10.0.0.9")
    # department staff: one at the county (also runs the cycle), one in a town (handles, does not run the cycle)
    w.town_staff = make_user("town_staff", Role.DEPT_ADMIN, tree.town_a)
    return w


# --- objection handlers ------------------------------------------------------------------------------------------

def test_admin_assigns_a_handler_who_answers_from_the_list_of_objections_assigned_to_them(tree, personas, client):
    w = objected(tree, personas)
    url = reverse("awards:objection", args=[w.objection.pk])
    with travel(IN_PERIOD):
        client.force_login(w.town_staff)
        assert client.get(url).status_code == 404  # not theirs yet
        client.force_login(personas.dept_admin)
        page = client.get(url).content.decode()
        # reply due: 10 working days from Fri 9 Oct, the make-up working day Sat 10 Oct included
        assert "2026-10-22" in page and "town_staff" in page
        r = client.post(url, {"assign": "1", "handler": w.town_staff.pk})
        assert r.status_code == 302
        w.objection.refresh_from_db()
        assert w.objection.handler == w.town_staff
        assert Notification.objects.filter(user=w.town_staff).exists()
        assert AuditEvent.objects.filter(event_type="award.objection.handler").exists()
        client.force_login(w.town_staff)
        mine = client.get(reverse("awards:objections_mine")).content.decode()
        assert w.objection.receipt in mine and "overdue" not in mine
        page = client.get(url).content.decode()
        assert 'id="resolve-form"' in page and 'id="handler-form"' not in page and "id_withdraw" not in page
        # the handler may not reassign (403) nor withdraw the entry
        assert client.post(url, {"assign": "1", "handler": w.town_staff.pk}).status_code == 403
        with pytest.raises(PermissionDenied):
            services.resolve_objection(w.town_staff, w.objection, outcome="upheld", findings="属实", withdraw=True)
        r = client.post(reverse("awards:objection_resolve", args=[w.objection.pk]),
                        {"outcome": "rejected", "findings": "经核实，材料属实。"})
        assert r.status_code == 302
    w.objection.refresh_from_db()
    assert (w.objection.status, w.objection.outcome, w.objection.findings) == ("closed", "rejected", "经核实，材料属实。")
    w.a1.refresh_from_db()
    assert w.a1.status == "awarded"


def test_overdue_replies_are_marked(tree, personas, client):
    w = objected(tree, personas)
    services.assign_handler(personas.dept_admin, w.objection, w.town_staff)
    client.force_login(w.town_staff)
    with travel(dt.datetime(2026, 10, 23, 10, 0)):  # reply was due on Thu 22 Oct
        assert services.reply_overdue(w.objection)
        assert "overdue" in client.get(reverse("awards:objections_mine")).content.decode()
        assert "overdue" in client.get(reverse("awards:objection", args=[w.objection.pk])).content.decode()
    with travel(dt.datetime(2026, 10, 22, 10, 0)):
        assert not services.reply_overdue(w.objection)


def test_handlers_come_from_the_department_and_only_for_open_objections(tree, personas, client):
    w = objected(tree, personas)
    for user in (personas.org_admin_a, personas.member_a, make_user("far_admin", Role.DEPT_ADMIN, tree.other)):
        with pytest.raises(ValidationError, match="department's staff"):
            services.assign_handler(personas.dept_admin, w.objection, user)
    with pytest.raises(PermissionDenied):
        services.assign_handler(personas.org_admin_a, w.objection, w.town_staff)
    with travel(IN_PERIOD):
        services.resolve_objection(personas.dept_admin, w.objection, outcome="rejected", findings="不属实")
    with pytest.raises(InvalidTransition, match="answered already"):
        services.assign_handler(personas.dept_admin, w.objection, w.town_staff)
    w.objection.refresh_from_db()
    assert w.objection.handler is None
    # who may not even see the objection page
    for user in (personas.org_admin_a, personas.member_a, personas.leader, personas.expert):
        client.force_login(user)
        assert client.get(reverse("awards:objection", args=[w.objection.pk])).status_code == 404
        assert client.post(reverse("awards:objection_resolve", args=[w.objection.pk]),
                           {"outcome": "rejected", "findings": "x"}).status_code == 404


def test_a_bad_answer_keeps_the_objection_open(tree, personas, client):
    w = objected(tree, personas)
    client.force_login(personas.dept_admin)
    with travel(IN_PERIOD):
        r = client.post(reverse("awards:objection_resolve", args=[w.objection.pk]), {"outcome": "upheld"},
                        follow=True)
    assert "Give the outcome and the findings" in r.content.decode()
    w.objection.refresh_from_db()
    assert w.objection.status == "open"


# --- presentation slots ------------------------------------------------------------------------------------------

def test_slots_change_until_the_first_score(tree, personas, client):
    w = build(tree, personas, upto="presentation")
    admin = personas.dept_admin
    later = SLOT_AT + dt.timedelta(hours=2)
    with travel(REVIEW_DAY):
        slot = services.schedule_slot(admin, w.a1, SLOT_AT, w.experts)
        slot = services.update_slot(admin, slot, later, w.experts[:2])
        assert slot.starts_at == later and set(slot.panel.all()) == set(w.experts[:2])
        assert AuditEvent.objects.filter(event_type="award.slot.update").exists()
        with pytest.raises(ValidationError):
            services.update_slot(admin, slot, later, [])
        with pytest.raises(PermissionDenied):
            services.update_slot(personas.org_admin_a, slot, SLOT_AT, w.experts)
        client.force_login(admin)
        page = client.get(reverse("awards:cycle", args=[w.cycle.pk])).content.decode()
        assert "Change time or panel" in page
        # through the page
        r = client.post(reverse("awards:nomination_action", args=[w.a1.pk, "slot"]), {
            "starts_at": "2026-09-22T15:30", "panel": [u.pk for u in w.experts]})
        assert r.status_code == 302
        slot.refresh_from_db()
        assert slot.panel.count() == 3 and slot.starts_at.hour in (7, 15)
        services.score_slot(w.experts[0], slot, 85)
        with pytest.raises(InvalidTransition, match="Scoring of this slot has started"):
            services.update_slot(admin, slot, SLOT_AT, w.experts)
        r = client.post(reverse("awards:nomination_action", args=[w.a1.pk, "slot"]), {
            "starts_at": "2026-09-23T09:00", "panel": [w.experts[0].pk]}, follow=True)
        assert "Scoring of this slot has started" in r.content.decode()
        assert "Change time or panel" not in client.get(reverse("awards:cycle", args=[w.cycle.pk])).content.decode()
    slot.refresh_from_db()
    assert slot.panel.count() == 3 and slot.starts_at.day == 22


# --- commendation document and public results --------------------------------------------------------------------

def closed(tree, personas, w=None):
    w = w or build(tree, personas)
    with travel(IN_PERIOD):
        obj = services.submit_online_objection(w.cycle, {"name": "异议人甲", "contact": "13900000000",
                                                         "content": "材料不实", "nomination": w.a2.pk}, ip="10.0.0.8")
        services.resolve_objection(personas.dept_admin, obj, outcome="rejected", findings="经核实属实，驳回。")
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
        w.cert = services.issue_certificate(personas.dept_admin, w.a1)
    return w


def test_commendation_document_as_docx_and_pdf(tree, personas, client):
    from docx import Document
    from pypdf import PdfReader

    w = closed(tree, personas)
    client.force_login(personas.dept_admin)
    with travel(AFTER_PERIOD):
        docx = client.get(reverse("awards:commendation", args=[w.cycle.pk, "docx"]))
        pdf = client.get(reverse("awards:commendation", args=[w.cycle.pk, "pdf"]))
    assert docx["Content-Type"].startswith("application/vnd.openxmlformats")
    doc = Document(io.BytesIO(docx.content))
    paras = [p.text for p in doc.paragraphs]
    text = "\n".join(paras)
    assert paras[0] == "关于表彰2026年度组织工作实践创新奖获奖项目的决定"
    assert doc.paragraphs[0].alignment == 1  # centred
    assert "批准文号：县表审〔2026〕3号" in text and "县评比达标表彰工作领导小组" in text
    assert "一、一等奖（1项）" in text and "二、二等奖（1项）" in text
    assert "围绕中心类：" in text and "幸福村党总支《积分制管理激活村级组织》" in text
    assert "服务群众类：" in text and "光明村党支部《党员联户服务群众》" in text
    assert "向阳村红色议事会" not in text  # not awarded
    assert paras[-2:] == ["中共某县委组织部", "2026年10月14日"]
    assert doc.paragraphs[-1].alignment == 2  # right
    pdf_text = "".join(p.extract_text() for p in PdfReader(io.BytesIO(pdf.content)).pages)
    for needle in ("关于表彰", "县表审〔2026〕3号", "一等奖", "积分制管理激活村级组织", "光明村党支部", "中共某县委组织部",
                   "2026年10月14日"):
        assert needle in pdf_text, needle
    assert "向阳村红色议事会" not in pdf_text
    assert AuditEvent.objects.filter(event_type="award.commendation").count() == 2


def test_commendation_only_after_close_and_only_for_the_admin(tree, personas, client):
    w = build(tree, personas)
    url = reverse("awards:commendation", args=[w.cycle.pk, "docx"])
    client.force_login(personas.dept_admin)
    with travel(IN_PERIOD):
        r = client.get(url, follow=True)
    assert r["Content-Type"].startswith("text/html") and "once the cycle is closed" in r.content.decode()
    client.force_login(personas.org_admin_a)  # sees the cycle, may not run it
    assert client.get(url).status_code == 403
    for user in (personas.member_a, personas.expert):
        client.force_login(user)
        assert client.get(url).status_code == 404
    client.force_login(personas.dept_admin)
    assert client.get(reverse("awards:commendation", args=[w.cycle.pk, "odt"])).status_code == 404


def test_public_results_after_close_reveal_only_the_final_list(tree, personas, client):
    w = build(tree, personas)
    url = reverse("awards:public_results", args=[w.cycle.pk])
    with travel(IN_PERIOD):
        assert client.get(url).status_code == 404  # notice period: no results yet
    closed(tree, personas, w)
    with travel(AFTER_PERIOD):
        r = client.get(url)
    page = r.content.decode()
    assert r.status_code == 200
    for shown in (w.a1.title, w.a2.title, w.a1.abstract, "一等奖", "二等奖", "幸福村党总支", "县表审〔2026〕3号",
                  reverse("awards:verify")):
        assert shown in page, shown
    for hidden in (w.b1.title, "向阳村党支部", "aw_expert1", "aw_expert2", "张三", "情况属实", "trimmed", "90",
                   "异议人甲", "13900000000", "经核实属实", "Calibrated", "score"):
        assert hidden not in page, hidden
    assert client.get(reverse("awards:public_results", args=[w.cycle.pk + 99])).status_code == 404
