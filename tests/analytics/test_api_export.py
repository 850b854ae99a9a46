"""The Excel file of a run through the API (ask for it, poll, download: the page's service and rules), and the
command that removes stored files whose run is gone."""

from __future__ import annotations

import datetime as dt
import io
import os
import time

import pytest
from django.core.files.storage import default_storage
from django.core.management import call_command
from openpyxl import load_workbook

from tests.analytics.conftest import org_params
from tests.analytics.test_api import api  # noqa: F401 - the bearer-token caller
from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.analytics import present, services
from tupo.analytics.models import RunExport
from tupo.core.models import AuditEvent

pytestmark = pytest.mark.urls("tests.analytics.urls")


@pytest.fixture
def large(towns, personas, settings, tmp_path):
    """A finished run of three rows, treated as "very large" (the threshold lowered to two rows)."""
    settings.TUPO_ANALYTICS_EXPORT_INLINE_MAX = 2
    settings.MEDIA_ROOT = tmp_path
    return services.start_run(personas.dept_admin, org_params(towns))


def _rows(response) -> list:
    content = b"".join(response.streaming_content) if response.streaming else response.content
    wb = load_workbook(io.BytesIO(content), read_only=True)
    return [row[0] for row in list(wb.worksheets[0].iter_rows(values_only=True))[1:]]


def test_a_large_runs_file_is_asked_for_polled_and_downloaded(large, personas, api,  # noqa: F811
                                                              django_capture_on_commit_callbacks):
    leader = api(personas.leader)  # sees the county's runs, may export them (as on the page)
    state = leader.get(f"/runs/{large.pk}/export").json()
    assert (state["in_background"], state["status"], state["ready"], state["download"]) == (True, "none", False, "")
    assert leader.get(f"/runs/{large.pk}/export/file").status_code == 409  # nothing prepared yet
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = leader.post(f"/runs/{large.pk}/export")
    assert r.status_code == 202 and r.json()["status"] == "queued" and len(callbacks) == 1
    assert leader.get(f"/runs/{large.pk}/export").json()["status"] == "queued"
    for callback in callbacks:
        callback()
    state = leader.get(f"/runs/{large.pk}/export").json()
    assert state["status"] == "ready" and state["size"] > 0
    assert state["download"] == f"/api/v1/analytics/runs/{large.pk}/export/file"
    r = leader.get(f"/runs/{large.pk}/export/file")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    assert _rows(r) == ["城关镇党委", "龙泉镇党委", "石桥镇党委"]
    # asking again changes nothing (no second task, same file); the request and the download are audited
    with django_capture_on_commit_callbacks(execute=False) as again:
        r = leader.post(f"/runs/{large.pk}/export")
    assert r.status_code == 200 and again == []
    assert RunExport.objects.get(run=large).requested_by == personas.leader
    assert AuditEvent.objects.filter(event_type="analytics.export.request", actor=personas.leader).count() == 1
    assert AuditEvent.objects.get(event_type="analytics.export").details == {"prepared": True}


def test_a_failed_file_says_why_and_is_prepared_again_on_asking(large, personas, api, monkeypatch,  # noqa: F811
                                                                django_capture_on_commit_callbacks):
    admin = api(personas.dept_admin)

    def broken(run):
        raise OSError("disk full")

    monkeypatch.setattr(present, "workbook_sheets", broken)
    with django_capture_on_commit_callbacks(execute=True):
        admin.post(f"/runs/{large.pk}/export")
    state = admin.get(f"/runs/{large.pk}/export").json()
    assert (state["status"], state["ready"], state["message"]) == ("failed", False, "disk full")
    assert admin.get(f"/runs/{large.pk}/export/file").status_code == 409
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        r = admin.post(f"/runs/{large.pk}/export")
    assert r.status_code == 202  # answered before the worker ran
    assert admin.get(f"/runs/{large.pk}/export").json()["status"] == "ready"


def test_an_ordinary_runs_file_is_written_on_download_without_preparing(towns, personas, api,  # noqa: F811
                                                                        django_capture_on_commit_callbacks):
    run = services.start_run(personas.dept_admin, org_params(towns))
    admin = api(personas.dept_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = admin.post(f"/runs/{run.pk}/export")
    assert r.status_code == 200 and r.json()["status"] == "inline" and r.json()["ready"] is True
    assert callbacks == [] and not RunExport.objects.exists()  # nothing for the worker to do
    r = admin.get(f"/runs/{run.pk}/export/file")
    assert r.status_code == 200 and _rows(r) == ["城关镇党委", "龙泉镇党委", "石桥镇党委"]
    assert AuditEvent.objects.get(event_type="analytics.export").details == {}


def test_the_file_is_refused_outside_the_subtree_without_a_role_and_before_the_run_is_done(
        large, towns, personas, api, settings, client):  # noqa: F811
    far = make_user("far_admin", Role.DEPT_ADMIN, towns.other)
    for user in (far, personas.org_admin_a, personas.member_a):  # other subtree / no analytics role: 404
        caller = api(user)
        assert caller.get(f"/runs/{large.pk}/export").status_code == 404
        assert caller.post(f"/runs/{large.pk}/export").status_code == 404
        assert caller.get(f"/runs/{large.pk}/export/file").status_code == 404
    assert api(personas.dept_admin).post("/runs/999999/export").status_code == 404
    assert client.post(f"/api/v1/analytics/runs/{large.pk}/export").status_code == 401  # no token
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    queued = services.start_run(personas.dept_admin, org_params(towns))  # left to the worker: not done
    admin = api(personas.dept_admin)
    r = admin.post(f"/runs/{queued.pk}/export")
    assert r.status_code == 409 and "Only a finished run can be exported" in r.json()["detail"]
    assert admin.get(f"/runs/{queued.pk}/export/file").status_code == 409
    assert admin.get(f"/runs/{queued.pk}/export").json()["status"] == "none"
    assert not RunExport.objects.exists()
    assert not AuditEvent.objects.filter(event_type__startswith="analytics.export").exists()


# --- removing files whose run is gone ---------------------------------------------------------------------------

def _age(path: str, hours: float) -> None:
    then = time.time() - hours * 3600
    os.utime(default_storage.path(path), (then, then))


def test_the_prune_command_deletes_only_old_files_whose_run_was_deleted(
        large, towns, personas, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        services.request_export(personas.dept_admin, large)
    other = services.start_run(personas.leader, org_params(towns))
    with django_capture_on_commit_callbacks(execute=True):
        services.request_export(personas.leader, other)
    gone = RunExport.objects.get(run=large).file.name
    kept = RunExport.objects.get(run=other).file.name
    large.delete()  # the export row goes with the run; the file stays in storage
    assert default_storage.exists(gone) and not RunExport.objects.filter(file=gone).exists()
    assert services.orphan_export_files() == []  # just written: the worker may still be saving it
    _age(gone, 2)
    _age(kept, 2)
    out = io.StringIO()
    call_command("analytics_prune_exports", "--dry-run", stdout=out)
    assert f"{gone}\nwould delete 1 export file(s)" in out.getvalue() and default_storage.exists(gone)
    out = io.StringIO()
    call_command("analytics_prune_exports", stdout=out)
    assert "deleted 1 export file(s)" in out.getvalue()
    assert not default_storage.exists(gone) and default_storage.exists(kept)
    assert AuditEvent.objects.get(event_type="analytics.export.prune").details == {"files": 1}
    assert services.prune_export_files(min_age=dt.timedelta(0)) == []  # nothing left to do, nothing audited
    assert AuditEvent.objects.filter(event_type="analytics.export.prune").count() == 1


def test_the_prune_command_is_quiet_when_no_file_was_ever_prepared(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    out = io.StringIO()
    call_command("analytics_prune_exports", stdout=out)
    assert "deleted 0 export file(s)" in out.getvalue()
