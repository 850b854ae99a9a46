"""The panel chair, bids entered by the administrator for an expert, the bids page's conflict check in SQL, and
the overview of every expert's declared ties."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.factories import make_person, make_user
from tests.reviews.conftest import make_expert, make_round, score_all
from tupo.accounts.choices import Role
from tupo.core.models import AuditEvent, Notification
from tupo.core.services import InvalidTransition
from tupo.reviews import queries, services
from tupo.reviews.choices import RoundStatus
from tupo.reviews.models import Conflict, ExpertTie, InterestBid, PanelDecision, ReviewEvent, ReviewItem

pytestmark = pytest.mark.django_db


# --- panel chair ---------------------------------------------------------------------------------------------------

@pytest.fixture
def chaired(personas, tree, review, login):
    """``review`` with a chair named through the page: an expert of the pool whose own record is in village B1, so
    they are conflicted with the third item (向阳村)."""
    chair = make_expert("chair", org=tree.village_b1, grant_org=tree.county)
    resp = login(personas.dept_admin).post(reverse("reviews:chair", args=[review.pk]),
                                           {"chair": chair.pk, "reason": "Senior expert"})
    assert resp.status_code == 302
    review.refresh_from_db()
    return chair


def _closed(review, admin):
    services.assign_optimal(admin, review)
    services.change_status(admin, review, RoundStatus.OPEN)
    score_all(review)
    services.change_status(admin, review, RoundStatus.CLOSED)


def test_admin_names_a_chair_audited_notified_and_shown_on_the_round_page(personas, review, chaired, login):
    assert review.chair == chaired
    assert ReviewEvent.objects.filter(round=review, kind="chair", to_value=str(chaired.pk), reason="Senior expert").exists()
    audit = AuditEvent.objects.get(event_type="review.chair")
    assert audit.details == {"from": None, "to": chaired.pk, "reason": "Senior expert"}
    assert Notification.objects.filter(user=chaired, url=reverse("reviews:ranking", args=[review.pk])).exists()
    page = login(personas.dept_admin).get(reverse("reviews:round", args=[review.pk])).content.decode()
    assert 'id="panel-chair"' in page and "专家chair" not in page and str(chaired) in page
    # removing the chair is recorded too
    services.set_chair(personas.dept_admin, review, None, "Ill")
    review.refresh_from_db()
    assert review.chair is None
    assert ReviewEvent.objects.filter(round=review, kind="chair", from_value=str(chaired.pk), to_value="").exists()


def test_chair_records_decisions_and_nothing_else(personas, tree, review, chaired, login):
    admin = personas.dept_admin
    _closed(review, admin)
    first, _second, third = review.test_items
    client = login(chaired)
    assert "Panels you chair" in client.get(reverse("reviews:mine")).content.decode()
    page = client.get(reverse("reviews:ranking", args=[review.pk])).content.decode()
    assert "You chair the panel" in page and "conflict of interest" in page
    assert reverse("reviews:decide", args=[first.pk]) in page
    third_url = reverse("reviews:decide", args=[third.pk])
    assert f'href="{third_url}" class="chair-conflict"' in page  # conflicted: a badge saying why, no button
    assert f'btn-outline-danger" href="{third_url}"' not in page
    assert reverse("reviews:report", args=[review.pk]) not in page  # downloads are the administrator's
    resp = client.post(reverse("reviews:decide", args=[first.pk]), {"decision": "approved", "reason": "Clear winner"})
    assert resp.status_code == 302
    pd = PanelDecision.objects.get(item=first)
    assert pd.decided_by == chaired and pd.reason == "Clear winner"
    assert AuditEvent.objects.get(event_type="review.decide").details["as"] == "chair"
    # and only that: assignment, round edits, status changes, the chair itself are refused (403)
    for method, name, data in (("post", "assignment", {"action": "optimal"}), ("get", "assignment", None),
                               ("get", "round", None), ("post", "round_status", {"to": "decided"}),
                               ("post", "item_add", {"title": "x", "org": tree.village_a2.pk}),
                               ("post", "chair", {"chair": ""}), ("post", "remind", {}), ("get", "conflicts", None),
                               ("get", "export", None)):
        resp = getattr(client, method)(reverse(f"reviews:{name}", args=[review.pk]), data or {})
        assert resp.status_code == 403, name
    with pytest.raises(PermissionDenied):
        services.change_status(chaired, review, RoundStatus.DECIDED)
    with pytest.raises(PermissionDenied):
        services.set_chair(chaired, review, None)
    assert ReviewItem.objects.filter(round=review).count() == 3


def test_a_conflicted_chair_cannot_decide_that_item(personas, review, chaired, login):
    _closed(review, personas.dept_admin)
    third = review.test_items[2]  # 向阳村: the chair's own village
    client = login(chaired)
    page = client.get(reverse("reviews:decide", args=[third.pk])).content.decode()
    assert 'id="chair-conflict"' in page and "向阳村党支部" in page and "Record decision" not in page
    resp = client.post(reverse("reviews:decide", args=[third.pk]), {"decision": "approved", "reason": "x"}, follow=True)
    assert "conflict of interest with this item" in resp.content.decode()
    with pytest.raises(ValidationError, match="conflict of interest"):
        services.decide(chaired, third, "approved", "x")
    assert not PanelDecision.objects.filter(item=third).exists()
    # a recusal counts too, wherever the chair's organization is
    second = review.test_items[1]
    Conflict.objects.create(round=review, expert=chaired, item=second, reason="My cousin leads it", source="declared")
    with pytest.raises(ValidationError, match="My cousin"):
        services.decide(chaired, second, "approved", "x")
    # the administrator decides it, as before
    services.decide(personas.dept_admin, third, "rejected", "Weak")
    assert PanelDecision.objects.get(item=third).decided_by == personas.dept_admin


def test_chair_of_another_round_gets_404(personas, tree, review, chaired, login):
    _closed(review, personas.dept_admin)
    other_chair = make_expert("other_chair", grant_org=tree.county)
    other = make_round(personas.dept_admin, tree.county, title="Another round")
    services.set_chair(personas.dept_admin, other, other_chair)
    client = login(other_chair)
    assert client.get(reverse("reviews:ranking", args=[other.pk])).status_code == 200
    assert client.get(reverse("reviews:ranking", args=[review.pk])).status_code == 404
    item = review.test_items[0]
    assert client.get(reverse("reviews:decide", args=[item.pk])).status_code == 404
    assert client.post(reverse("reviews:decide", args=[item.pk]), {"decision": "approved", "reason": "x"}).status_code == 404
    with pytest.raises(PermissionDenied):
        services.decide(other_chair, item, "approved", "x")
    # an expert of the pool who chairs nothing sees no ranking either
    assert login(personas.expert).get(reverse("reviews:ranking", args=[review.pk])).status_code == 404


def test_chair_candidates_and_refusals(personas, tree, review, login):
    admin = personas.dept_admin
    town_b_admin = make_user("town_b_admin", Role.DEPT_ADMIN, tree.town_b)  # below the round's county: eligible
    far = make_expert("far", grant_org=tree.other)
    unavailable = make_expert("resting", grant_org=tree.county, available=False)
    candidates = {u.pk for u in services.chair_candidates(review)}
    assert town_b_admin.pk in candidates and admin.pk in candidates
    for user in (far, unavailable, personas.org_admin_a, personas.member_a):
        assert user.pk not in candidates
        with pytest.raises(ValidationError):
            services.set_chair(admin, review, user)
    resp = login(admin).post(reverse("reviews:chair", args=[review.pk]), {"chair": far.pk})
    assert resp.status_code == 200 and "Select a valid choice" in resp.content.decode()
    # the page is the administrator's: 404 for anyone who does not see the round
    assert login(personas.expert).get(reverse("reviews:chair", args=[review.pk])).status_code == 404
    # a department administrator below the round chairs it: the round list opens its ranking; the tree conflicts
    # them with the item of their own town (B1 lies in town B)
    services.set_chair(admin, review, town_b_admin)
    _closed(review, admin)
    client = login(town_b_admin)
    listing = client.get(reverse("reviews:index")).content.decode()
    assert reverse("reviews:ranking", args=[review.pk]) in listing and "you chair the panel" in listing
    services.decide(town_b_admin, review.test_items[0], "approved", "Good")
    with pytest.raises(ValidationError, match="龙泉镇党委"):
        services.decide(town_b_admin, review.test_items[2], "approved", "Good")
    # decided: the chair cannot change any more
    for item in review.test_items[1:]:
        services.decide(admin, item, "approved", "Fine")
    services.change_status(admin, review, RoundStatus.DECIDED)
    with pytest.raises(InvalidTransition):
        services.set_chair(admin, review, None)
    assert "can no longer change" in login(admin).get(reverse("reviews:chair", args=[review.pk])).content.decode()


# --- bids entered by the administrator ------------------------------------------------------------------------------

@pytest.fixture
def bidding(personas, tree):
    admin = personas.dept_admin
    a = make_expert("bidder_a", grant_org=tree.county, fields="党员 积分 管理")
    b = make_expert("bidder_b", grant_org=tree.county, fields="乡村 振兴 产业")
    r = make_round(admin, tree.county, reviews_per_item=1, max_load=1, bidding=True)
    items = [services.add_item(admin, r, {"title": "党员积分管理", "text": "党员 积分 管理", "org": tree.village_a2}),
             services.add_item(admin, r, {"title": "乡村振兴产业", "text": "乡村 振兴 产业", "org": tree.village_b1})]
    return admin, r, (a, b), items


def test_admin_enters_bids_for_an_expert_marked_audited_and_notified(bidding, login):
    admin, r, (a, _b), items = bidding
    url = reverse("reviews:bids", args=[r.pk])
    client = login(admin)
    page = client.get(url).content.decode()
    assert 'id="bid-expert"' in page and str(a) in page and 'id="bid-form"' not in page
    resp = client.post(f"{url}?expert={a.pk}", {f"bid_{items[0].pk}": "interested", f"bid_{items[1].pk}": ""},
                       follow=True)
    body = resp.content.decode()
    assert "Bids saved: 1 changed, 0 removed." in body and f"entered by {admin}" in body
    bid = InterestBid.objects.get()
    assert (bid.expert, bid.level, bid.entered_by) == (a, "interested", admin)
    audit = AuditEvent.objects.get(event_type="review.bid")
    assert audit.actor == admin and audit.details["expert"] == a.pk and audit.details["entered_on_behalf"] is True
    assert ReviewEvent.objects.filter(round=r, kind="bid", actor=admin, from_value=str(a.pk)).exists()
    assert Notification.objects.filter(user=a, title__contains=r.title).exists()
    # the expert sees who entered it; changing it makes it theirs
    expert_client = login(a)
    assert f"entered by {admin}" in expert_client.get(url).content.decode()
    expert_client.post(url, {f"bid_{items[0].pk}": "willing"})
    bid.refresh_from_db()
    assert (bid.level, bid.entered_by) == ("willing", None)
    # the bids count in the assignment like the expert's own
    assert services.bid_summary(r)["total"] == 1


def test_entering_bids_for_an_expert_is_refused_outside_the_rules(personas, tree, bidding, login):
    admin, r, (a, b), items = bidding
    url = reverse("reviews:bids", args=[r.pk])
    far = make_expert("far", grant_org=tree.other)
    assert login(admin).get(f"{url}?expert={far.pk}").status_code == 404  # not in the pool
    with pytest.raises(ValidationError, match="not an available expert"):
        services.save_bids(admin, r, {items[0].pk: "interested"}, expert=far)
    with pytest.raises(PermissionDenied):  # an expert cannot bid for another
        services.save_bids(a, r, {items[0].pk: "interested"}, expert=b)
    with pytest.raises(PermissionDenied):  # nor an administrator of another level
        services.save_bids(personas.org_admin_a, r, {items[0].pk: "interested"}, expert=a)
    # the expert's conflicts hold when the administrator enters the bids
    near = make_expert("near", org=tree.village_a2, grant_org=tree.county)
    with pytest.raises(ValidationError, match="not one you can bid on"):
        services.save_bids(admin, r, {items[0].pk: "interested", items[1].pk: "willing"}, expert=near)
    assert not InterestBid.objects.exists()
    page = login(admin).get(f"{url}?expert={near.pk}").content.decode()
    assert items[1].title in page and items[0].title not in page
    # once the round is open, nobody enters bids
    services.assign_optimal(admin, r)
    services.change_status(admin, r, RoundStatus.OPEN)
    with pytest.raises(InvalidTransition):
        services.save_bids(admin, r, {items[0].pk: "interested"}, expert=a)


# --- the bids page's conflict check in SQL ------------------------------------------------------------------------

def test_biddable_items_in_sql_agree_with_find_conflicts(personas, tree, review):
    """Every tree relation and kind of tie: the SQL exclusion drops exactly what find_conflicts finds."""
    from tupo.accounts.models import User

    admin = personas.dept_admin
    extra = [services.add_item(admin, review, {"title": f"Extra {org.code}", "org": org}, team=team)
             for org, team in ((tree.town_a, []), (tree.county, []), (tree.village_a1, [tree.person_b1]),
                               (tree.town_b, [tree.person_a2]))]
    experts = [
        make_expert("in_town_a", org=tree.town_a, grant_org=tree.county),      # above A1, A1-1, A2
        make_expert("in_a11", org=tree.branch_a11, grant_org=tree.county),     # own branch and everything above
        make_expert("in_a1", org=tree.village_a1, grant_org=tree.county),      # sibling A2 is fine
        make_expert("nowhere", grant_org=tree.county),                          # no organization: no tree conflict
        make_expert("tied", grant_org=tree.county),
        make_expert("recused", grant_org=tree.county),
    ]
    make_user("second_hat", Role.ORG_ADMIN, tree.village_b1)
    services.declare_tie(experts[4], experts[4], kind="relative", person=tree.person_a11)
    services.declare_tie(experts[4], experts[4], kind="former_colleague", org=tree.town_b)
    old = services.declare_tie(experts[3], experts[3], kind="coauthor", org=tree.town_a)
    services.withdraw_tie(experts[3], old, "Never worked together")  # withdrawn: no conflict
    from tupo.accounts.services import grant_role
    from tupo.core.services import SYSTEM

    grant_role(SYSTEM, experts[2], Role.ORG_ADMIN, tree.village_b1)  # a second hat elsewhere counts (not the expert one)
    Conflict.objects.create(round=review, expert=experts[5], item=extra[0], reason="Recused", source="declared")
    items = list(ReviewItem.objects.filter(round=review).select_related("org").prefetch_related("team").order_by("id"))
    assert len(items) == 7
    for e in experts:
        e = User.objects.select_related("person__org").get(pk=e.pk)
        expected = {it.pk for it in items} - {c.item_id for c in services.find_conflicts(review, [e], items)}
        expected -= set(Conflict.objects.filter(round=review, expert=e).values_list("item_id", flat=True))
        got = set(queries.biddable_items(e, review).values_list("pk", flat=True))
        assert got == expected, e.username
    assert set(queries.biddable_items(experts[3], review).values_list("pk", flat=True)) == {it.pk for it in items}
    assert len(set(queries.biddable_items(experts[0], review).values_list("pk", flat=True))) == 2  # B1 and town B


def test_bids_page_query_count_does_not_grow_with_the_round(personas, tree, bidding, login):
    admin, r, (a, _b), _items = bidding
    services.declare_tie(a, a, kind="relative", person=tree.person_a11)
    client = login(a)
    url = reverse("reviews:bids", args=[r.pk])

    def count():
        client.get(url)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(url)
        assert resp.status_code == 200
        return len(ctx.captured_queries)

    few = count()
    for n in range(60):
        services.add_item(admin, r, {"title": f"More {n}", "org": tree.village_b1}, team=[tree.person_b1])
    many = count()
    assert many == few and many <= 25  # ~10 are the base page (session, user, grants, bell)
    body = client.get(url + "?page=2").content.decode()
    assert "Page 2 of 2" in body


# --- declared ties of the pool ------------------------------------------------------------------------------------

@pytest.fixture
def pool_ties(personas, tree, experts):
    e1, e2, _e3 = experts
    far = make_expert("far", grant_org=tree.other)
    services.declare_tie(e1, e1, kind="relative", person=tree.person_b1, note="brother-in-law")
    services.declare_tie(e1, e1, kind="former_colleague", org=tree.town_a)
    services.declare_tie(e1, e1, kind="coauthor", person=tree.person_x)  # a person outside the county
    old = services.declare_tie(e2, e2, kind="adviser", org=tree.village_b1)
    services.withdraw_tie(e2, old, "Graduated in 2010")
    services.declare_tie(far, far, kind="relative", org=tree.other)
    return e1, e2, far


def test_ties_overview_lists_the_pool_filters_and_hides_people_outside(personas, tree, pool_ties, login):
    e1, e2, far = pool_ties
    client = login(personas.dept_admin)
    page = client.get(reverse("reviews:ties")).content.decode()
    assert page.count("<tr") == 1 + 4  # header + e1's three ties + e2's withdrawn one
    assert "赵六" in page and "城关镇党委 (TA)" in page and "Graduated in 2010" in page
    assert "钱七" not in page and tree.person_x.id_number not in page and "A person outside your organizations" in page
    assert "另一县委" not in page
    only_e1 = client.get(reverse("reviews:ties"), {"expert": e1.pk}).content.decode()
    assert only_e1.count("<tr") == 1 + 3
    kind = client.get(reverse("reviews:ties"), {"kind": "adviser"}).content.decode()
    assert kind.count("<tr") == 2 and "Graduated in 2010" in kind
    withdrawn = client.get(reverse("reviews:ties"), {"state": "withdrawn"}).content.decode()
    assert withdrawn.count("<tr") == 2
    active = client.get(reverse("reviews:ties"), {"state": "active", "expert": e2.pk}).content.decode()
    assert "No declared ties." in active
    # the far county's administrator sees only its own expert
    other_admin = make_user("dept_x", Role.DEPT_ADMIN, tree.other)
    page = login(other_admin).get(reverse("reviews:ties")).content.decode()
    assert page.count("<tr") == 2 and str(far) in page


def test_ties_overview_is_404_for_everyone_but_department_administrators(personas, pool_ties, login):
    e1, _e2, _far = pool_ties
    for user in (e1, personas.expert, personas.org_admin_a, personas.leader, personas.member_a, personas.nobody):
        assert login(user).get(reverse("reviews:ties")).status_code == 404, user


def test_ties_overview_withdraws_and_pages_with_a_constant_number_of_queries(personas, tree, experts, login):
    client = login(personas.dept_admin)

    def count(**params):
        client.get(reverse("reviews:ties"), params)
        with CaptureQueriesContext(connection) as ctx:
            resp = client.get(reverse("reviews:ties"), params)
        assert resp.status_code == 200
        return len(ctx.captured_queries), resp.content.decode()

    services.declare_tie(experts[0], experts[0], kind="relative", person=tree.person_a2)
    few, _ = count()
    for n in range(60):
        e = experts[n % 3]
        person = make_person(tree.village_a2, name=f"亲属{n}")
        services.declare_tie(e, e, kind="relative", person=person)
    many, body = count()
    assert many == few and many <= 20
    assert "Page 1 of 2" in body
    # an administrator withdraws from the list and comes back to it
    tie = ExpertTie.objects.order_by("id").first()
    resp = client.post(reverse("reviews:tie_withdraw", args=[tie.pk]),
                       {"reason": "Declared by mistake", "next": reverse("reviews:ties") + "?kind=relative"})
    assert resp.status_code == 302 and resp.url.endswith("?kind=relative")
    tie.refresh_from_db()
    assert tie.withdrawn_by == personas.dept_admin


def test_expert_pool_in_sql_is_the_pool(personas, tree, review, experts):
    from tupo.accounts.models import User

    make_expert("far", grant_org=tree.other)
    make_expert("resting", grant_org=tree.county, available=False)
    make_expert("below", grant_org=tree.town_a)
    expected = {u.pk for u in services.expert_pool(review)}
    assert set(User.objects.filter(queries.expert_pool_q(review)).values_list("pk", flat=True)) == expected
    assert len(expected) == 4  # e1–e3 and the one below
