"""Bids of interest (before assignment) and the withdrawal of declared ties."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse

from tests.reviews.conftest import make_expert, make_round
from tupo.core.models import AuditEvent
from tupo.core.services import InvalidTransition
from tupo.methods import textsim
from tupo.reviews import services
from tupo.reviews.choices import RoundStatus
from tupo.reviews.models import Assignment, Conflict, ExpertTie, InterestBid, ReviewEvent, ReviewRound

pytestmark = pytest.mark.django_db


# --- bids of interest ----------------------------------------------------------------------------------------

def test_with_bids_adds_the_bonus_and_subtracts_the_penalty():
    a = np.array([[0.5, 0.2], [0.1, 0.0]])
    bids = np.array([[1, 2], [3, 0]], dtype=np.int8)
    out = services.with_bids(a, bids, 0.4, 0.3)
    assert out == pytest.approx(np.array([[0.9, 0.4], [-0.2, 0.0]]))
    assert a[0, 0] == 0.5  # the input is not changed


@pytest.fixture
def two_by_two(personas, tree):
    """Two experts, two items, one review each, one item per expert: the text makes A fit item 0, B item 1."""
    admin = personas.dept_admin
    a = make_expert("bidder_a", grant_org=tree.county, fields="党员 积分 管理")
    b = make_expert("bidder_b", grant_org=tree.county, fields="乡村 振兴 产业")
    r = make_round(admin, tree.county, reviews_per_item=1, max_load=1, bidding=True, bid_bonus=1.0, bid_penalty=1.0)
    items = [services.add_item(admin, r, {"title": "党员积分管理", "text": "党员 积分 管理", "org": tree.village_a2}),
             services.add_item(admin, r, {"title": "乡村振兴产业", "text": "乡村 振兴 产业", "org": tree.village_b1})]
    return admin, r, (a, b), items


def _pairs(review_round):
    return {(a.expert.username, a.item.title) for a in Assignment.objects.filter(round=review_round)
            .select_related("expert", "item")}


def _brute_force(affinity):
    """Best of the two perfect matchings of a 2 × 2 instance."""
    best = max(itertools.permutations(range(2)), key=lambda p: sum(affinity[r, p[r]] for r in range(2)))
    return {(r, best[r]) for r in range(2)}


def test_bids_change_the_optimum_as_the_brute_force_says(two_by_two):
    admin, r, (a, b), items = two_by_two
    services.assign_optimal(admin, r)
    assert _pairs(r) == {("bidder_a", "党员积分管理"), ("bidder_b", "乡村振兴产业")}  # text alone
    # each expert is interested in the other's item and not in their own
    services.save_bids(a, r, {items[0].pk: "not_interested", items[1].pk: "interested"})
    services.save_bids(b, r, {items[0].pk: "interested", items[1].pk: "not_interested"})
    text = np.asarray(textsim.affinity([a.expert_profile.text, b.expert_profile.text],
                                       [f"{it.title} {it.text}" for it in items]))
    adjusted = services.with_bids(text, np.array([[3, 1], [1, 3]], dtype=np.int8), 1.0, 1.0)
    assert _brute_force(adjusted) == {(0, 1), (1, 0)} != _brute_force(text)
    services.assign_optimal(admin, r)
    assert _pairs(r) == {("bidder_a", "乡村振兴产业"), ("bidder_b", "党员积分管理")}
    stored = {(x.expert_id, x.item_id): x.affinity for x in Assignment.objects.filter(round=r)}
    assert stored[(a.pk, items[1].pk)] == pytest.approx(adjusted[0, 1])
    # with bidding switched off the same bids are ignored
    ReviewRound.objects.filter(pk=r.pk).update(bidding=False)
    r.refresh_from_db()
    services.assign_optimal(admin, r)
    assert _pairs(r) == {("bidder_a", "党员积分管理"), ("bidder_b", "乡村振兴产业")}


def test_a_small_bonus_does_not_override_a_clear_text_match(two_by_two):
    admin, r, (a, b), items = two_by_two
    ReviewRound.objects.filter(pk=r.pk).update(bid_bonus=0.05, bid_penalty=0.0)
    r.refresh_from_db()
    services.save_bids(a, r, {items[1].pk: "interested"})
    services.assign_optimal(admin, r)
    assert _pairs(r) == {("bidder_a", "党员积分管理"), ("bidder_b", "乡村振兴产业")}


def test_expert_bids_through_the_page(personas, tree, two_by_two, login):
    admin, r, (a, b), items = two_by_two
    # a third item from A's own village: A is conflicted with it and never sees it
    own = services.add_item(admin, r, {"title": "本村项目", "text": "党员", "org": tree.village_a2})
    mine = make_expert("local", org=tree.village_a2, grant_org=tree.county)
    client = login(mine)
    page = client.get(reverse("reviews:mine")).content.decode()
    assert "Rounds taking bids of interest" in page and r.title in page
    url = reverse("reviews:bids", args=[r.pk])
    page = client.get(url).content.decode()
    assert items[1].title in page and own.title not in page and items[0].title not in page
    # bad input: an unknown level, a conflicted item, an item of no round: nothing saved
    for data in ({f"bid_{items[1].pk}": "maybe"}, {f"bid_{own.pk}": "interested"},
                 {f"bid_{items[1].pk}": "interested", "bid_999999": "interested"}, {"bid_abc": "willing"}):
        resp = client.post(url, data, follow=True)
        assert resp.status_code == 200 and "alert-danger" in resp.content.decode()
    assert not InterestBid.objects.exists()
    resp = client.post(url, {f"bid_{items[1].pk}": "willing"}, follow=True)
    assert "Bids saved: 1 changed, 0 removed." in resp.content.decode()
    assert InterestBid.objects.get().level == "willing"
    assert 'value="willing" selected' in resp.content.decode()
    assert AuditEvent.objects.filter(event_type="review.bid", actor=mine).exists()
    assert ReviewEvent.objects.filter(round=r, kind="bid", actor=mine).exists()
    # "" removes the bid
    client.post(url, {f"bid_{items[1].pk}": ""})
    assert not InterestBid.objects.exists()
    # the administrator sees the bids on the assignment page, next to each review
    services.save_bids(a, r, {items[0].pk: "interested"})
    services.assign_optimal(admin, r)
    page = login(admin).get(reverse("reviews:assignment", args=[r.pk])).content.decode()
    assert 'id="bids"' in page and "Of them assigned" in page and ">Interested<" in page


def test_bids_refused_outside_the_pool_and_after_assignment(personas, tree, two_by_two, login):
    admin, r, (a, b), items = two_by_two
    url = reverse("reviews:bids", args=[r.pk])
    # not in the pool: 404 on the page, refused by the service
    far = make_expert("far", grant_org=tree.other)  # an expert of another county
    # (the department administrator of the round is let in to enter bids for an expert: see test_admin_enters_bids…)
    for user in (far, personas.expert, personas.org_admin_a, personas.member_a):
        assert login(user).get(url).status_code == 404, user
        assert login(user).post(url, {f"bid_{items[0].pk}": "interested"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.save_bids(far, r, {items[0].pk: "interested"})
    assert "Rounds taking bids" not in login(far).get(reverse("reviews:mine")).content.decode()
    # a round without bidding: 404 for everyone
    plain = make_round(admin, tree.county, title="No bids")
    assert login(a).get(reverse("reviews:bids", args=[plain.pk])).status_code == 404
    with pytest.raises(InvalidTransition):
        services.save_bids(a, ReviewRound.objects.get(pk=plain.pk), {})
    # once the round is open the bids are closed: shown, not changeable
    services.save_bids(a, r, {items[1].pk: "interested"})
    services.assign_optimal(admin, r)
    services.change_status(admin, r, RoundStatus.OPEN)
    client = login(a)
    page = client.get(url).content.decode()
    assert "Bidding is closed" in page and "disabled" in page
    resp = client.post(url, {f"bid_{items[1].pk}": "not_interested"}, follow=True)
    assert "only while the round is a draft" in resp.content.decode()
    assert InterestBid.objects.get(expert=a).level == "interested"
    with pytest.raises(InvalidTransition):
        services.save_bids(a, r, {items[1].pk: "willing"})


@pytest.mark.parametrize("value", [1.5, -0.1, float("nan"), "x"])
def test_bid_bonus_must_be_between_0_and_1(personas, tree, value):
    with pytest.raises(ValidationError) as exc:
        make_round(personas.dept_admin, tree.county, bidding=True, bid_bonus=value)
    assert "bid_bonus" in exc.value.error_dict
    assert not ReviewRound.objects.exists()


def test_round_form_sets_bidding(personas, tree, login):
    client = login(personas.dept_admin)
    data = {"title": "Bids 2026", "org": tree.county.pk, "blind": "on", "scale_max": 10, "reviews_per_item": 2,
            "min_load": 0, "max_load": 5, "start_date": "2026-09-01", "workdays": 10, "aggregation": "calibrated",
            "criteria": "Innovation | 50 |\nEffect | 50 |", "bidding": "on", "bid_bonus": "2"}
    resp = client.post(reverse("reviews:round_create"), data)
    assert resp.status_code == 200 and "Between 0 and 1" in resp.content.decode()
    resp = client.post(reverse("reviews:round_create"), {**data, "bid_bonus": "0.25"})
    r = ReviewRound.objects.get()
    assert resp.status_code == 302 and r.bidding and r.bid_bonus == 0.25 and r.bid_penalty == 0.3
    assert "+0.25" in client.get(reverse("reviews:round", args=[r.pk])).content.decode()


# --- withdrawing a declared tie ------------------------------------------------------------------------------------

@pytest.fixture
def tied(personas, tree, experts, review):
    """e1 declared a tie to village B1; ``review`` (items from A1-1, A2, B1) is assigned, a second round is not."""
    admin = personas.dept_admin
    e1 = experts[0]
    tie = services.declare_tie(e1, e1, kind="former_colleague", org=tree.village_b1, note="worked there")
    services.assign_optimal(admin, review)
    later = make_round(admin, tree.county, title="Later round")
    b1_item = services.add_item(admin, later, {"title": "向阳村项目", "text": "党建", "org": tree.village_b1})
    services.add_item(admin, later, {"title": "光明村项目", "text": "党建", "org": tree.village_a2})
    services.compute_conflicts(admin, later)
    assert Conflict.objects.filter(round=later, expert=e1, item=b1_item, source="tie").exists()
    assert Conflict.objects.filter(round=review, expert=e1, source="tie").exists()
    return e1, tie, later, b1_item


def test_withdrawing_a_tie_recomputes_unassigned_rounds_and_flags_assigned_ones(personas, review, tied, login):
    e1, tie, later, b1_item = tied
    before = set(Assignment.objects.filter(round=review).values_list("expert_id", "item_id", "status"))
    client = login(e1)
    resp = client.post(reverse("reviews:tie_withdraw", args=[tie.pk]), {"reason": "Left in 2019, no contact"},
                       follow=True)
    page = resp.content.decode()
    assert "Tie withdrawn" in page and "1 round(s) already assigned" in page
    tie.refresh_from_db()
    # history kept: the row stays, with who, when and why
    assert tie.withdrawn_at is not None and tie.withdrawn_by == e1 and tie.withdrawal_reason == "Left in 2019, no contact"
    assert 'id="withdrawn-ties"' in page and "Left in 2019" in page
    # the unassigned round follows at once, the assigned one keeps its conflicts and its reviews
    assert not Conflict.objects.filter(round=later, expert=e1, source="tie").exists()
    assert Conflict.objects.filter(round=review, expert=e1, source="tie").exists()
    assert set(Assignment.objects.filter(round=review).values_list("expert_id", "item_id", "status")) == before
    assert ReviewEvent.objects.filter(round=review, kind="tie_withdrawn", from_value=str(e1.pk)).exists()
    assert not ReviewEvent.objects.filter(round=later, kind="tie_withdrawn").exists()
    event = AuditEvent.objects.get(event_type="review.tie.withdraw")
    assert event.details["rounds_flagged"] == [review.pk] and event.details["rounds_recomputed"] == [later.pk]
    # the administrator is told on the round's conflicts page, until conflicts are recomputed
    admin = login(personas.dept_admin)
    page = admin.get(reverse("reviews:conflicts", args=[review.pk])).content.decode()
    assert 'id="withdrawn-ties"' in page and "Left in 2019" in page
    admin.post(reverse("reviews:conflicts", args=[review.pk]))
    assert not Conflict.objects.filter(round=review, expert=e1, source="tie").exists()
    assert 'id="withdrawn-ties"' not in admin.get(reverse("reviews:conflicts", args=[review.pk])).content.decode()
    # the same tie can be declared again (a new row); the old one stays withdrawn
    services.declare_tie(e1, e1, kind="former_colleague", org=b1_item.org)
    assert ExpertTie.objects.filter(profile__user=e1).count() == 2
    assert ExpertTie.objects.active().filter(profile__user=e1).count() == 1


def test_tie_withdrawal_refusals(personas, tree, experts, tied, login):
    e1, tie, later, b1_item = tied
    url = reverse("reviews:tie_withdraw", args=[tie.pk])
    # another expert, an organization administrator: 404, nothing changes
    for other in (experts[1], personas.org_admin_a, personas.member_a):
        assert login(other).post(url, {"reason": "not mine"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.withdraw_tie(experts[1], tie, "not mine")
    assert login(e1).get(url).status_code == 405
    # no reason: a clear message, nothing written
    resp = login(e1).post(url, {"reason": "  "}, follow=True)
    assert "Give a reason" in resp.content.decode()
    with pytest.raises(ValidationError):
        services.withdraw_tie(e1, tie, "")
    tie.refresh_from_db()
    assert tie.withdrawn_at is None
    assert Conflict.objects.filter(round=later, expert=e1, source="tie").exists()
    # the department administrator withdraws it from the conflicts page; a second withdrawal is refused
    admin = login(personas.dept_admin)
    page = admin.get(reverse("reviews:conflicts", args=[later.pk])).content.decode()
    assert 'id="declared-ties"' in page
    resp = admin.post(url, {"reason": "Checked with the expert", "next": reverse("reviews:conflicts", args=[later.pk])})
    assert resp.status_code == 302 and resp["Location"] == reverse("reviews:conflicts", args=[later.pk])
    tie.refresh_from_db()
    assert tie.withdrawn_by == personas.dept_admin
    with pytest.raises(InvalidTransition):
        services.withdraw_tie(e1, tie, "again")
    resp = login(e1).post(url, {"reason": "again"}, follow=True)
    assert "already withdrawn" in resp.content.decode()


def test_withdraw_redirect_stays_on_the_site(personas, tied, login):
    e1, tie, later, b1_item = tied
    resp = login(personas.dept_admin).post(reverse("reviews:tie_withdraw", args=[tie.pk]),
                                           {"reason": "ok", "next": "https://evil.example/"})
    assert resp.status_code == 302 and resp["Location"] == reverse("reviews:index")


def test_bids_through_the_api(personas, tree, two_by_two, login):
    from tupo.accounts.services import create_token
    from tupo.core.services import SYSTEM

    admin, r, (a, b), items = two_by_two
    client = login(a)
    _token, key = create_token(SYSTEM, a, name="t")
    auth = {"HTTP_AUTHORIZATION": f"Bearer {key}"}
    url = f"/api/v1/reviews/rounds/{r.pk}/bids"
    got = client.get(url, **auth).json()
    assert got["open"] is True and [it["id"] for it in got["items"]] == [items[0].pk, items[1].pk]
    bad = client.post(url, data={"bids": {items[0].pk: "maybe"}}, content_type="application/json", **auth)
    assert bad.status_code == 422 and not InterestBid.objects.exists()
    ok = client.post(url, data={"bids": {items[1].pk: "interested"}}, content_type="application/json", **auth)
    assert ok.status_code == 200 and ok.json() == {"saved": 1, "removed": 0}
    assert client.get(url, **auth).json()["items"][1]["bid"] == "interested"
    # not in the pool: 404; after the round opens: 409
    far = make_expert("far_api", grant_org=tree.other)
    _t, far_key = create_token(SYSTEM, far, name="t")
    assert client.get(url, HTTP_AUTHORIZATION=f"Bearer {far_key}").status_code == 404
    services.assign_optimal(admin, r)
    services.change_status(admin, r, RoundStatus.OPEN)
    late = client.post(url, data={"bids": {items[1].pk: "willing"}}, content_type="application/json", **auth)
    assert late.status_code == 409 and InterestBid.objects.get().level == "interested"


def test_bid_and_assignment_pages_do_not_grow_queries_with_items(personas, tree, two_by_two, login):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    admin, r, (a, b), items = two_by_two

    def counts():
        with CaptureQueriesContext(connection) as bid_page:
            assert login(a).get(reverse("reviews:bids", args=[r.pk])).status_code == 200
        services.assign_optimal(admin, r)
        with CaptureQueriesContext(connection) as assignment_page:
            assert login(admin).get(reverse("reviews:assignment", args=[r.pk])).status_code == 200
        Assignment.objects.filter(round=r).delete()
        return len(bid_page), len(assignment_page)

    ReviewRound.objects.filter(pk=r.pk).update(max_load=20)
    r.refresh_from_db()
    services.save_bids(a, r, {items[0].pk: "interested"})
    counts()  # warm-up: one-time lookups (sessions, content types) are not what is measured
    before = counts()
    for n in range(10):
        it = services.add_item(admin, r, {"title": f"Extra {n}", "text": "党员 乡村", "org": tree.village_b1},
                               team=[tree.person_b1])
        services.save_bids(a, r, {it.pk: "willing"})
        services.save_bids(b, r, {it.pk: "not_interested"})
    assert counts() == before
