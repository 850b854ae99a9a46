"""Cancelling a queued or running run."""

from __future__ import annotations

import pytest

from tests.analytics.conftest import org_params
from tupo.analytics import services, tasks
from tupo.analytics.models import AnalysisRun, RunStatus, UnitResult
from tupo.core.models import AuditEvent
from tupo.core.services import InvalidTransition

pytestmark = pytest.mark.urls("tests.analytics.urls")


@pytest.fixture
def queued(towns, personas, settings):
    """A run waiting for the worker (the on-commit enqueue never fires inside a test transaction)."""
    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    run = services.start_run(personas.dept_admin, org_params(towns))
    assert run.status == RunStatus.QUEUED
    return run


def test_a_queued_run_is_cancelled_from_its_page_and_the_task_then_skips_it(queued, personas, login):
    client = login(personas.dept_admin)
    html = client.get(f"/analytics/runs/{queued.pk}/").content.decode()
    assert 'id="cancel-run"' in html and f'action="/analytics/runs/{queued.pk}/cancel/"' in html
    response = client.post(f"/analytics/runs/{queued.pk}/cancel/")
    assert response.status_code == 302
    queued.refresh_from_db()
    assert queued.status == RunStatus.CANCELLED and queued.finished_at and "dept_admin" in queued.message
    event = AuditEvent.objects.get(event_type="analytics.cancel", object_id=str(queued.pk))
    assert event.details["from"] == "queued"
    assert tasks.run_analysis.call(queued.pk) == "skipped"
    queued.refresh_from_db()
    assert queued.status == RunStatus.CANCELLED and not UnitResult.objects.filter(run=queued).exists()
    html = client.get(f"/analytics/runs/{queued.pk}/").content.decode()
    assert "Cancelled" in html and 'id="cancel-run"' not in html and "Export to Excel" not in html
    assert client.get(f"/analytics/runs/{queued.pk}/export/").status_code == 404


def test_a_running_run_stops_at_its_next_progress_report(towns, personas, monkeypatch, settings,
                                                         django_capture_on_commit_callbacks):
    import tupo.methods.dea as method

    settings.TUPO_ANALYTICS_INLINE_MAX = 1
    monkeypatch.setattr(services, "PROGRESS_EVERY_S", 0.0)
    real, reported = method.dea, []

    def cancelled_midway(*args, progress, **kwargs):
        run = AnalysisRun.objects.latest("id")
        assert run.status == RunStatus.RUNNING
        services.cancel_run(personas.dept_admin, run)  # someone presses the button while it computes
        try:
            progress(1, 3)
        except Exception as exc:
            reported.append(type(exc).__name__)
            raise
        return real(*args, progress=progress, **kwargs)

    monkeypatch.setattr(method, "dea", cancelled_midway)
    with django_capture_on_commit_callbacks(execute=True):
        run = services.start_run(personas.dept_admin, org_params(towns))
    run.refresh_from_db()
    assert reported == ["RunCancelled"]
    assert run.status == RunStatus.CANCELLED and run.results == {} and run.progress_done == 0
    assert not UnitResult.objects.filter(run=run).exists()
    assert AuditEvent.objects.get(event_type="analytics.cancel").details["from"] == "running"


def test_a_cancel_arriving_after_the_last_report_does_not_keep_half_a_result(towns, personas, monkeypatch):
    import tupo.methods.dea as method

    real = method.dea

    def cancelled_at_the_end(*args, **kwargs):
        res = real(*args, **kwargs)
        services.cancel_run(personas.dept_admin, AnalysisRun.objects.latest("id"))
        return res

    monkeypatch.setattr(method, "dea", cancelled_at_the_end)
    run = services.start_run(personas.dept_admin, org_params(towns))
    assert run.status == RunStatus.CANCELLED
    assert not UnitResult.objects.filter(run=run).exists()


def test_a_finished_run_cannot_be_cancelled(towns, personas, login):
    run = services.start_run(personas.dept_admin, org_params(towns))
    assert run.status == RunStatus.DONE
    with pytest.raises(InvalidTransition):
        services.cancel_run(personas.dept_admin, run)
    client = login(personas.dept_admin)
    response = client.post(f"/analytics/runs/{run.pk}/cancel/", follow=True)
    assert "only a queued or running run can be cancelled" in response.content.decode()
    run.refresh_from_db()
    assert run.status == RunStatus.DONE and not AuditEvent.objects.filter(event_type="analytics.cancel").exists()


def test_who_may_cancel(queued, towns, personas, login, client, settings):
    # a leader sees the department administrator's run but may not stop it: 403, and no button
    c = login(personas.leader)
    assert 'id="cancel-run"' not in c.get(f"/analytics/runs/{queued.pk}/").content.decode()
    assert c.post(f"/analytics/runs/{queued.pk}/cancel/").status_code == 403
    assert AuditEvent.objects.filter(event_type="denied:analytics.cancel_run").count() == 1
    # outside the analysts of the subtree the run does not exist
    client.logout()
    for user in (personas.org_admin_a, personas.member_a):
        assert login(user).post(f"/analytics/runs/{queued.pk}/cancel/").status_code == 404
        client.logout()
    assert login(personas.dept_admin).get(f"/analytics/runs/{queued.pk}/cancel/").status_code == 405
    queued.refresh_from_db()
    assert queued.status == RunStatus.QUEUED
    # the leader may stop a run of their own
    own = services.start_run(personas.leader, org_params(towns))
    assert services.cancel_run(personas.leader, own).status == RunStatus.CANCELLED
