"""The award cycle end to end through the services, and every refusal the issue lists."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from tests.awards.helpers import (
    AFTER_PERIOD,
    IN_PERIOD,
    NOTICE_ISSUE,
    OPEN_DAY,
    REVIEW_DAY,
    SLOT_AT,
    build,
    make_cycle,
    nominate,
    pdf,
    travel,
)
from tupo.awards import services
from tupo.awards.models import CycleEvent
from tupo.core.calendar import add_workdays
from tupo.core.models import AuditEvent
from tupo.core.services import InvalidTransition
from tupo.reviews.models import ReviewItem


def test_full_cycle_happy_path(tree, personas):
    w = build(tree, personas)
    admin = personas.dept_admin
    assert w.cycle.status == "notice"
    # the first round went through the expert review engine, one round per category
    assert ReviewItem.objects.filter(subject_type="awards.nomination").count() == 3
    assert sorted(w.cycle.first_rounds.values_list("category", flat=True)) == ["围绕中心", "服务群众"]
    assert [w.a1.status, w.a2.status, w.b1.status] == ["awarded", "awarded", "not_awarded"]
    assert w.a1.grade_name == "一等奖"
    assert [e["org"] for e in w.notice.entries] == ["幸福村党总支", "光明村党支部"]
    assert (w.notice.period_start, w.notice.period_end) == (NOTICE_ISSUE, dt.date(2026, 10, 13))
    with travel(IN_PERIOD):
        obj = services.submit_online_objection(w.cycle, {"name": "王某", "contact": "13800000000",
                                                         "content": "材料不实", "nomination": w.a1.pk}, ip="10.0.0.1")
        assert not obj.late and obj.reply_due == add_workdays(obj.received_on, 10)
        services.resolve_objection(admin, obj, outcome="rejected", findings="经核实，材料属实。")
    with travel(AFTER_PERIOD):
        services.change_status(admin, w.cycle, "closed")
        cert = services.issue_certificate(admin, w.a1)
        assert cert.serial.startswith("2026-") and len(cert.code) == 12
        cases = services.send_winners_to_cases(admin, w.cycle)
        assert {c.title for c in cases} == {w.a1.title, w.a2.title}
        assert services.send_winners_to_cases(admin, w.cycle) == cases  # one action, no duplicates
    assert CycleEvent.objects.filter(cycle=w.cycle, kind="status").count() >= 7
    assert AuditEvent.objects.filter(event_type="award.notice.publish").exists()


def test_notice_period_crosses_national_day_2026(db):
    # 1–7 Oct holidays, Sat 10 Oct a make-up working day: 8, 9, 10, 12, 13 Oct
    assert services.notice_period(dt.date(2026, 9, 30), 5) == (dt.date(2026, 9, 30), dt.date(2026, 10, 13))


def test_notice_before_decision_refused(tree, personas):
    w = build(tree, personas, upto="presentation")
    with pytest.raises(InvalidTransition):
        services.draft_notice(personas.dept_admin, w.cycle, {"title": "t", "body": "b", "issuing_body": "i",
                                                             "issue_date": NOTICE_ISSUE})
    with pytest.raises(InvalidTransition):
        services.change_status(personas.dept_admin, w.cycle, "notice")


def test_skipping_phases_refused(tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.county)
    with pytest.raises(InvalidTransition):
        services.change_status(personas.dept_admin, cycle, "decided")


def test_close_with_open_objection_refused(tree, personas):
    w = build(tree, personas)
    with travel(IN_PERIOD):
        services.submit_online_objection(w.cycle, {"name": "王某", "contact": "138", "content": "x"}, ip="10.0.0.2")
    with travel(AFTER_PERIOD), pytest.raises(InvalidTransition, match="still open"):
        services.change_status(personas.dept_admin, w.cycle, "closed")


def test_close_before_period_end_refused(tree, personas):
    w = build(tree, personas)
    with travel(dt.datetime(2026, 10, 13, 12, 0)), pytest.raises(InvalidTransition, match="runs until"):
        services.change_status(personas.dept_admin, w.cycle, "closed")


def test_published_notice_never_edited_correction_is_new_version(tree, personas):
    w = build(tree, personas)
    admin = personas.dept_admin
    with pytest.raises(InvalidTransition, match="never edited"):
        services.update_notice(admin, w.notice, {"title": "改"})
    with travel(dt.datetime(2026, 10, 8, 9, 0)):
        v2 = services.draft_notice(admin, w.cycle, {"title": "更正公示", "body": "更正", "issuing_body": "中共某县委组织部",
                                                    "issue_date": dt.date(2026, 10, 8), "correction_note": "更正单位名称"})
        services.publish_notice(admin, v2)
    versions = list(w.cycle.notices.values_list("version", "published_at", "title"))
    assert [v[0] for v in versions] == [1, 2] and all(v[1] for v in versions)
    w.notice.refresh_from_db()
    assert w.notice.title.startswith("关于")  # the first version is kept unchanged


def test_quota_per_organization(tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.county)
    nominate(personas.org_admin_a, cycle, tree.village_a1, "第一项")
    with travel(OPEN_DAY), pytest.raises(ValidationError, match="quota"):
        services.create_nomination(personas.org_admin_a, cycle, org=tree.village_a1, category="围绕中心",
                                   data={"title": "第二项"})


def test_nominee_outside_scope_refused(tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.town_a)  # scope: town A only
    with travel(OPEN_DAY), pytest.raises(ValidationError, match="outside the scope"):
        services.create_nomination(personas.org_admin_b, cycle, org=tree.village_b1, category="围绕中心",
                                   data={"title": "越界"})


def test_nominating_for_an_organization_not_administered_refused(tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.county)
    with travel(OPEN_DAY), pytest.raises(PermissionDenied):
        services.create_nomination(personas.org_admin_a, cycle, org=tree.village_b1, category="围绕中心",
                                   data={"title": "x"})


def test_submit_after_deadline_refused(tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.county)
    nom = nominate(personas.org_admin_a, cycle, tree.village_a1, "迟交", submit=False)
    with travel(OPEN_DAY):
        services.add_attachment(personas.org_admin_a, nom, pdf(), "application_form")
    with travel(dt.datetime(2026, 9, 21, 0, 30)), pytest.raises(InvalidTransition, match="accepted from"):
        services.submit_nomination(personas.org_admin_a, nom)


def test_abstract_limit_and_attachment_checks(tree, personas):
    cycle = make_cycle(personas.dept_admin, tree.county)
    nom = nominate(personas.org_admin_a, cycle, tree.village_a1, "材料", submit=False)
    with travel(OPEN_DAY):
        with pytest.raises(ValidationError, match="at most 1500"):
            services.update_nomination(personas.org_admin_a, nom, {"abstract": "字" * 1501}, expected_version=0)
        with pytest.raises(ValidationError, match="not accepted"):
            services.add_attachment(personas.org_admin_a, nom, SimpleUploadedFile("x.pdf", b"MZ\x90\x00" * 40),
                                    "application_form")
        with pytest.raises(ValidationError, match="images"):
            services.add_attachment(personas.org_admin_a, nom, pdf("photo.pdf"), "photo")
        big = SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (21 * 1024 * 1024))
        with pytest.raises(ValidationError, match="too large"):
            services.add_attachment(personas.org_admin_a, nom, big, "other")
        with pytest.raises(ValidationError, match="application form"):
            services.submit_nomination(personas.org_admin_a, nom)


def test_screen_fail_needs_reason_and_is_shown(tree, personas):
    w = build(tree, personas, upto="submitted")
    with travel(REVIEW_DAY):
        services.change_status(personas.dept_admin, w.cycle, "screening")
        with pytest.raises(ValidationError):
            services.screen(personas.dept_admin, w.b1, False, "")
        nom = services.screen(personas.dept_admin, w.b1, False, "申报表未签字")
    assert nom.status == "screened_fail" and nom.reason == "申报表未签字"


def test_grade_quota_enforced(tree, personas):
    w = build(tree, personas, upto="presentation")
    with travel(REVIEW_DAY):
        services.decide(personas.dept_admin, w.a1, "first")
        with pytest.raises(ValidationError, match="quota"):
            services.decide(personas.dept_admin, w.a2, "first")


def test_presentation_trimmed_mean_after_last_score(tree, personas):
    w = build(tree, personas, upto="presentation")
    from tupo.awards.models import PresentationSlot

    experts = list(w.cycle.first_rounds.first().review_round.assignments.values_list("expert", flat=True).distinct())
    from django.contrib.auth import get_user_model

    panel = list(get_user_model().objects.filter(pk__in=experts)) + [personas.leader]
    with travel(REVIEW_DAY):
        slot = services.schedule_slot(personas.dept_admin, w.a1, SLOT_AT, panel)
        results = [services.score_slot(m, slot, v) for m, v in zip(panel, (95, 60, 80, 85), strict=False)]
        with pytest.raises(InvalidTransition):
            services.score_slot(panel[0], slot, 50)
        with pytest.raises(PermissionDenied):
            services.score_slot(personas.org_admin_a, PresentationSlot.objects.get(pk=slot.pk), 50)
    assert [r["trimmed_mean"] for r in results[:-1]] == [None] * (len(panel) - 1)
    expected = {3: 80.0, 4: 82.5}[len(panel)]
    assert results[-1]["complete"] and results[-1]["trimmed_mean"] == expected
    w.a1.refresh_from_db()
    assert w.a1.status == "presented"
