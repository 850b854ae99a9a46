"""Meeting editing (with the version check), minutes, materials upload and the invitee picker."""

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from tests.factories import make_org
from tupo.cases import uploads
from tupo.core.models import AuditEvent, Notification
from tupo.core.services import ConcurrentEditError
from tupo.meetings import services
from tupo.meetings.models import Meeting, MeetingFile

pytestmark = pytest.mark.django_db

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\n%%EOF\n"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def meeting(tree, personas):
    """Town A's own meeting, nobody invited yet (org_admin_a manages it, leader and liaison_a only see it)."""
    start = timezone.make_aware(dt.datetime(2026, 6, 3, 14, 0))
    return services.create_meeting(personas.org_admin_a, tree.town_a, {
        "kind": "exchange", "title": "基层治理经验交流会", "starts_at": start, "place": "镇会议室"})


def _form(meeting, **changes):
    data = {"kind": meeting.kind, "title": meeting.title, "host_org": meeting.host_org_id,
            "starts_at": timezone.localtime(meeting.starts_at).strftime("%Y-%m-%dT%H:%M"), "ends_at": "",
            "place": meeting.place, "agenda": meeting.agenda, "version": meeting.version}
    data.update(changes)
    return data


# --- editing ---------------------------------------------------------------------------------------------

def test_staff_edit_meeting_and_version_moves(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    page = client.get(f"/meetings/{meeting.pk}/edit/").content.decode()
    assert 'value="基层治理经验交流会"' in page and 'value="2026-06-03T14:00"' in page
    r = client.post(f"/meetings/{meeting.pk}/edit/", _form(meeting, title="改期后的交流会", kind="seminar",
                                                          starts_at="2026-06-10T09:00", place="县党校报告厅",
                                                          agenda="一、交流\n二、研讨", host_org=tree.village_a1.pk))
    assert r.status_code == 302
    m = Meeting.objects.get(pk=meeting.pk)
    assert (m.title, m.kind, m.place, m.host_org, m.org_path, m.version) == (
        "改期后的交流会", "seminar", "县党校报告厅", tree.village_a1, tree.village_a1.path, 2)
    assert timezone.localtime(m.starts_at).strftime("%Y-%m-%d %H:%M") == "2026-06-10 09:00"
    event = AuditEvent.objects.filter(event_type="meeting.update").latest("id")
    assert set(event.details["fields"]) >= {"title", "kind", "place", "agenda", "starts_at", "host_org"}


def test_stale_edit_overwrites_nothing(tree, personas, meeting, login):
    opened = _form(meeting)  # two staff open the form at version 1
    services.update_meeting(personas.dept_admin, meeting, {"place": "幸福村党群服务中心"}, expected_version=1)
    r = login(personas.org_admin_a).post(f"/meetings/{meeting.pk}/edit/", {**opened, "title": "我的改动"})
    assert r.status_code == 200 and "Someone else changed this record" in r.content.decode()
    m = Meeting.objects.get(pk=meeting.pk)
    assert m.title == "基层治理经验交流会" and m.place == "幸福村党群服务中心" and m.version == 2
    with pytest.raises(ConcurrentEditError):
        services.update_meeting(personas.org_admin_a, meeting, {"title": "x"}, expected_version=1)


def test_edit_bad_input_keeps_the_meeting(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    r = client.post(f"/meetings/{meeting.pk}/edit/", _form(meeting, ends_at="2026-06-03T10:00"))
    assert "cannot end before it starts" in r.content.decode()
    r = client.post(f"/meetings/{meeting.pk}/edit/", _form(meeting, title="   ", place=""))
    assert r.status_code == 200 and "required" in r.content.decode()
    with pytest.raises(ValidationError):
        services.update_meeting(personas.org_admin_a, meeting, {"kind": "party"}, expected_version=1)
    m = Meeting.objects.get(pk=meeting.pk)
    assert m.title == "基层治理经验交流会" and m.version == 1 and m.ends_at is None


def test_host_change_refused_when_an_action_owner_would_fall_outside(tree, personas, meeting):
    services.add_action(personas.org_admin_a, meeting, title="整理经验", owner=tree.person_a2, deadline=dt.date(2026, 7, 1))
    with pytest.raises(ValidationError, match="王五"):
        services.update_meeting(personas.org_admin_a, meeting, {}, expected_version=1, host_org=tree.village_a1)
    with pytest.raises(PermissionDenied):  # town A's administrator cannot move it to town B
        services.update_meeting(personas.org_admin_a, meeting, {}, expected_version=1, host_org=tree.town_b)
    assert Meeting.objects.get(pk=meeting.pk).host_org == tree.town_a


@pytest.mark.parametrize("who,status", [("leader", 403), ("liaison_a", 403), ("org_admin_b", 404), ("expert", 404),
                                        ("sysadmin", 404)])
def test_edit_refused_roles(tree, personas, meeting, login, who, status):
    client = login(getattr(personas, who))
    assert client.get(f"/meetings/{meeting.pk}/edit/").status_code == status
    assert client.post(f"/meetings/{meeting.pk}/edit/", _form(meeting, title="篡改")).status_code == status
    assert client.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "篡改", "version": 1}).status_code == status
    assert Meeting.objects.get(pk=meeting.pk).title == "基层治理经验交流会"
    assert Meeting.objects.get(pk=meeting.pk).minutes == ""


# --- minutes ---------------------------------------------------------------------------------------------

def test_minutes_saved_and_stale_minutes_refused(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    client.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "一、会议听取了经验介绍", "version": 1})
    assert Meeting.objects.get(pk=meeting.pk).minutes == "一、会议听取了经验介绍"
    r = client.post(f"/meetings/{meeting.pk}/minutes/", {"minutes": "旧页面上的改动", "version": 1}, follow=True)
    assert "Someone else changed this record" in r.content.decode()
    assert Meeting.objects.get(pk=meeting.pk).minutes == "一、会议听取了经验介绍"
    page = login(personas.leader).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "一、会议听取了经验介绍" in page and 'name="minutes"' not in page


# --- materials -------------------------------------------------------------------------------------------

def test_material_upload_list_and_download(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    r = client.post(f"/meetings/{meeting.pk}/materials/", {"file": SimpleUploadedFile("交流材料.pdf", PDF)}, follow=True)
    assert "交流材料.pdf uploaded" in r.content.decode()
    material = MeetingFile.objects.get(meeting=meeting)
    assert material.content_type == "application/pdf" and material.uploaded_by == personas.org_admin_a
    assert not material.file.name.endswith("交流材料.pdf")  # stored under a random name
    page = login(personas.leader).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "交流材料.pdf" in page and f"/meetings/{meeting.pk}/materials/{material.pk}/" in page
    r = login(personas.leader).get(f"/meetings/{meeting.pk}/materials/{material.pk}/")
    assert r.status_code == 200 and b"".join(r.streaming_content) == PDF
    assert r["Content-Disposition"].startswith("attachment") and r["X-Content-Type-Options"] == "nosniff"
    assert login(personas.org_admin_b).get(f"/meetings/{meeting.pk}/materials/{material.pk}/").status_code == 404
    assert AuditEvent.objects.filter(event_type="meeting.material_add").exists()


@pytest.mark.parametrize("name,content,message", [
    ("照片.jpg", b"<html><script>alert(1)</script></html>", "not accepted"),
    ("setup.pdf", b"MZ\x90\x00" + b"x" * 100, "not accepted"),
    ("empty.pdf", b"", "empty"),
])
def test_bad_material_refused_and_nothing_stored(tree, personas, meeting, login, settings, name, content, message):
    client = login(personas.org_admin_a)
    r = client.post(f"/meetings/{meeting.pk}/materials/", {"file": SimpleUploadedFile(name, content)}, follow=True)
    assert message in r.content.decode() or "Choose a file" in r.content.decode()
    assert not MeetingFile.objects.exists()
    assert not [p for p in settings.MEDIA_ROOT.rglob("*") if p.is_file()]  # no orphan file either


def test_too_large_material_refused(tree, personas, meeting, monkeypatch):
    monkeypatch.setattr(uploads, "MAX_ATTACHMENT_BYTES", 1024 * 1024)
    big = SimpleUploadedFile("大文件.pdf", PDF + b"0" * (1024 * 1024))
    with pytest.raises(ValidationError, match="too large"):
        services.add_material(personas.org_admin_a, meeting, big)
    assert not MeetingFile.objects.exists()


@pytest.mark.parametrize("who,status", [("leader", 403), ("liaison_a", 403), ("member_a", 404), ("expert", 404)])
def test_material_upload_refused_roles(tree, personas, meeting, login, who, status):
    r = login(getattr(personas, who)).post(f"/meetings/{meeting.pk}/materials/", {"file": SimpleUploadedFile("a.pdf", PDF)})
    assert r.status_code == status and not MeetingFile.objects.exists()


def test_material_removed_by_staff_only(tree, personas, meeting, login):
    material = services.add_material(personas.org_admin_a, meeting, SimpleUploadedFile("a.pdf", PDF))
    assert login(personas.leader).post(f"/meetings/{meeting.pk}/materials/{material.pk}/remove/").status_code == 403
    assert MeetingFile.objects.filter(pk=material.pk).exists()
    login(personas.org_admin_a).post(f"/meetings/{meeting.pk}/materials/{material.pk}/remove/")
    assert not MeetingFile.objects.exists()


# --- invitee picker --------------------------------------------------------------------------------------

def test_picker_finds_orgs_and_people_in_scope_with_masked_ids(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    url = f"/meetings/{meeting.pk}/invitees/search/"
    html = client.get(url, {"q": "光明"}, HTTP_HX_REQUEST="true").content.decode()
    assert "光明村党支部" in html and "<html" not in html  # the htmx partial
    assert "向阳村" not in client.get(url, {"q": "向阳"}, HTTP_HX_REQUEST="true").content.decode()  # town B: not visible
    html = client.get(url, {"q": "王"}, HTTP_HX_REQUEST="true").content.decode()
    assert "王五" in html and tree.person_a2.id_number not in html
    assert tree.person_a2.id_number[:4] + "*" * 10 + tree.person_a2.id_number[-4:] in html
    assert "赵六" not in client.get(url, {"q": "赵"}, HTTP_HX_REQUEST="true").content.decode()  # outside the scope
    assert "<html" in client.get(url, {"q": "王"}).content.decode()  # without JavaScript: a whole page
    assert "Type the beginning" in client.get(url, {"q": "  "}, HTTP_HX_REQUEST="true").content.decode()


def test_picker_results_are_bounded_with_constant_queries(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    url = f"/meetings/{meeting.pk}/invitees/search/"
    make_org("T0", tree.town_a, name="测试村0")
    with CaptureQueriesContext(connection) as few:
        client.get(url, {"q": "测试"}, HTTP_HX_REQUEST="true")
    for i in range(1, 15):
        make_org(f"T{i}", tree.town_a, name=f"测试村{i}")
    with CaptureQueriesContext(connection) as many:
        html = client.get(url, {"q": "测试"}, HTTP_HX_REQUEST="true").content.decode()
    assert html.count("data-invite-org=") == 10 and "Only the first 10" in html
    # Fewer prefix matches than the limit add one 'containing' query: a fixed count either way, never per row.
    assert len(many) <= len(few) <= 20  # session, user and grants included


def test_invite_through_picker_notifies_and_shows_masked(tree, personas, meeting, login):
    client = login(personas.org_admin_a)
    client.post(f"/meetings/{meeting.pk}/invitees/", {"org": tree.village_a2.pk})
    r = client.post(f"/meetings/{meeting.pk}/invitees/", {"person": tree.person_a11.pk}, follow=True)
    assert "李四 invited" in r.content.decode()
    r = client.post(f"/meetings/{meeting.pk}/invitees/", {"person": tree.person_a11.pk}, follow=True)
    assert "already invited" in r.content.decode()
    assert list(meeting.invited_orgs.all()) == [tree.village_a2] and list(meeting.invited_people.all()) == [tree.person_a11]
    assert Notification.objects.filter(user=personas.member_a, url=meeting.get_absolute_url()).count() == 1
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "李四" in page and tree.person_a11.id_number not in page
    assert meeting in Meeting.objects.visible_to(personas.member_a)
    client.post(f"/meetings/{meeting.pk}/invitees/remove/", {"person": tree.person_a11.pk})
    assert not meeting.invited_people.exists()


def test_invite_outside_scope_refused(tree, personas, meeting, login):
    with pytest.raises(ValidationError, match="not records you can see") as exc:  # town B's people: not visible
        services.invite(personas.org_admin_a, meeting, people=[tree.person_b1])
    assert "赵六" not in str(exc.value)  # a hidden person is never named
    with pytest.raises(ValidationError, match="赵六"):  # the department sees him, but he is outside the scope
        services.invite(personas.dept_admin, meeting, people=[tree.person_b1])
    with pytest.raises(ValidationError, match="向阳村党支部"):
        services.invite(personas.org_admin_a, meeting, orgs=[tree.village_b1])
    with pytest.raises(ValidationError):  # both at once: nothing half-written
        services.invite(personas.org_admin_a, meeting, orgs=[tree.village_a2], people=[tree.person_x])
    assert not meeting.invited_orgs.exists() and not meeting.invited_people.exists()
    # The department may invite village B1, and then people of village B1 are inside the meeting's scope.
    services.invite(personas.dept_admin, meeting, orgs=[tree.village_b1], people=[tree.person_b1])
    assert list(meeting.invited_people.all()) == [tree.person_b1]
    r = login(personas.org_admin_a).post(f"/meetings/{meeting.pk}/invitees/", {"person": tree.person_x.pk})
    assert r.status_code == 404 and meeting.invited_people.count() == 1
    with pytest.raises(ValidationError):
        services.create_meeting(personas.org_admin_a, tree.town_a, {"kind": "onsite", "title": "t", "place": "p",
                                                                    "starts_at": timezone.now()}, invited_orgs=[tree.town_b])
    assert Meeting.objects.count() == 1


@pytest.mark.parametrize("who,status", [("leader", 403), ("liaison_a", 403), ("expert", 404), ("member_a", 404)])
def test_picker_refused_roles(tree, personas, meeting, login, who, status):
    client = login(getattr(personas, who))
    assert client.get(f"/meetings/{meeting.pk}/invitees/search/", {"q": "王"}).status_code == status
    assert client.post(f"/meetings/{meeting.pk}/invitees/", {"org": tree.village_a2.pk}).status_code == status
    assert not meeting.invited_orgs.exists()


def test_follow_up_done_by_owner_through_page(tree, personas, meeting, login):
    action = services.add_action(personas.org_admin_a, meeting, title="推广经验", owner=tree.person_a11,
                                 deadline=dt.date(2026, 7, 1))
    services.invite(personas.org_admin_a, meeting, people=[tree.person_a11])
    client = login(personas.member_a)
    page = client.get(f"/meetings/{meeting.pk}/").content.decode()
    assert "Mark done" in page
    client.post(f"/meetings/{meeting.pk}/actions/{action.pk}/status/", {"to_status": "done"})
    action.refresh_from_db()
    assert action.status == "done" and [e.to_status for e in action.events.all()] == ["open", "done"]
