"""Benchmark for tupo.methods.calibration / ranking / textsim.

    .venv/bin/python bench/bench_calibration.py [--quick]

Measures (writes bench/results/calibration.json and prints a table):

1. speed: calibration + 90 % rank intervals for 20,000 items x 5 reviews (pool of 1,000 reviewers);
2. accuracy: Spearman vs true quality on simulated panels (200 items x 5 reviews, pool of 40,
   quality sd = bias sd = noise sd = 1), mean over seeds, for calibrated (EB), fixed-effects LS,
   plain mean, trimmed mean, median and an oracle that knows every bias;
3. coverage of the true rank by 90 % rank intervals: EB posterior vs parametric bootstrap
   (EB and LS) vs resampling reviews within items;
4. textsim: affinity matrix for 2,000 reviewers x 600 items (time).
"""

from __future__ import annotations

import argparse
import json
import platform
import sys
import time
import warnings
from pathlib import Path

import numpy as np
from scipy.stats import rankdata, spearmanr

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT / "src"))

from tupo.methods.calibration import calibrate  # noqa: E402
from tupo.methods.ranking import rank_intervals  # noqa: E402
from tupo.methods.textsim import affinity  # noqa: E402

warnings.simplefilter("ignore")


def simulate(seed, n_items=200, n_rev=40, per_item=5, q_sd=1.0, b_sd=1.0, e_sd=1.0):
    rng = np.random.default_rng(seed)
    q = rng.normal(0, q_sd, n_items)
    b = rng.normal(0, b_sd, n_rev)
    # distinct reviewers per item: top-`per_item` of a random key per (item, reviewer)
    if n_rev <= 64:
        rv = np.argsort(rng.random((n_items, n_rev)), axis=1)[:, :per_item].ravel()
    else:
        rv = np.empty((n_items, per_item), dtype=np.int64)
        for i0 in range(0, n_items, 2000):
            blk = rng.random((min(2000, n_items - i0), n_rev))
            rv[i0 : i0 + blk.shape[0]] = np.argpartition(blk, per_item, axis=1)[:, :per_item]
        rv = rv.ravel()
    it = np.repeat(np.arange(n_items), per_item)
    y = 70 + q[it] + b[rv] + rng.normal(0, e_sd, it.size)
    return q, b, rv, it, y


def bench_speed(n_draws: int):
    q, b, rv, it, y = simulate(12345, n_items=20_000, n_rev=1_000, per_item=5)
    rv_ids = [f"R{x}" for x in rv]
    it_ids = [f"P{x}" for x in it]
    t0 = time.perf_counter()
    res = calibrate(rv_ids, it_ids, y, n_draws=200, seed=0)
    t1 = time.perf_counter()
    rk = rank_intervals(res, k=2_000, n_draws=n_draws, seed=0)
    t2 = time.perf_counter()
    true_rank = rankdata(-q, method="ordinal")
    idx = {f"P{i}": i for i in range(q.size)}
    cov = np.mean([r.rank_low <= true_rank[idx[r.item]] <= r.rank_high for r in rk.items])
    return {
        "items": 20_000,
        "reviews": int(y.size),
        "reviewers": 1_000,
        "rank_draws": n_draws,
        "calibrate_s": round(t1 - t0, 3),
        "rank_intervals_s": round(t2 - t1, 3),
        "total_s": round(t2 - t0, 3),
        "spearman_calibrated": round(float(spearmanr(res.calibrated_array(), q)[0]), 4),
        "spearman_mean": round(float(spearmanr([x.mean for x in res.items], q)[0]), 4),
        # the ceiling: item means with every reviewer's true bias removed (no estimator can rank better)
        "spearman_oracle": round(float(spearmanr(np.bincount(it, weights=y - b[rv]) / np.bincount(it), q)[0]), 4),
        "rank_interval_coverage": round(float(cov), 4),
        "grey_zone_items_at_k2000": int(sum(r.grey_zone for r in rk.items)),
        "alpha": round(res.alpha, 4),
    }


def bench_spearman(n_seeds: int):
    cols = {k: [] for k in ("calibrated_eb", "fixed_effects_ls", "mean", "trimmed_mean", "median", "oracle")}
    for s in range(n_seeds):
        q, b, rv, it, y = simulate(10_000 + s)
        eb = calibrate(rv, it, y, n_draws=0)
        ls = calibrate(rv, it, y, n_draws=0, method="ls")
        cols["calibrated_eb"].append(spearmanr(eb.calibrated_array(), q)[0])
        cols["fixed_effects_ls"].append(spearmanr(ls.calibrated_array(), q)[0])
        cols["mean"].append(spearmanr([x.mean for x in eb.items], q)[0])
        cols["trimmed_mean"].append(spearmanr([x.trimmed_mean for x in eb.items], q)[0])
        cols["median"].append(spearmanr([x.median for x in eb.items], q)[0])
        oracle = np.bincount(it, weights=y - b[rv]) / np.bincount(it)
        cols["oracle"].append(spearmanr(oracle, q)[0])
    out = {
        k: {"mean": round(float(np.mean(v)), 4), "sd_over_seeds": round(float(np.std(v, ddof=1)), 4)}
        for k, v in cols.items()
    }
    out["design"] = "200 items x 5 distinct reviewers from a pool of 40; quality, bias, noise sd 1"
    out["seeds"] = n_seeds
    return out


def _coverage_one(seed, method, fit_method, n_draws):
    q, _, rv, it, y = simulate(20_000 + seed)
    res = calibrate(rv, it, y, n_draws=0, method=fit_method)
    rk = rank_intervals(res, n_draws=n_draws, seed=seed, method=method)
    true_rank = rankdata(-q, method="ordinal")
    hit = [r.rank_low <= true_rank[r.item] <= r.rank_high for r in rk.items]
    width = [r.rank_high - r.rank_low for r in rk.items]
    return np.mean(hit), np.mean(width)


def bench_coverage(n_panels: int, n_boot_panels: int, n_draws: int):
    variants = {
        "eb_posterior": ("posterior", "eb", n_panels),
        "eb_parametric_bootstrap": ("parametric", "eb", n_panels),
        "ls_parametric_bootstrap": ("parametric", "ls", n_panels),
        "review_resampling_bootstrap": ("bootstrap", "eb", n_boot_panels),
    }
    out = {}
    for name, (method, fit_method, panels) in variants.items():
        t0 = time.perf_counter()
        draws = n_draws if method != "bootstrap" else min(n_draws, 200)
        cov, wid = zip(*(_coverage_one(s, method, fit_method, draws) for s in range(panels)), strict=True)
        out[name] = {
            "coverage": round(float(np.mean(cov)), 4),
            "sd_over_panels": round(float(np.std(cov, ddof=1)), 4) if panels > 1 else None,
            "mean_interval_width_ranks": round(float(np.mean(wid)), 2),
            "panels": panels,
            "item_replicates": panels * 200,
            "draws": draws,
            "seconds": round(time.perf_counter() - t0, 2),
        }
    out["nominal"] = 0.90
    return out


VOCAB = (
    "党建 品牌 基层 治理 社区 网格化 群众 服务 数字 政务 平台 改革 创新 机制 揭榜挂帅 人才 培养 考核 评价 "
    "财务 报销 流程 审批 效率 乡村 振兴 产业 发展 生态 环保 安全 生产 应急 管理 教育 培训 医疗 卫生 养老 "
    "文化 宣传 志愿 组织 建设 标准化 规范化 信息化 大数据 人工智能 营商 环境 法治 监督 廉政 作风 干部 "
    "青年 妇女 工会 科技 成果 转化 园区 招商 企业 纾困 就业 民生 住房 交通 水利 农业 粮食 统计 审计"
).split()


def _texts(rng, n, length):
    words = np.array(VOCAB)
    p = rng.dirichlet(np.full(len(VOCAB), 0.3), size=n)
    return ["，".join(rng.choice(words, size=length, p=p[i])) for i in range(n)]


def bench_textsim(n_rev: int, n_items: int):
    rng = np.random.default_rng(7)
    reviewers = _texts(rng, n_rev, 60)
    items = _texts(rng, n_items, 200)
    affinity(reviewers[:2], items[:2])  # warm jieba's dictionary outside the timing
    t0 = time.perf_counter()
    a = affinity(reviewers, items)
    dt = time.perf_counter() - t0
    return {
        "reviewers": n_rev,
        "items": n_items,
        "chars_total": int(sum(map(len, reviewers)) + sum(map(len, items))),
        "affinity_s": round(dt, 3),
        "mean_affinity": round(float(a.mean()), 4),
    }


def main(argv=None):
    ap = argparse.ArgumentParser()
    ap.add_argument("--quick", action="store_true", help="fewer seeds/panels (< 60 s)")
    ap.add_argument("--out", default=str(ROOT / "bench" / "results" / "calibration.json"))
    args = ap.parse_args(argv)
    quick = args.quick
    t_start = time.perf_counter()
    results = {
        "quick": quick,
        "python": platform.python_version(),
        "numpy": np.__version__,
        "machine": platform.machine(),
        "speed_20k": bench_speed(n_draws=1000),
        "spearman": bench_spearman(10 if quick else 50),
        "coverage": bench_coverage(10 if quick else 100, 2 if quick else 10, 400 if quick else 1000),
        "textsim": bench_textsim(2000, 600),
    }
    results["wall_s"] = round(time.perf_counter() - t_start, 1)

    sp_ = results["speed_20k"]
    print(
        f"20,000 items x 5 reviews: calibrate {sp_['calibrate_s']:.2f} s + rank intervals "
        f"({sp_['rank_draws']} draws) {sp_['rank_intervals_s']:.2f} s = {sp_['total_s']:.2f} s; "
        f"coverage {sp_['rank_interval_coverage']:.3f}"
    )
    print(
        f"  Spearman vs truth there: calibrated {sp_['spearman_calibrated']:.3f}, oracle (true biases known) "
        f"{sp_['spearman_oracle']:.3f}, plain mean {sp_['spearman_mean']:.3f}"
    )
    print(f"\nSpearman vs truth ({results['spearman']['seeds']} seeds, {results['spearman']['design']})")
    print(f"  {'estimator':<22}{'mean':>8}{'sd':>8}")
    for k, v in results["spearman"].items():
        if isinstance(v, dict):
            print(f"  {k:<22}{v['mean']:>8.4f}{v['sd_over_seeds']:>8.4f}")
    sp = results["spearman"]
    print(f"  calibrated reaches {sp['calibrated_eb']['mean'] / sp['oracle']['mean']:.1%} of the oracle's Spearman")
    print("\n90 % rank-interval coverage of the true rank (200-item panels)")
    print(f"  {'method':<30}{'coverage':>9}{'width':>8}{'panels':>8}{'secs':>8}")
    for k, v in results["coverage"].items():
        if isinstance(v, dict):
            print(
                f"  {k:<30}{v['coverage']:>9.4f}{v['mean_interval_width_ranks']:>8.1f}{v['panels']:>8}{v['seconds']:>8.1f}"
            )
    ts = results["textsim"]
    print(f"\ntextsim affinity {ts['reviewers']} x {ts['items']}: {ts['affinity_s']:.2f} s")
    print(f"\nwall time {results['wall_s']} s")
    if not quick:
        Path(args.out).parent.mkdir(parents=True, exist_ok=True)
        Path(args.out).write_text(json.dumps(results, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
