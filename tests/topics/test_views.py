"""Pages and API of the bidding: permission matrix role × window, crafted requests, who sees which bid."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from tests.topics.helpers import AFTER, BEFORE, OPEN_AT, PLAN, cadre, make_bid, make_call, travel
from tupo.accounts.services import create_token
from tupo.core.services import SYSTEM
from tupo.topics import services
from tupo.topics.choices import BidStatus
from tupo.topics.models import Bid, Call


def _bid_post(title="Posted bid", total="8000"):
    data = {"title": title, "angle": "a", "outline": "o", "method": "m", "expected_outputs": "r",
            "total_budget": total, "service_years": ""}
    for i, m in enumerate(PLAN):
        data[f"ms-{i}-title"], data[f"ms-{i}-due_on"] = m["title"], m["due_on"]
    data["bl-0-item"], data["bl-0-amount"] = "Trips", "5000"
    data["bl-1-item"], data["bl-1-amount"] = "Printing", "3000"
    return data


@pytest.fixture
def windowed(world, tree):
    """A call whose window opens on 2026-03-02 10:00 and closes at the end of 2026-03-20, published beforehand."""
    with travel(BEFORE):
        call = make_call(world.admin, tree.county, [world.topic], starts_at=OPEN_AT, title="Windowed call")
    return call


WINDOWS = {"before": BEFORE, "during": OPEN_AT + dt.timedelta(hours=1), "after": AFTER}
ROLES = ["dept_admin", "org_admin_a", "leader", "liaison_a", "member_a", "cadre_b", "expert", "nobody"]


def _user(name, world, personas):
    return world.b if name == "cadre_b" else getattr(personas, name)


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_start_a_bid(client, login, world, personas, windowed, role, window):
    url = reverse("topics:bid_create", args=[windowed.pk, world.topic.pk])
    with travel(WINDOWS[window]):
        login(_user(role, world, personas))  # a session opened at another time would have gone idle
        r = client.post(url, _bid_post())
    created = Bid.objects.filter(call=windowed).count()
    if role in ("member_a", "cadre_b") and window == "during":
        assert created == 1 and r.status_code == 302
    else:
        assert created == 0
        assert r.status_code in (200, 403, 404)  # form with the window error, refused, or hidden


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_screen_a_bid(client, login, world, personas, windowed, role, window):
    with travel(WINDOWS["during"]):
        bid = make_bid(world.c, windowed, world.topic, submit=True)
    with travel(WINDOWS[window]):
        login(_user(role, world, personas))
        r = client.post(reverse("topics:screening", args=[windowed.pk]), {"bid": bid.pk, "result": "pass"})
    bid.refresh_from_db()
    if role == "dept_admin" and window == "after":
        assert bid.status == BidStatus.SCREENED_PASS
    else:
        assert bid.status == BidStatus.SUBMITTED
        assert r.status_code in (302, 403, 404)


@pytest.mark.parametrize("window", list(WINDOWS))
@pytest.mark.parametrize("role", ROLES)
def test_matrix_see_the_call(client, login, world, personas, windowed, role, window):
    with travel(WINDOWS[window]):
        login(_user(role, world, personas))
        r = client.get(reverse("topics:call", args=[windowed.pk]))
    assert r.status_code == (200 if role in ("dept_admin", "member_a", "cadre_b") else 404)


def test_crafted_posts_after_the_deadline_change_nothing(client, login, world):
    bid = make_bid(world.a, world.call, world.topic)
    with travel(AFTER):
        login(world.a)
        r = client.post(reverse("topics:bid_action", args=[bid.pk, "submit"]), follow=True)
        assert "deadline of this call has passed" in r.content.decode()
        r = client.post(reverse("topics:bid_edit", args=[bid.pk]), {**_bid_post("Late title"), "version": bid.version})
        assert r.status_code == 200 and "deadline of this call has passed" in r.content.decode()
        r = client.post(reverse("topics:bid_create", args=[world.call.pk, world.topic2.pk]), _bid_post())
    bid.refresh_from_db()
    assert bid.status == BidStatus.DRAFT and bid.title == "Village council method"
    assert Bid.objects.filter(call=world.call).count() == 1


def test_double_clicked_submit_is_one_submission(client, login, world):
    bid = make_bid(world.a, world.call, world.topic)
    login(world.a)
    url = reverse("topics:bid_action", args=[bid.pk, "submit"])
    client.post(url)
    client.post(url)
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED and Bid.objects.filter(call=world.call).count() == 1


def test_bid_form_flow_with_rows_and_team(client, login, world):
    login(world.a)
    r = client.post(reverse("topics:bid_create", args=[world.call.pk, world.topic.pk]),
                    {**_bid_post(), "ms-0-due_on": "2028-01-01"})
    assert "outside the project period" in r.content.decode()
    r = client.post(reverse("topics:bid_create", args=[world.call.pk, world.topic.pk]), _bid_post())
    bid = Bid.objects.get(call=world.call)
    assert r.status_code == 302 and bid.milestones.count() == 2 and bid.budget_lines.count() == 2
    client.post(reverse("topics:bid_action", args=[bid.pk, "invite"]), {"id_number": world.c.person.id_number})
    assert bid.team.count() == 2
    login(world.c)
    assert client.get(reverse("topics:my_bids")).content.decode().count(bid.title) >= 1
    client.post(reverse("topics:bid_action", args=[bid.pk, "accept"]))
    login(world.a)
    client.post(reverse("topics:bid_action", args=[bid.pk, "submit"]))
    bid.refresh_from_db()
    assert bid.status == BidStatus.SUBMITTED


def test_bids_are_invisible_to_other_bidders(client, login, world, personas):
    mine = make_bid(world.a, world.call, world.topic, submit=True, title="Mine: village councils")
    theirs = make_bid(world.b, world.call, world.topic2, submit=True, title="Theirs: new industries")
    login(world.b)
    assert client.get(reverse("topics:bid", args=[mine.pk])).status_code == 404
    assert client.get(reverse("topics:bid", args=[theirs.pk])).status_code == 200
    page = client.get(reverse("topics:my_bids")).content.decode()
    assert mine.title not in page
    assert client.get(reverse("topics:call_export", args=[world.call.pk])).status_code == 403
    assert client.get(reverse("topics:screening", args=[world.call.pk])).status_code == 403
    call_page = client.get(reverse("topics:call", args=[world.call.pk])).content.decode()
    assert mine.title not in call_page
    for other in (personas.org_admin_a, personas.leader, personas.liaison_a, personas.expert):
        login(other)
        assert client.get(reverse("topics:bid", args=[mine.pk])).status_code == 404
    login(world.admin)
    assert client.get(reverse("topics:bid", args=[mine.pk])).status_code == 200
    r = client.get(reverse("topics:call_export", args=[world.call.pk]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/vnd.openxml")


def test_assigned_reviewer_sees_the_bid(world, tree):
    from tests.factories import make_user
    from tupo.accounts.choices import Role
    from tupo.reviews.models import Assignment, ReviewItem

    expert = make_user("rev", Role.EXPERT, tree.county)
    bid = make_bid(world.a, world.call, world.topic, submit=True)
    with travel(AFTER):
        services.screen_bid(world.admin, bid, True)
        rnd = services.send_to_review(world.admin, world.call)
    assert not Bid.objects.visible_to(expert).exists()
    Assignment.objects.create(round=rnd, expert=expert, item=ReviewItem.objects.get(round=rnd))
    assert list(Bid.objects.visible_to(expert)) == [bid]


def test_open_calls_explain_why_not(client, login, world, tree):
    old = cadre("old_cadre", tree.village_a1, birth=dt.date(1970, 1, 1))
    make_call(world.admin, tree.county, [world.topic], max_principal_age=35, title="Young cadres only")
    login(old)
    page = client.get(reverse("topics:calls")).content.decode()
    assert "Young cadres only" in page and "at most 35 years old" in page


def test_admin_pages_full_flow(client, login, world, tree):
    login(world.admin)
    r = client.post(reverse("topics:call_create"), {
        "title": "Page call", "topics": [world.topic.pk], "deadline_workdays": 10, "team_min": 1, "team_max": 5,
        "one_bid_per_person": "on", "block_unfinished": "on", "awards_per_topic": 1,
        "criteria": "Innovation: 60\nFeasibility: 40"})
    call = Call.objects.get(title="Page call")
    assert r.status_code == 302 and call.criteria == [{"name": "Innovation", "weight": 60},
                                                      {"name": "Feasibility", "weight": 40}]
    client.post(reverse("topics:call_publish", args=[call.pk]))
    call.refresh_from_db()
    assert call.status == "published" and call.ends_at is not None
    bid = make_bid(world.a, call, world.topic, submit=True)
    with travel(call.ends_at + dt.timedelta(days=1)):
        login(world.admin)
        client.post(reverse("topics:screening", args=[call.pk]), {"bid": bid.pk, "result": "pass"})
        assert client.get(reverse("topics:ranking", args=[call.pk])).status_code == 200
        client.post(reverse("topics:ranking", args=[call.pk]), {"action": "award", "bid": bid.pk, "reason": "Best"})
        client.post(reverse("topics:ranking", args=[call.pk]), {"action": "finish"})
    call.refresh_from_db()
    bid.refresh_from_db()
    assert bid.status == BidStatus.AWARDED and call.status == "awarded" and bid.project
    for name in ("topics:calls", "topics:topics", "topics:my_bids"):
        assert client.get(reverse(name)).status_code == 200


# --- API ----------------------------------------------------------------------------------------------------

def _auth(user):
    _t, key = create_token(SYSTEM, user, name="t", days=30)
    return {"HTTP_AUTHORIZATION": f"Bearer {key}"}


def _api_bid(topic_id):
    return {"topic_id": topic_id, "title": "API bid", "total_budget": "8000",
            "budget_lines": [{"item": "x", "amount": "8000"}], "milestones": [{"title": "m", "due_on": "2026-06-30"}]}


def test_api_bid_lifecycle_and_visibility(client, world):
    a, b = _auth(world.a), _auth(world.b)
    r = client.post(f"/api/v1/topics/calls/{world.call.pk}/bids", _api_bid(world.topic.pk),
                    content_type="application/json", **a)
    assert r.status_code == 201, r.content
    bid_id = r.json()["id"]
    assert client.post(f"/api/v1/topics/bids/{bid_id}/submit", **a).json()["status"] == "submitted"
    assert client.post(f"/api/v1/topics/bids/{bid_id}/submit", **a).status_code == 200
    assert Bid.objects.filter(call=world.call).count() == 1
    assert client.get(f"/api/v1/topics/bids/{bid_id}", **b).status_code == 404
    assert client.get("/api/v1/topics/bids", **b).json() == []
    assert client.post(f"/api/v1/topics/bids/{bid_id}/withdraw", {"reason": "x"}, content_type="application/json",
                       **b).status_code == 404
    assert client.get(f"/api/v1/topics/calls/{world.call.pk}/eligibility", **a).json()["reasons"][0]["rule"] == "one_bid"
    with travel(AFTER):
        r = client.post(f"/api/v1/topics/bids/{bid_id}/withdraw", {"reason": "x"}, content_type="application/json", **a)
        assert r.status_code == 409
        r = client.post(f"/api/v1/topics/calls/{world.call.pk}/bids", _api_bid(world.topic2.pk),
                        content_type="application/json", **b)
        assert r.status_code == 409


def test_api_bad_budget_is_422(client, world):
    a = _auth(world.a)
    r = client.post(f"/api/v1/topics/calls/{world.call.pk}/bids", {**_api_bid(world.topic.pk), "total_budget": "1"},
                    content_type="application/json", **a)
    bid_id = r.json()["id"]
    r = client.post(f"/api/v1/topics/bids/{bid_id}/submit", **a)
    assert r.status_code == 422 and "add up" in str(r.json()["errors"])


def test_api_calls_hide_drafts_from_cadres(client, world, tree):
    draft = make_call(world.admin, tree.county, [world.topic], publish=False, title="Secret draft")
    assert draft.pk not in [c["id"] for c in client.get("/api/v1/topics/calls", **_auth(world.a)).json()]
    assert draft.pk in [c["id"] for c in client.get("/api/v1/topics/calls", **_auth(world.admin)).json()]


def test_attachments_checked_and_private(client, login, world, settings, tmp_path):
    from django.core.files.uploadedfile import SimpleUploadedFile

    settings.MEDIA_ROOT = tmp_path
    bid = make_bid(world.a, world.call, world.topic)
    login(world.a)
    url = reverse("topics:bid_action", args=[bid.pk, "attach"])
    r = client.post(url, {"file": SimpleUploadedFile("evil.pdf", b"MZ\\x90\\x00 not a pdf")}, follow=True)
    assert "not accepted" in r.content.decode() and bid.attachments.count() == 0
    from tupo.cases import uploads

    big = SimpleUploadedFile("big.pdf", b"%PDF-1.4 " + b"0" * (uploads.MAX_ATTACHMENT_BYTES + 1))
    r = client.post(url, {"file": big}, follow=True)
    assert "too large" in r.content.decode() and bid.attachments.count() == 0
    client.post(url, {"file": SimpleUploadedFile("outline.pdf", b"%PDF-1.4 outline")})
    att = bid.attachments.get()
    r = client.get(reverse("topics:attachment", args=[bid.pk, att.pk]))
    assert r.status_code == 200 and r["X-Content-Type-Options"] == "nosniff"
    login(world.b)
    assert client.get(reverse("topics:attachment", args=[bid.pk, att.pk])).status_code == 404
    with travel(AFTER):
        login(world.a)
        r = client.post(url, {"file": SimpleUploadedFile("late.pdf", b"%PDF-1.4 late")}, follow=True)
    assert "deadline of this call has passed" in r.content.decode() and bid.attachments.count() == 1


def test_call_attachments_are_uploaded_by_the_department_and_read_by_the_call_readers(client, login, world, personas):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tupo.topics.models import CallAttachment

    pdf = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
    login(world.admin)
    r = client.post(reverse("topics:call_attach", args=[world.call.pk]),
                    {"file": SimpleUploadedFile("招标公告全文.pdf", pdf, content_type="application/pdf")})
    assert r.status_code == 302
    att = CallAttachment.objects.get(call=world.call)
    login(world.b)  # a cadre in scope reads it
    got = client.get(reverse("topics:call_attachment", args=[world.call.pk, att.pk]))
    assert got.status_code == 200 and got["Content-Type"] == "application/pdf"
    r = client.post(reverse("topics:call_attach", args=[world.call.pk]),
                    {"file": SimpleUploadedFile("x.pdf", pdf, content_type="application/pdf")})
    assert r.status_code == 403 and CallAttachment.objects.count() == 1
    login(personas.auditadmin)
    assert client.get(reverse("topics:call_attachment", args=[world.call.pk, att.pk])).status_code == 404
