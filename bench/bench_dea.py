"""Benchmark of tupo.methods.dea (pure Python; no Django).

    .venv/bin/python bench/bench_dea.py [--quick]

Random seeded instances (inputs and outputs uniform on [1, 10], 3 inputs x 3
outputs).  Every case runs in its own child process on one core (BLAS threads
pinned to 1) so that CPU time (time.process_time) and peak resident memory
(ru_maxrss) belong to that case alone; tracemalloc's peak (Python + numpy
allocations, not HiGHS' C++ heap) is measured in a separate untimed run.

Cases: 1,000 units CCR and BCC, first phase (θ and λ) and with second phase
(slacks); 5,000 units CCR input, both phases; the scipy one-LP-per-unit
reference (``dea_reference``) at 5,000 units (1,000 with --quick) in the same
run, for the speed ratio; 100,000 units CCR (20,000 with --quick).
Writes bench/results/dea.json (full run) or bench/results/dea-quick.json.
"""

from __future__ import annotations

import os

for _v in ("OPENBLAS_NUM_THREADS", "OMP_NUM_THREADS", "MKL_NUM_THREADS"):
    os.environ[_v] = "1"

import argparse  # noqa: E402
import datetime as _dt  # noqa: E402
import json  # noqa: E402
import platform  # noqa: E402
import resource  # noqa: E402
import subprocess  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import tracemalloc  # noqa: E402
from pathlib import Path  # noqa: E402

HERE = Path(__file__).resolve().parent
SRC = HERE.parent / "src"
sys.path.insert(0, str(SRC))

M, S = 3, 3


def instance(n: int, seed: int):
    import numpy as np

    rng = np.random.default_rng(seed)
    return rng.uniform(1, 10, (n, M)), rng.uniform(1, 10, (n, S))


def child(spec: dict) -> dict:
    """Run one case in this process and report its numbers."""
    import numpy as np

    from tupo.methods.dea import dea, dea_reference

    X, Y = instance(spec["n"], spec["seed"])
    fn = dea_reference if spec["solver"] == "reference" else dea
    kw = dict(rts=spec["rts"], orientation="in", slacks=spec["slacks"])
    if spec["solver"] == "frame" and spec["n"] >= 50_000:
        kw["progress"] = lambda done, total: None
    fn(X[:60], Y[:60], **{k: v for k, v in kw.items() if k != "progress"})  # warm imports
    c0, w0 = time.process_time(), time.perf_counter()
    res = fn(X, Y, **kw)
    cpu, wall = time.process_time() - c0, time.perf_counter() - w0
    out = {
        "cpu_s": round(cpu, 3),
        "wall_s": round(wall, 3),
        "max_rss_mb": round(resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, 1),
        "n_efficient": int((res.efficiency >= 1 - 1e-7).sum()),
        "mean_efficiency": round(float(res.efficiency.mean()), 6),
    }
    if spec.get("tracemalloc"):
        tracemalloc.start()
        fn(X, Y, **kw)
        out["tracemalloc_peak_mb"] = round(tracemalloc.get_traced_memory()[1] / 2**20, 1)
        tracemalloc.stop()
    if spec.get("save"):
        np.save(spec["save"], res.efficiency)
    return out


def run_child(spec: dict) -> dict:
    p = subprocess.run(
        [sys.executable, __file__, "--child", json.dumps(spec)],
        capture_output=True,
        text=True,
        check=False,
    )
    if p.returncode != 0:
        raise RuntimeError(f"case {spec} failed:\n{p.stderr}")
    return json.loads(p.stdout.strip().splitlines()[-1])


def machine() -> dict:
    import highspy
    import numpy
    import scipy

    cpu = platform.processor()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    from tupo.methods.dea import _new_highs

    try:
        h = _new_highs()  # silent (HiGHS prints a banner on first construction)
        hv = f"{h.versionMajor()}.{h.versionMinor()}.{h.versionPatch()}"
    except Exception:  # pragma: no cover
        hv = getattr(highspy, "__version__", "?")
    return {
        "cpu": cpu,
        "logical_cpus": os.cpu_count(),
        "platform": platform.platform(),
        "python": platform.python_version(),
        "numpy": numpy.__version__,
        "scipy": scipy.__version__,
        "highs": hv,
        "blas_threads": 1,
    }


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--quick", action="store_true", help="small sizes, under a minute")
    ap.add_argument("--child", help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.child:
        print(json.dumps(child(json.loads(args.child))))
        return 0

    import numpy as np

    quick = args.quick
    n_ref = 1000 if quick else 5000
    n_big = 20_000 if quick else 100_000
    tmp = HERE / "results" / ".tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    cases = {}

    def case(name, **spec):
        spec.setdefault("seed", 1)
        spec.setdefault("solver", "frame")
        t = time.perf_counter()
        cases[name] = {
            "n": spec["n"],
            "m": M,
            "s": S,
            "rts": spec["rts"],
            "slacks": spec["slacks"],
            "solver": spec["solver"],
            **run_child(spec),
        }
        print(f"  {name:<28} done in {time.perf_counter() - t:6.1f}s", file=sys.stderr)

    case("ccr_1000_lambda", n=1000, rts="crs", slacks=False)
    case("ccr_1000_slacks", n=1000, rts="crs", slacks=True)
    case("bcc_1000_lambda", n=1000, rts="vrs", slacks=False)
    case("bcc_1000_slacks", n=1000, rts="vrs", slacks=True)
    case(
        "ccr_5000_lambda",
        n=5000,
        rts="crs",
        slacks=False,
        tracemalloc=True,
        save=str(tmp / "frame.npy") if n_ref == 5000 else None,
    )
    case("ccr_5000_slacks", n=5000, rts="crs", slacks=True, tracemalloc=True)
    if n_ref != 5000:
        case(f"ccr_{n_ref}_lambda_frame", n=n_ref, rts="crs", slacks=False, save=str(tmp / "frame.npy"))
    case(
        f"ccr_{n_ref}_lambda_reference",
        n=n_ref,
        rts="crs",
        slacks=False,
        solver="reference",
        save=str(tmp / "ref.npy"),
    )
    case(f"ccr_{n_big}_lambda", n=n_big, rts="crs", slacks=False)

    frame_key = "ccr_5000_lambda" if n_ref == 5000 else f"ccr_{n_ref}_lambda_frame"
    ref = cases[f"ccr_{n_ref}_lambda_reference"]
    max_diff = float(np.abs(np.load(tmp / "frame.npy") - np.load(tmp / "ref.npy")).max())
    for f in tmp.iterdir():
        f.unlink()
    tmp.rmdir()
    summary = {
        "speedup_vs_reference_cpu": round(ref["cpu_s"] / cases[frame_key]["cpu_s"], 1),
        "reference_n": n_ref,
        "max_abs_efficiency_diff_vs_reference": max_diff,
        "slacks_over_first_phase_cpu_5000": round(
            cases["ccr_5000_slacks"]["cpu_s"] / cases["ccr_5000_lambda"]["cpu_s"], 2
        ),
    }
    goals = {
        "ccr_5000_lambda_cpu_le_5s": cases["ccr_5000_lambda"]["cpu_s"] <= 5.0,
        "speedup_ge_20x": summary["speedup_vs_reference_cpu"] >= 20,
        "n1000_cpu_le_0.5s": all(
            cases[k]["cpu_s"] <= 0.5 for k in cases if "_1000_" in k and "reference" not in k
        ),
        "slacks_le_2x_first_phase": summary["slacks_over_first_phase_cpu_5000"] <= 2.0,
        "peak_rss_5000_le_200mb": max(
            cases["ccr_5000_lambda"]["max_rss_mb"], cases["ccr_5000_slacks"]["max_rss_mb"]
        )
        <= 200,
    }
    result = {
        "benchmark": "tupo.methods.dea",
        "date": _dt.datetime.now(_dt.UTC).isoformat(timespec="seconds"),
        "mode": "quick" if quick else "full",
        "data": "inputs and outputs uniform on [1, 10], numpy default_rng(seed=1); input orientation",
        "timing": "cpu_s = time.process_time of the dea() call in a child process, BLAS threads = 1",
        "machine": machine(),
        "cases": cases,
        "summary": summary,
        "goals_met": goals,
    }
    out = HERE / "results" / ("dea-quick.json" if quick else "dea.json")
    out.write_text(json.dumps(result, indent=2) + "\n")

    print(f"{'case':<30}{'cpu s':>9}{'wall s':>9}{'rss MB':>9}{'tracemalloc MB':>16}{'efficient':>10}")
    for k, v in cases.items():
        tm = v.get("tracemalloc_peak_mb", "")
        print(
            f"{k:<30}{v['cpu_s']:>9.3f}{v['wall_s']:>9.3f}{v['max_rss_mb']:>9.1f}{tm!s:>16}{v['n_efficient']:>10}"
        )
    print(
        f"speed-up vs scipy reference at n={n_ref}: {summary['speedup_vs_reference_cpu']}x "
        f"(max |Δ efficiency| = {max_diff:.1e})"
    )
    print(f"slacks / first phase CPU at 5,000: {summary['slacks_over_first_phase_cpu_5000']}")
    print("goals: " + ", ".join(f"{k}={'ok' if v else 'MISSED'}" for k, v in goals.items()))
    print(f"wrote {out.relative_to(HERE.parent)}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
