"""A population of a few thousand units through the platform path: task, progress, bounded queries.

(The 100,000-unit run is timed by bench/bench_analytics.py; this test is not timed.)
"""

from __future__ import annotations

import datetime as dt
import random

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.factories import make_org
from tupo.analytics import present, services
from tupo.analytics.models import AnalysisRun, RunStatus
from tupo.cases.models import Case
from tupo.orgs import tree as paths
from tupo.orgs.models import Organization, Person

pytestmark = pytest.mark.urls("tests.analytics.urls")

UNITS = 3000


@pytest.fixture
def many_units(tree):
    """UNITS branches under one township, each with 1–4 people and 1–4 published cases (bulk inserts)."""
    root = make_org("BIG", tree.county, name="大镇党委")
    first = (Organization.objects.order_by("-id").values_list("id", flat=True).first() or 0) + 1
    orgs = [Organization(pk=first + i, parent=root, name=f"第{i}支部", code=f"BIG{i}", org_type="branch",
                         org_category="rural", path=paths.child_path(root.path, first + i), depth=root.depth + 1)
            for i in range(UNITS)]
    Organization.objects.bulk_create(orgs, batch_size=1000)
    rng = random.Random(3)
    people, cases, n = [], [], 0
    for org in orgs:
        for _ in range(rng.randint(1, 4)):
            n += 1
            people.append(Person(name=f"人{n}", sex="male", birth_date=dt.date(1980, 1, 1), id_number=f"T{n:017d}",
                                 org=org, org_path=org.path))
        for k in range(rng.randint(1, 4)):
            cases.append(Case(title=f"c{org.pk}-{k}", org=org, org_path=org.path, year=2025, abstract="x",
                              status="published"))
    Person.objects.bulk_create(people, batch_size=2000)
    Case.objects.bulk_create(cases, batch_size=2000)
    return root


def test_thousands_of_units_go_through_the_task_with_progress_and_no_per_unit_queries(
        many_units, personas, settings, monkeypatch, django_capture_on_commit_callbacks):
    import tupo.methods.dea as method

    settings.TUPO_ANALYTICS_INLINE_MAX = 500
    monkeypatch.setattr(services, "PROGRESS_EVERY_S", 0.0)
    real, seen = method.dea, []

    def watched(*args, progress, **kwargs):
        def report(done, total):
            progress(done, total)
            seen.append(AnalysisRun.objects.values_list("status", "progress_done", "progress_total").latest("id"))

        return real(*args, progress=report, **kwargs)

    monkeypatch.setattr(method, "dea", watched)
    with CaptureQueriesContext(connection) as ctx, django_capture_on_commit_callbacks(execute=True) as callbacks:
        run = services.start_run(personas.dept_admin, {
            "population": "orgs", "root_org": many_units, "depth": 1, "inputs": ["people"],
            "outputs": ["published_cases"], "rts": "vrs", "orientation": "out"})
        assert AnalysisRun.objects.get(pk=run.pk).status == RunStatus.QUEUED
    assert len(callbacks) == 1  # the task, enqueued on commit
    run.refresh_from_db()
    assert run.status == RunStatus.DONE, run.message
    assert run.unit_count == UNITS and run.results["n"] == UNITS and run.unit_results.count() == UNITS
    # the progress bar moved through intermediate values, in order, up to the total
    done = [d for status, d, total in seen if status == RunStatus.RUNNING]
    assert len(set(done)) >= 3 and 0 < min(done) < UNITS and done == sorted(done) and done[-1] == UNITS
    assert {total for _, _, total in seen} == {UNITS}
    # queries do not grow with the units: progress writes and result batches aside, a handful
    ours = [q["sql"] for q in ctx.captured_queries
            if "progress_done" not in q["sql"] and "analytics_unitresult" not in q["sql"]
            and "analytics_analysisrun" not in q["sql"]]
    assert len(ours) < 40, ours[:50]
    batches = [q for q in ctx.captured_queries if q["sql"].startswith('INSERT INTO "analytics_unitresult"')]
    assert 0 < len(batches) <= UNITS // 100  # batched inserts (SQLite caps the rows per statement), never per unit
    # the page shows one page of rows; the export holds all
    assert len(list(present.table_rows(run, limit=present.PAGE_ROWS))) == present.PAGE_ROWS
    assert sum(present.histogram(run)["rows"][i][1] for i in range(11)) == UNITS
