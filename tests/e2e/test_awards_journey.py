"""Journeys of the practice-innovation award, as people click them.

1. The public side alone: read the published notice without login, object under real name, get a receipt.
2. The whole cycle: the department administrator creates and opens a cycle; an organization administrator
   nominates, fills the case text, attaches the signed form and submits; the administrator screens, starts the
   first round, shortlists, schedules a slot; the panel scores on a phone-sized page; the administrator decides,
   drafts and publishes the notice; a member of the public reads it, objects and looks the receipt up; the
   administrator assigns a handler who answers; the administrator closes, downloads a certificate and the
   commendation; the public results page shows the winners.

The experts' scoring of the first round runs in the review engine, whose own journey clicks it
(tests/e2e/test_reviews_journey.py); here it is driven through its services to keep this journey readable.
The clock is moved with time_machine (tick=True) so that the dates cross the National Day holiday as the
service tests do; server-side sessions then idle out between phases, so people log in again.
"""

from __future__ import annotations

import datetime as dt
import io
from zoneinfo import ZoneInfo

import pytest
import time_machine
from playwright.sync_api import expect
from tests.awards.helpers import PDF, build, in_review_with_vote, make_experts, nominate
from tests.factories import PASSWORD, make_user

from tupo.accounts.choices import Role
from tupo.awards.models import AwardCycle, Certificate, Nomination, Objection

PHONE = {"width": 390, "height": 844}


def at(y, m, d, h=10):
    """Travel to a local office hour (the platform's time zone), the clock ticking."""
    return time_machine.travel(dt.datetime(y, m, d, h, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=True)


@pytest.mark.e2e
def test_awards_public_journey(e2e_db, personas, tree, new_page, shot):
    w = build(tree, personas)
    page = new_page(locale="en")
    page.goto(f"/awards/public/{w.cycle.pk}/notice/")
    expect(page.locator("#notice h1")).to_have_text(w.notice.title)
    expect(page.locator("#notice")).to_contain_text("积分制管理激活村级组织")
    expect(page.locator("#notice")).not_to_contain_text(w.b1.title)
    shot(page, "public-notice")
    page.get_by_role("link", name="Submit an objection (real name)").click()
    page.fill("#id_content", "成效数据与实际不符。")
    page.click("#objection-form button[type=submit]")
    expect(page.locator("#objection-form")).to_contain_text("Give your real name")
    page.fill("#id_name", "王某")
    page.fill("#id_contact", "13800000000")
    page.select_option("#id_nomination", str(w.a1.pk))
    page.click("#objection-form button[type=submit]")
    receipt = Objection.objects.get().receipt
    expect(page.locator("#receipt")).to_have_text(receipt)
    expect(page.locator("#receipt-result")).to_contain_text("Being handled")
    shot(page, "objection-receipt")
    assert not page.server_errors and not page.console_errors


def _login(new_page, log_in, username, *, phone=False):
    page = new_page()
    page.on("dialog", lambda d: d.accept())
    if phone:
        page.set_viewport_size(PHONE)
    log_in(page, username, PASSWORD)
    return page


def _experts_score(admin, cycle):
    """The expert review of each category's first round, through the review engine's services."""
    from tupo.reviews import services as review_services
    from tupo.reviews.models import Assignment

    for fr in cycle.first_rounds.select_related("review_round"):
        rr = fr.review_round
        review_services.assign_optimal(admin, rr)
        review_services.change_status(admin, rr, "open")
        crit = list(rr.criteria.all())
        for a in Assignment.objects.filter(round=rr, status="assigned").select_related("expert"):
            review_services.submit_scorecard(a.expert, a, {crit[0].pk: 7, crit[1].pk: 8 - a.item_id % 3},
                                             opinion="好", confidence=4)
        review_services.change_status(admin, rr, "closed")


def _status(page, to):
    page.click(f"form[action$='/status/']:has(input[value='{to}']) button")
    page.wait_for_load_state()


@pytest.mark.e2e
def test_awards_full_journey(e2e_db, personas, tree, new_page, log_in, shot):
    pages = []
    experts = make_experts(tree)
    staff = make_user("aw_staff", Role.DEPT_ADMIN, tree.county)

    # --- 1. The department administrator creates and opens the cycle ------------------------------------------
    with at(2026, 9, 8):
        admin = _login(new_page, log_in, "dept_admin")
        pages.append(admin)
        admin.goto("/awards/new/")
        admin.fill("#id_name", "2026年度组织工作实践创新奖")
        admin.fill("#id_year", "2026")
        admin.fill("#id_approval_ref", "县表审〔2026〕3号")
        admin.fill("#id_approving_body", "县评比达标表彰工作领导小组")
        admin.fill("#id_issuing_body", "中共某县委组织部")
        admin.fill("#id_categories", "围绕中心\n服务群众")
        admin.fill("#id_grades", "一等奖, 1\n二等奖, 1")
        admin.fill("#id_criteria", "创新性, 40\n实效性, 60")
        admin.fill("#id_apply_start", "2026-09-01")
        admin.fill("#id_apply_end", "2026-09-20")
        shot(admin, "admin-new-cycle")
        admin.click("#cycle-form button[type=submit]")
        expect(admin.locator("h1")).to_have_text("2026年度组织工作实践创新奖")
        cycle = AwardCycle.objects.get()
        _status(admin, "open")
        cycle.refresh_from_db()
        assert cycle.status == "open"
        shot(admin, "admin-cycle-open")

        # --- 2. An organization administrator nominates, writes the case, attaches the form, submits ---------
        org = _login(new_page, log_in, "org_admin_a")
        pages.append(org)
        org.goto("/awards/mine/")
        shot(org, "org-open-cycles")
        org.click(f"a[href='/awards/{cycle.pk}/nominate/']")
        org.select_option("#id_org", str(tree.village_a1.pk))
        org.select_option("#id_category", "围绕中心")
        org.fill("#id_title", "积分制管理激活村级组织")
        org.click("#nominate-form button[type=submit]")
        nom = Nomination.objects.get(org=tree.village_a1)
        org.fill("#id_abstract", "以积分量化党员日常表现，积分与评先评优挂钩，村级组织凝聚力明显增强。")
        org.fill("#id_background", "党员参与积极性不高。")
        org.fill("#id_practice", "建立积分细则，月度公示，年度评议。")
        org.fill("#id_results", "党员参与率由六成提高到九成以上。")
        org.click("#case-form button[name=save]")
        org.select_option("#attach-form #id_kind", "application_form")
        org.set_input_files("#attach-form #id_file", {"name": "申报表.pdf", "mimeType": "application/pdf",
                                                      "buffer": PDF})
        org.click("#attach-form button[name=upload]")
        expect(org.locator("body")).to_contain_text("申报表.pdf")
        shot(org, "org-case-text-and-form")
        org.click("button[name=submit]")
        nom.refresh_from_db()
        assert nom.status == "submitted"
        shot(org, "org-submitted")
    # two more entries, nominated through the services (the same form as above)
    b1 = nominate(personas.org_admin_b, cycle, tree.village_b1, "向阳村红色议事会")
    a2 = nominate(personas.org_admin_a, cycle, tree.village_a2, "党员联户服务群众", category="服务群众")

    # --- 3. Screening, first round, shortlist, slot ----------------------------------------------------------
    with at(2026, 9, 22, 9):
        admin = _login(new_page, log_in, "dept_admin")
        admin.goto(f"/awards/{cycle.pk}/")
        _status(admin, "screening")
        for n in (nom, b1, a2):
            form = admin.locator(f"form[action='/awards/nominations/{n.pk}/screen/']")
            form.locator("select").select_option("1")
            form.locator("button").click()
            admin.wait_for_load_state()
        shot(admin, "admin-screened")
        _status(admin, "review")
        expect(admin.locator("#first-round")).to_be_visible()
        _experts_score(personas.dept_admin, cycle)  # the experts' scoring (see the module docstring)
        admin.reload()
        shot(admin, "admin-first-round-ranking")
        admin.check(f"#first-round input[value='{nom.pk}']")
        admin.check(f"#first-round input[value='{b1.pk}']")
        admin.click("#first-round button.btn-danger")
        cycle.refresh_from_db()
        assert cycle.status == "presentation"
        slot_form = admin.locator(f"form[action='/awards/nominations/{nom.pk}/slot/']")
        slot_form.locator("input[type=datetime-local]").fill("2026-09-22T14:00")
        slot_form.locator("select").select_option([str(u.pk) for u in experts])
        slot_form.locator("button").click()
        expect(admin.locator("#nominations")).to_contain_text("2026-09-22 14:00")
        shot(admin, "admin-slot-scheduled")

    # --- 4. The panel scores on phones; the trimmed mean shows after the last score ---------------------------
    with at(2026, 9, 22, 14):
        for expert, value in zip(experts, ("92", "85", "70"), strict=True):
            phone = _login(new_page, log_in, expert.username, phone=True)
            phone.goto("/awards/panel/")
            phone.click("main .timeline a[href^='/awards/panel/']")
            phone.fill("#id_value", value)
            phone.click("#score-form button[type=submit]")
            expect(phone.locator("#score-progress")).to_be_visible()
        expect(phone.locator("#trimmed-mean")).to_contain_text("85")
        shot(phone, "panel-phone-trimmed-mean")
        assert phone.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]

        # --- 5. Decide, draft and publish the notice --------------------------------------------------------
        admin = _login(new_page, log_in, "dept_admin")
        admin.goto(f"/awards/{cycle.pk}/")
        for n, grade in ((nom, "g1"), (b1, "")):
            form = admin.locator(f"form[action='/awards/nominations/{n.pk}/decide/']")
            form.locator("select").select_option(grade)
            form.locator("button").click()
            admin.wait_for_load_state()
        _status(admin, "decided")
        cycle.refresh_from_db()
        assert cycle.status == "decided"
    with at(2026, 9, 30, 9):
        admin = _login(new_page, log_in, "dept_admin")
        admin.goto(f"/awards/{cycle.pk}/")
        admin.fill("#notice-form #id_title", "关于2026年度组织工作实践创新奖拟表彰项目的公示")
        admin.fill("#notice-form #id_body", "经申报推荐、资格审查、分类初评和现场陈述，拟表彰以下项目，现予公示。")
        admin.fill("#notice-form #id_issue_date", "2026-09-30")
        admin.fill("#notice-form #id_objection_contact", "公示期间如有异议，请以真实姓名反映。联系电话：0000-1234567。")
        admin.click("#notice-form button")
        expect(admin.locator("#notices")).to_contain_text("v1")
        admin.click("form[action$='/publish/'] button")
        expect(admin.locator("#notices")).to_contain_text("2026-10-13")  # 5 working days over National Day
        shot(admin, "admin-notice-published")

    # --- 6. The public reads the notice, objects, gets a receipt and looks it up -----------------------------
    with at(2026, 10, 9):
        public = new_page()
        pages.append(public)
        public.goto(f"/awards/public/{cycle.pk}/notice/")
        expect(public.locator("#notice")).to_contain_text("积分制管理激活村级组织")
        expect(public.locator("#notice")).not_to_contain_text("向阳村红色议事会")
        shot(public, "public-notice")
        public.click(f"a[href='/awards/public/{cycle.pk}/object/']")
        public.fill("#id_name", "王某")
        public.fill("#id_contact", "13800000000")
        public.select_option("#id_nomination", str(nom.pk))
        public.fill("#id_content", "党员参与率数据与实际情况不符。")
        public.click("#objection-form button[type=submit]")
        objection = Objection.objects.get()
        expect(public.locator("#receipt")).to_have_text(objection.receipt)
        shot(public, "public-receipt")
        lookup = new_page()
        lookup.goto("/awards/public/receipt/")
        lookup.fill("#r", objection.receipt)
        lookup.click("#receipt-form button")
        expect(lookup.locator("#receipt-result")).to_be_visible()
        shot(lookup, "public-receipt-lookup")

        # --- 7. The administrator assigns a handler, who answers ---------------------------------------------
        admin = _login(new_page, log_in, "dept_admin")
        admin.goto(f"/awards/{cycle.pk}/")
        shot(admin, "admin-objections")
        admin.click(f"a[href='/awards/objections/{objection.pk}/']")
        admin.select_option("#handler-form select", str(staff.pk))
        admin.click("#handler-form button[name=assign]")
        expect(admin.locator("#handler")).to_contain_text("aw_staff")
        expect(admin.locator("#reply-due")).to_contain_text("2026-10-22")
        shot(admin, "admin-handler-assigned")
        handler = _login(new_page, log_in, "aw_staff")
        handler.goto("/awards/objections/mine/")
        expect(handler.locator("#my-objections")).to_contain_text(objection.receipt)
        shot(handler, "handler-my-objections")
        handler.click(f"#my-objections a[href='/awards/objections/{objection.pk}/']")
        handler.select_option("#resolve-form #id_outcome", "rejected")
        handler.fill("#resolve-form #id_findings", "经实地核实，党员参与率数据与台账一致，异议不成立。")
        handler.click("#resolve-form button")
        expect(handler.locator("#objection-facts")).to_contain_text("异议不成立")
        shot(handler, "handler-answered")
        lookup.reload()
        expect(lookup.locator("#receipt-result")).to_contain_text("异议不成立")
        shot(lookup, "public-receipt-answered")

    # --- 8. Close, certificate, commendation, public results ---------------------------------------------------
    with at(2026, 10, 14):
        admin = _login(new_page, log_in, "dept_admin")
        admin.goto(f"/awards/{cycle.pk}/")
        _status(admin, "closed")
        cycle.refresh_from_db()
        assert cycle.status == "closed"
        with admin.expect_download() as cert_dl:
            admin.click(f"a[href='/awards/nominations/{nom.pk}/certificate.pdf']")
        assert cert_dl.value.suggested_filename.startswith("certificate-2026-")
        with admin.expect_download() as doc_dl:
            admin.click(f"a[href='/awards/{cycle.pk}/commendation.docx']")
        from docx import Document

        text = "\n".join(p.text for p in Document(io.BytesIO(open(doc_dl.value.path(), "rb").read())).paragraphs)
        assert "关于表彰2026年度组织工作实践创新奖获奖项目的决定" in text and "积分制管理激活村级组织" in text
        admin.goto(f"/awards/{cycle.pk}/")
        shot(admin, "admin-closed")
        public = new_page()
        public.goto(f"/awards/public/{cycle.pk}/results/")
        expect(public.locator("#results")).to_contain_text("积分制管理激活村级组织")
        expect(public.locator("#results")).not_to_contain_text("向阳村红色议事会")
        shot(public, "public-results")
        public.click("a[href='/awards/public/verify/']")
        public.fill("#c", Certificate.objects.get().code)
        public.click("form.tupo-form button")
        expect(public.locator("#cert")).to_contain_text("幸福村党总支")
        shot(public, "public-verify")
        pages += [admin, public]
    for p in pages:
        assert not p.server_errors, p.server_errors
        assert not p.console_errors, p.console_errors


@pytest.mark.e2e
def test_awards_online_vote_journey(e2e_db, personas, tree, new_page, log_in, shot):
    """A member votes on a phone during the first round; the administrator sees the vote apart from the expert
    ranking and the explicit combination formula."""
    w = in_review_with_vote(tree, personas, weight=30, max_choices=1)
    with at(2026, 9, 22):
        member = _login(new_page, log_in, "member_a", phone=True)
        member.goto("/awards/votes/")
        member.click(f"main a[href='/awards/{w.cycle.pk}/vote/']")
        first = member.locator("#vote-1")
        first.locator(f"input[value='{w.a1.pk}']").check()
        first.locator(f"input[value='{w.b1.pk}']").check()
        first.locator("button").click()
        expect(member.locator("#vote-1")).to_contain_text("1")  # at most 1 entry: refused with the message
        shot(member, "member-vote-refused")
        member.locator(f"#vote-1 input[value='{w.b1.pk}']").uncheck()
        member.locator("#vote-1 button").click()
        expect(member.locator("#vote-1 .alert-success")).to_be_visible()
        shot(member, "member-voted")
        assert member.evaluate("document.documentElement.scrollWidth") <= PHONE["width"]
        admin = _login(new_page, log_in, "dept_admin")
        admin.goto(f"/awards/{w.cycle.pk}/")
        expect(admin.locator("#vote-results")).to_contain_text("100.0%")
        expect(admin.locator("#combined .formula")).to_contain_text("（1 − 30%）+ 得票率（%）× 30%")
        shot(admin, "admin-vote-and-formula")
    for p in (member, admin):
        assert not p.server_errors and not p.console_errors
