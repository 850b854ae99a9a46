"""Journey: a town writes and the department publishes a case; another town adopts it and reports results;
search finds it; a meeting presents it, with QR/manual sign-in and a follow-up action."""

from __future__ import annotations

import pytest
from playwright.sync_api import expect
from tests.factories import PASSWORD

from tupo.cases import services as cases_services
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
    expect(town_b.locator(".spread")).to_contain_text("Results report overdue")  # due 60 working days after 5 Jan
    town_b.goto("/")
    town_b.click("text=Adoption results reports due")
    expect(town_b.locator("table.adoptions")).to_contain_text("was due 2026-04-")
    shot(town_b, "adoptions-due")
    town_b.goto(f"/cases/{case.pk}/")
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

    # 6. The staff correct the place, invite through the picker, upload a material and write the minutes.
    page.click("text=Edit meeting")
    page.fill("#id_place", "幸福村党群服务中心二楼")
    page.click("form.tupo-form button[type=submit]")
    expect(page.locator(".page-head .sub")).to_contain_text("幸福村党群服务中心二楼")
    page.fill("#invite-q", "光明")
    expect(page.locator("#invite-results")).to_contain_text("光明村党支部")
    page.click(f"#invite-results [data-invite-org='{tree.village_a2.pk}']")
    expect(page.locator(".invited-orgs")).to_contain_text("光明村党支部")
    page.fill("#invite-q", "李")
    expect(page.locator("#invite-results")).to_contain_text("李四")
    expect(page.locator("#invite-results")).not_to_contain_text(tree.person_a11.id_number)  # masked
    shot(page, "meeting-picker")
    page.fill("#invite-q", tree.person_a2.id_number[-4:])  # the last 4 digits of the ID number (administrators)
    expect(page.locator("#invite-results")).to_contain_text("王五")
    expect(page.locator("#invite-results")).not_to_contain_text(tree.person_a2.id_number)  # still masked
    shot(page, "meeting-picker-id")
    page.fill("#invite-q", "李")
    expect(page.locator("#invite-results")).to_contain_text("李四")
    page.click(f"#invite-results [data-invite-person='{tree.person_a11.pk}']")
    expect(page.locator(".invited-people")).to_contain_text("李四")
    page.set_input_files("form.material-form input[type=file]", files=[{
        "name": "网格化经验材料.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"}])
    page.click("form.material-form button[type=submit]")
    expect(page.locator("table.materials")).to_contain_text("网格化经验材料.pdf")
    with page.expect_download() as download:
        page.click("table.materials a")
    assert download.value.suggested_filename == "网格化经验材料.pdf"
    page.fill("textarea[name=minutes]", "一、会议听取了幸福村网格化经验介绍。\n二、各村一月底前推广。")
    page.click("text=Save minutes")
    expect(page.locator(".alert-success")).to_contain_text("Minutes saved")
    meeting.refresh_from_db()
    assert meeting.place == "幸福村党群服务中心二楼" and meeting.version == 3 and meeting.materials.count() == 1
    assert list(meeting.invited_people.all()) == [tree.person_a11]
    shot(page, "meeting")

    # 7. Branch member 李四 scans the QR code (opens the sign-in link), signs in, and closes his follow-up action.
    sign_url = page.locator(".sign-url").inner_text().strip()
    member = new_page("en")
    log_in(member, "member_a", PASSWORD)
    member.goto(sign_url)
    expect(member.locator("h1")).to_contain_text("网格化治理现场会")
    shot(member, "qr-sign-in")
    member.click("main button[type=submit]")
    expect(member.locator(".alert-success")).to_be_visible()
    member.goto(sign_url)
    member.click("main button[type=submit]")
    expect(member.locator(".alert-info")).to_contain_text("already signed in")
    member.goto(f"/meetings/{meeting.pk}/")
    member.click("tr.overdue button:has-text('Mark done')")
    expect(member.locator(".alert-success")).to_contain_text("Action updated")
    expect(member.locator("tr.overdue")).to_have_count(0)
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    assert FollowUpAction.objects.get(meeting=meeting).status == "done"
    shot(member, "meeting-member")

    # 8. The department's dashboard draws the charts (and their tables).
    dept.goto("/cases/dashboard/")
    expect(dept.locator("[data-series-chart='cb_field'] svg")).to_be_visible()
    expect(dept.locator("[data-chart='actions_state'] svg")).to_be_visible()
    shot(dept, "dashboard")
    # 9. A recognized brand of village A1: town A's administrator links the published case to it.
    brand = cases_services.apply_brand(personas.org_admin_a, tree.village_a1, {
        "name": "网格红管家", "meaning": "党建引领网格治理", "vehicle": "网格党小组", "work_method": "四步工作法", "year": 2026})
    for step in ("screened", "recognized"):
        brand = cases_services.transition_brand(personas.dept_admin, brand, step)
    page.goto(f"/cases/brands/{brand.pk}/")
    page.select_option("#link-case", str(case.pk))
    page.click("form.link-case-form button[type=submit]")
    expect(page.locator(".alert-success")).to_contain_text("linked to the brand")
    expect(page.locator("ul.brand-cases")).to_contain_text("幸福村网格化管理激活基层治理末梢")
    shot(page, "brand-linked-case")
    assert list(brand.cases.all()) == [case]
    for p in (page, dept, town_b, member):
        assert not p.server_errors, p.server_errors
        assert not p.console_errors, p.console_errors
