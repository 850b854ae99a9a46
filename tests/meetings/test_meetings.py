import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from tupo.core.services import InvalidTransition
from tupo.meetings import services
from tupo.meetings.models import Attendance, FollowUpAction, Meeting

pytestmark = pytest.mark.django_db


@pytest.fixture
def meeting(tree, personas):
    start = timezone.make_aware(dt.datetime(2026, 5, 12, 9, 30))
    # The department (county scope) hosts it at town A and invites village B1 from the other town.
    return services.create_meeting(personas.dept_admin, tree.town_a, {
        "kind": "onsite", "title": "网格化治理现场会", "starts_at": start, "place": "城关镇便民服务中心, 三楼; 会议室",
        "agenda": "一、参观网格工作站\n二、经验交流"}, invited_orgs=[tree.village_b1])


def test_sign_in_twice_is_idempotent(tree, personas, meeting, login):
    att, created = services.sign_in_self(personas.member_a, meeting, meeting.sign_in_token)
    again, created2 = services.sign_in_self(personas.member_a, meeting, meeting.sign_in_token)
    assert created and not created2 and att.pk == again.pk
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    client = login(personas.member_a)
    url = f"/meetings/{meeting.pk}/sign-in/{meeting.sign_in_token}/"
    r = client.post(url, follow=True)
    assert "already signed in" in r.content.decode()
    assert Attendance.objects.filter(meeting=meeting).count() == 1
    assert client.get(f"/meetings/{meeting.pk}/sign-in/wrong/").status_code == 404
    with pytest.raises(PermissionDenied):
        services.sign_in_self(personas.member_a, meeting, "wrong")


def test_manual_sign_in_by_staff(tree, personas, meeting, login):
    _a, c1 = services.sign_in_manual(personas.org_admin_a, meeting, person=tree.person_a2)
    _b, c2 = services.sign_in_manual(personas.org_admin_a, meeting, person=tree.person_a2)
    _g, c3 = services.sign_in_manual(personas.org_admin_a, meeting, name="来宾甲", org_name="市委组织部")
    assert (c1, c2, c3) == (True, False, True)
    with pytest.raises(PermissionDenied):
        services.sign_in_manual(personas.liaison_a, meeting, name="x")
    client = login(personas.org_admin_a)
    r = client.post(f"/meetings/{meeting.pk}/sign-in-manual/", {"person": tree.person_a2.pk}, follow=True)
    assert "had already signed in" in r.content.decode()
    r = client.get(f"/meetings/{meeting.pk}/attendance.xlsx")
    assert r.status_code == 200 and r.content[:2] == b"PK"
    import io

    from openpyxl import load_workbook

    ws = load_workbook(io.BytesIO(r.content)).active
    assert [c.value for c in ws[1]][:2] == ["Name", "Organization"] and ws.max_row == 3


def test_follow_up_owner_outside_scope_refused(tree, personas, meeting):
    with pytest.raises(ValidationError, match="outside the host organization"):
        services.add_action(personas.org_admin_a, meeting, title="推广网格经验", owner=tree.person_b1, deadline=dt.date(2026, 6, 30))
    action = services.add_action(personas.org_admin_a, meeting, title="推广网格经验", owner=tree.person_a11,
                                 deadline=dt.date(2026, 6, 30))
    with pytest.raises(PermissionDenied):
        services.add_action(personas.org_admin_b, meeting, title="x", owner=tree.person_a11, deadline=dt.date(2026, 6, 30))
    done = services.set_action_status(personas.member_a, action, "done", "已完成")  # the owner may close it
    with pytest.raises(InvalidTransition):
        services.set_action_status(personas.org_admin_a, done, "done")
    services.set_action_status(personas.org_admin_a, done, "open", "reopened")
    assert [(e.from_status, e.to_status) for e in action.events.all()] == [("", "open"), ("open", "done"), ("done", "open")]
    with pytest.raises(PermissionDenied):
        services.set_action_status(personas.org_admin_b, action, "done")


def test_overdue_highlighted(tree, personas, meeting, login):
    a = services.add_action(personas.org_admin_a, meeting, title="逾期事项", owner=tree.person_a11,
                            deadline=timezone.localdate() - dt.timedelta(days=3))
    assert a.is_overdue()
    page = login(personas.org_admin_a).get(f"/meetings/{meeting.pk}/").content.decode()
    assert "overdue" in page and "<svg" in page  # QR code for sign-in
    assert login(personas.leader).get("/cases/dashboard/").content.decode().count("逾期事项") == 1


def test_visibility_and_calendar(tree, personas, meeting, login):
    assert set(Meeting.objects.visible_to(personas.org_admin_b)) == {meeting}  # village B1 invited
    assert not Meeting.objects.visible_to(personas.expert).exists()
    other = services.create_meeting(personas.org_admin_b, tree.town_b, {
        "kind": "seminar", "title": "龙泉研讨会", "starts_at": meeting.starts_at, "place": "龙泉"})
    assert login(personas.org_admin_a).get(f"/meetings/{other.pk}/").status_code == 404
    page = login(personas.org_admin_a).get("/meetings/?month=2026-05").content.decode()
    assert "网格化治理现场会" in page and "龙泉研讨会" not in page
    assert login(personas.liaison_a).get("/meetings/?month=garbage").status_code == 200
    r = login(personas.liaison_a).get(f"/meetings/{meeting.pk}/attendance.xlsx")
    assert r.status_code == 403


def test_ics_export_is_valid(tree, personas, meeting, login):
    r = login(personas.org_admin_a).get(f"/meetings/{meeting.pk}/meeting.ics")
    body = r.content.decode("utf-8")
    assert r["Content-Type"].startswith("text/calendar")
    assert body.startswith("BEGIN:VCALENDAR\r\n") and body.endswith("END:VCALENDAR\r\n")
    assert "\n" not in body.replace("\r\n", "")
    unfolded = body.replace("\r\n ", "")
    assert f"UID:meeting-{meeting.pk}@" in unfolded and "DTSTAMP:" in unfolded
    assert "DTSTART:20260512T013000Z" in unfolded  # 09:30 Asia/Shanghai
    assert "LOCATION:城关镇便民服务中心\\, 三楼\\; 会议室" in unfolded
    assert "\\n二、经验交流" in unfolded
    for line in body.split("\r\n"):
        assert len(line.encode("utf-8")) <= 75
    month = login(personas.org_admin_a).get("/meetings/calendar.ics?month=2026-05").content.decode()
    assert month.count("BEGIN:VEVENT") == 1


def test_meeting_pages_create(tree, personas, login):
    client = login(personas.org_admin_a)
    r = client.post("/meetings/new/", {"kind": "exchange", "title": "经验交流会", "host_org": tree.town_a.pk,
                                       "starts_at": "2026-06-01T14:00", "place": "镇会议室"})
    assert r.status_code == 302
    m = Meeting.objects.get(title="经验交流会")
    r = client.post(f"/meetings/{m.pk}/actions/", {"title": "整理材料", "owner": tree.person_b1.pk, "deadline": "2026-06-10"},
                    follow=True)
    html = r.content.decode()  # 赵六 (town B) is hidden from town A's administrator: refused without his name
    assert "No person with this id among those you can see" in html and "赵六" not in html
    assert not FollowUpAction.objects.exists()
    r = login(personas.dept_admin).post(f"/meetings/{m.pk}/actions/", {"title": "整理材料", "owner": tree.person_b1.pk,
                                                                       "deadline": "2026-06-10"}, follow=True)
    assert "outside the host organization" in r.content.decode() and not FollowUpAction.objects.exists()
    assert login(personas.leader).get("/meetings/new/").status_code == 403
