import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import DatabaseError, connection, transaction

from tupo.core import audit
from tupo.core.models import AppendOnlyError, AuditEvent


def _drop_triggers():
    with connection.cursor() as c:
        if connection.vendor == "postgresql":
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_change ON core_auditevent")
        else:
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_update")
            c.execute("DROP TRIGGER IF EXISTS core_auditevent_no_delete")


@pytest.fixture
def events(db):
    return [audit.record("test.event", object_repr=f"thing {i}", details={"i": i}) for i in range(5)]


def test_each_event_links_to_the_previous_one(events):
    assert events[0].prev_hash == audit.GENESIS
    for prev, cur in zip(events, events[1:], strict=False):
        assert cur.prev_hash == prev.hash
    assert audit.verify_chain().ok


def test_the_application_refuses_to_change_or_delete_audit_rows(events):
    e = AuditEvent.objects.get(pk=events[1].pk)
    e.object_repr = "edited"
    with pytest.raises(AppendOnlyError):
        e.save()
    with pytest.raises(AppendOnlyError):
        e.delete()
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.filter(pk=e.pk).update(object_repr="x")
    with pytest.raises(AppendOnlyError):
        AuditEvent.objects.all().delete()


def test_the_database_refuses_raw_updates_and_deletes(events):
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("UPDATE core_auditevent SET object_repr = 'x' WHERE id = %s", [events[1].pk])
    with pytest.raises(DatabaseError), transaction.atomic(), connection.cursor() as c:
        c.execute("DELETE FROM core_auditevent WHERE id = %s", [events[1].pk])


def test_verify_names_the_first_edited_row(events):
    _drop_triggers()
    with connection.cursor() as c:
        c.execute("UPDATE core_auditevent SET object_repr = 'forged' WHERE id = %s", [events[2].pk])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_event_id == events[2].pk
    assert report.checked == 2
    with pytest.raises(CommandError, match=f"broken at event {events[2].pk}"):
        call_command("audit", "verify")


def test_verify_detects_a_removed_row(events):
    _drop_triggers()
    with connection.cursor() as c:
        c.execute("DELETE FROM core_auditevent WHERE id = %s", [events[3].pk])
    report = audit.verify_chain()
    assert not report.ok
    assert report.broken_event_id == events[4].pk


def test_verify_command_reports_an_intact_chain(events, capsys):
    call_command("audit", "verify")
    assert "intact: 5 events" in capsys.readouterr().out


def test_personal_numbers_are_masked_in_audit_details(db):
    e = audit.record("test", details={"note": "身份证 110105194912310029 电话 13812345678"})
    assert "110105194912310029" not in str(e.details)
    assert "13812345678" not in str(e.details)
    assert "1101**********0029" in e.details["note"]
