"""Benchmark of the input-output analysis through the platform path, at 100,000 units.

    .venv/bin/python bench/bench_analytics.py [--units 100000] [--quick]

Steps, each in a child process of its own so that its peak memory (ru_maxrss) is its own:

1. **generate** (SQLite file var/bench/analytics.sqlite3, fresh): a root organization and ``--units``
   organizations below it, 1–4 people and 1–4 published cases each (bulk inserts; not timed as product
   code), cases published over two years so the yearly figures differ.
2. **dea**: ``services.start_run`` as a department administrator (inline limit 0, so it goes to the task),
   then the task ``run_analysis`` exactly as the worker calls it; a second thread polls the run's row every
   0.5 s as the progress page does, recording what the progress bar would show. Measured: wall and CPU
   time of start_run and of the task, peak RSS of the process, queries issued (must not grow with units).
3. **pages**: the result page (first 500 rows) and asking for the .xlsx through the test client; above
   ``TUPO_ANALYTICS_EXPORT_INLINE_MAX`` rows (20,000) the export is prepared by the task ``build_export``:
   **export** runs that task as the worker does (wall, CPU, peak RSS of its own process), **download** fetches
   the prepared file (streamed from storage); **export_in_request** is the former path, the whole workbook
   written within one request, kept for comparison.
4. **malmquist**: ``snapshot_year`` for both years, then a Malmquist run over both through
   the task (skipped with ``--quick``).

``--quick`` = 5,000 units. Writes bench/results/analytics-<units>.json and prints a summary.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import datetime as _dt  # noqa: E402
import json  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import threading  # noqa: E402
import time  # noqa: E402
from pathlib import Path  # noqa: E402

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import RESULTS, ROOT, SRC, _code_version, _machine, _plain_static_storage, _rss_mb  # noqa: E402

DB = ROOT / "var" / "bench" / "analytics.sqlite3"


def _setup(fresh: bool) -> None:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tupo.config.settings")
    if fresh:
        DB.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(DB) + suffix).unlink(missing_ok=True)
    os.environ["TUPO_SQLITE_PATH"] = str(DB)
    os.environ.pop("TUPO_DATABASE_URL", None)
    sys.path.insert(0, str(SRC))
    import django

    django.setup()


def generate(units: int) -> dict:
    _setup(fresh=True)
    import random

    from django.core.management import call_command
    from django.db import transaction
    from django.utils import timezone

    from tupo.accounts.choices import Role
    from tupo.accounts.models import RoleGrant, User
    from tupo.cases.models import Case
    from tupo.orgs import tree
    from tupo.orgs.models import Organization, Person

    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    rng = random.Random(7)
    this_year = timezone.localdate().year
    with transaction.atomic():
        root = Organization.objects.create(name="基准县委", code="BENCH", org_type="local_committee",
                                           org_category="organ", path="", depth=1)
        root.path = tree.child_path("", root.pk)
        root.save(update_fields=["path"])
        first = root.pk + 1
        orgs = [Organization(pk=first + i, parent=root, name=f"第{i + 1}党支部", code=f"B{i}",
                             org_type="branch", org_category="rural", path=tree.child_path(root.path, first + i),
                             depth=2) for i in range(units)]
        Organization.objects.bulk_create(orgs, batch_size=5000)
        people, cases, pid = [], [], 0
        for org in orgs:
            for _ in range(rng.randint(1, 4)):
                pid += 1
                people.append(Person(name=f"人{pid}", sex="male", birth_date=_dt.date(1980, 1, 1),
                                     id_number=f"B{pid:017d}", org=org, org_path=org.path))
            for k in range(rng.randint(1, 4)):
                when = timezone.now().replace(year=this_year - (k % 2), month=6, day=1)
                cases.append(Case(title=f"案例{org.pk}-{k}", org=org, org_path=org.path, year=this_year - (k % 2),
                                  abstract="x", status="published", published_at=when))
            if len(people) >= 20000:
                Person.objects.bulk_create(people, batch_size=5000)
                people = []
            if len(cases) >= 20000:
                Case.objects.bulk_create(cases, batch_size=5000)
                cases = []
        Person.objects.bulk_create(people, batch_size=5000)
        Case.objects.bulk_create(cases, batch_size=5000)
        admin = User.objects.create(username="bench_admin")
        RoleGrant.objects.create(user=admin, role=Role.DEPT_ADMIN, org=root)
    return {"generate_s": round(time.perf_counter() - t0, 1), "organizations": units + 1,
            "people": Person.objects.count(), "cases": Case.objects.count(), "peak_rss_mb": _rss_mb()}


class Poller(threading.Thread):
    """What the progress page would show: the run's row read every 0.5 s from another connection."""

    def __init__(self, run_id):
        super().__init__(daemon=True)
        self.run_id, self.seen, self.stop = run_id, [], threading.Event()
        self.t0 = time.perf_counter()

    def run(self):
        from django.db import connection

        from tupo.analytics.models import AnalysisRun

        try:
            while not self.stop.is_set():
                row = AnalysisRun.objects.filter(pk=self.run_id).values_list("status", "progress_done",
                                                                             "progress_total").first()
                if row and (not self.seen or self.seen[-1][1:] != list(row)):
                    self.seen.append([round(time.perf_counter() - self.t0, 1), *row])
                time.sleep(0.5)
        finally:
            connection.close()


class QueryCounter:
    """Counts the queries of a block without keeping their SQL (CaptureQueriesContext would hold every bulk
    INSERT's text and parameters, and inflate the peak memory being measured)."""

    def __init__(self):
        self.n = 0

    def __call__(self, execute, sql, params, many, context):
        self.n += 1
        return execute(sql, params, many, context)


def _through_task(params: dict) -> dict:
    from django.db import connection, transaction
    from django.test.utils import override_settings

    from tupo.accounts.models import User
    from tupo.analytics import services, tasks
    from tupo.analytics.models import AnalysisRun

    admin = User.objects.get(username="bench_admin")
    with override_settings(TUPO_ANALYTICS_INLINE_MAX=0):
        c0, w0 = time.process_time(), time.perf_counter()
        with transaction.atomic():
            run = services.start_run(admin, params)
            assert AnalysisRun.objects.get(pk=run.pk).status == "queued"
        start = {"wall_s": round(time.perf_counter() - w0, 2), "cpu_s": round(time.process_time() - c0, 2)}
    poller = Poller(run.pk)
    poller.start()
    c0, w0 = time.process_time(), time.perf_counter()
    counter = QueryCounter()
    with connection.execute_wrapper(counter):
        status = tasks.run_analysis.func(run.pk)
    task = {"wall_s": round(time.perf_counter() - w0, 2), "cpu_s": round(time.process_time() - c0, 2),
            "queries": counter.n}
    time.sleep(0.6)
    poller.stop.set()
    poller.join()
    run.refresh_from_db()
    return {"run_id": run.pk, "status": status, "message": run.message, "units": run.unit_count,
            "scored": (run.results or {}).get("n", 0), "result_rows": run.unit_results.count(),
            "excluded": len(run.excluded or []), "start_run": start, "task": task,
            "task_peak_rss_mb": _rss_mb(), "progress_seen": poller.seen,
            "summary_json_kb": round(len(json.dumps(run.results)) / 1024, 1)}


def run_pages(units: int) -> dict:
    """The result page (first 500 rows) and the full .xlsx export of the last DEA run, as the department
    administrator, in a process of its own (its peak memory is the pages' own)."""
    _setup(fresh=False)
    from django.test import Client

    from tupo.accounts.models import User
    from tupo.analytics.models import AnalysisRun

    run_id = AnalysisRun.objects.filter(kind="dea").latest("id").pk

    _plain_static_storage()
    client = Client()
    client.force_login(User.objects.get(username="bench_admin"))
    from tupo.analytics.models import RunExport

    RunExport.objects.filter(run_id=run_id).delete()  # a previous benchmark's file
    out = {}
    _background_export(units)
    for name, method, url in (("result_page", "get", f"/analytics/runs/{run_id}/"),
                              ("export_before_ready", "get", f"/analytics/runs/{run_id}/export/"),
                              ("export_prepare", "post", f"/analytics/runs/{run_id}/export/prepare/")):
        w0 = time.perf_counter()
        response = getattr(client, method)(url)
        out[name] = {"status": response.status_code, "wall_s": round(time.perf_counter() - w0, 2),
                     "bytes": len(response.content)}
    out["peak_rss_mb"] = _rss_mb()
    return out


def _background_export(units: int) -> None:
    """A --quick run (5,000 units) lies below the 20,000 rows that send an export to the worker: lower the
    threshold so that the same path is measured."""
    from django.conf import settings

    settings.TUPO_ANALYTICS_EXPORT_INLINE_MAX = min(20_000, units - 1)


def _last_dea_run() -> int:
    from tupo.analytics.models import AnalysisRun

    return AnalysisRun.objects.filter(kind="dea").latest("id").pk


def run_export(units: int) -> dict:
    """The task ``build_export`` as the worker calls it, in a process of its own."""
    _setup(fresh=False)
    from tupo.analytics import tasks

    run_id = _last_dea_run()
    c0, w0 = time.process_time(), time.perf_counter()
    status = tasks.build_export.func(run_id)
    from tupo.analytics.models import RunExport

    export = RunExport.objects.get(run_id=run_id)
    return {"status": status, "wall_s": round(time.perf_counter() - w0, 2),
            "cpu_s": round(time.process_time() - c0, 2), "bytes": export.size, "peak_rss_mb": _rss_mb()}


def _client():
    from django.test import Client

    from tupo.accounts.models import User

    _plain_static_storage()
    client = Client()
    client.force_login(User.objects.get(username="bench_admin"))
    return client


def run_download(units: int) -> dict:
    """The prepared file, fetched as the browser does (streamed from storage)."""
    _setup(fresh=False)
    _background_export(units)
    client = _client()
    w0 = time.perf_counter()
    response = client.get(f"/analytics/runs/{_last_dea_run()}/export/")
    size = sum(len(chunk) for chunk in response.streaming_content)
    return {"status": response.status_code, "wall_s": round(time.perf_counter() - w0, 2), "bytes": size,
            "peak_rss_mb": _rss_mb()}


def run_export_in_request(units: int) -> dict:
    """For comparison: the former path, the whole workbook written within one request."""
    _setup(fresh=False)
    from django.test.utils import override_settings

    client = _client()
    with override_settings(TUPO_ANALYTICS_EXPORT_INLINE_MAX=10**9):
        w0 = time.perf_counter()
        response = client.get(f"/analytics/runs/{_last_dea_run()}/export/")
        return {"status": response.status_code, "wall_s": round(time.perf_counter() - w0, 2),
                "bytes": len(response.content), "peak_rss_mb": _rss_mb()}


def run_dea(units: int) -> dict:
    _setup(fresh=False)
    from tupo.orgs.models import Organization

    root = Organization.objects.get(code="BENCH")
    out = _through_task({"population": "orgs", "root_org": root.pk, "depth": 1, "inputs": ["people"],
                         "outputs": ["published_cases"], "rts": "crs", "orientation": "in"})
    out["peak_rss_mb"] = _rss_mb()
    return out


def run_malmquist(units: int) -> dict:
    _setup(fresh=False)
    from django.utils import timezone

    from tupo.analytics import services
    from tupo.core.services import SYSTEM
    from tupo.orgs.models import Organization

    root = Organization.objects.get(code="BENCH")
    year = timezone.localdate().year
    snaps = {}
    for y in (year - 1, year):
        w0 = time.perf_counter()
        snap = services.snapshot_year(SYSTEM, root, y)
        snaps[str(y)] = {"wall_s": round(time.perf_counter() - w0, 2), "rows": snap.figure_rows,
                         "skipped": snap.skipped}
    out = {"snapshot": snaps}
    # People on the register are a head-count: the register keeps no history, so last year has none (the
    # snapshot above skipped it, as it must). To have a two-year panel the benchmark copies this year's
    # head-count to last year as "demo" figures, as the demo loader does; cases are counted per year.
    from tupo.analytics.models import FigureSource, OrgYearFigure, YearSnapshot

    OrgYearFigure.objects.filter(year=year - 1, indicator="people").delete()  # a previous benchmark's copy
    rows = [OrgYearFigure(org_id=org_id, year=year - 1, indicator="people", value=value, source=FigureSource.DEMO,
                          taken_at=taken_at)
            for org_id, value, taken_at in OrgYearFigure.objects.filter(year=year, indicator="people")
            .values_list("org_id", "value", "taken_at").iterator(chunk_size=5000)]
    OrgYearFigure.objects.bulk_create(rows, batch_size=5000)
    YearSnapshot.objects.create(root_org=root, root_path=root.path, year=year - 1, indicators=["people"],
                                source=FigureSource.DEMO)
    del rows
    res = _through_task({"kind": "malmquist", "root_org": root.pk, "depth": 1, "years": [year - 1, year],
                         "inputs": ["people"], "outputs": ["published_cases"]})
    out.update(res)
    out["note"] = ("last year's head-count copied from this year's (demo source): the register keeps no history; "
                   "published cases of each year counted from their publication dates")
    out["peak_rss_mb"] = _rss_mb()
    return out


def _child(stage: str, units: int) -> dict:
    proc = subprocess.run([sys.executable, __file__, "--child", stage, "--units", str(units)],
                          capture_output=True, text=True, cwd=ROOT)
    if proc.returncode != 0:
        print(proc.stderr[-3000:])
        raise SystemExit(f"{stage} failed")
    return json.loads(proc.stdout.strip().splitlines()[-1])


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--units", type=int, default=100_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--child", default=None)
    ap.add_argument("--reuse", action="store_true", help="keep the generated database of a previous run")
    args = ap.parse_args()
    units = 5000 if args.quick else args.units
    if args.child:
        fn = {"generate": generate, "dea": run_dea, "pages": run_pages, "export": run_export,
              "download": run_download, "export_in_request": run_export_in_request,
              "malmquist": run_malmquist}[args.child]
        print(json.dumps(fn(units)))
        return
    result = {"benchmark": "analytics service path (start_run → task run_analysis)", "units": units,
              "date": _dt.datetime.now().isoformat(timespec="seconds"), "machine": _machine(),
              "code": _code_version("src/tupo/analytics", "src/tupo/methods/dea.py"),
              "data": "one root, N organizations below it; 1-4 people and 1-4 published cases each (seeded)",
              "indicators": "input people on the register, output published cases; CCR input oriented"}
    pages = ("pages", "export", "download", "export_in_request")
    stages = ("dea", *pages) if args.reuse and DB.exists() else ("generate", "dea", *pages)
    previous = RESULTS / f"analytics-{units}.json"
    if "generate" not in stages and previous.exists():  # the database measured was generated then
        result["generate"] = {**json.loads(previous.read_text()).get("generate", {}),
                              "note": "from the earlier run that generated this database (--reuse)"}
    for stage in stages + (() if args.quick else ("malmquist",)):
        print(f"{stage} ...", flush=True)
        result[stage] = _child(stage, units)
        print(json.dumps({k: v for k, v in result[stage].items() if k != "progress_seen"}), flush=True)
    if previous.exists():  # keep the history: the earlier runs, and the one this run replaces
        before = json.loads(previous.read_text())
        result["earlier_runs"] = before.get("earlier_runs", []) + [{
            "date": before.get("date"), "code": (before.get("code") or {}).get("commit"),
            **{k: before[k] for k in ("dea", "pages", "malmquist") if k in before}}]
        for stage in result["earlier_runs"][-1:]:
            for part in ("dea", "malmquist"):
                stage.get(part, {}).pop("progress_seen", None)
    RESULTS.mkdir(parents=True, exist_ok=True)
    out = RESULTS / f"analytics-{units}.json"
    out.write_text(json.dumps(result, indent=1, ensure_ascii=False) + "\n")
    print(f"written {out}")


if __name__ == "__main__":
    main()
