"""Journey of issue 4, on today's real date: a department administrator builds a blind review round that takes bids
of interest, an expert bids, another declares and withdraws a tie, the administrator assigns, two experts score in their own browsers, the administrator
ranks, the panel chair (one of the experts) decides, the administrator publishes, and the bidder (a team member of one item) reads the feedback without any names."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from tests.conftest import PASSWORD
from tests.reviews.conftest import make_expert

from tupo.reviews import services
from tupo.reviews.models import Assignment, ReviewRound


def _score(page, review, title, scores, opinion, confidence, *, draft_first=False):
    """The expert opens one item from "My reviews" and scores it (optionally saving a draft through htmx first)."""
    page.goto("/reviews/mine/")
    page.get_by_role("link", name=title).click()
    expect(page.locator("h1")).to_have_text(title)
    c1, c2 = review.criteria.all()
    page.fill(f"#id_score_{c1.pk}", str(scores[0]))
    page.fill("#id_opinion", opinion)
    if draft_first:
        page.click("button[name=action][value=save]")
        expect(page.locator("#scorecard .alert-success")).to_be_visible()
    page.fill(f"#id_score_{c2.pk}", str(scores[1]))
    page.select_option("#id_confidence", str(confidence))
    page.click("button[name=action][value=submit]")
    expect(page.locator("h1")).to_have_text(re.compile("My reviews|我的评审"))


@pytest.mark.e2e
def test_reviews_journey(e2e_db, personas, tree, new_page, log_in, shot):
    make_expert("reviewer1", grant_org=tree.county, fields="党员教育 积分管理")
    make_expert("reviewer2", grant_org=tree.county, fields="乡村振兴 组织建设")
    for u, name in (("reviewer1", "张评审"), ("reviewer2", "刘评审")):
        type(personas.dept_admin).objects.filter(username=u).update(display_name=name)

    # --- the administrator creates a blind round that takes bids, through the form ----------------------------
    admin = new_page()
    admin.on("dialog", lambda d: d.accept())
    log_in(admin, "dept_admin", PASSWORD)
    admin.locator('nav.sidebar a[href="/reviews/"]').click()
    admin.goto("/reviews/new/")
    admin.fill("#id_title", "2026 年度组织工作创新课题评审")
    admin.select_option("#id_org", str(tree.county.pk))
    admin.fill("#id_reviews_per_item", "2")
    admin.fill("#id_max_load", "2")
    admin.fill("#id_funded_count", "1")
    admin.check("#id_bidding")
    admin.fill("#id_criteria", "创新性 | 40 | 0-3 一般，4-7 较好，8-10 突出\n实效性 | 60 |")
    shot(admin, "new-round-form")
    admin.click("form.tupo-form button[type=submit]")
    review = ReviewRound.objects.get()
    expect(admin.locator("h1")).to_have_text(review.title)
    assert review.blind and review.bidding and review.deadline.year == 2026

    # --- two items: one arrives from the topics app (a bid with its team), one is typed in --------------------
    services.add_item(personas.dept_admin, review, {
        "title": "党员积分管理创新", "text": "党员 积分 管理", "org": tree.branch_a11, "subject_type": "topics.bid",
        "subject_id": 1, "submitted_by": personas.member_a}, team=[tree.person_a11])
    admin.fill("#item-form #id_title", "党建引领乡村振兴")
    admin.select_option("#item-form #id_org", str(tree.village_b1.pk))
    admin.fill("#item-form #id_text", "乡村振兴 组织建设")
    admin.click("#item-form button[type=submit]")
    expect(admin.locator("#item-progress")).to_contain_text("党建引领乡村振兴")
    expect(admin.locator("#item-progress")).to_contain_text("党员积分管理创新")
    expect(admin.locator("#bidding-info")).to_be_visible()
    shot(admin, "round-with-items")

    # --- an expert bids before assignment ---------------------------------------------------------------------
    expert1 = new_page()
    log_in(expert1, "reviewer1", PASSWORD)
    expert1.locator('nav.sidebar a[href="/reviews/mine/"]').click()
    expert1.locator("#bidding a").click()
    item1 = review.items.get(title="党员积分管理创新")
    expert1.select_option(f"#id_bid_{item1.pk}", "interested")
    shot(expert1, "expert-bids")
    expert1.click("#bid-form button[type=submit]")
    expect(expert1.locator(".alert-success")).to_be_visible()
    expect(expert1.locator(f"#id_bid_{item1.pk}")).to_have_value("interested")

    # --- the administrator enters the bids the second expert sent on paper ---------------------------------------
    reviewer2 = type(personas.dept_admin).objects.get(username="reviewer2")
    item2 = review.items.get(title="党建引领乡村振兴")
    admin.goto(f"/reviews/{review.pk}/bids/")
    admin.select_option("#id_expert", str(reviewer2.pk))
    admin.click("#bid-expert button[type=submit]")
    admin.select_option(f"#id_bid_{item2.pk}", "willing")
    admin.click("#bid-form button[type=submit]")
    expect(admin.locator(".entered-by")).to_contain_text("dept_admin")
    shot(admin, "admin-enters-bids")

    # --- the second expert declares a tie by mistake and withdraws it, with a reason (the record stays) ------------
    expert2 = new_page()
    expert2.on("dialog", lambda d: d.accept())
    log_in(expert2, "reviewer2", PASSWORD)
    expert2.goto("/reviews/mine/profile/")
    expert2.select_option("#tie-form #id_kind", "former_colleague")
    expert2.fill("#tie-form #id_org_code", tree.town_b.code)
    expert2.click("#tie-form button[type=submit]")
    expect(expert2.locator("#ties tbody")).to_contain_text(tree.town_b.name)
    expert2.locator("form.tie-withdraw input[name=reason]").fill("误报：从未在龙泉镇任职")
    expert2.locator("form.tie-withdraw button").click()
    expect(expert2.locator("#withdrawn-ties")).to_contain_text("误报")
    shot(expert2, "expert2-withdrawn-tie")
    admin.goto("/reviews/experts/ties/")
    expect(admin.locator("#ties-table")).to_contain_text("误报")
    shot(admin, "ties-overview")

    # --- best-match assignment, with the fairness report and the bids ---------------------------------------------
    admin.goto(f"/reviews/{review.pk}/assignment/")
    admin.click("button[name=action][value=optimal]")
    expect(admin.locator("#fairness")).to_be_visible()
    expect(admin.locator("#bids")).to_contain_text("2")
    shot(admin, "assignment-fairness-bids")
    assert Assignment.objects.filter(round=review).count() == 4
    admin.goto(f"/reviews/{review.pk}/")
    admin.locator("form:has(input[name=to][value=open]) button").click()
    expect(admin.locator("form:has(input[name=to][value=open])")).to_have_count(0)
    expect(admin.locator(".page-head .sub")).to_contain_text(re.compile(r"deadline|截止"))

    # --- two experts score in their own browser contexts ---------------------------------------------------------
    _score(expert1, review, "党员积分管理创新", (8, 9), "思路新颖，积分细则可操作，可在全县推广。", 4, draft_first=True)
    shot(expert1, "expert1-after-first")
    _score(expert1, review, "党建引领乡村振兴", (6, 6), "方向正确，实效数据不足。", 3)
    expert2.locator('nav.sidebar a[href="/reviews/mine/"]').click()
    expect(expert2.locator("table")).to_contain_text("党建引领乡村振兴")
    shot(expert2, "expert2-my-reviews")
    _score(expert2, review, "党建引领乡村振兴", (7, 6), "有一定基础，建议补充群众评价。", 5)
    expert2.goto("/reviews/mine/")
    expert2.get_by_role("link", name="党员积分管理创新").click()
    shot(expert2, "expert2-scorecard")
    _score(expert2, review, "党员积分管理创新", (9, 8), "创新性突出。", 4)
    assert Assignment.objects.filter(round=review, status="submitted").count() == 4

    # --- the administrator names the first expert panel chair, checks progress, closes scoring and ranks ---------
    admin.goto(f"/reviews/{review.pk}/chair/")
    admin.select_option("#id_chair", str(type(personas.dept_admin).objects.get(username="reviewer1").pk))
    admin.fill("#id_reason", "评审经验丰富")
    admin.click("#chair-form button[type=submit]")
    expect(admin.locator("#panel-chair + p")).to_contain_text("张评审")
    admin.goto(f"/reviews/{review.pk}/")
    expect(admin.locator("#expert-progress")).to_contain_text("2 / 2")
    shot(admin, "progress-done")
    admin.locator("form:has(input[name=to][value=closed]) button").click()
    expect(admin.locator("form:has(input[name=to][value=closed])")).to_have_count(0)
    admin.goto(f"/reviews/{review.pk}/ranking/?k=1")
    expect(admin.locator("#ranking-table tbody tr")).to_have_count(2)
    expect(admin.locator("#ranking-table tbody tr").first).to_contain_text("党员积分管理创新")
    shot(admin, "ranking")
    with admin.expect_download() as pdf:
        admin.locator("a[href$='report.pdf?k=1']").click()
    assert pdf.value.suggested_filename == f"review-report-{review.pk}.pdf"
    # the chair finds the panel on "My reviews" and records both decisions
    expert1.goto("/reviews/mine/")
    expert1.locator("#chaired a").click()
    expect(expert1.locator("#chair-note")).to_be_visible()
    for n, (decision, reason) in enumerate((("approved", "评审得分第一，同意立项。"), ("rejected", "得分较低，建议完善后再申报。"))):
        expert1.locator("#ranking-table tbody tr").nth(n).locator("a.btn").click()
        expert1.select_option("#id_decision", decision)
        expert1.fill("#id_reason", reason)
        expert1.click("form.tupo-form button[type=submit]")
        expect(expert1.locator("#ranking-table")).to_be_visible()
    shot(expert1, "chair-decisions")
    admin.goto(f"/reviews/{review.pk}/")
    admin.locator("form:has(input[name=to][value=decided]) button").click()
    expect(admin.locator("form:has(input[name=to][value=decided])")).to_have_count(0)
    review.refresh_from_db()
    assert review.status == "decided"

    # --- the bidder is notified and reads the feedback: averages, opinions, no names --------------------------------
    bidder = new_page()
    log_in(bidder, "member_a", PASSWORD)
    bidder.goto("/notifications/")
    bidder.get_by_role("link", name=re.compile("党员积分管理创新")).first.click()
    expect(bidder.locator("h1")).to_have_text(re.compile("Review feedback|评审反馈"))
    feedback = bidder.locator("main")
    expect(feedback).to_contain_text("同意立项")
    expect(feedback).to_contain_text("思路新颖")
    expect(feedback).to_contain_text("创新性突出")
    expect(feedback).to_contain_text("8.5")  # innovation: (8 + 9) / 2
    shot(bidder, "bidder-feedback")
    text = feedback.inner_text()
    for name in ("张评审", "刘评审", "reviewer1", "reviewer2"):
        assert name not in text
    assert "E01" in text or "E02" in text
    pages = (admin, expert1, expert2, bidder)
    assert not any(p.server_errors for p in pages)
    assert not any(p.console_errors for p in pages)
    # the other item is not the bidder's
    other = review.items.get(title="党建引领乡村振兴")
    assert bidder.goto(f"/reviews/items/{other.pk}/feedback/").status == 404
    # the chair decides and nothing else
    assert expert1.goto(f"/reviews/{review.pk}/assignment/").status == 403
