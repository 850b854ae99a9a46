"""Meetings through the API (bearer token): the same services, visibility and refusals as the pages.

Personas (tests/conftest.py): org_admin_a manages town A (the meeting's host), dept_admin the county; leader and
liaison_a see town A's meetings but may not change them (403); org_admin_b, expert and member_a do not see them (404).
"""

import datetime as dt

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from tests.cases.factories import make_case, publish
from tupo.accounts.services import create_token
from tupo.core.models import AuditEvent, Notification
from tupo.core.services import SYSTEM
from tupo.meetings import services
from tupo.meetings.models import Attendance, FollowUpAction, FollowUpEvent, Meeting, MeetingFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"
REFUSED = [("leader", 403), ("liaison_a", 403), ("org_admin_b", 404), ("expert", 404), ("member_a", 404)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


def bearer(user) -> dict:
    return {"HTTP_AUTHORIZATION": f"Bearer {create_token(SYSTEM, user, name='t')[1]}"}


@pytest.fixture
def meeting(tree, personas):
    start = timezone.make_aware(dt.datetime(2026, 6, 3, 14, 0))
    return services.create_meeting(personas.org_admin_a, tree.town_a, {
        "kind": "exchange", "title": "基层治理经验交流会", "starts_at": start, "place": "镇会议室"})


def _new(org, **kw):
    return {"host_org": org.pk, "kind": "onsite", "title": "乡村振兴现场会", "starts_at": "2026-06-10T09:00:00+08:00",
            "place": "幸福村", "agenda": "一、参观\n二、交流", **kw}


# --- create and edit -------------------------------------------------------------------------------------

def test_staff_create_meeting_with_cases_and_invitations(tree, personas, client):
    case = publish(make_case(personas.org_admin_a, tree.village_a1), personas.org_admin_a, personas.dept_admin)
    r = client.post("/api/v1/meetings", _new(tree.town_a, cases=[case.pk], invited_orgs=[tree.village_a2.pk],
                                            invited_people=[tree.person_a11.pk]),
                    content_type="application/json", **bearer(personas.org_admin_a))
    assert r.status_code == 201, r.content
    body = r.json()
    m = Meeting.objects.get(pk=body["id"])
    assert (m.title, m.kind, m.host_org, m.version, m.created_by) == ("乡村振兴现场会", "onsite", tree.town_a, 1,
                                                                       personas.org_admin_a)
    assert body["case_ids"] == [case.pk] and body["invited_org_ids"] == [tree.village_a2.pk]
    assert body["invited_person_ids"] == [tree.person_a11.pk]
    assert timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-06-10 09:00"
    assert AuditEvent.objects.filter(event_type="meeting.create").count() == 1
    assert Notification.objects.filter(user=personas.member_a, url=m.get_absolute_url()).exists()
    got = client.get(f"/api/v1/meetings/{m.pk}", **bearer(personas.leader)).json()
    assert got["version"] == 1 and got["agenda"] == "一、参观\n二、交流"


@pytest.mark.parametrize("changes,field", [
    ({"title": ""}, "title"), ({"kind": "party"}, "kind"), ({"starts_at": "tomorrow"}, "starts_at"),
    ({"ends_at": "2026-06-10T08:00:00+08:00"}, "ends_at"), ({"place": "   "}, "place"),
])
def test_create_bad_input_is_422_and_writes_nothing(tree, personas, client, changes, field):
    r = client.post("/api/v1/meetings", _new(tree.town_a, **changes), content_type="application/json",
                    **bearer(personas.org_admin_a))
    assert r.status_code == 422, r.content
    assert field in r.content.decode()
    assert not Meeting.objects.exists() and not AuditEvent.objects.filter(event_type="meeting.create").exists()


def test_create_refusals(tree, personas, client):
    h = bearer(personas.org_admin_a)
    post = lambda data, hh=h: client.post("/api/v1/meetings", data, content_type="application/json", **hh)  # noqa: E731
    assert post(_new(tree.town_a), bearer(personas.leader)).status_code == 403  # sees town A, manages nothing
    assert post(_new(tree.town_b)).status_code == 404  # town B is outside org_admin_a's view
    assert post(_new(tree.town_a, invited_orgs=[tree.town_b.pk])).status_code == 404  # never named
    assert post(_new(tree.town_a, invited_people=[tree.person_b1.pk])).status_code == 404
    draft = make_case(personas.org_admin_a, tree.village_a1)
    r = post(_new(tree.town_a, cases=[draft.pk]))
    assert r.status_code == 422 and "Only published cases" in r.json()["errors"]["cases"][0]
    # The department sees B1's people but they are outside town A's meeting: refused by name, nothing written.
    r = post(_new(tree.town_a, invited_people=[tree.person_b1.pk]), bearer(personas.dept_admin))
    assert r.status_code == 422 and "赵六" in r.json()["errors"]["invited_people"][0]
    assert client.post("/api/v1/meetings", _new(tree.town_a), content_type="application/json").status_code == 401
    assert not Meeting.objects.exists()


def test_edit_with_version_and_stale_version_is_409(tree, personas, client, meeting):
    h = bearer(personas.org_admin_a)
    r = client.patch(f"/api/v1/meetings/{meeting.pk}", {"version": 1, "title": "改期后的交流会", "place": "县党校",
                                                         "minutes": "会议纪要", "host_org": tree.village_a1.pk},
                     content_type="application/json", **h)
    assert r.status_code == 200, r.content
    assert (r.json()["title"], r.json()["version"], r.json()["host_org_id"]) == ("改期后的交流会", 2, tree.village_a1.pk)
    m = Meeting.objects.get(pk=meeting.pk)
    assert (m.place, m.minutes, m.kind, m.org_path) == ("县党校", "会议纪要", "exchange", tree.village_a1.path)
    r = client.patch(f"/api/v1/meetings/{meeting.pk}", {"version": 1, "title": "我的改动"},
                     content_type="application/json", **h)
    assert r.status_code == 409 and "Someone else changed this record" in r.json()["detail"]
    assert Meeting.objects.get(pk=meeting.pk).title == "改期后的交流会"
    r = client.patch(f"/api/v1/meetings/{meeting.pk}", {"title": "无版本"}, content_type="application/json", **h)
    assert r.status_code == 422  # the version is required
    assert AuditEvent.objects.filter(event_type="meeting.update").count() == 1


@pytest.mark.parametrize("changes", [{"title": ""}, {"title": None}, {"ends_at": "2026-06-01T10:00:00+08:00"},
                                     {"kind": "x"}, {"host_org": 999999}])
def test_edit_bad_input_keeps_the_meeting(tree, personas, client, meeting, changes):
    r = client.patch(f"/api/v1/meetings/{meeting.pk}", {"version": 1, **changes}, content_type="application/json",
                     **bearer(personas.org_admin_a))
    assert r.status_code in (404, 422), r.content
    m = Meeting.objects.get(pk=meeting.pk)
    assert (m.title, m.version, m.ends_at, m.host_org) == ("基层治理经验交流会", 1, None, tree.town_a)


@pytest.mark.parametrize("who,status", REFUSED)
def test_edit_refused_roles(tree, personas, client, meeting, who, status):
    r = client.patch(f"/api/v1/meetings/{meeting.pk}", {"version": 1, "title": "x"}, content_type="application/json",
                     **bearer(getattr(personas, who)))
    assert r.status_code == status
    assert Meeting.objects.get(pk=meeting.pk).title == "基层治理经验交流会"


# --- invitations -----------------------------------------------------------------------------------------

def test_invite_and_withdraw(tree, personas, client, meeting):
    h = bearer(personas.org_admin_a)
    url = f"/api/v1/meetings/{meeting.pk}/invitations"
    r = client.post(url, {"orgs": [tree.village_a2.pk], "people": [tree.person_a11.pk]}, content_type="application/json", **h)
    assert r.status_code == 200 and (r.json()["new_orgs"], r.json()["new_people"]) == (1, 1)
    r = client.post(url, {"people": [tree.person_a11.pk]}, content_type="application/json", **h)
    assert (r.json()["new_orgs"], r.json()["new_people"]) == (0, 0)  # already invited: nothing changed
    assert Notification.objects.filter(user=personas.member_a).count() == 1
    r = client.delete(f"{url}/people/{tree.person_a11.pk}", **h)
    assert r.status_code == 200 and r.json()["invited_person_ids"] == []
    assert client.delete(f"{url}/people/{tree.person_a11.pk}", **h).status_code == 404  # no longer invited
    assert client.delete(f"{url}/orgs/{tree.village_a2.pk}", **h).json()["invited_org_ids"] == []
    assert AuditEvent.objects.filter(event_type="meeting.uninvite").count() == 2


def test_invite_refusals_write_nothing(tree, personas, client, meeting):
    url = f"/api/v1/meetings/{meeting.pk}/invitations"
    h = bearer(personas.org_admin_a)
    assert client.post(url, {"people": [tree.person_b1.pk]}, content_type="application/json", **h).status_code == 404
    assert client.post(url, {"orgs": [tree.town_b.pk]}, content_type="application/json", **h).status_code == 404
    r = client.post(url, {"orgs": [tree.village_a2.pk], "people": [tree.person_b1.pk]}, content_type="application/json",
                    **bearer(personas.dept_admin))  # B1's person is outside the scope: the whole call is refused
    assert r.status_code == 422 and "赵六" in r.json()["errors"]["invited_people"][0]
    r = client.post(url, {}, content_type="application/json", **h)
    assert r.status_code == 422 and "Choose an organization or a person" in r.content.decode()
    assert client.post(url, {"orgs": "x"}, content_type="application/json", **h).status_code == 422
    assert not meeting.invited_orgs.exists() and not meeting.invited_people.exists()


@pytest.mark.parametrize("who,status", REFUSED)
def test_invitation_refused_roles(tree, personas, client, meeting, who, status):
    services.invite(personas.org_admin_a, meeting, orgs=[tree.village_a2])
    url = f"/api/v1/meetings/{meeting.pk}/invitations"
    h = bearer(getattr(personas, who))
    assert client.post(url, {"orgs": [tree.village_a1.pk]}, content_type="application/json", **h).status_code == status
    assert client.delete(f"{url}/orgs/{tree.village_a2.pk}", **h).status_code == status
    assert list(meeting.invited_orgs.all()) == [tree.village_a2]


# --- materials -------------------------------------------------------------------------------------------

def test_upload_list_download_remove_material(tree, personas, client, meeting, settings):
    h = bearer(personas.org_admin_a)
    r = client.post(f"/api/v1/meetings/{meeting.pk}/materials", {"file": SimpleUploadedFile("讲话稿.pdf", PDF)}, **h)
    assert r.status_code == 201, r.content
    assert (r.json()["original_name"], r.json()["content_type"], r.json()["size"]) == ("讲话稿.pdf", "application/pdf", len(PDF))
    listed = client.get(f"/api/v1/meetings/{meeting.pk}/materials", **bearer(personas.leader)).json()
    assert [m["id"] for m in listed] == [r.json()["id"]]
    got = client.get(f"/api/v1/meetings/{meeting.pk}/materials/{r.json()['id']}", **bearer(personas.liaison_a))
    assert got.status_code == 200 and b"".join(got.streaming_content if got.streaming else [got.content]) == PDF
    assert got["X-Content-Type-Options"] == "nosniff" and "attachment" in got["Content-Disposition"]
    assert "sandbox" in got["Content-Security-Policy"]
    assert client.get(f"/api/v1/meetings/{meeting.pk}/materials/{r.json()['id']}",
                      **bearer(personas.org_admin_b)).status_code == 404
    assert client.delete(f"/api/v1/meetings/{meeting.pk}/materials/{r.json()['id']}",
                         **bearer(personas.leader)).status_code == 403
    assert client.delete(f"/api/v1/meetings/{meeting.pk}/materials/{r.json()['id']}", **h).status_code == 204
    assert not MeetingFile.objects.exists()


@pytest.mark.parametrize("upload", [
    {"file": SimpleUploadedFile("slides.pdf", b"<script>alert(1)</script>", content_type="application/pdf")},
    {"file": SimpleUploadedFile("run.exe", b"MZ\x90\x00" + b"\x00" * 100)},
    {},
])
def test_bad_material_is_422_and_nothing_stored(tree, personas, client, meeting, settings, upload):
    r = client.post(f"/api/v1/meetings/{meeting.pk}/materials", upload, **bearer(personas.org_admin_a))
    assert r.status_code == 422 and "file" in r.json()["errors"]
    assert not MeetingFile.objects.exists() and not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


@pytest.mark.parametrize("who,status", REFUSED)
def test_material_upload_refused_roles(tree, personas, client, meeting, settings, who, status):
    r = client.post(f"/api/v1/meetings/{meeting.pk}/materials", {"file": SimpleUploadedFile("a.pdf", PDF)},
                    **bearer(getattr(personas, who)))
    assert r.status_code == status
    assert not MeetingFile.objects.exists() and not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]


# --- sign-in ---------------------------------------------------------------------------------------------

def test_staff_sign_in_person_twice_and_guest(tree, personas, client, meeting):
    h = bearer(personas.org_admin_a)
    url = f"/api/v1/meetings/{meeting.pk}/attendance"
    r = client.post(url, {"person": tree.person_a11.pk}, content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["created"] is True and r.json()["name"] == "李四"
    r = client.post(url, {"person": tree.person_a11.pk}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["created"] is False and "already signed in" in r.json()["detail"]
    r = client.post(url, {"name": "外单位嘉宾", "org_name": "市委党校"}, content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["person_id"] is None
    assert Attendance.objects.filter(meeting=meeting).count() == 2
    assert [a["name"] for a in client.get(url, **bearer(personas.leader)).json()] == ["李四", "外单位嘉宾"]
    assert client.get(f"/api/v1/meetings/{meeting.pk}", **h).json()["attendance_count"] == 2


def test_sign_in_refusals(tree, personas, client, meeting):
    url = f"/api/v1/meetings/{meeting.pk}/attendance"
    h = bearer(personas.org_admin_a)
    r = client.post(url, {"name": "  "}, content_type="application/json", **h)
    assert r.status_code == 422 and "name" in r.json()["errors"]
    assert client.post(url, {"person": tree.person_b1.pk}, content_type="application/json", **h).status_code == 404
    # The department sees 赵六 (town B), but he is neither invited nor in town A: sign him in as a guest instead.
    r = client.post(url, {"person": tree.person_b1.pk}, content_type="application/json", **bearer(personas.dept_admin))
    assert r.status_code == 422 and "赵六" in r.json()["errors"]["person"][0]
    for who, status in REFUSED:
        r = client.post(url, {"name": "某人"}, content_type="application/json", **bearer(getattr(personas, who)))
        assert r.status_code == status, who
    assert not Attendance.objects.exists()


def test_self_sign_in_with_token(tree, personas, client, meeting):
    services.invite(personas.org_admin_a, meeting, people=[tree.person_a11])
    h = bearer(personas.member_a)
    url = f"/api/v1/meetings/{meeting.pk}/sign-in"
    assert client.post(url, {"token": "wrong"}, content_type="application/json", **h).status_code == 404
    r = client.post(url, {"token": meeting.sign_in_token}, content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["method"] == "qr"
    r = client.post(url, {"token": meeting.sign_in_token}, content_type="application/json", **h)
    assert r.status_code == 200 and r.json()["detail"] == "You had already signed in; nothing changed."
    r = client.post(url, {"token": meeting.sign_in_token}, content_type="application/json", **bearer(personas.leader))
    assert r.status_code == 422  # no person record linked to the account
    assert Attendance.objects.count() == 1


# --- follow-up actions -----------------------------------------------------------------------------------

def test_add_action_and_owner_marks_it_done(tree, personas, client, meeting):
    h = bearer(personas.org_admin_a)
    r = client.post(f"/api/v1/meetings/{meeting.pk}/actions", {"title": "推广网格化经验", "owner": tree.person_a11.pk,
                                                                "deadline": "2026-07-01"}, content_type="application/json", **h)
    assert r.status_code == 201 and r.json()["status"] == "open"
    action_id = r.json()["id"]
    services.invite(personas.org_admin_a, meeting, people=[tree.person_a11])  # so member_a sees the meeting
    url = f"/api/v1/meetings/{meeting.pk}/actions/{action_id}/status"
    r = client.post(url, {"to_status": "done", "note": "已在三个村推广"}, content_type="application/json",
                    **bearer(personas.member_a))
    assert r.status_code == 200 and r.json()["status"] == "done"
    r = client.post(url, {"to_status": "done"}, content_type="application/json", **h)
    assert r.status_code == 409 and "already" in r.json()["detail"]
    assert client.post(url, {"to_status": "finished"}, content_type="application/json", **h).status_code == 422
    assert client.post(url, {"to_status": "open"}, content_type="application/json", **h).json()["status"] == "open"
    assert [e.to_status for e in FollowUpEvent.objects.filter(action_id=action_id)] == ["open", "done", "open"]
    assert client.post(url, {"to_status": "done"}, content_type="application/json",
                       **bearer(personas.leader)).status_code == 403


@pytest.mark.parametrize("changes,field", [({"owner": 0}, "owner"), ({"title": ""}, "title"),
                                           ({"deadline": "soon"}, "deadline"), ({"owner": "x"}, "owner")])
def test_add_action_bad_input(tree, personas, client, meeting, changes, field):
    data = {"title": "推广", "owner": tree.person_a11.pk, "deadline": "2026-07-01", **changes}
    r = client.post(f"/api/v1/meetings/{meeting.pk}/actions", data, content_type="application/json",
                    **bearer(personas.org_admin_a))
    assert r.status_code == 422 and field in r.content.decode()
    assert not FollowUpAction.objects.exists()


def test_action_owner_outside_scope_or_hidden(tree, personas, client, meeting):
    url = f"/api/v1/meetings/{meeting.pk}/actions"
    data = {"title": "推广", "deadline": "2026-07-01"}
    r = client.post(url, {**data, "owner": tree.person_b1.pk}, content_type="application/json", **bearer(personas.dept_admin))
    assert r.status_code == 422 and "outside the host organization" in r.json()["errors"]["owner"][0]
    r = client.post(url, {**data, "owner": tree.person_b1.pk}, content_type="application/json",
                    **bearer(personas.org_admin_a))
    assert r.status_code == 422 and "赵六" not in r.content.decode()  # hidden from org_admin_a: never named
    for who, status in REFUSED:
        r = client.post(url, {**data, "owner": tree.person_a11.pk}, content_type="application/json",
                        **bearer(getattr(personas, who)))
        assert r.status_code == status, who
    assert not FollowUpAction.objects.exists()
