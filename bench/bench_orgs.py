"""Benchmark of the organization tree at scale: seed time, then page latency of the busiest reads.

    .venv/bin/python bench/bench_orgs.py [--scale province|county] [--db sqlite|postgres|both] [--quick]

For each database, in a child process of its own (settings are read from the environment at start):

1. a fresh database: SQLite file var/bench/orgs-<scale>.sqlite3, or PostgreSQL database ``tupo_bench``
   (dropped and created; server from TUPO_BENCH_PG, default postgres://postgres@127.0.0.1:5432);
2. migrate, then the seed exactly as ``tupo seed`` does it (``seeding.Generator`` then
   ``services.load_generated``), timed in phases: generate, insert, statistics rebuild;
   peak memory (ru_maxrss) of the process;
3. a department administrator granted at the root, logged in with Django's test ``Client``;
4. per page: 3 warm-up requests, then ``--repeat`` (default 30) timed requests, p50/p95/max in ms, plus
   the queries of one request (CaptureQueriesContext: count and slowest query).

Pages: the dashboard of the root, of a county (depth 3 at province scale; the root itself at county
scale), of a township and of a branch; the member list (first page, scoped to the county, page 50);
the root's detail page. ``--quick`` = ``--scale county`` (under 2 minutes for both databases).
Writes bench/results/orgs-<scale>-<db>.json and prints a table.
"""

from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import subprocess
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
from harness import PG_SERVER, RESULTS, ROOT, SRC, _machine, _pg_admin, _rss_mb, measure  # noqa: E402
from harness import _code_version as _code_version_of  # noqa: E402

PG_DB = "tupo_bench"
TARGET_P95_MS = 300


def _code_version() -> dict:
    return _code_version_of("src/tupo/orgs")


def child(scale: str, db: str, repeat: int, out: Path) -> dict:
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tupo.config.settings")
    if db == "sqlite":
        path = ROOT / "var" / "bench" / f"orgs-{scale}.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm", "-journal"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["TUPO_SQLITE_PATH"] = str(path)
        os.environ.pop("TUPO_DATABASE_URL", None)
    else:
        _pg_admin(f"DROP DATABASE IF EXISTS {PG_DB} WITH (FORCE)")
        _pg_admin(f"CREATE DATABASE {PG_DB}")
        os.environ["TUPO_DATABASE_URL"] = f"{PG_SERVER}/{PG_DB}"
    sys.path.insert(0, str(SRC))
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connection
    from django.test import Client

    from tupo.accounts import services as account_services
    from tupo.accounts.choices import Role
    from tupo.core.services import SYSTEM
    from tupo.orgs import services, stats
    from tupo.orgs.models import LeadershipPost, Organization, OrgStat, Person
    from tupo.orgs.seeding import Generator

    result: dict = {"scale": scale, "db": db, "date": _dt.datetime.now().isoformat(timespec="seconds"),
                    "machine": _machine(), "code": _code_version()}
    t0 = time.perf_counter()
    call_command("migrate", verbosity=0, interactive=False)
    result["migrate_s"] = round(time.perf_counter() - t0, 2)

    # --- seed: as `tupo seed` does it, timed by phase ---------------------------------------------------
    timings: dict[str, float] = {}
    real_rebuild = stats.rebuild

    def timed_rebuild(*a, **kw):
        t = time.perf_counter()
        try:
            return real_rebuild(*a, **kw)
        finally:
            timings["rebuild_s"] = time.perf_counter() - t

    t0 = time.perf_counter()
    gen = Generator(seed=2026)
    gen.build(scale, root_code="BENCH-ROOT")
    t1 = time.perf_counter()
    rss_generated = _rss_mb()
    stats.rebuild = timed_rebuild
    try:
        services.load_generated(SYSTEM, gen.orgs, gen.people, gen.secretaries)
    finally:
        stats.rebuild = real_rebuild
    t2 = time.perf_counter()
    n_generated = (len(gen.orgs), len(gen.people), len(gen.secretaries))
    del gen
    seed = {
        "generate_s": round(t1 - t0, 1),
        "insert_s": round(t2 - t1 - timings["rebuild_s"], 1),
        "rebuild_s": round(timings["rebuild_s"], 1),
        "load_s": round(t2 - t1, 1),
        "total_s": round(t2 - t0, 1),
        "peak_rss_mb_after_generate": rss_generated,
        "peak_rss_mb": _rss_mb(),
    }
    t = time.perf_counter()
    stats.rebuild()
    seed["rebuild_again_s"] = round(time.perf_counter() - t, 1)  # what `tupo stats rebuild` costs
    result["seed"] = seed

    depths = dict(Organization.objects.order_by().values_list("depth").annotate(n=django.db.models.Count("id")))
    result["counts"] = {
        "organizations": Organization.objects.count(),
        "people": Person.objects.count(),
        "secretaries": LeadershipPost.objects.count(),
        "orgstat_rows": OrgStat.objects.count(),
        "orgs_by_depth": {str(k): v for k, v in sorted(depths.items())},
        "generated": dict(zip(("organizations", "people", "secretaries"), n_generated, strict=True)),
    }
    if db == "sqlite":
        connection.close()
        result["db_size_mb"] = round(Path(os.environ["TUPO_SQLITE_PATH"]).stat().st_size / 2**20)
    else:
        with connection.cursor() as c:
            c.execute("SELECT pg_database_size(current_database())")
            result["db_size_mb"] = round(c.fetchone()[0] / 2**20)

    # --- who and where ---------------------------------------------------------------------------------
    root = Organization.objects.get(parent__isnull=True)
    if root.depth + 2 <= Organization.objects.order_by("-depth").values_list("depth", flat=True).first() and \
            Organization.objects.filter(depth=3, org_type="local_committee").exists():
        counties = list(Organization.objects.filter(depth=3, org_type="local_committee").order_by("path")
                        .values_list("pk", flat=True))
        county = Organization.objects.get(pk=counties[len(counties) // 2])  # one in the middle of the index
    else:
        county = root  # county scale: the root is the county
    township = (Organization.objects.filter(parent=county, org_type="primary_committee").order_by("path").first())
    branch = Organization.objects.filter(tree_q(township.path), org_type="branch").order_by("path").last()
    user = account_services.create_user(SYSTEM, username="bench_dept_admin", display_name="bench",
                                        password="Tupo@2026bench", must_change_password=False)
    account_services.grant_role(SYSTEM, user, Role.DEPT_ADMIN, root)
    client = Client()
    client.force_login(user)
    result["targets"] = {name: {"pk": o.pk, "depth": o.depth, "name": o.name}
                         for name, o in (("root", root), ("county", county), ("township", township), ("branch", branch))}

    pages = [
        ("dashboard root", f"/orgs/{root.pk}/dashboard/"),
        ("dashboard county", f"/orgs/{county.pk}/dashboard/"),
        ("dashboard township", f"/orgs/{township.pk}/dashboard/"),
        ("dashboard branch", f"/orgs/{branch.pk}/dashboard/"),
        ("people first page", "/orgs/people/"),
        ("people ?org=county", f"/orgs/people/?org={county.pk}"),
        ("people page 50", "/orgs/people/?page=50"),
        ("org detail root", f"/orgs/{root.pk}/"),
    ]
    rows = measure(client, pages, repeat)
    result["pages"] = rows
    p95 = rows[0].get("p95_ms")
    result["goal"] = {"page": "dashboard root", "p95_target_ms": TARGET_P95_MS, "p95_ms": p95,
                      "met": p95 is not None and p95 < TARGET_P95_MS}
    result["peak_rss_mb"] = _rss_mb()
    out.write_text(json.dumps(result, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
    return result


def tree_q(path):
    from tupo.orgs import tree

    return tree.subtree_q(path)


def print_table(r: dict) -> None:
    c, s = r["counts"], r["seed"]
    print(f"\n== {r['scale']} on {r['db']}: {c['organizations']:,} organizations, {c['people']:,} people, "
          f"database {r['db_size_mb']:,} MB")
    print(f"seed {s['total_s']} s (generate {s['generate_s']}, insert {s['insert_s']}, statistics {s['rebuild_s']}; "
          f"rebuild alone {s['rebuild_again_s']} s), peak memory {s['peak_rss_mb']:,} MB")
    print(f"{'page':<22}{'p50 ms':>9}{'p95 ms':>9}{'max ms':>9}{'queries':>9}{'slowest q ms':>14}")
    for p in r["pages"]:
        if "error" in p:
            print(f"{p['page']:<22} ERROR {p['error'][:60]}")
            continue
        print(f"{p['page']:<22}{p['p50_ms']:>9}{p['p95_ms']:>9}{p['max_ms']:>9}{p['queries']:>9}{p['slowest_query_ms']:>14}")
    g = r["goal"]
    print(f"root dashboard p95 {g['p95_ms']} ms: {'meets' if g['met'] else 'MISSES'} the {g['p95_target_ms']} ms goal")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--scale", choices=["province", "county"], default="province")
    ap.add_argument("--db", choices=["sqlite", "postgres", "both"], default="both")
    ap.add_argument("--quick", action="store_true", help="county scale (under 2 minutes)")
    ap.add_argument("--repeat", type=int, default=30, help="timed requests per page (after 3 warm-ups)")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--out", default=None, help=argparse.SUPPRESS)
    args = ap.parse_args()
    scale = "county" if args.quick else args.scale
    if args.child:
        result = child(scale, args.db, max(30, args.repeat), Path(args.out))
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
        out = RESULTS / f"orgs-{scale}-{db}.json"
        RESULTS.mkdir(parents=True, exist_ok=True)
        env = {k: v for k, v in os.environ.items() if k not in ("TUPO_DATABASE_URL", "TUPO_SQLITE_PATH")}
        cmd = [sys.executable, __file__, "--child", "--scale", scale, "--db", db, "--repeat", str(args.repeat),
               "--out", str(out)]
        t = time.perf_counter()
        rc = subprocess.call(cmd, env=env, cwd=ROOT)
        print(f"({db}: {time.perf_counter() - t:.0f} s wall, results in {out.relative_to(ROOT)})")
        status = status or rc
    return status


if __name__ == "__main__":
    sys.exit(main())
