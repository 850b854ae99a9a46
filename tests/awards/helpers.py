"""Builders of the award tests: a cycle of the county taken step by step to any phase."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.awards import services
from tupo.reviews import services as review_services
from tupo.reviews.models import Assignment, ExpertProfile

OPEN_DAY = dt.datetime(2026, 9, 8, 10, 0)      # applications 1–20 Sep 2026
REVIEW_DAY = dt.datetime(2026, 9, 22, 10, 0)
NOTICE_ISSUE = dt.date(2026, 9, 30)            # + 5 working days over National Day = 13 Oct 2026
IN_PERIOD = dt.datetime(2026, 10, 9, 10, 0)
AFTER_PERIOD = dt.datetime(2026, 10, 14, 10, 0)
SLOT_AT = dt.datetime(2026, 9, 22, 14, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n" + b" " * 64


def travel(when):
    return time_machine.travel(when, tick=False)


def pdf(name="申报表.pdf"):
    return SimpleUploadedFile(name, PDF, content_type="application/pdf")


CYCLE_DATA = {
    "name": "2026年度组织工作实践创新奖", "year": 2026, "approval_ref": "县表审〔2026〕3号", "approving_body": "县评比达标表彰工作领导小组",
    "issuing_body": "中共某县委组织部", "categories": ["围绕中心", "服务群众"],
    "grades": [{"code": "first", "name": "一等奖", "quota": 1}, {"code": "second", "name": "二等奖", "quota": 1}],
    "criteria": [{"name": "创新性", "weight": 40}, {"name": "实效性", "weight": 60}],
    "apply_start": dt.date(2026, 9, 1), "apply_end": dt.date(2026, 9, 20), "notice_workdays": 5, "max_per_org": 1,
    "required_materials": "案例文本；照片2张；申报表（负责人签字）",
}
CASE = {"abstract": "摘要：以积分制管理激发党员活力。", "background": "背景", "practice": "做法",
        "results": "成效", "discussion": "思考", "appendix": ""}


def make_cycle(admin, org, **kw):
    with travel(OPEN_DAY):
        cycle = services.create_cycle(admin, org=org, data={**CYCLE_DATA, **kw})
        services.change_status(admin, cycle, "open")
    return cycle


def nominate(actor, cycle, org, title, category="围绕中心", submit=True):
    with travel(OPEN_DAY):
        nom = services.create_nomination(actor, cycle, org=org, category=category, data={"title": title, **CASE})
        if submit:
            services.add_attachment(actor, nom, pdf(), "application_form")
            nom = services.submit_nomination(actor, nom)
    return nom


def make_experts(tree):
    out = []
    for n in range(1, 4):
        user = make_user(f"aw_expert{n}", Role.EXPERT, tree.county)
        ExpertProfile.objects.create(user=user, fields="组织建设 党建创新", max_load=10)
        out.append(user)
    return out


def run_first_round(admin, cycle, experts):
    fr_list = services.start_first_round(admin, cycle, reviews_per_item=2)
    for fr in fr_list:
        rr = fr.review_round
        review_services.assign_optimal(admin, rr)
        review_services.change_status(admin, rr, "open")
        for a in Assignment.objects.filter(round=rr, status="assigned").select_related("expert"):
            crit = list(rr.criteria.all())
            review_services.submit_scorecard(a.expert, a, {crit[0].pk: 7, crit[1].pk: 8 - a.item_id % 3},
                                             opinion="好", confidence=4)
        review_services.change_status(admin, rr, "closed")
    return fr_list


def build(tree, personas, *, upto="notice"):
    """A cycle with three entries (A1, A2, B1); A1 first prize, A2 second, B1 shortlisted but not awarded."""
    admin = personas.dept_admin
    w = SimpleNamespace(admin=admin)
    w.cycle = make_cycle(admin, tree.county)
    w.a1 = nominate(personas.org_admin_a, w.cycle, tree.village_a1, "积分制管理激活村级组织")
    w.a2 = nominate(personas.org_admin_a, w.cycle, tree.village_a2, "党员联户服务群众", category="服务群众")
    w.b1 = nominate(personas.org_admin_b, w.cycle, tree.village_b1, "向阳村红色议事会")
    if upto == "submitted":
        return w
    w.experts = make_experts(tree)
    with travel(REVIEW_DAY):
        services.change_status(admin, w.cycle, "screening")
        for n in (w.a1, w.a2, w.b1):
            services.screen(admin, n, True)
        run_first_round(admin, w.cycle, w.experts)
        services.shortlist(admin, w.cycle, [w.a1.pk, w.a2.pk, w.b1.pk])
        if upto == "presentation":
            return w
        w.panel = w.experts
        for n in (w.a1, w.a2, w.b1):
            slot = services.schedule_slot(admin, n, SLOT_AT, w.panel)
            for member, v in zip(w.panel, (90, 80, 70), strict=True):
                services.score_slot(member, slot, v)
        services.record_inspection(admin, w.a1, {"date": dt.date(2026, 9, 23), "inspectors": "张三、李四",
                                                 "findings": "情况属实"})
        services.decide(admin, w.a1, "first")
        services.decide(admin, w.a2, "second")
        services.decide(admin, w.b1, "")
        services.change_status(admin, w.cycle, "decided")
    if upto == "decided":
        return w
    with travel(dt.datetime(2026, 9, 30, 9, 0)):
        w.notice = services.draft_notice(admin, w.cycle, {
            "title": "关于2026年度组织工作实践创新奖拟表彰对象的公示", "body": "经评审，拟表彰以下项目，现予公示。",
            "issuing_body": "中共某县委组织部", "issue_date": NOTICE_ISSUE,
            "objection_contact": "联系电话：0000-1234567；来信以邮戳日期为准。"})
        w.notice = services.publish_notice(admin, w.notice)
    for n in ("a1", "a2", "b1"):
        getattr(w, n).refresh_from_db()
    w.cycle.refresh_from_db()
    return w


VOTE_FROM, VOTE_UNTIL = dt.date(2026, 9, 21), dt.date(2026, 9, 25)


def in_review_with_vote(tree, personas, *, weight=30, max_choices=2, vote=True):
    w = build(tree, personas, upto="submitted")
    admin = personas.dept_admin
    if vote:
        with travel(OPEN_DAY):
            services.configure_vote(admin, w.cycle, enabled=True, weight=weight, start=VOTE_FROM, end=VOTE_UNTIL,
                                    max_choices=max_choices)
    w.experts = make_experts(tree)
    with travel(REVIEW_DAY):
        services.change_status(admin, w.cycle, "screening")
        for n in (w.a1, w.a2, w.b1):
            services.screen(admin, n, True)
        run_first_round(admin, w.cycle, w.experts)
    w.cycle.refresh_from_db()
    w.member_b = make_user("member_b", Role.MEMBER, tree.village_b1)
    return w
