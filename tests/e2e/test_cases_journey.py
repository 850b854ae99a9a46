"""Journey: a town writes and the department publishes a case; another town adopts it and reports results;
search finds it; a meeting presents it, with QR/manual sign-in and a follow-up action."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD

from tupo.cases.models import Adoption, Case
from tupo.meetings.models import Attendance, FollowUpAction, Meeting

pytestmark = pytest.mark.e2e


def test_case_publish_adopt_search_meeting(e2e_db, personas, tree, new_page, log_in, shot):
    # 1. Town A's administrator writes a case and submits it.
    page = new_page("en")
    log_in(page, "org_admin_a", PASSWORD)
    page.goto("/cases/new/")
    page.fill("#id_title", "幸福村网格化管理激活基层治理末梢")
    page.select_option("#id_org", str(tree.village_a1.pk))
    page.select_option("#id_field", "grassroots_governance")
    page.fill("#id_abstract", "全村划分12个网格，党员担任网格员，矛盾纠纷就地化解。")
    page.fill("#id_practice", "<p>网格党小组<b>每周</b>走访<script>alert(1)</script></p>")
    page.fill("#id_metric_name", "矛盾纠纷调处率")
    page.fill("#id_metric_unit", "%")
    page.fill("#id_metric_before", "62")
    page.fill("#id_metric_after", "95")
    page.click("form.tupo-form button[type=submit]")
    expect(page.locator("h1")).to_have_text("幸福村网格化管理激活基层治理末梢")
    case = Case.objects.get(title="幸福村网格化管理激活基层治理末梢")
    assert "<script" not in case.practice
    page.click("button[data-to=submitted]")
    expect(page.locator(".page-head .sub")).to_contain_text("Submitted")

    # 2. The department reviews and publishes it.
    dept = new_page("en")
    log_in(dept, "dept_admin", PASSWORD)
    dept.goto(f"/cases/{case.pk}/")
    dept.click("button[data-to=reviewed]")
    dept.click("button[data-to=published]")
    expect(dept.locator(".page-head .sub")).to_contain_text("Published")
    shot(dept, "case-published")

    # 3. Town B adopts it and reports results.
    town_b = new_page("en")
    log_in(town_b, "org_admin_b", PASSWORD)
    town_b.goto(f"/cases/{case.pk}/")
    town_b.click("text=Adopt this case")
    town_b.select_option("form.adopt-form #id_org", str(tree.village_b1.pk))
    town_b.fill("form.adopt-form #id_adapted", "按村民小组划分网格")
    town_b.fill("form.adopt-form #id_started_on", "2026-01-05")
    town_b.fill("form.adopt-form #id_contact", "赵六 13800000000")
    town_b.click("form.adopt-form button[type=submit]")
    expect(town_b.locator(".alert-success")).to_be_visible()
    town_b.click("text=Report results")
    town_b.select_option("form.report-form #id_org", str(tree.village_b1.pk))
    town_b.fill("form.report-form #id_summary", "半年来纠纷下降六成")
    town_b.select_option("form.report-form #id_rating", "5")
    town_b.fill("form.report-form #id_metric_name", "纠纷数")
    town_b.fill("form.report-form #id_metric_before", "30")
    town_b.fill("form.report-form #id_metric_after", "12")
    town_b.click("form.report-form button[type=submit]")
    expect(town_b.locator(".spread")).to_contain_text("向阳村党支部")
    expect(town_b.locator(".timeline").first).to_contain_text("半年来纠纷下降六成")
    assert Adoption.objects.get(case=case).rating == 5
    shot(town_b, "case-spread")

    # 4. Search finds it (instant suggestions, then the result page with highlighting).
    town_b.goto("/search/")
    town_b.fill("#id_q", "网格员")
    town_b.keyboard.press("End")
    town_b.type("#id_q", " ")
    expect(town_b.locator("#suggestions")).to_contain_text("幸福村网格化管理", timeout=5000)
    town_b.click("form.search-form button[type=submit]")
    expect(town_b.locator(".search-results mark").first).to_be_visible()
    expect(town_b.locator(".result-title").first).to_contain_text("幸福村网格化管理")
    shot(town_b, "search")

    # 5. Town A holds an on-site meeting presenting the case; sign-in and a follow-up action.
    page.goto("/meetings/new/")
    page.select_option("#id_kind", "onsite")
    page.fill("#id_title", "网格化治理现场会")
    page.select_option("#id_host_org", str(tree.town_a.pk))
    page.fill("#id_starts_at", "2026-05-12T09:30")
    page.fill("#id_place", "幸福村党群服务中心")
    page.select_option("#id_cases", str(case.pk))
    page.click("form.tupo-form button[type=submit]")
    meeting = Meeting.objects.get(title="网格化治理现场会")
    expect(page.locator(".qr svg")).to_be_visible()
    page.select_option("form.sign-form #id_person", str(tree.person_a2.pk))
    page.click("form.sign-form button[type=submit]")
    page.select_option("form.sign-form #id_person", str(tree.person_a2.pk))
    page.click("form.sign-form button[type=submit]")
    expect(page.locator(".alert-info")).to_contain_text("already signed in")
    page.fill("form.action-form #id_title", "各村推广网格化经验")
    page.select_option("form.action-form #id_owner", str(tree.person_a11.pk))
    page.fill("form.action-form #id_deadline", "2026-01-31")
    page.click("form.action-form button[type=submit]")
    expect(page.locator("tr.overdue")).to_contain_text("各村推广网格化经验")
    shot(page, "meeting")

    member = new_page("en")
    log_in(member, "member_a", PASSWORD)
    member.goto(f"/meetings/{meeting.pk}/sign-in/{meeting.sign_in_token}/")
    member.click("main button[type=submit]")
    expect(member.locator(".alert-success")).to_be_visible()
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    assert FollowUpAction.objects.filter(meeting=meeting).count() == 1
    for p in (page, dept, town_b, member):
        assert not p.server_errors, p.server_errors
        assert not p.console_errors, p.console_errors
