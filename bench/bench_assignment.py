"""Benchmark for tupo.methods.assignment.

Usage: .venv/bin/python bench/bench_assignment.py [--quick] [--out bench/results/assignment.json]

Instances (seeded): reviewers and proposals get topic vectors; affinity is
0.45 * topic similarity + 0.40 * reviewer seniority + 0.15 * noise, clipped to
[0, 1] and rounded to 2 decimals (dense).  The seniority term makes a few
reviewers attractive for every proposal, so maximum loads bind and the sparse
candidate graph is not trivially optimal.  3 reviews per proposal, load 0..12,
~2 % random conflicts.  The "stress" instance (0.7 * seniority + 0.3 * noise)
makes everyone want the same few reviewers, so column generation needs
several rounds.

Each case runs in a fresh subprocess so that its peak RSS (ru_maxrss) is its own.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import numpy as np

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))


def make_instance(
    R: int, P: int, seed: int, conflict_rate: float = 0.02, topics: int = 20, stress: bool = False
):
    rng = np.random.default_rng(seed)
    if stress:  # seniority dominates: everyone wants the same few reviewers, max loads bind hard
        senior = rng.beta(2, 5, size=R)
        a = np.round(np.clip(0.3 * rng.random((R, P)) + 0.7 * senior[:, None], 0, 1), 2)
        return a, rng.random((R, P), dtype=np.float32) < conflict_rate
    rt = rng.dirichlet(np.full(topics, 0.3), size=R).astype(np.float32)
    pt = rng.dirichlet(np.full(topics, 0.3), size=P).astype(np.float32)
    rt /= np.linalg.norm(rt, axis=1, keepdims=True)
    pt /= np.linalg.norm(pt, axis=1, keepdims=True)
    sim = rt @ pt.T  # float32 R x P
    senior = rng.beta(2, 5, size=R).astype(np.float32)
    a = 0.45 * sim
    a += 0.40 * senior[:, None]
    a += 0.15 * rng.random((R, P), dtype=np.float32)
    del sim
    a = np.round(np.clip(a, 0, 1).astype(np.float64), 2)
    forbidden = rng.random((R, P), dtype=np.float32) < conflict_rate
    return a, forbidden


def run_case(name: str, R: int, P: int, mode: str, seed: int) -> dict:
    from tupo.methods.assignment import assign

    stress = mode.endswith("-stress")
    mode = mode.removesuffix("-stress")
    a, forbidden = make_instance(R, P, seed, stress=stress)
    t0 = time.perf_counter()
    if mode == "sparse":
        res = assign(a, 3, 0, 12, forbidden)
    elif mode == "dense":
        res = assign(a, 3, 0, 12, forbidden, candidates=None)
    elif mode == "fair":
        res = assign(a, 3, 0, 12, forbidden, fair=True)
    else:
        raise ValueError(mode)
    wall = time.perf_counter() - t0
    rss = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # MiB (Linux: KiB)
    c = res.certificate
    return {
        "case": name,
        "reviewers": R,
        "items": P,
        "mode": mode,
        "instance": "stress" if stress else "topic",
        "seed": seed,
        "wall_seconds_solve": round(wall, 3),
        "peak_rss_mib_process": round(rss, 1),
        "objective": res.objective,
        "min_item_affinity": res.fairness.min_item_affinity,
        "mean_item_affinity": res.fairness.mean_item_affinity,
        "certificate": c.as_dict(),
    }


CASES_FULL = [
    ("2000x600 sparse+certificate", 2000, 600, "sparse"),
    ("2000x600 dense LP", 2000, 600, "dense"),
    ("2000x600 fair", 2000, 600, "fair"),
    ("10000x3000 sparse+certificate", 10000, 3000, "sparse"),
    ("10000x3000 stress sparse+cert", 10000, 3000, "sparse-stress"),
]
CASES_QUICK = [
    ("500x150 sparse+certificate", 500, 150, "sparse"),
    ("500x150 dense LP", 500, 150, "dense"),
    ("500x150 fair", 500, 150, "fair"),
    ("2000x600 sparse+certificate", 2000, 600, "sparse"),
]


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="small instances only (< 60 s)")
    ap.add_argument(
        "--out", default=None, help="JSON output (default bench/results/assignment.json; quick: none)"
    )
    ap.add_argument("--seed", type=int, default=20240601)
    ap.add_argument("--case", nargs=4, metavar=("NAME", "R", "P", "MODE"), help=argparse.SUPPRESS)
    args = ap.parse_args(argv)

    if args.case:  # child process: one case, JSON on stdout
        name, R, P, mode = args.case
        print(json.dumps(run_case(name, int(R), int(P), mode, args.seed)))
        return 0

    cases = CASES_QUICK if args.quick else CASES_FULL
    rows = []
    for name, R, P, mode in cases:
        t0 = time.perf_counter()
        proc = subprocess.run(
            [sys.executable, __file__, "--seed", str(args.seed), "--case", name, str(R), str(P), mode],
            capture_output=True,
            text=True,
            check=False,
        )
        if proc.returncode != 0:
            print(proc.stderr, file=sys.stderr)
            return 1
        row = json.loads(proc.stdout.strip().splitlines()[-1])
        row["wall_seconds_process"] = round(time.perf_counter() - t0, 3)
        rows.append(row)
        c = row["certificate"]
        print(
            f"{row['case']:<32} solve {row['wall_seconds_solve']:8.3f} s  process {row['wall_seconds_process']:7.2f} s  "
            f"RSS {row['peak_rss_mib_process']:8.1f} MiB  obj {row['objective']:12.2f}  "
            f"min item {row['min_item_affinity']:.2f}  optimal {c['optimal']}  rounds {c['rounds']}  "
            f"edges {c['edges_used']}/{c['edges_allowed']}  max rc {c['max_reduced_cost']}",
            flush=True,
        )
    out = args.out or (None if args.quick else str(ROOT / "bench" / "results" / "assignment.json"))
    if out:
        doc = {
            "benchmark": "tupo.methods.assignment",
            "date": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
            "machine": {
                "platform": platform.platform(),
                "python": platform.python_version(),
                "processor": platform.processor() or platform.machine(),
                "cpus": os.cpu_count(),
                "numpy": np.__version__,
            },
            "notes": "wall_seconds_solve: assign() call only (instance generation excluded); "
            "peak_rss_mib_process: ru_maxrss of the subprocess running the case, including the "
            "dense affinity matrix and instance generation.",
            "quick": args.quick,
            "results": rows,
        }
        try:
            from importlib.metadata import version

            doc["machine"]["highspy"] = version("highspy")
            doc["machine"]["scipy"] = version("scipy")
        except Exception:  # pragma: no cover
            pass
        Path(out).parent.mkdir(parents=True, exist_ok=True)
        Path(out).write_text(json.dumps(doc, indent=2) + "\n")
        print(f"wrote {out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
