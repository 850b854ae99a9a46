"""Background work of the input-output analysis (a database worker in production; immediate in tests)."""

from __future__ import annotations

from django.conf import settings
from django.utils import translation
from django_tasks import task


@task()
def run_analysis(run_id: int) -> str:
    """Compute one saved run; progress is written to its row about once a second for the polling page."""
    from tupo.analytics.models import AnalysisRun, RunStatus
    from tupo.analytics.services import execute_run

    run = AnalysisRun.objects.select_related("root_org").filter(pk=run_id).first()
    if run is None or run.status in (RunStatus.DONE, RunStatus.FAILED):
        return "skipped"
    with translation.override(settings.LANGUAGE_CODE):
        run = execute_run(run)
    return run.status
