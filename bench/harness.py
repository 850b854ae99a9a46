"""The shared harness of the page benchmarks: a fresh database, machine facts, timing pages with the
test client (p50/p95/max after 3 warm-ups, query count, slowest query). Used by bench_orgs, bench_topics
and bench_reviews; the method benchmarks (dea, assignment, calibration) time functions, not pages.
"""

from __future__ import annotations

import os
import platform
import resource
import statistics
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SRC = ROOT / "src"
RESULTS = ROOT / "bench" / "results"
PG_SERVER = os.environ.get("TUPO_BENCH_PG", "postgres://postgres@127.0.0.1:5432")
TARGET_P95_MS = 300


def _pg_admin(sql: str) -> None:
    import psycopg

    with psycopg.connect(PG_SERVER.replace("postgres://", "postgresql://") + "/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _machine() -> dict:
    import sqlite3

    info = {"cores": os.cpu_count(), "cpu": "", "ram_gib": None, "python": platform.python_version(),
            "platform": platform.platform(), "sqlite": sqlite3.sqlite_version, "postgresql": None}
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                info["cpu"] = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                info["ram_gib"] = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    try:
        import psycopg

        with psycopg.connect(PG_SERVER.replace("postgres://", "postgresql://") + "/postgres", connect_timeout=3) as c:
            info["postgresql"] = c.execute("SHOW server_version").fetchone()[0]
    except Exception:  # noqa: BLE001 - PostgreSQL is optional for a SQLite-only run
        pass
    return info


def _code_version(*paths: str) -> dict:
    """The commit measured, and any uncommitted change under ``paths`` (a result must say what it measured)."""

    def git(*a):
        return subprocess.run(["git", *a], cwd=ROOT, capture_output=True, text=True).stdout.strip()

    if snapshot := os.environ.get("TUPO_BENCH_CODE"):  # a source snapshot outside git (see docs/decisions/002)
        return {"snapshot": snapshot}
    return {"commit": git("rev-parse", "--short", "HEAD"),
            "uncommitted": git("status", "--porcelain", "--", *paths).splitlines()}


def _rss_mb() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss // 1024


def _pct(values: list[float], q: float) -> float:
    values = sorted(values)
    k = (len(values) - 1) * q
    lo, hi = int(k), min(int(k) + 1, len(values) - 1)
    return values[lo] + (values[hi] - values[lo]) * (k - lo)


def _fresh_database(db: str, name: str, pg_db: str) -> None:
    """Point the settings (read at django.setup) at a new, empty database."""
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tupo.config.settings")
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"{name}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["TUPO_SQLITE_PATH"] = str(path)
        os.environ.pop("TUPO_DATABASE_URL", None)
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {pg_db} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {pg_db}")
        os.environ["TUPO_DATABASE_URL"] = f"{PG_SERVER}/{pg_db}"
    sys.path.insert(0, str(SRC))


def _plain_static_storage():
    """The manifest storage needs ``collectstatic`` output; the benchmark renders with the plain storage instead
    (no shared var/static written by a benchmark, and no 'Missing staticfiles manifest entry' error)."""
    from django.test.utils import override_settings

    ov = override_settings(STORAGES={"default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
                                     "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"}})
    ov.enable()
    return ov


def measure(client, pages, repeat: int) -> list[dict]:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    rows = []
    for name, url in pages:
        try:
            statuses = [client.get(url).status_code for _ in range(3)]
        except Exception as exc:  # noqa: BLE001 - recorded, the other pages still run
            statuses = [f"{type(exc).__name__}: {exc}"]
        if statuses[-1] != 200:
            rows.append({"page": name, "url": url, "error": str(statuses[-1])})
            print(f"!!! {url}: {statuses[-1]}")
            continue
        times = []
        for _ in range(repeat):
            t = time.perf_counter()
            response = client.get(url)
            times.append((time.perf_counter() - t) * 1000)
            assert response.status_code == 200, (url, response.status_code)
        with CaptureQueriesContext(connection) as ctx:
            client.get(url)
        slowest = max(ctx.captured_queries, key=lambda q: float(q["time"]), default={"time": "0", "sql": ""})
        rows.append({
            "page": name, "url": url, "n": repeat,
            "p50_ms": round(statistics.median(times), 1), "p95_ms": round(_pct(times, 0.95), 1),
            "max_ms": round(max(times), 1), "queries": len(ctx.captured_queries),
            "slowest_query_ms": round(float(slowest["time"]) * 1000, 1), "slowest_query": slowest["sql"][:300],
            "met": _pct(times, 0.95) < TARGET_P95_MS,
        })
        print(f"  {name:<28}{rows[-1]['p50_ms']:>9}{rows[-1]['p95_ms']:>9}{rows[-1]['queries']:>7}", flush=True)
    return rows




def page_bench_main(name: str, script: str, doc: str, quick_help: str, child, print_table) -> int:
    """The command line every page benchmark shares: run ``child(size, db, repeat, out)`` in a fresh process per
    database (``--db sqlite|postgres|both``), write ``bench/results/<name>-<db>[-quick].json``, print the table."""
    import argparse

    ap = argparse.ArgumentParser(description=doc.splitlines()[0])
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--quick", action="store_true", help=quick_help)
    ap.add_argument("--repeat", type=int, default=30, help="timed requests per page (after 3 warm-ups)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    size = "quick" if args.quick else "full"
    if args.child:
        result = child(size, args.db, args.repeat, Path(args.out))
        print_table(result)
        return 0 if all("error" not in p for p in result["pages"]) else 1
    dbs = ["sqlite", "postgres"] if args.db == "both" else [args.db]
    status = 0
    for db in dbs:
        if db == "postgres":
            try:
                _pg_admin("SELECT 1")
            except Exception as exc:  # noqa: BLE001
                print(f"!!! PostgreSQL not reachable at {PG_SERVER} ({exc}): PostgreSQL run SKIPPED !!!")
                if args.db == "postgres":
                    status = 1
                continue
        out = RESULTS / f"{name}-{db}{'-quick' if args.quick else ''}.json"
        RESULTS.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("TUPO_DATABASE_URL", "TUPO_SQLITE_PATH")}
        cmd = [sys.executable, script, "--child", "--db", db, "--repeat", str(args.repeat), "--out", str(out)]
        if args.quick:
            cmd.append("--quick")
        t = time.perf_counter()
        rc = subprocess.call(cmd, env=env, cwd=ROOT)
        print(f"({db}: {time.perf_counter() - t:.0f} s wall, results in {out.relative_to(ROOT)})")
        status = status or rc
    return status
