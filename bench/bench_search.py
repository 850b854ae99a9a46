"""Full-text search benchmark: build an index of N generated Chinese case texts, then time 100 queries.

    .venv/bin/python bench/bench_search.py [--quick] [--n N] [--db sqlite|postgres]

SQLite uses a fresh file under var/bench/; PostgreSQL uses the database in TUPO_DATABASE_URL or
postgres://postgres@127.0.0.1:5432/tupo_search_bench (create it first: createdb -h 127.0.0.1 -U postgres tupo_search_bench).
Writes bench/results/search-<db>.json.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

SUBJECTS = ["党支部", "社区党委", "村党总支", "机关党委", "街道党工委", "园区联合党支部", "国企党委", "高校党委"]
TOPICS = ["网格化管理", "红色物业", "接诉即办", "主题党日", "三会一课", "党群服务中心", "流动党员", "发展党员", "乡村人才",
          "村集体经济", "合作社", "双培双带", "电商直播", "红色旅游", "软弱涣散", "第一书记", "结对帮扶", "金点子",
          "换届", "居家养老", "志愿服务", "数字化平台", "容错纠错", "年轻干部", "联系点", "揭榜挂帅", "党建品牌"]
ACTIONS = ["建立", "推行", "完善", "创新", "探索", "实施", "统筹", "整合"]
MEANS = ["清单化管理", "积分制", "议事协商", "党员先锋岗", "包联制度", "线上平台", "专题培训", "考核激励", "联席会议"]
RESULTS = ["群众满意度明显提升", "矛盾纠纷就地化解", "村集体经济收入翻番", "党员参与率提高", "办结率达到百分之九十八",
           "服务群众更加精准", "基层负担明显减轻", "人才留得住用得好"]


def make_text(rng: random.Random) -> tuple[str, str, int, str]:
    topic = rng.choice(TOPICS)
    title = f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{topic}{rng.choice(MEANS)}"
    sentences = []
    for _ in range(rng.randint(4, 8)):
        sentences.append(f"{rng.choice(SUBJECTS)}{rng.choice(ACTIONS)}{rng.choice(TOPICS)}，通过{rng.choice(MEANS)}，"
                         f"{rng.choice(RESULTS)}")
    return title, "。".join(sentences) + "。", rng.randint(2015, 2025), topic


def setup(db: str):
    if db == "postgres":
        os.environ.setdefault("TUPO_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/tupo_search_bench")
    else:
        os.environ.pop("TUPO_DATABASE_URL", None)
        d = ROOT / "var" / "bench"
        d.mkdir(parents=True, exist_ok=True)
        path = Path(tempfile.mkstemp(prefix="search-", suffix=".sqlite3", dir=d)[1])
        os.environ["TUPO_SQLITE_PATH"] = str(path)
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "tupo.config.settings")
    import django

    django.setup()
    from django.core.management import call_command

    call_command("migrate", "search", verbosity=0)
    from tupo.search.models import SearchDoc

    SearchDoc.objects.all().delete()
    return os.environ.get("TUPO_SQLITE_PATH")


def index_size(db: str, sqlite_path: str | None) -> int:
    from django.db import connection

    with connection.cursor() as cur:
        if db == "postgres":
            cur.execute("SELECT pg_total_relation_size('search_searchdoc')")
            return int(cur.fetchone()[0])
        try:
            cur.execute("SELECT SUM(pgsize) FROM dbstat WHERE name LIKE 'search_%'")
            return int(cur.fetchone()[0] or 0)
        except Exception:  # noqa: BLE001 (dbstat not compiled in)
            return Path(sqlite_path).stat().st_size


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="5,000 documents instead of 200,000")
    ap.add_argument("--n", type=int)
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    ap.add_argument("--seed", type=int, default=7)
    args = ap.parse_args()
    n = args.n or (5_000 if args.quick else 200_000)
    sqlite_path = setup(args.db)

    from django.db import transaction

    from tupo.search import backends, terms
    from tupo.search.backends import Filters, Scope
    from tupo.search.indexing import segment
    from tupo.search.models import SearchDoc

    rng = random.Random(args.seed)
    words = terms.user_words()
    paths = [f"{i:07d}/{j:07d}/" for i in range(1, 3) for j in range(1, 51)]
    t0 = time.perf_counter()
    seg_time = 0.0
    chars = 0
    batch = []
    for i in range(n):
        title, body, year, topic = make_text(rng)
        chars += len(title) + len(body)
        s0 = time.perf_counter()
        row = SearchDoc(doc_type="case", doc_id=i + 1, org_path=rng.choice(paths), is_public=rng.random() < 0.7,
                        title=title, body=body, title_seg=segment(title, words), body_seg=segment(body, words),
                        year=year, field="party_building")
        seg_time += time.perf_counter() - s0
        batch.append(row)
        if len(batch) == 2000:
            with transaction.atomic():
                SearchDoc.objects.bulk_create(batch)
            batch = []
    if batch:
        with transaction.atomic():
            SearchDoc.objects.bulk_create(batch)
    build = time.perf_counter() - t0
    if args.db == "postgres":
        from django.db import connection

        with connection.cursor() as cur:
            cur.execute("ANALYZE search_searchdoc")
    size = index_size(args.db, sqlite_path)

    qrng = random.Random(args.seed + 1)
    queries = []
    for _ in range(100):
        k = qrng.choice([1, 1, 2, 2, 3])
        queries.append(" ".join(qrng.sample(TOPICS + MEANS + RESULTS, k)))
    from tupo.search.queries import query_tokens

    scope = Scope(owner_id=1, paths=[paths[0][:8]])
    times, hits = [], []
    for q in queries:
        s0 = time.perf_counter()
        tokens = query_tokens(q)
        res = backends.raw_search(tokens, scope, Filters(), limit=20)
        if not res and len(tokens) > 1:
            res = backends.raw_search(tokens, scope, Filters(), limit=20, op="OR")
        times.append((time.perf_counter() - s0) * 1000)
        hits.append(len(res))
    times.sort()
    out = {
        "db": args.db, "documents": n, "characters": chars, "build_seconds": round(build, 2),
        "segmentation_seconds": round(seg_time, 2), "index_bytes": size,
        "queries": len(queries), "query_ms_p50": round(statistics.median(times), 2),
        "query_ms_p95": round(times[int(0.95 * len(times)) - 1], 2), "query_ms_max": round(times[-1], 2),
        "mean_hits_returned": round(sum(hits) / len(hits), 1), "limit": 20,
        "scope": "public rows + one county-like subtree (as a scoped user)",
        "python": platform.python_version(), "machine": platform.machine(),
    }
    print(json.dumps(out, ensure_ascii=False, indent=2))
    dest = ROOT / "bench" / "results" / f"search-{args.db}{'-quick' if args.quick and not args.n else ''}.json"
    dest.write_text(json.dumps(out, ensure_ascii=False, indent=2) + "\n")
    if sqlite_path:
        for suffix in ("", "-wal", "-shm"):
            Path(sqlite_path + suffix).unlink(missing_ok=True)


if __name__ == "__main__":
    main()
