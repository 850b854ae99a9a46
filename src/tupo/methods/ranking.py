"""Rank intervals with honest uncertainty (pure numpy/scipy, no Django).

Given a :class:`~tupo.methods.calibration.CalibrationResult`, draw plausible calibrated scores,
rank every draw (1 = best) and summarise:

* a 90 % interval for each item's rank,
* P(item is in the funded set of the top ``k``),
* the grey zone: items whose rank interval straddles the cut at ``k``,
* groups of neighbours that cannot be told apart.

Draw kinds (``method``):

* ``"posterior"`` (default) -- exact Gaussian draws from the empirical-Bayes posterior given the
  estimated variance components.  This is the one whose intervals reach nominal coverage in
  simulation (docs/methods/calibration.md).
* ``"parametric"`` -- parametric bootstrap of the point estimator (data noise only).  Ignores
  the uncertainty that shrinkage hides, and under-covers; kept for comparison.
* ``"bootstrap"`` -- resample reviews within each item with replacement and re-calibrate.
  Slow (one full fit per replicate) and under-covers with five reviews per item.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Hashable
from dataclasses import dataclass

import numpy as np

from .calibration import CalibrationResult, calibrate

__all__ = ["ItemRank", "RankingResult", "rank_from_draws", "rank_intervals"]


@dataclass(frozen=True)
class ItemRank:
    item: Hashable
    score: float
    rank: int  # rank of the point estimate, 1 = best
    rank_low: int  # interval bounds, rank_low <= rank_high (rank_low = better end)
    rank_high: int
    p_funded: float  # P(rank <= k); nan when no k given
    grey_zone: bool  # interval straddles the cut between k and k + 1
    group: int  # index of the block of statistically indistinguishable neighbours (0 = best)


@dataclass
class RankingResult:
    items: list[ItemRank]  # sorted best first
    level: float
    k: int | None
    n_draws: int
    method: str
    groups: list[list]  # item ids per group, best group first

    def by_item(self) -> dict:
        return {r.item: r for r in self.items}


def _ranks(draws: np.ndarray) -> np.ndarray:
    """Rank each row, 1 = highest score (continuous draws: ties have probability 0)."""
    order = np.argsort(-draws, axis=1)  # introsort: ~3x faster than stable; exact ties have probability 0
    ranks = np.empty(draws.shape, dtype=np.int32)
    np.put_along_axis(
        ranks, order, np.broadcast_to(np.arange(1, draws.shape[1] + 1, dtype=np.int32), draws.shape), axis=1
    )
    return ranks


def rank_from_draws(
    item_ids: list,
    point: np.ndarray,
    draws: np.ndarray,
    *,
    level: float = 0.90,
    k: int | None = None,
    distinguish: float = 0.95,
    method: str = "posterior",
) -> RankingResult:
    """Summarise (n_draws, n_items) score draws into rank intervals and groups.

    Groups: walk the items best-first; an item joins the current group unless the group's
    first (best) member beats it in at least ``distinguish`` of the draws, in which case it
    starts a new group.  Groups therefore do not chain: every member is indistinguishable
    from the group's leader.
    """
    point = np.asarray(point, dtype=float)
    n_draws, n_items = draws.shape
    ranks = _ranks(draws)
    alpha = (1.0 - level) / 2.0
    lo = np.quantile(ranks, alpha, axis=0, method="lower").astype(int)
    hi = np.quantile(ranks, 1.0 - alpha, axis=0, method="higher").astype(int)
    order = np.argsort(-point, kind="stable")
    point_rank = np.empty(n_items, dtype=int)
    point_rank[order] = np.arange(1, n_items + 1)
    if k is not None:
        if not 0 < k <= n_items:
            raise ValueError(f"k must be between 1 and the number of items ({n_items})")
        p_funded = (ranks <= k).mean(0)
        grey = (lo <= k) & (hi > k)
    else:
        p_funded = np.full(n_items, math.nan)
        grey = np.zeros(n_items, dtype=bool)
    group = np.empty(n_items, dtype=int)
    groups: list[list] = []
    leader = -1
    g = -1
    cols = np.ascontiguousarray(draws.T)  # one contiguous row per item for the pairwise checks
    for i in order:
        if leader >= 0 and np.mean(cols[leader] > cols[i]) < distinguish:
            group[i] = g
            groups[g].append(item_ids[i])
            continue
        g += 1
        leader = i
        group[i] = g
        groups.append([item_ids[i]])
    out = [
        ItemRank(
            item=item_ids[i],
            score=float(point[i]),
            rank=int(point_rank[i]),
            rank_low=int(lo[i]),
            rank_high=int(hi[i]),
            p_funded=float(p_funded[i]),
            grey_zone=bool(grey[i]),
            group=int(group[i]),
        )
        for i in order
    ]
    return RankingResult(items=out, level=level, k=k, n_draws=n_draws, method=method, groups=groups)


def _review_bootstrap_draws(result: CalibrationResult, n_draws: int, rng: np.random.Generator):
    m = result._model
    assert m is not None
    ii, rr, y, w = m.ii, m.rr, m.y, m.w
    order = np.argsort(ii, kind="stable")
    n_i = np.bincount(ii, minlength=m.n_items)
    starts = np.concatenate(([0], np.cumsum(n_i)[:-1]))
    out = np.empty((n_draws, m.n_items))
    for s in range(n_draws):
        pick = order[starts[ii[order]] + (rng.random(ii.size) * n_i[ii[order]]).astype(int)]
        # keep item order so item indices line up with the original fit
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            res = calibrate(
                rr[pick].tolist(), ii[order].tolist(), y[pick], w[pick], method=result.method, n_draws=0
            )
        sc = np.empty(m.n_items)
        sc[np.array([it.item for it in res.items])] = res.calibrated_array()
        out[s] = sc
    return out


def rank_intervals(
    result: CalibrationResult,
    *,
    k: int | None = None,
    n_draws: int = 1000,
    level: float = 0.90,
    seed: int | np.random.Generator | None = 0,
    method: str = "posterior",
    distinguish: float = 0.95,
) -> RankingResult:
    """Rank intervals for a calibration result (see module docstring for ``method``)."""
    if n_draws < 2:
        raise ValueError("n_draws must be at least 2")
    rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
    point = result.calibrated_array()
    if method in ("posterior", "parametric"):
        draws, _ = result.draw(n_draws, rng, kind=method)
    elif method == "bootstrap":
        draws = _review_bootstrap_draws(result, n_draws, rng)
    else:
        raise ValueError("method must be 'posterior', 'parametric' or 'bootstrap'")
    return rank_from_draws(
        result.item_ids(), point, draws, level=level, k=k, distinguish=distinguish, method=method
    )
