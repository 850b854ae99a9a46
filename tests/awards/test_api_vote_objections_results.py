"""API of the online vote, objection handling and the public results: the same services and the same rules as
the pages (404 for what the user may not see, 403 for what they may see but not change, 422 for bad input)."""

from __future__ import annotations

import pytest
from django.test import Client

from tests.awards.helpers import AFTER_PERIOD, IN_PERIOD, REVIEW_DAY, build, travel
from tests.awards.helpers import in_review_with_vote as in_review
from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.accounts.services import create_token
from tupo.awards import services
from tupo.awards.models import Ballot
from tupo.core.models import AuditEvent, Notification
from tupo.core.services import SYSTEM


@pytest.fixture
def api(client):
    """Calls the API with a bearer token of the given user: api(user).get(path) / .post(path, payload)."""

    class Caller:
        def __init__(self, user):
            _t, key = create_token(SYSTEM, user, name="api", days=None)
            self.h = {"HTTP_AUTHORIZATION": f"Bearer {key}"}

        def get(self, path):
            return client.get(f"/api/v1{path}", **self.h)

        def post(self, path, payload):
            return client.post(f"/api/v1{path}", payload, content_type="application/json", **self.h)

    return Caller


# --- the online vote ---------------------------------------------------------------------------------------------

def test_a_member_lists_open_ballots_and_votes_once_per_category(tree, personas, api):
    w = in_review(tree, personas)
    member = api(personas.member_a)
    with travel(REVIEW_DAY):
        listed = member.get("/awards/votes").json()
        assert [c["id"] for c in listed] == [w.cycle.pk]
        assert listed[0]["is_open"] and listed[0]["max_choices"] == 2
        cats = {c["category"]: c for c in listed[0]["categories"]}
        assert {e["id"] for e in cats["围绕中心"]["entries"]} == {w.a1.pk, w.b1.pk}
        assert not cats["围绕中心"]["voted"]
        r = member.post(f"/awards/votes/{w.cycle.pk}/ballots", {"category": "围绕中心",
                                                                "nominations": [w.a1.pk, w.b1.pk]})
        assert r.status_code == 201 and r.json()["nominations"] == sorted([w.a1.pk, w.b1.pk])
        again = member.post(f"/awards/votes/{w.cycle.pk}/ballots", {"category": "围绕中心", "nominations": [w.a1.pk]})
        assert again.status_code == 422 and "already voted" in str(again.json()["errors"])
        cats = {c["category"]: c for c in member.get(f"/awards/votes/{w.cycle.pk}").json()["categories"]}
    assert cats["围绕中心"]["voted"] and not cats["服务群众"]["voted"]
    assert Ballot.objects.count() == 1
    assert AuditEvent.objects.filter(event_type="award.vote.cast").count() == 1


def test_bad_ballots_get_422_with_the_field_and_nothing_is_cast(tree, personas, api):
    w = in_review(tree, personas, max_choices=1)
    member = api(personas.member_a)
    url = f"/awards/votes/{w.cycle.pk}/ballots"
    with travel(REVIEW_DAY):
        for payload, field, text in (
                ({"category": "围绕中心", "nominations": []}, "nominations", "at least one"),
                ({"category": "围绕中心", "nominations": [w.a1.pk, w.b1.pk]}, "nominations", "at most 1"),
                ({"category": "围绕中心", "nominations": [w.a2.pk]}, "nominations", "of this category"),
                ({"category": "不存在", "nominations": [w.a1.pk]}, "category", "categories")):
            r = member.post(url, payload)
            assert r.status_code == 422 and text in " ".join(r.json()["errors"][field]), payload
        assert member.post(url, {"category": "围绕中心", "nominations": "a1"}).status_code == 422  # not a list
    assert not Ballot.objects.exists()


def test_the_vote_is_hidden_from_outsiders_and_closed_outside_the_window(tree, personas, api):
    w = in_review(tree, personas)
    url = f"/awards/votes/{w.cycle.pk}/ballots"
    payload = {"category": "围绕中心", "nominations": [w.a1.pk]}
    outsider = make_user("member_x", Role.MEMBER, tree.other)
    with travel(REVIEW_DAY):
        for user in (outsider, personas.org_admin_a, personas.dept_admin, personas.expert):
            caller = api(user)
            assert caller.get("/awards/votes").json() == []
            assert caller.get(f"/awards/votes/{w.cycle.pk}").status_code == 404
            assert caller.post(url, payload).status_code == 404
    with travel(AFTER_PERIOD):  # the window ended on 25 Sep: visible, but no ballot is taken
        r = api(personas.member_a).post(url, payload)
    assert r.status_code == 409 and "Voting is open from 2026-09-21 to 2026-09-25" in r.json()["detail"]
    assert Client().post(f"/api/v1{url}", payload, content_type="application/json").status_code == 401  # no token
    assert not Ballot.objects.exists()


# --- objections --------------------------------------------------------------------------------------------------

def objected(tree, personas):
    w = build(tree, personas)
    with travel(IN_PERIOD):
        w.objection = services.submit_online_objection(w.cycle, {
            "name": "王某", "contact": "13800000000", "content": "材料不实", "nomination": w.a1.pk}, ip="10.0.0.9")
    w.town_staff = make_user("town_staff", Role.DEPT_ADMIN, tree.town_a)  # department staff, not the cycle's admin
    return w


def test_the_admin_assigns_a_handler_who_answers_through_the_api(tree, personas, api):
    w = objected(tree, personas)
    admin, handler = api(personas.dept_admin), api(w.town_staff)
    o = w.objection.pk
    with travel(IN_PERIOD):
        assert handler.get(f"/awards/objections/{o}").status_code == 404  # not theirs yet
        assert [x["receipt"] for x in admin.get(f"/awards/cycles/{w.cycle.pk}/objections").json()] == [
            w.objection.receipt]
        r = admin.post(f"/awards/objections/{o}/handler", {"handler_id": w.town_staff.pk})
        assert r.status_code == 200 and r.json()["handler"] == "town_staff"
        assert Notification.objects.filter(user=w.town_staff).exists()
        mine = handler.get("/awards/objections/mine").json()
        assert [(x["id"], x["reply_due"], x["overdue"]) for x in mine] == [(o, "2026-10-22", False)]
        detail = handler.get(f"/awards/objections/{o}").json()
        assert detail["content"] == "材料不实" and detail["status"] == "open"
        # the handler may neither reassign nor withdraw the entry (403, audited), and nothing changes
        assert handler.post(f"/awards/objections/{o}/handler", {"handler_id": w.town_staff.pk}).status_code == 403
        r = handler.post(f"/awards/objections/{o}/answer", {"outcome": "upheld", "findings": "属实", "withdraw": True})
        assert r.status_code == 403
        assert AuditEvent.objects.filter(event_type="denied:awards.manage_cycle").exists()
        r = handler.post(f"/awards/objections/{o}/answer", {"outcome": "rejected", "findings": "经核实，材料属实。",
                                                            "reply_on": "2026-10-12"})
        assert r.status_code == 200
        again = handler.post(f"/awards/objections/{o}/answer", {"outcome": "upheld", "findings": "再议"})
    assert r.json()["outcome"] == "rejected" and r.json()["reply_on"] == "2026-10-12"
    assert again.status_code == 409 and "answered already" in again.json()["detail"]
    w.a1.refresh_from_db()
    assert w.a1.status == "awarded"
    assert AuditEvent.objects.filter(event_type="award.objection.resolve").count() == 1


def test_the_admin_withdraws_and_promotes_through_the_api(tree, personas, api):
    w = objected(tree, personas)
    admin = api(personas.dept_admin)
    with travel(IN_PERIOD):
        r = admin.post(f"/awards/objections/{w.objection.pk}/answer", {
            "outcome": "upheld", "findings": "材料不实，撤销。", "withdraw": True, "promote_id": w.b1.pk})
    assert r.status_code == 200, r.json()
    w.a1.refresh_from_db()
    w.b1.refresh_from_db()
    assert (w.a1.status, w.b1.status, w.b1.grade) == ("withdrawn", "awarded", "first")


def test_bad_answers_and_handlers_get_422_and_the_objection_stays_open(tree, personas, api):
    w = objected(tree, personas)
    admin = api(personas.dept_admin)
    o = w.objection.pk
    far = make_user("far_admin", Role.DEPT_ADMIN, tree.other)
    with travel(IN_PERIOD):
        for payload, field in (({"outcome": "upheld", "findings": "  "}, "findings"),
                               ({"outcome": "maybe", "findings": "x"}, "outcome"),
                               ({"outcome": "rejected", "findings": "x", "withdraw": True}, "outcome"),
                               ({"outcome": "upheld", "findings": "x", "withdraw": True, "promote_id": 999999},
                                "promote_id")):
            r = admin.post(f"/awards/objections/{o}/answer", payload)
            assert r.status_code == 422 and field in r.json()["errors"], payload
        assert admin.post(f"/awards/objections/{o}/answer", {"findings": "x"}).status_code == 422  # no outcome
        for handler_id in (far.pk, personas.member_a.pk, 999999):
            r = admin.post(f"/awards/objections/{o}/handler", {"handler_id": handler_id})
            assert r.status_code == 422 and "department's staff" in r.json()["errors"]["handler"][0]
    w.objection.refresh_from_db()
    assert (w.objection.status, w.objection.handler) == ("open", None)


def test_objections_are_hidden_from_everyone_else(tree, personas, api):
    w = objected(tree, personas)
    for user in (personas.org_admin_a, personas.member_a, personas.leader, personas.expert, w.town_staff):
        caller = api(user)
        assert caller.get(f"/awards/objections/{w.objection.pk}").status_code == 404
        assert caller.post(f"/awards/objections/{w.objection.pk}/answer",
                           {"outcome": "rejected", "findings": "x"}).status_code == 404
        assert caller.post(f"/awards/objections/{w.objection.pk}/handler",
                           {"handler_id": w.town_staff.pk}).status_code == 404
        assert caller.get("/awards/objections/mine").json() == []
    # the nominating administrator sees the cycle, but not its objections
    assert api(personas.org_admin_a).get(f"/awards/cycles/{w.cycle.pk}/objections").json() == []


# --- public results ----------------------------------------------------------------------------------------------

def test_public_results_after_close_without_login_and_nothing_more(tree, personas, client):
    w = build(tree, personas)
    url = f"/api/v1/awards/public/{w.cycle.pk}/results"
    with travel(IN_PERIOD):
        assert client.get(url).status_code == 404  # notice period: no results yet
        obj = services.submit_online_objection(w.cycle, {"name": "异议人甲", "contact": "13900000000",
                                                         "content": "材料不实", "nomination": w.a2.pk}, ip="10.0.0.8")
        services.resolve_objection(personas.dept_admin, obj, outcome="rejected", findings="经核实，驳回。")
    with travel(AFTER_PERIOD):
        services.change_status(personas.dept_admin, w.cycle, "closed")
        r = client.get(url)
    data = r.json()
    assert r.status_code == 200
    assert (data["approval_ref"], data["closed_on"]) == ("县表审〔2026〕3号", "2026-10-14")
    assert [(g["name"], g["count"]) for g in data["grades"]] == [("一等奖", 1), ("二等奖", 1)]
    first = data["grades"][0]["categories"][0]
    assert first["category"] == "围绕中心" and first["entries"][0]["title"] == w.a1.title
    text = r.content.decode()
    for hidden in (w.b1.title, "aw_expert1", "张三", "情况属实", "异议人甲", "13900000000", "经核实", "score"):
        assert hidden not in text, hidden
    assert client.get(f"/api/v1/awards/public/{w.cycle.pk + 99}/results").status_code == 404
