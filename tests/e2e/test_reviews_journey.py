"""Journey: a department administrator builds a review round and assigns experts, an expert scores, the
administrator ranks and decides."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.conftest import PASSWORD
from tests.reviews.conftest import make_expert

from tupo.reviews import services
from tupo.reviews.models import Assignment, ReviewRound


@pytest.mark.e2e
def test_reviews_journey(e2e_db, personas, tree, new_page, log_in, shot):
    expert = make_expert("reviewer1", grant_org=tree.county, fields="党员教育 积分管理")
    other = make_expert("reviewer2", grant_org=tree.county, fields="乡村振兴 组织建设")

    # --- the administrator creates the round through the form -----------------------------------------------
    admin = new_page()
    admin.on("dialog", lambda d: d.accept())
    log_in(admin, "dept_admin", PASSWORD)
    admin.locator('nav.sidebar a[href="/reviews/"]').click()
    admin.goto("/reviews/new/")
    admin.fill("#id_title", "2026 年度组织工作创新课题评审")
    admin.select_option("#id_org", str(tree.county.pk))
    admin.fill("#id_reviews_per_item", "1")
    admin.fill("#id_max_load", "1")
    admin.fill("#id_criteria", "创新性 | 40 | 0-3 一般，4-7 较好，8-10 突出\n实效性 | 60 |")
    admin.click("form.tupo-form button[type=submit]")
    review = ReviewRound.objects.get()
    expect(admin.locator("h1")).to_have_text(review.title)

    # --- two items, then the best-match assignment with its fairness report -------------------------------------
    for title, org, text in (("党员积分管理创新", tree.branch_a11, "党员 积分 管理"),
                             ("党建引领乡村振兴", tree.village_b1, "乡村振兴 组织建设")):
        admin.fill("#item-form #id_title", title)
        admin.select_option("#item-form #id_org", str(org.pk))
        admin.fill("#item-form #id_text", text)
        admin.click("#item-form button[type=submit]")
        expect(admin.locator("#item-progress")).to_contain_text(title)
    shot(admin, "round-with-items")
    admin.goto(f"/reviews/{review.pk}/assignment/")
    admin.click("button[name=action][value=optimal]")
    expect(admin.locator("#fairness")).to_be_visible()
    shot(admin, "assignment-fairness")
    mine = Assignment.objects.get(expert=expert)
    assert mine.item.title == "党员积分管理创新"  # the affinity matched the expert's fields
    admin.goto(f"/reviews/{review.pk}/")
    admin.locator("form:has(input[name=to][value=open]) button").click()
    expect(admin.locator("form:has(input[name=to][value=open])")).to_have_count(0)
    expect(admin.locator(".sub")).to_contain_text(re.compile(r"deadline|截止"))

    # --- the expert scores: draft through htmx, then submit ---------------------------------------------------
    page = new_page()
    log_in(page, "reviewer1", PASSWORD)
    page.locator('nav.sidebar a[href="/reviews/mine/"]').click()
    page.get_by_role("link", name="党员积分管理创新").click()
    c1, c2 = review.criteria.all()
    page.fill(f"#id_score_{c1.pk}", "8")
    page.fill("#id_opinion", "思路新颖，可在全县推广。")
    page.click("button[name=action][value=save]")
    expect(page.locator("#scorecard .alert-success")).to_be_visible()
    page.fill(f"#id_score_{c2.pk}", "9")
    page.select_option("#id_confidence", "4")
    shot(page, "expert-scorecard")
    page.click("button[name=action][value=submit]")
    expect(page.locator("h1")).to_be_visible()
    mine.refresh_from_db()
    assert mine.status == "submitted"
    theirs = Assignment.objects.get(expert=other)
    services.submit_scorecard(other, theirs, {c1.pk: 6, c2.pk: 7}, "尚可", 3)

    # --- the administrator closes scoring, reads the ranking and decides ------------------------------------
    admin.goto(f"/reviews/{review.pk}/")
    expect(admin.locator("#expert-progress")).to_contain_text("2")
    admin.locator("form:has(input[name=to][value=closed]) button").click()
    expect(admin.locator("form:has(input[name=to][value=closed])")).to_have_count(0)
    admin.goto(f"/reviews/{review.pk}/ranking/?k=1")
    expect(admin.locator("#ranking-table tbody tr")).to_have_count(2)
    expect(admin.locator("#ranking-table tbody tr").first).to_contain_text("党员积分管理创新")
    shot(admin, "ranking")
    for n in range(2):
        admin.locator("#ranking-table a.btn").nth(n).click()
        admin.select_option("#id_decision", "approved" if n == 0 else "rejected")
        admin.fill("#id_reason", "依据评审得分。")
        admin.click("form.tupo-form button[type=submit]")
        expect(admin.locator("#ranking-table")).to_be_visible()
    admin.goto(f"/reviews/{review.pk}/")
    admin.locator("form:has(input[name=to][value=decided]) button").click()
    expect(admin.locator("form:has(input[name=to][value=decided])")).to_have_count(0)
    review.refresh_from_db()
    assert review.status == "decided"
    shot(admin, "decided")
    assert not admin.server_errors and not page.server_errors
    assert not admin.console_errors and not page.console_errors
