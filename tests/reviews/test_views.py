"""Pages, exports and API of the expert review: visibility (404), blind mode, query counts."""

from __future__ import annotations

import io

import openpyxl
import pytest
from django.urls import reverse

from tests.reviews.conftest import make_expert, score_all
from tupo.accounts.services import create_token
from tupo.core.services import SYSTEM
from tupo.reviews import services
from tupo.reviews.choices import RoundStatus
from tupo.reviews.models import Assignment, ReviewRound

pytestmark = pytest.mark.django_db


def _decided(review, admin):
    services.assign_optimal(admin, review)
    services.change_status(admin, review, RoundStatus.OPEN)
    score_all(review)
    services.change_status(admin, review, RoundStatus.CLOSED)
    for item in review.test_items:
        services.decide(admin, item, "approved", "Good enough")
    services.change_status(admin, review, RoundStatus.DECIDED)


def _api(client, user):
    _token, key = create_token(SYSTEM, user, name="t")
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def test_admin_creates_round_through_the_form(personas, tree, login):
    client = login(personas.dept_admin)
    resp = client.post(reverse("reviews:round_create"), {
        "title": "Award 2026", "org": tree.county.pk, "blind": "on", "scale_max": 10, "reviews_per_item": 2,
        "min_load": 0, "max_load": 5, "start_date": "2026-09-01", "workdays": 10, "aggregation": "trimmed_mean",
        "criteria": "Innovation | 50 | high\nEffect | 40 |"})
    assert resp.status_code == 200 and "add up to 90" in resp.content.decode()
    resp = client.post(reverse("reviews:round_create"), {
        "title": "Award 2026", "org": tree.county.pk, "blind": "on", "scale_max": 10, "reviews_per_item": 2,
        "min_load": 0, "max_load": 5, "start_date": "2026-09-01", "workdays": 10, "aggregation": "trimmed_mean",
        "criteria": "Innovation | 50 | high\nEffect | 50 |"})
    r = ReviewRound.objects.get()
    assert resp.status_code == 302 and r.criteria.count() == 2
    resp = client.post(reverse("reviews:item_add", args=[r.pk]), {"title": "Item one", "org": tree.village_a2.pk})
    assert r.items.count() == 1


def test_admin_pages_and_owner_feedback(personas, tree, review, login):
    admin = personas.dept_admin
    client = login(admin)
    resp = client.post(reverse("reviews:assignment", args=[review.pk]), {"action": "optimal"})
    assert resp.status_code == 302
    page = client.get(reverse("reviews:assignment", args=[review.pk])).content.decode()
    assert "Fairness report" in page
    for name in ("round", "conflicts", "ranking"):
        assert client.get(reverse(f"reviews:{name}", args=[review.pk])).status_code == 200
    services.change_status(admin, review, RoundStatus.OPEN)
    score_all(review)
    services.change_status(admin, review, RoundStatus.CLOSED)
    page = client.get(reverse("reviews:ranking", args=[review.pk]) + "?k=1").content.decode()
    assert "Rank interval" in page and "P(awarded)" in page
    item = review.test_items[0]
    # the owner (李四 is on the team) sees nothing before the decision
    owner = login(personas.member_a)
    assert owner.get(reverse("reviews:feedback", args=[item.pk])).status_code == 404
    client = login(admin)
    resp = client.post(reverse("reviews:decide", args=[item.pk]), {"decision": "approved", "reason": "Top score"})
    assert resp.status_code == 302
    for other in review.test_items[1:]:
        services.decide(admin, other, "rejected", "Lower scores")
    client.post(reverse("reviews:round_status", args=[review.pk]), {"to": "decided"})
    review.refresh_from_db()
    assert review.status == RoundStatus.DECIDED
    owner = login(personas.member_a)
    page = owner.get(reverse("reviews:feedback", args=[item.pk])).content.decode()
    assert "Top score" in page and "Solid work" in page
    for e in ("e1", "e2", "e3"):
        assert f">{e}<" not in page and f" {e} " not in page
    assert "E0" in page
    # someone unrelated to the item sees nothing even after the decision
    assert login(personas.org_admin_b).get(reverse("reviews:feedback", args=[item.pk])).status_code == 404


def test_expert_cannot_open_unassigned_or_conflicted_item(personas, tree, review, experts, login):
    services.assign_optimal(personas.dept_admin, review)
    services.change_status(personas.dept_admin, review, RoundStatus.OPEN)
    e1 = experts[0]
    mine = Assignment.objects.filter(expert=e1).first()
    other = Assignment.objects.exclude(expert=e1).exclude(item=mine.item).first()
    client = login(e1)
    assert client.get(reverse("reviews:scorecard", args=[mine.pk])).status_code == 200
    assert client.get(reverse("reviews:scorecard", args=[other.pk])).status_code == 404
    auth = _api(client, e1)
    assert client.get(f"/api/v1/reviews/assignments/{mine.pk}", **auth).status_code == 200
    assert client.get(f"/api/v1/reviews/assignments/{other.pk}", **auth).status_code == 404
    # after recusal (a declared conflict) the item disappears for the expert
    services.recuse(e1, mine, "Former colleague of the principal")
    assert client.get(reverse("reviews:scorecard", args=[mine.pk])).status_code == 404
    assert client.get(f"/api/v1/reviews/assignments/{mine.pk}", **auth).status_code == 404
    assert mine.item.title not in client.get(reverse("reviews:mine")).content.decode()
    # experts see no admin pages, rounds or exports
    for name in ("round", "assignment", "ranking", "export"):
        assert client.get(reverse(f"reviews:{name}", args=[review.pk])).status_code == 404
    assert client.get("/api/v1/reviews/rounds", **auth).status_code == 403
    assert client.get(f"/api/v1/reviews/rounds/{review.pk}", **auth).status_code == 404


def test_tree_conflicted_assignment_hidden(personas, tree, review, login):
    """An assignment that turned out conflicted (tree recomputed after assigning) is hidden from the expert."""
    services.assign_optimal(personas.dept_admin, review)
    expert = make_expert("late", grant_org=tree.county)
    a = Assignment.objects.filter(round=review).first()
    Assignment.objects.filter(pk=a.pk).update(expert=expert)
    services.declare_tie(expert, expert, kind="relative", org=a.item.org)
    services.compute_conflicts(personas.dept_admin, review)
    client = login(expert)
    assert client.get(reverse("reviews:scorecard", args=[a.pk])).status_code == 404


def test_scorecard_htmx_draft_then_submit_then_api_refuses_second(personas, review, experts, login):
    services.assign_optimal(personas.dept_admin, review)
    services.change_status(personas.dept_admin, review, RoundStatus.OPEN)
    a = Assignment.objects.filter(expert=experts[0]).first()
    c1, c2 = review.criteria.all()
    client = login(experts[0])
    url = reverse("reviews:scorecard", args=[a.pk])
    resp = client.post(url, {f"score_{c1.pk}": "7", "opinion": "so far", "action": "save"}, HTTP_HX_REQUEST="true")
    assert resp.status_code == 200 and "Draft saved" in resp.content.decode() and "<html" not in resp.content.decode()
    resp = client.post(url, {f"score_{c1.pk}": "7", f"score_{c2.pk}": "12", "confidence": "3", "action": "submit"})
    assert resp.status_code == 200 and "between 0 and 10" in resp.content.decode()
    resp = client.post(url, {f"score_{c1.pk}": "7", f"score_{c2.pk}": "9", "confidence": "3", "action": "submit"})
    assert resp.status_code == 302
    auth = _api(client, experts[0])
    resp = client.post(f"/api/v1/reviews/assignments/{a.pk}/scorecard", data={"scores": {c1.pk: 1, c2.pk: 1},
                       "confidence": 2}, content_type="application/json", **auth)
    assert resp.status_code == 409 and "already submitted" in resp.json()["detail"]
    a.refresh_from_db()
    assert a.status == "submitted"


def test_api_submit(personas, review, experts, login):
    services.assign_optimal(personas.dept_admin, review)
    services.change_status(personas.dept_admin, review, RoundStatus.OPEN)
    client = login(experts[1])
    auth = _api(client, experts[1])
    mine = client.get("/api/v1/reviews/assignments/mine", **auth).json()
    assert len(mine) == 2 and len(mine[0]["criteria"]) == 2
    c1, c2 = (c["id"] for c in mine[0]["criteria"])
    url = f"/api/v1/reviews/assignments/{mine[0]['id']}/scorecard"
    bad = client.post(url, data={"scores": {c1: 5, c2: 50}, "confidence": 3}, content_type="application/json", **auth)
    assert bad.status_code == 422
    ok = client.post(url, data={"scores": {c1: 5, c2: 6}, "confidence": 3}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json()["status"] == "submitted"
    again = client.post(url, data={"scores": {c1: 5, c2: 6}, "confidence": 3}, content_type="application/json", **auth)
    assert again.status_code == 409 and "already submitted" in again.json()["detail"]
    admin = login(personas.dept_admin)
    rounds = admin.get("/api/v1/reviews/rounds", **_api(admin, personas.dept_admin)).json()
    assert [r["id"] for r in rounds] == [review.pk]


def test_blind_export_leaks_no_names(personas, review, experts, login):
    _decided(review, personas.dept_admin)
    for e in experts:
        e.display_name = f"专家{e.username}姓名"
        e.save()
    client = login(personas.dept_admin)
    resp = client.get(reverse("reviews:export", args=[review.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    assert wb.properties.creator == "Tupo"
    cells = [str(c.value) for ws in wb.worksheets for row in ws.iter_rows() for c in row if c.value is not None]
    assert len(list(wb.worksheets[0].iter_rows())) == 7  # header + 6 reviews
    names = {e.username for e in experts} | {e.display_name for e in experts}
    assert not any(n in cell for n in names for cell in cells)
    assert any(cell.startswith("E0") for cell in cells)
    assert not any(o in cell for o in ("幸福村", "光明村", "向阳村") for cell in cells)


def test_open_export_names_experts(personas, review, experts, login):
    ReviewRound.objects.filter(pk=review.pk).update(blind=False)
    review.refresh_from_db()
    _decided(review, personas.dept_admin)
    resp = login(personas.dept_admin).get(reverse("reviews:export", args=[review.pk]))
    wb = openpyxl.load_workbook(io.BytesIO(resp.content))
    cells = {str(c.value) for row in wb.worksheets[0].iter_rows() for c in row}
    assert "e1" in cells


def test_progress_page_query_count(personas, tree, review, login, django_assert_max_num_queries):
    for n in range(5, 12):
        make_expert(f"x{n}", grant_org=tree.county)
    for n in range(10):
        services.add_item(personas.dept_admin, review, {"title": f"Extra {n}", "org": tree.village_b1})
    ReviewRound.objects.filter(pk=review.pk).update(max_load=10)
    review.refresh_from_db()
    services.assign_optimal(personas.dept_admin, review)
    services.change_status(personas.dept_admin, review, RoundStatus.OPEN)
    score_all(review)
    client = login(personas.dept_admin)
    client.get(reverse("reviews:round", args=[review.pk]))
    with django_assert_max_num_queries(20):
        resp = client.get(reverse("reviews:round", args=[review.pk]))
    page = resp.content.decode()
    assert resp.status_code == 200 and "Done" in page


def test_org_admin_sees_no_rounds(personas, review, login):
    client = login(personas.org_admin_a)
    assert client.get(reverse("reviews:round", args=[review.pk])).status_code == 404
    assert client.get(reverse("reviews:index")).status_code == 302
