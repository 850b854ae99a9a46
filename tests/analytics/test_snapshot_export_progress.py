"""The page's snapshot button, the Excel file of a large run prepared in the background, and the Malmquist
progress moving while the method computes."""

from __future__ import annotations

import io

import pytest
from openpyxl import load_workbook

from tests.analytics.conftest import org_params
from tests.analytics.test_malmquist import panel, params  # noqa: F401 - the fixture of the yearly figures
from tupo.analytics import present, services
from tupo.analytics.models import AnalysisRun, RunExport, RunStatus, UnitResult, YearSnapshot
from tupo.core.models import AuditEvent

pytestmark = pytest.mark.urls("tests.analytics.urls")

NEW_TREND = "/analytics/new/?kind=malmquist"


# --- taking this year's snapshot from the page --------------------------------------------------------------------

def test_a_department_administrator_takes_this_years_snapshot_from_the_page(towns, personas, login):
    client = login(personas.dept_admin)
    page = client.get(NEW_TREND).content.decode()
    assert 'id="snapshot-form"' in page and towns.county.name in page
    r = client.post("/analytics/snapshots/take/", {"root_org": towns.county.pk}, follow=True)
    snap = YearSnapshot.objects.get()
    assert (snap.root_org, snap.taken_by, snap.skipped) == (towns.county, personas.dept_admin, [])
    html = r.content.decode()
    assert f"The figures of {snap.year} were taken for {towns.county.name}" in html
    assert 'id="snapshots"' in html and "dept_admin" in html  # listed below with who took it
    assert AuditEvent.objects.filter(event_type="analytics.snapshot", actor=personas.dept_admin).exists()


def test_the_snapshot_button_is_the_department_administrators_only(towns, personas, login):
    client = login(personas.leader)
    assert 'id="snapshot-form"' not in client.get(NEW_TREND).content.decode()
    assert client.post("/analytics/snapshots/take/", {"root_org": towns.county.pk}).status_code == 403
    client = login(personas.org_admin_a)
    assert client.post("/analytics/snapshots/take/", {"root_org": towns.town_a.pk}).status_code == 404
    client = login(personas.dept_admin)
    assert client.post("/analytics/snapshots/take/", {"root_org": towns.other.pk}).status_code == 403
    r = client.post("/analytics/snapshots/take/", {"root_org": "x"}, follow=True)
    assert "Choose the organization" in r.content.decode()
    assert client.get("/analytics/snapshots/take/").status_code == 405
    assert not YearSnapshot.objects.exists()
    assert AuditEvent.objects.filter(event_type="denied:analytics.take_snapshot").count() == 2


def test_a_large_subtree_is_snapshotted_in_the_background(towns, personas, login, settings,
                                                          django_capture_on_commit_callbacks):
    settings.TUPO_ANALYTICS_SNAPSHOT_INLINE_MAX = 3
    client = login(personas.dept_admin)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        r = client.post("/analytics/snapshots/take/", {"root_org": towns.county.pk}, follow=True)
    assert "being taken in the background" in r.content.decode() and not YearSnapshot.objects.exists()
    for callback in callbacks:
        callback()
    assert YearSnapshot.objects.get().taken_by == personas.dept_admin


# --- the Excel file of a large run --------------------------------------------------------------------------------

@pytest.fixture
def large(towns, personas, settings, tmp_path):
    """A finished run of three rows, treated as "very large" (the threshold lowered to two rows)."""
    settings.TUPO_ANALYTICS_EXPORT_INLINE_MAX = 2
    settings.MEDIA_ROOT = tmp_path
    return services.start_run(personas.dept_admin, org_params(towns))


def test_a_large_run_is_exported_by_the_worker_and_offered_when_ready(large, personas, login,
                                                                      django_capture_on_commit_callbacks):
    client = login(personas.leader)
    page = client.get(f"/analytics/runs/{large.pk}/").content.decode()
    assert 'id="prepare-export"' in page and "Export to Excel" not in page
    r = client.get(f"/analytics/runs/{large.pk}/export/")  # nothing prepared yet: back to the page, no file
    assert r.status_code == 302 and r["Location"].endswith(f"/analytics/runs/{large.pk}/#export")
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/analytics/runs/{large.pk}/export/prepare/")
    status = client.get(f"/analytics/runs/{large.pk}/export/status/").content.decode()
    assert 'hx-trigger="every 2s"' in status and "being prepared" in status  # polls while the worker writes
    for callback in callbacks:
        callback()
    export = RunExport.objects.get(run=large)
    assert export.status == "ready" and export.size > 0 and export.requested_by == personas.leader
    page = client.get(f"/analytics/runs/{large.pk}/").content.decode()
    assert 'id="download-export"' in page and "hx-trigger" not in page.split('id="export"')[1].split(">")[0]
    r = client.get(f"/analytics/runs/{large.pk}/export/")
    assert r.status_code == 200 and r["Content-Disposition"].startswith("attachment")
    wb = load_workbook(io.BytesIO(b"".join(r.streaming_content)), read_only=True)
    results = [row for row in wb.worksheets[0].iter_rows(values_only=True)]
    assert [row[0] for row in results[1:]] == ["城关镇党委", "龙泉镇党委", "石桥镇党委"]
    assert {"Excluded units", "Parameters"} <= set(wb.sheetnames)
    # asking again changes nothing (no second task); each download is audited
    with django_capture_on_commit_callbacks(execute=False) as again:
        client.post(f"/analytics/runs/{large.pk}/export/prepare/")
    assert again == [] and RunExport.objects.get(run=large).file.name == export.file.name
    assert AuditEvent.objects.filter(event_type="analytics.export.request").count() == 1
    assert AuditEvent.objects.get(event_type="analytics.export").details == {"prepared": True}


def test_a_failed_export_says_why_and_can_be_tried_again(large, personas, login, monkeypatch,
                                                         django_capture_on_commit_callbacks):
    client = login(personas.dept_admin)

    def broken(run):
        raise OSError("disk full")

    monkeypatch.setattr(present, "workbook_sheets", broken)
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/runs/{large.pk}/export/prepare/")
    page = client.get(f"/analytics/runs/{large.pk}/").content.decode()
    assert "could not be prepared" in page and "disk full" in page and "Try again" in page
    assert client.get(f"/analytics/runs/{large.pk}/export/").status_code == 302  # no file to give
    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        client.post(f"/analytics/runs/{large.pk}/export/prepare/")
    assert RunExport.objects.get(run=large).status == "ready"


def test_the_export_is_hidden_outside_the_subtree_and_only_for_finished_runs(large, towns, personas, login,
                                                                             settings):
    from tests.factories import make_user
    from tupo.accounts.choices import Role

    far = make_user("far_admin", Role.DEPT_ADMIN, towns.other)
    client = login(far)
    for url in ("export/", "export/status/"):
        assert client.get(f"/analytics/runs/{large.pk}/{url}").status_code == 404
    assert client.post(f"/analytics/runs/{large.pk}/export/prepare/").status_code == 404
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    queued = services.start_run(personas.dept_admin, org_params(towns))
    client = login(personas.dept_admin)
    r = client.post(f"/analytics/runs/{queued.pk}/export/prepare/", follow=True)
    assert "Only a finished run can be exported" in r.content.decode()
    assert not RunExport.objects.exists()


def test_an_ordinary_run_is_still_exported_within_the_request(towns, personas, login):
    run = services.start_run(personas.dept_admin, org_params(towns))
    client = login(personas.dept_admin)
    assert "Export to Excel" in client.get(f"/analytics/runs/{run.pk}/").content.decode()
    r = client.get(f"/analytics/runs/{run.pk}/export/")
    assert r.status_code == 200 and not RunExport.objects.exists()


# --- Malmquist progress during the method ---------------------------------------------------------------------------

def recording_writer(monkeypatch, on_call=None):
    """Wrap the run's progress writer: record what the method reports (and optionally act on the first call)."""
    real, seen = services._progress_writer, []

    def wrapped(run):
        write = real(run)

        def progress(done, total):
            if on_call is not None and not seen:
                on_call(run)
            seen.append((done, total))
            write(done, total)

        return progress

    monkeypatch.setattr(services, "_progress_writer", wrapped)
    monkeypatch.setattr(services, "PROGRESS_EVERY_S", 0.0)
    return seen


def test_malmquist_progress_moves_while_the_method_computes(panel, personas, monkeypatch):  # noqa: F811
    seen = recording_writer(monkeypatch)
    run = services.start_run(personas.dept_admin, params(panel))
    assert run.status == RunStatus.DONE
    # four units, two years: gathering takes the first tenth, the method fills the rest in several steps
    done = [d for d, _t in seen]
    assert len(seen) >= 4 and done == sorted(done) and {1, 2, 3} <= set(done) and seen[-1] == (4, 4)


def test_a_malmquist_run_cancelled_during_the_method_stops_there(panel, personas, monkeypatch):  # noqa: F811
    seen = recording_writer(monkeypatch, on_call=lambda run: services.cancel_run(personas.dept_admin, run))
    run = services.start_run(personas.dept_admin, params(panel))
    run.refresh_from_db()
    assert run.status == RunStatus.CANCELLED and len(seen) == 1
    assert not UnitResult.objects.filter(run=run).exists() and AnalysisRun.objects.count() == 1
