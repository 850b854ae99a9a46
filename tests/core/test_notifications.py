from django.core import mail

from tupo.core.models import Notification
from tupo.core.notifications import notify


def test_notify_writes_the_bell_and_mails_after_commit(personas, django_capture_on_commit_callbacks):
    personas.leader.email = "leader@example.org"
    personas.leader.save()
    with django_capture_on_commit_callbacks(execute=True):
        n = notify([personas.leader, personas.leader, personas.org_admin_a], "标题", "内容", "/orgs/")
    assert n == 2
    assert Notification.objects.filter(user=personas.leader, title="标题").count() == 1
    assert [m.to for m in mail.outbox] == [["leader@example.org"]]


def test_the_bell_shows_unread_and_marks_them_read(personas, login):
    notify([personas.leader], "新的课题招标", "", "/topics/")
    c = login(personas.leader)
    assert "新的课题招标" in c.get("/notifications/").content.decode()
    assert c.get("/").context["unread_notifications"] == 1
    c.post("/notifications/")
    assert c.get("/").context["unread_notifications"] == 0
    assert login(personas.org_admin_a).get("/notifications/").content.decode().count("新的课题招标") == 0


def test_each_recipient_gets_their_own_message(personas, django_capture_on_commit_callbacks):
    for u, e in ((personas.leader, "a@example.org"), (personas.org_admin_a, "b@example.org")):
        u.email = e
        u.save()
    with django_capture_on_commit_callbacks(execute=True):
        notify([personas.leader, personas.org_admin_a], "标题", "内容")
    assert sorted(m.to for m in mail.outbox) == [["a@example.org"], ["b@example.org"]]
