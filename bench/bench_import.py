"""Benchmark: import of a 10,000-row member file (validation of every row, then one all-or-nothing write).

    .venv/bin/python bench/bench_import.py [--rows N] [--quick] [--db sqlite|postgres]

Uses its own database (var/bench/import.sqlite3, or PostgreSQL database tupo_bench_import), seeds the
demo tree, builds the .xlsx with openpyxl, and times reading+validation and the write separately.
Writes bench/results/import-<db>.json.
"""

from __future__ import annotations

import argparse
import datetime as dt
import io
import json
import os
import platform
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("--rows", type=int, default=10_000)
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--db", choices=["sqlite", "postgres"], default="sqlite")
    a = ap.parse_args()
    rows = 2_000 if a.quick else a.rows
    if a.db == "sqlite":
        path = ROOT / "var" / "bench" / "import.sqlite3"
        path.parent.mkdir(parents=True, exist_ok=True)
        for suffix in ("", "-wal", "-shm"):
            Path(str(path) + suffix).unlink(missing_ok=True)
        os.environ["TUPO_SQLITE_PATH"] = str(path)
    else:
        subprocess.run(["dropdb", "-h", "127.0.0.1", "-U", "postgres", "--if-exists", "tupo_bench_import"], check=True)
        subprocess.run(["createdb", "-h", "127.0.0.1", "-U", "postgres", "tupo_bench_import"], check=True)
        os.environ["TUPO_DATABASE_URL"] = "postgres://postgres@127.0.0.1:5432/tupo_bench_import"
    os.environ["DJANGO_SETTINGS_MODULE"] = "tupo.config.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from openpyxl import Workbook
    from stdnum.iso7064 import mod_11_2

    from tupo.accounts.models import User
    from tupo.orgs import importing
    from tupo.orgs.models import Organization, Person

    call_command("migrate", verbosity=0)
    call_command("seed", scale="demo", verbosity=0)
    admin = User.objects.get(username="dept_admin")
    branches = list(Organization.objects.filter(org_type="branch").values_list("code", flat=True))
    wb = Workbook(write_only=True)
    ws = wb.create_sheet()
    ws.append([str(label) for _n, label in importing.PEOPLE_COLUMNS])
    start = dt.date(1960, 1, 1)
    for i in range(rows):
        birth = start + dt.timedelta(days=i % 12000)
        body = f"{410100 + i // 12000:06d}{birth:%Y%m%d}{i % 1000:03d}"
        ws.append([branches[i % len(branches)], f"导入{i}", body + mod_11_2.calc_check_digit(body), "汉族", "", "University",
                   "Worker", "", "否", dt.datetime(2010, 7, 1), dt.datetime(2011, 7, 1), f"139{i:08d}", "Full member"])
    buf = io.BytesIO()
    wb.save(buf)
    data = buf.getvalue()
    before = Person.objects.count()
    t0 = time.perf_counter()
    result = importing.import_people(admin, data, filename="bench.xlsx")
    total = time.perf_counter() - t0
    assert result.ok, result.errors[:5]
    assert Person.objects.count() == before + rows
    # The same file again: every row now a duplicate → validation only, nothing written.
    t1 = time.perf_counter()
    rejected = importing.import_people(admin, data, filename="bench.xlsx")
    reject_time = time.perf_counter() - t1
    out = {
        "date": dt.datetime.now().isoformat(timespec="seconds"),
        "machine": {"python": platform.python_version(), "cpus": os.cpu_count(), "platform": platform.platform()},
        "db": a.db, "rows": rows, "file_bytes": len(data),
        "import_seconds": round(total, 2), "rows_per_second": round(rows / total),
        "rejected_file_seconds": round(reject_time, 2), "rejected_errors": len(rejected.errors),
    }
    name = f"import-{a.db}{'-quick' if a.quick else ''}.json"
    (ROOT / "bench" / "results").mkdir(parents=True, exist_ok=True)
    (ROOT / "bench" / "results" / name).write_text(json.dumps(out, indent=2, ensure_ascii=False) + "\n")
    print(json.dumps(out, indent=2, ensure_ascii=False))


if __name__ == "__main__":
    sys.exit(main())
