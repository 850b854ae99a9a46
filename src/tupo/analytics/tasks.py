"""Background work of the input-output analysis (a database worker in production; immediate in tests)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task


@task()
def run_analysis(run_id: int) -> str:
    """Compute one saved run; progress is written to its row about once a second for the polling page.

    Idempotent: a run already finished (done, failed or cancelled) is skipped, and ``execute_run`` claims
    the run with a conditional update, so a duplicate enqueue does not compute it twice over a result.
    A run cancelled while computing stops at its next progress report."""
    from tupo.analytics.models import FINISHED_STATUSES, AnalysisRun
    from tupo.analytics.services import execute_run

    run = AnalysisRun.objects.select_related("root_org").filter(pk=run_id).first()
    if run is None or run.status in FINISHED_STATUSES:
        return "skipped"
    with translation.override(settings.LANGUAGE_CODE):
        run = execute_run(run)
    return run.status


@task()
def build_export(run_id: int) -> str:
    """Write the .xlsx of a large run to storage for download. Idempotent: only a queued export is claimed
    (conditional update), so a duplicate enqueue finds it running or ready and does nothing."""
    from tupo.analytics.services import build_export as build

    with translation.override(settings.LANGUAGE_CODE):
        return build(run_id)


@task()
def snapshot_figures(root_id: int, year: int | None = None, actor_id: int | None = None) -> str:
    """Take the yearly figures of one subtree (periodic: run it late in each year, and again whenever
    records of a past year were corrected; or asked for from the page for a large subtree, in the name of
    ``actor_id``, whose permission is checked again here). Idempotent: each taking replaces the figures of
    that subtree, year and indicators, so running it twice leaves the same figures."""
    from django.utils import timezone

    from tupo.accounts.models import User
    from tupo.analytics.services import snapshot_year
    from tupo.core.services import SYSTEM
    from tupo.orgs.models import Organization

    root = Organization.objects.filter(pk=root_id).first()
    actor = SYSTEM if actor_id is None else User.objects.filter(pk=actor_id, is_active=True).first()
    if root is None or actor is None:
        return "skipped"
    snap = snapshot_year(actor, root, year or timezone.localdate().year)
    return f"{snap.year}: {', '.join(snap.indicators)}"
