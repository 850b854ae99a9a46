"""Optimal reviewer-item assignment (pure method, no Django).

Experts ("reviewers", rows) are assigned to items ("proposals", columns) so that
the total affinity is maximal, subject to

* item ``j`` gets exactly ``demand[j]`` distinct reviewers,
* reviewer ``i`` gets between ``min_load[i]`` and ``max_load[i]`` items,
* forbidden (conflicted) pairs are never used, each pair at most once.

This is a transportation / b-matching problem whose constraint matrix is totally
unimodular, so a simplex vertex of the LP relaxation is integral.  We solve it
with HiGHS (dual simplex) on a *sparse candidate graph* (each item's best few
eligible reviewers) and then price out every excluded edge of the full dense
graph with the LP duals (column generation).  When no excluded edge has a
positive reduced cost, the sparse solution is optimal for the full graph; the
:class:`Certificate` in the result records this proof.

Costs are encoded as integers ``round(scale * a)`` (``scale=10**6`` by default):
truncation (``int(scale * a)``) would mis-encode values such as ``0.57`` whose
binary representation lies just below the decimal value.

See ``docs/methods/assignment.md`` for the full description.
"""

from __future__ import annotations

import math
import os
import sys
import time
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "AssignmentResult",
    "Certificate",
    "FairnessReport",
    "InfeasibleAssignment",
    "assign",
    "assign_sparse",
    "encode_costs",
    "fairness_report",
    "org_conflicts",
    "random_draw",
]

DEFAULT_SCALE = 10**6


# --------------------------------------------------------------------------- results


class InfeasibleAssignment(ValueError):
    """No assignment satisfies demand, loads and conflicts.

    ``reasons`` is a list of human-readable explanations, e.g.
    ``"item P17: only 2 non-conflicted reviewers for demand 3"``.
    """

    def __init__(self, reasons: Sequence[str]):
        self.reasons = list(reasons)
        super().__init__("no feasible assignment: " + "; ".join(self.reasons))


@dataclass(frozen=True)
class FairnessReport:
    """Distribution of per-item affinity sums (items with demand 0 excluded)."""

    min_item_affinity: float
    mean_item_affinity: float
    max_item_affinity: float
    quantiles: dict[str, float]
    worst_items: list[int]  # indices of the items attaining the minimum (at most 10)

    def as_dict(self) -> dict[str, Any]:
        return {
            "min_item_affinity": self.min_item_affinity,
            "mean_item_affinity": self.mean_item_affinity,
            "max_item_affinity": self.max_item_affinity,
            "quantiles": dict(self.quantiles),
            "worst_items": list(self.worst_items),
        }


@dataclass(frozen=True)
class Certificate:
    """How optimality of the returned assignment is established.

    ``method``:
      * ``"column-generation"`` - sparse LP + pricing of every excluded edge of
        the full graph; ``optimal`` is True when ``gap_bound < 1`` integer cost
        unit, i.e. the Lagrangian upper bound ``dual_bound`` leaves no room for
        a better integral assignment.
      * ``"dense-lp"`` - all allowed edges in one LP (no pricing needed).
      * ``"mip"`` - fair mode (two lexicographic MIPs, see ``notes``).
    """

    method: str
    optimal: bool
    rounds: int  # LP/MIP solves (candidate-graph repairs + pricing rounds)
    edges_used: int  # edges (columns) in the final LP / MIP
    edges_allowed: int  # non-forbidden pairs of the full graph
    max_reduced_cost: (
        float | None
    )  # max reduced cost of excluded edges, affinity units (<= 0 proves optimality)
    positive_reduced_cost_sum: float | None  # sum of positive reduced costs of excluded edges, affinity units
    dual_bound: float | None  # upper bound on the optimal total affinity over the full graph
    mip_gap: float | None = None
    notes: list[str] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return {
            "method": self.method,
            "optimal": self.optimal,
            "rounds": self.rounds,
            "edges_used": self.edges_used,
            "edges_allowed": self.edges_allowed,
            "max_reduced_cost": self.max_reduced_cost,
            "positive_reduced_cost_sum": self.positive_reduced_cost_sum,
            "dual_bound": self.dual_bound,
            "mip_gap": self.mip_gap,
            "notes": list(self.notes),
        }


@dataclass(frozen=True)
class AssignmentResult:
    pairs: np.ndarray  # (n, 2) int64 array of (reviewer, item), sorted
    objective: float  # total affinity (sum of the given affinities, not of encoded costs)
    objective_scaled: int  # total of the integer costs round(scale * a)
    scale: int
    per_item_affinity: np.ndarray  # (P,) float
    reviewer_load: np.ndarray  # (R,) int
    fairness: FairnessReport
    certificate: Certificate
    mode: str = "optimal"  # "optimal", "fair" or "random"
    seed: int | None = None  # random_draw only
    wall_seconds: float = 0.0


# --------------------------------------------------------------------------- helpers


def encode_costs(affinity: np.ndarray, scale: int = DEFAULT_SCALE) -> np.ndarray:
    """Integer cost encoding ``round(scale * a)`` (returned as float64 holding integers).

    ``int(scale * a)`` (truncation) is wrong for e.g. ``0.57 * 100 == 56.999...``.
    """
    return np.rint(np.asarray(affinity, dtype=np.float64) * scale)


def _names(names: Sequence[Any] | None, n: int, kind: str) -> list[str]:
    if names is None:
        return [f"{kind} {k}" for k in range(n)]
    if len(names) != n:
        raise ValueError(f"{len(names)} {kind} names given for {n} {kind}s")
    return [f"{kind} {x}" for x in names]


def _int_vector(x: Any, n: int, what: str) -> np.ndarray:
    arr = np.asarray(x)
    if arr.ndim == 0:
        arr = np.full(n, arr)
    if arr.shape != (n,):
        raise ValueError(f"{what} must have length {n}, got shape {arr.shape}")
    if not np.all(np.isfinite(arr.astype(np.float64))):
        raise ValueError(f"{what} contains non-finite values")
    out = arr.astype(np.int64)
    if not np.array_equal(out, arr.astype(np.float64)):
        raise ValueError(f"{what} must be integers")
    return out


def _forbidden_mask(forbidden: Any, R: int, P: int) -> np.ndarray:
    if forbidden is None:
        return np.zeros((R, P), dtype=bool)
    if isinstance(forbidden, np.ndarray) and forbidden.dtype == bool:
        if forbidden.shape != (R, P):
            raise ValueError(f"forbidden mask must have shape {(R, P)}, got {forbidden.shape}")
        return forbidden
    mask = np.zeros((R, P), dtype=bool)
    pairs = np.asarray(list(forbidden), dtype=np.int64).reshape(-1, 2)
    if len(pairs):
        if pairs.min() < 0 or pairs[:, 0].max() >= R or pairs[:, 1].max() >= P:
            raise ValueError("forbidden pair index out of range")
        mask[pairs[:, 0], pairs[:, 1]] = True
    return mask


def _check_affinity(affinity: Any, rnames: list[str] | None, pnames: list[str] | None) -> np.ndarray:
    a = np.asarray(affinity, dtype=np.float64)
    if a.ndim != 2:
        raise ValueError(f"affinity must be a 2-D (reviewers x items) array, got shape {a.shape}")
    bad = ~np.isfinite(a)
    if bad.any():
        i, j = map(int, np.argwhere(bad)[0])
        rn = rnames[i] if rnames else f"reviewer {i}"
        pn = pnames[j] if pnames else f"item {j}"
        raise ValueError(
            f"affinity for ({rn}, {pn}) is {a[i, j]!r}; NaN/infinite affinities are not allowed "
            f"({int(bad.sum())} such pair(s))"
        )
    return a


def _quick_reasons(
    allowed_per_item: np.ndarray,
    allowed_per_reviewer: np.ndarray,
    demand: np.ndarray,
    min_load: np.ndarray,
    max_load: np.ndarray,
    rn: list[str],
    pn: list[str],
) -> list[str]:
    """Necessary conditions, each with a readable reason."""
    reasons: list[str] = []
    for j in np.flatnonzero(demand < 0):
        reasons.append(f"{pn[j]}: negative demand {demand[j]}")
    for i in np.flatnonzero((min_load < 0) | (max_load < 0)):
        reasons.append(f"{rn[i]}: negative load bound")
    for i in np.flatnonzero(min_load > max_load):
        reasons.append(f"{rn[i]}: minimum load {min_load[i]} exceeds maximum load {max_load[i]}")
    for j in np.flatnonzero(allowed_per_item < demand):
        reasons.append(f"{pn[j]}: only {allowed_per_item[j]} non-conflicted reviewers for demand {demand[j]}")
    for i in np.flatnonzero(allowed_per_reviewer < min_load):
        reasons.append(
            f"{rn[i]}: only {allowed_per_reviewer[i]} non-conflicted items for minimum load {min_load[i]}"
        )
    cap, dem, low = int(np.maximum(max_load, 0).sum()), int(np.maximum(demand, 0).sum()), int(min_load.sum())
    if cap < dem:
        reasons.append(f"total reviewer capacity {cap} is less than total demand {dem}")
    if low > dem:
        reasons.append(
            f"minimum loads cannot be met: reviewers need at least {low} reviews in total "
            f"but items demand only {dem}"
        )
    return reasons


def _list(names: list[str], idx: np.ndarray, limit: int = 10) -> str:
    shown = ", ".join(names[k] for k in idx[:limit])
    return shown + (f" and {len(idx) - limit} more" if len(idx) > limit else "")


def _flow_reasons(
    allowed: np.ndarray, demand: np.ndarray, min_load: np.ndarray, max_load: np.ndarray, rn, pn
) -> list[str]:
    """Hall-type explanation via max-flow / min-cut (only called when infeasible)."""
    from scipy.sparse import csr_matrix
    from scipy.sparse.csgraph import breadth_first_order, maximum_flow

    R, P = allowed.shape
    ii, jj = np.nonzero(allowed)
    s, t = 0, R + P + 1
    n = R + P + 2
    reasons: list[str] = []

    def run(rcap, pcap):
        rows = np.concatenate([np.zeros(R, np.int64), 1 + ii, 1 + R + np.arange(P)])
        cols = np.concatenate([1 + np.arange(R), 1 + R + jj, np.full(P, t)])
        caps = np.concatenate([rcap, np.ones(len(ii), np.int64), pcap]).astype(np.int32)
        g = csr_matrix((caps, (rows, cols)), shape=(n, n))
        res = maximum_flow(g, s, t)
        resid = (g - res.flow).tocsr()
        resid.data = np.where(resid.data > 0, 1, 0).astype(np.int32)
        resid.eliminate_zeros()
        reach = np.zeros(n, dtype=bool)
        reach[breadth_first_order(resid, s, directed=True, return_predecessors=False)] = True
        return res.flow_value, reach

    # (a) demand side: reviewers capped by max_load
    dem = int(demand.sum())
    val, reach = run(np.maximum(max_load, 0), np.maximum(demand, 0))
    if val < dem:
        short = np.flatnonzero(~reach[1 + R : 1 + R + P] & (demand > 0))
        supply = int(np.minimum(max_load, allowed[:, short].sum(axis=1)).sum())
        reasons.append(
            f"items {_list(pn, short)} together need {int(demand[short].sum())} reviews but their "
            f"non-conflicted reviewers can supply at most {supply} (maximum loads)"
        )
    # (b) minimum-load side: items capped by demand
    low = int(min_load.sum())
    val, reach = run(np.maximum(min_load, 0), np.maximum(demand, 0))
    if val < low:
        needy = np.flatnonzero(reach[1 : 1 + R] & (min_load > 0))
        room = int(np.minimum(demand, allowed[needy].sum(axis=0)).sum())
        reasons.append(
            f"minimum loads cannot be met: reviewers {_list(rn, needy)} need at least "
            f"{int(min_load[needy].sum())} reviews but the items they may review can take at most {room}"
        )
    if not reasons:
        reasons.append("demand, loads and conflicts cannot be satisfied simultaneously")
    return reasons


def fairness_report(per_item: np.ndarray, demand: np.ndarray) -> FairnessReport:
    vals = np.asarray(per_item, dtype=np.float64)[np.asarray(demand) > 0]
    if len(vals) == 0:
        return FairnessReport(0.0, 0.0, 0.0, {}, [])
    qs = {f"p{q}": float(np.quantile(vals, q / 100)) for q in (10, 25, 50, 75, 90)}
    idx = np.flatnonzero(np.asarray(demand) > 0)
    mn = float(vals.min())
    worst = [int(k) for k in idx[np.isclose(vals, mn, rtol=0, atol=1e-9)][:10]]
    return FairnessReport(
        min_item_affinity=mn,
        mean_item_affinity=float(vals.mean()),
        max_item_affinity=float(vals.max()),
        quantiles=qs,
        worst_items=worst,
    )


# --------------------------------------------------------------------------- HiGHS

_BANNER_DONE = False


def _new_highs():
    """A silent HiGHS instance (the copyright banner goes to C stdout once per process)."""
    global _BANNER_DONE
    import highspy

    if _BANNER_DONE:
        h = highspy.Highs()
    else:
        try:
            sys.stdout.flush()
            saved = os.dup(1)
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            try:
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
        except OSError:  # pragma: no cover - no real fd 1
            h = highspy.Highs()
        _BANNER_DONE = True
    h.setOptionValue("output_flag", False)
    return h


def _columns(ri: np.ndarray, pj: np.ndarray, R: int, extra_rows: np.ndarray | None = None, extra_vals=None):
    """Column-wise sparse data: each edge has a 1 in reviewer row i and item row R + j
    (plus optionally one extra row, used by the fair-mode floor rows)."""
    m = len(ri)
    if extra_rows is None:
        start = np.arange(0, 2 * m + 1, 2, dtype=np.int32)
        index = np.empty(2 * m, dtype=np.int32)
        index[0::2] = ri
        index[1::2] = R + pj
        value = np.ones(2 * m)
    else:
        start = np.arange(0, 3 * m + 1, 3, dtype=np.int32)
        index = np.empty(3 * m, dtype=np.int32)
        index[0::3] = ri
        index[1::3] = R + pj
        index[2::3] = extra_rows
        value = np.ones(3 * m)
        value[2::3] = extra_vals
    return start, index, value


def _build_lp(h, costs, ri, pj, demand, min_load, max_load, R, P):
    import highspy

    lp = highspy.HighsLp()
    m = len(ri)
    lp.num_col_ = m
    lp.num_row_ = R + P
    lp.col_cost_ = np.asarray(costs, dtype=np.float64)
    lp.col_lower_ = np.zeros(m)
    lp.col_upper_ = np.ones(m)
    lp.row_lower_ = np.concatenate([min_load, demand]).astype(np.float64)
    lp.row_upper_ = np.concatenate([max_load, demand]).astype(np.float64)
    start, index, value = _columns(ri, pj, R)
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = start
    lp.a_matrix_.index_ = index
    lp.a_matrix_.value_ = value
    lp.sense_ = highspy.ObjSense.kMaximize
    h.passModel(lp)


def _status_ok(h) -> bool:
    import highspy

    return h.getModelStatus() == highspy.HighsModelStatus.kOptimal


def _status_infeasible(h) -> bool:
    import highspy

    return h.getModelStatus() in (
        highspy.HighsModelStatus.kInfeasible,
        highspy.HighsModelStatus.kUnboundedOrInfeasible,
    )


# --------------------------------------------------------------------------- candidates


def _top_k_per_item(a: np.ndarray, forbidden: np.ndarray, k: int, chunk: int = 256) -> np.ndarray:
    """Boolean mask R x P of each item's k best non-forbidden reviewers."""
    R, P = a.shape
    out = np.zeros((R, P), dtype=bool)
    if k >= R:
        return ~forbidden
    for j0 in range(0, P, chunk):
        j1 = min(P, j0 + chunk)
        block = np.array(a[:, j0:j1], dtype=np.float64)
        block[forbidden[:, j0:j1]] = -np.inf
        top = np.argpartition(-block, k - 1, axis=0)[:k]  # (k, cols)
        cols = np.broadcast_to(np.arange(j0, j1), top.shape)
        out[top.ravel(), cols.ravel()] = True
    out &= ~forbidden
    return out


def _top_k_per_reviewer(a: np.ndarray, forbidden: np.ndarray, need: np.ndarray, out: np.ndarray) -> None:
    """Add, for reviewers with need[i] > 0, their need[i] best non-forbidden items."""
    for i in np.flatnonzero(need > 0):
        row = np.where(forbidden[i], -np.inf, a[i])
        k = min(int(need[i]), a.shape[1])
        top = np.argpartition(-row, k - 1)[:k]
        out[i, top[np.isfinite(row[top])]] = True


def _greedy_edges(
    a: np.ndarray, forbidden: np.ndarray, demand: np.ndarray, max_load, out: np.ndarray
) -> None:
    """Add the edges of a greedy capacity-respecting assignment (best items first take
    their best reviewers with spare capacity).  When popular reviewers are everyone's
    top-k, this keeps the first candidate graph feasible without widening k."""
    R, P = a.shape
    spare = np.maximum(np.asarray(max_load, dtype=np.int64), 0).copy()
    order = np.argsort(-a.max(axis=0), kind="stable")
    for j in order:
        d = int(demand[j])
        if d <= 0:
            continue
        col = np.where(forbidden[:, j] | (spare <= 0), -np.inf, a[:, j])
        top = np.argpartition(-col, d - 1)[:d] if d < R else np.arange(R)
        top = top[np.isfinite(col[top])]
        out[top, j] = True
        spare[top] -= 1


# --------------------------------------------------------------------------- core solver


@dataclass
class _Core:
    x_pairs: np.ndarray
    cert: Certificate


def _solve_core(
    a: np.ndarray,
    forbidden: np.ndarray,
    demand: np.ndarray,
    min_load: np.ndarray,
    max_load: np.ndarray,
    rn: list[str],
    pn: list[str],
    scale: int,
    candidates: int | None,
    max_rounds: int = 50,
) -> _Core:
    R, P = a.shape
    allowed_total = int(R * P - forbidden.sum())
    allowed_per_item = R - forbidden.sum(axis=0)
    allowed_per_reviewer = P - forbidden.sum(axis=1)
    reasons = _quick_reasons(allowed_per_item, allowed_per_reviewer, demand, min_load, max_load, rn, pn)
    if reasons:
        raise InfeasibleAssignment(reasons)

    if allowed_total == 0:  # nothing may be assigned; quick checks passed, so demand and min loads are 0
        cert = Certificate("dense-lp", True, 0, 0, 0, None, 0.0, 0.0)
        return _Core(np.zeros((0, 2), dtype=np.int64), cert)
    dense = candidates is None or candidates <= 0 or candidates >= R
    k = R if dense else int(candidates)
    h = _new_highs()
    h.setOptionValue("solver", "simplex")
    rounds = 0
    greedy = False
    while True:
        # ---- candidate graph
        if k >= R:
            included = ~forbidden
        else:
            included = _top_k_per_item(a, forbidden, max(k, int(demand.max(initial=0))))
            _top_k_per_reviewer(a, forbidden, np.where(min_load > 0, 2 * min_load + k, 0), included)
            if greedy:
                _greedy_edges(a, forbidden, demand, max_load, included)
        ri, pj = np.nonzero(included)
        ri = ri.astype(np.int64)
        pj = pj.astype(np.int64)
        costs = encode_costs(a[ri, pj], scale)
        _build_lp(h, costs, ri, pj, demand, min_load, max_load, R, P)
        h.run()
        rounds += 1
        if _status_infeasible(h):
            if k >= R:
                raise InfeasibleAssignment(_flow_reasons(~forbidden, demand, min_load, max_load, rn, pn))
            if not greedy:  # popular reviewers over-subscribed: add a greedy feasible assignment
                greedy = True
            else:  # still too thin: widen the candidate lists
                k = min(R, 4 * k)
            continue
        if not _status_ok(h):  # pragma: no cover - solver trouble
            raise RuntimeError(f"HiGHS returned status {h.modelStatusToString(h.getModelStatus())}")
        break

    if k >= R:
        sol = h.getSolution()
        x = np.asarray(sol.col_value) > 0.5
        cert = Certificate(
            method="dense-lp",
            optimal=True,
            rounds=rounds,
            edges_used=len(ri),
            edges_allowed=allowed_total,
            max_reduced_cost=None,
            positive_reduced_cost_sum=0.0,
            dual_bound=float(costs[x].sum()) / scale,
        )
        return _Core(np.column_stack([ri[x], pj[x]]), cert)

    # ---- column generation: price out every excluded edge with the LP duals
    row_chunk = max(1, 4_000_000 // max(P, 1))
    tol = 1e-6  # integer cost units
    max_add = max(20_000, 20 * P)
    per_item_add = 5
    while True:
        sol = h.getSolution()
        y = np.asarray(sol.row_dual, dtype=np.float64)
        u, v = y[:R], y[R:]
        max_rc = -np.inf
        pos_sum = 0.0
        add_i: list[np.ndarray] = []
        add_j: list[np.ndarray] = []
        add_rc: list[np.ndarray] = []
        for i0 in range(0, R, row_chunk):
            i1 = min(R, i0 + row_chunk)
            rc = encode_costs(a[i0:i1], scale)
            rc -= u[i0:i1, None]
            rc -= v[None, :]
            rc[forbidden[i0:i1] | included[i0:i1]] = -np.inf
            cmax = float(rc.max(initial=-np.inf))
            max_rc = max(max_rc, cmax)
            if cmax > tol:
                positive = rc > tol
                pos_sum += float(rc[positive].sum())
                # keep each item's best `per_item_add` entering edges of this chunk
                m = min(per_item_add, i1 - i0)
                top = np.argpartition(-rc, m - 1, axis=0)[:m] if m < i1 - i0 else np.argsort(-rc, axis=0)
                cols = np.broadcast_to(np.arange(P), top.shape)
                vals = rc[top, cols]
                ok = vals > tol
                add_i.append(top[ok] + i0)
                add_j.append(cols[ok])
                add_rc.append(vals[ok])
            del rc
        lp_obj = float(h.getInfo().objective_function_value)
        if not np.isfinite(max_rc):
            max_rc = 0.0  # every allowed edge already included
        certified = pos_sum < 1.0  # bound < incumbent + 1 integer unit: no better integral solution
        if certified or rounds >= max_rounds:
            break
        ni = np.concatenate(add_i)
        nj = np.concatenate(add_j)
        nrc = np.concatenate(add_rc)
        # per item, the best per_item_add over all chunks
        order = np.lexsort((-nrc, nj))
        ni, nj, nrc = ni[order], nj[order], nrc[order]
        first = np.searchsorted(nj, nj, side="left")
        keep = (np.arange(len(nj)) - first) < per_item_add
        ni, nj, nrc = ni[keep], nj[keep], nrc[keep]
        if len(ni) > max_add:
            keep = np.argpartition(-nrc, max_add - 1)[:max_add]
            ni, nj = ni[keep], nj[keep]
        included[ni, nj] = True
        ncost = encode_costs(a[ni, nj], scale)
        start, index, value = _columns(ni, nj, R)
        h.addCols(len(ni), ncost, np.zeros(len(ni)), np.ones(len(ni)), len(index), start, index, value)
        ri = np.concatenate([ri, ni])
        pj = np.concatenate([pj, nj])
        costs = np.concatenate([costs, ncost])
        h.run()
        rounds += 1
        if not _status_ok(h):  # pragma: no cover - adding columns keeps feasibility
            raise RuntimeError(f"HiGHS returned status {h.modelStatusToString(h.getModelStatus())}")

    x = np.asarray(h.getSolution().col_value) > 0.5
    notes = []
    if not certified:
        notes.append(f"column generation stopped after {rounds} rounds without certificate")
    cert = Certificate(
        method="column-generation",
        optimal=bool(certified),
        rounds=rounds,
        edges_used=len(ri),
        edges_allowed=allowed_total,
        max_reduced_cost=float(max_rc) / scale,
        positive_reduced_cost_sum=pos_sum / scale,
        dual_bound=(lp_obj + pos_sum) / scale,
        notes=notes,
    )
    return _Core(np.column_stack([ri[x], pj[x]]), cert)


def _result(a, pairs, demand, scale, cert, mode, seed, t0) -> AssignmentResult:
    R, P = a.shape
    order = np.lexsort((pairs[:, 1], pairs[:, 0]))
    pairs = pairs[order].astype(np.int64)
    vals = a[pairs[:, 0], pairs[:, 1]]
    per_item = np.bincount(pairs[:, 1], weights=vals, minlength=P).astype(np.float64)
    load = np.bincount(pairs[:, 0], minlength=R).astype(np.int64)
    return AssignmentResult(
        pairs=pairs,
        objective=math.fsum(vals.tolist()),
        objective_scaled=int(encode_costs(vals, scale).sum()),
        scale=scale,
        per_item_affinity=per_item,
        reviewer_load=load,
        fairness=fairness_report(per_item, demand),
        certificate=cert,
        mode=mode,
        seed=seed,
        wall_seconds=time.perf_counter() - t0,
    )


def _prepare(affinity, demand, min_load, max_load, forbidden, reviewer_names, item_names):
    rn = _names(reviewer_names, np.shape(affinity)[0], "reviewer") if np.ndim(affinity) == 2 else None
    pn = _names(item_names, np.shape(affinity)[1], "item") if np.ndim(affinity) == 2 else None
    a = _check_affinity(affinity, rn, pn)
    R, P = a.shape
    d = _int_vector(demand, P, "demand")
    lo = _int_vector(0 if min_load is None else min_load, R, "min_load")
    hi = _int_vector(P if max_load is None else max_load, R, "max_load")
    f = _forbidden_mask(forbidden, R, P)
    return a, d, lo, hi, f, rn, pn


# --------------------------------------------------------------------------- public API


def assign(
    affinity: np.ndarray,
    demand: Any,
    min_load: Any = None,
    max_load: Any = None,
    forbidden: Any = None,
    *,
    fair: bool = False,
    scale: int = DEFAULT_SCALE,
    candidates: int | None = 10,
    reviewer_names: Sequence[Any] | None = None,
    item_names: Sequence[Any] | None = None,
    fair_time_limit: float = 60.0,
    fair_candidates: int = 20,
) -> AssignmentResult:
    """Maximum-affinity assignment.

    affinity: (R, P) float array (NaN/inf rejected).  demand: (P,) ints or scalar.
    min_load / max_load: (R,) ints or scalars (defaults 0 and P).
    forbidden: None, (R, P) bool mask, or iterable of (reviewer, item) index pairs.
    candidates: initial candidate reviewers per item for column generation; ``None``
      solves the dense LP with every allowed edge (no pricing needed).
    fair: lexicographic max-min then max-total (see docs); uses a MIP.
    Raises :class:`InfeasibleAssignment` (with ``reasons``) when no assignment exists.
    """
    t0 = time.perf_counter()
    a, d, lo, hi, f, rn, pn = _prepare(
        affinity, demand, min_load, max_load, forbidden, reviewer_names, item_names
    )
    core = _solve_core(a, f, d, lo, hi, rn, pn, scale, candidates)
    if not fair:
        return _result(a, core.x_pairs, d, scale, core.cert, "optimal", None, t0)
    pairs, cert = _fair(a, f, d, lo, hi, scale, core, fair_time_limit, fair_candidates)
    return _result(a, pairs, d, scale, cert, "fair", None, t0)


def assign_sparse(
    n_reviewers: int,
    n_items: int,
    triples: Iterable[tuple[int, int, float]],
    demand: Any,
    min_load: Any = None,
    max_load: Any = None,
    forbidden: Any = None,
    *,
    default_affinity: float = 0.0,
    **kwargs: Any,
) -> AssignmentResult:
    """Assignment from (reviewer, item, affinity) index triples.

    Pairs absent from ``triples`` have affinity ``default_affinity`` (0) and are
    *allowed* unless forbidden.  Duplicate pairs raise ``ValueError``.
    """
    a = np.full((n_reviewers, n_items), float(default_affinity))
    trip = list(triples)
    if trip:
        ii = np.fromiter((t[0] for t in trip), dtype=np.int64, count=len(trip))
        jj = np.fromiter((t[1] for t in trip), dtype=np.int64, count=len(trip))
        vv = np.fromiter((t[2] for t in trip), dtype=np.float64, count=len(trip))
        if ii.min() < 0 or ii.max() >= n_reviewers or jj.min() < 0 or jj.max() >= n_items:
            raise ValueError("affinity triple index out of range")
        key = ii * n_items + jj
        uniq, counts = np.unique(key, return_counts=True)
        if (counts > 1).any():
            dup = int(uniq[counts > 1][0])
            raise ValueError(f"duplicate affinity for pair ({dup // n_items}, {dup % n_items})")
        a[ii, jj] = vv
    return assign(a, demand, min_load, max_load, forbidden, **kwargs)


# --------------------------------------------------------------------------- fair mode


def _fair(a, forbidden, demand, min_load, max_load, scale, core: _Core, time_limit, fair_candidates):
    """Lexicographic: (1) maximize the minimum per-item cost sum, (2) with that floor
    (relaxed by 0.5 integer units, which is exact since sums are integers) maximize
    the total.  Both are MIPs over a candidate graph."""
    import highspy

    R, P = a.shape
    allowed_total = int(R * P - forbidden.sum())
    if allowed_total <= 50_000:
        cand = ~forbidden
        restricted = False
    else:
        cand = _top_k_per_item(a, forbidden, max(fair_candidates, int(demand.max(initial=0))))
        _top_k_per_reviewer(a, forbidden, np.where(min_load > 0, 2 * min_load + fair_candidates, 0), cand)
        restricted = True
    cand[core.x_pairs[:, 0], core.x_pairs[:, 1]] = True  # plain optimum stays reachable
    ri, pj = np.nonzero(cand)
    m = len(ri)
    c = encode_costs(a[ri, pj], scale)
    fair_items = np.flatnonzero(demand > 0)
    item_row = np.full(P, -1, dtype=np.int64)
    item_row[fair_items] = R + P + np.arange(len(fair_items))
    nf = len(fair_items)
    # x columns (with an entry in the item's floor row) then the t column
    x_start, x_index, x_value = _columns(ri, pj, R, extra_rows=item_row[pj], extra_vals=c)
    keep = x_index >= 0
    # drop floor entries of demand-0 items (their extra row is -1)
    counts = np.add.reduceat(keep.astype(np.int32), x_start[:-1]) if m else np.zeros(0, np.int32)
    x_index, x_value = x_index[keep], x_value[keep]
    x_start = np.concatenate([[0], np.cumsum(counts)]).astype(np.int32)

    def base_lp(objective_x, t_cost, floor_lower, with_t):
        lp = highspy.HighsLp()
        ncol = m + (1 if with_t else 0)
        lp.num_col_ = ncol
        lp.num_row_ = R + P + nf
        lp.col_cost_ = np.concatenate([objective_x, [t_cost] if with_t else []]).astype(np.float64)
        lp.col_lower_ = np.concatenate([np.zeros(m), [-highspy.kHighsInf] if with_t else []])
        lp.col_upper_ = np.concatenate([np.ones(m), [highspy.kHighsInf] if with_t else []])
        lp.row_lower_ = np.concatenate([min_load, demand, floor_lower]).astype(np.float64)
        lp.row_upper_ = np.concatenate([max_load, demand, np.full(nf, highspy.kHighsInf)]).astype(np.float64)
        if with_t:
            start = np.concatenate([x_start, [x_start[-1] + nf]]).astype(np.int32)
            index = np.concatenate([x_index, R + P + np.arange(nf)]).astype(np.int32)
            value = np.concatenate([x_value, -np.ones(nf)])
        else:
            start, index, value = x_start, x_index.astype(np.int32), x_value
        lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
        lp.a_matrix_.start_ = start
        lp.a_matrix_.index_ = index
        lp.a_matrix_.value_ = value
        lp.sense_ = highspy.ObjSense.kMaximize
        lp.integrality_ = [highspy.HighsVarType.kInteger] * m + (
            [highspy.HighsVarType.kContinuous] if with_t else []
        )
        return lp

    def start_vector(pairs):
        pos = np.full((R, P), -1, dtype=np.int64)
        pos[ri, pj] = np.arange(m)
        x0 = np.zeros(m)
        x0[pos[pairs[:, 0], pairs[:, 1]]] = 1.0
        return x0

    def item_sums(x):
        return np.bincount(pj, weights=c * x, minlength=P)

    deadline = time.perf_counter() + time_limit
    # ---- phase 1: max-min
    h1 = _new_highs()
    h1.passModel(base_lp(np.zeros(m), 1.0, np.zeros(nf), True))
    x0 = start_vector(core.x_pairs)
    t0v = float(item_sums(x0)[fair_items].min()) if nf else 0.0
    sol0 = highspy.HighsSolution()
    sol0.col_value = list(np.concatenate([x0, [t0v]]))
    sol0.value_valid = True
    h1.setSolution(sol0)
    h1.setOptionValue("mip_rel_gap", 0.0)
    h1.setOptionValue("mip_abs_gap", 0.999)  # objective (a floor of integer sums) is integral
    h1.setOptionValue("time_limit", max(1.0, deadline - time.perf_counter()))
    h1.run()
    st1 = h1.getModelStatus()
    x1 = np.round(np.asarray(h1.getSolution().col_value[:m]))
    floor = float(item_sums(x1)[fair_items].min()) if nf else 0.0
    ok1 = st1 == highspy.HighsModelStatus.kOptimal
    bound1 = float(h1.getInfo().mip_dual_bound)
    # global upper bound on the floor (full graph): each item's demand[j] best allowed reviewers
    ub_full = np.inf
    if nf:
        ub_full = np.inf
        for j in fair_items:
            col = np.sort(np.where(forbidden[:, j], -np.inf, encode_costs(a[:, j], scale)))[::-1]
            ub_full = min(ub_full, float(col[: demand[j]].sum()))

    # ---- phase 2: max total with the floor fixed (relaxed by 0.5 integer units)
    h2 = _new_highs()
    h2.passModel(base_lp(c, 0.0, np.full(nf, floor - 0.5), False))
    sol1 = highspy.HighsSolution()
    sol1.col_value = list(x1)
    sol1.value_valid = True
    h2.setSolution(sol1)
    h2.setOptionValue("mip_rel_gap", 0.0)
    h2.setOptionValue("mip_abs_gap", 0.999)
    h2.setOptionValue("time_limit", max(1.0, deadline - time.perf_counter()))
    h2.run()
    st2 = h2.getModelStatus()
    x2 = np.round(np.asarray(h2.getSolution().col_value[:m]))
    if not (x2.sum() > 0 or demand.sum() == 0) or item_sums(x2)[fair_items].astype(float).min(initial=np.inf) < floor - 0.5:
        x2 = x1  # no usable phase-2 incumbent
    ok2 = st2 == highspy.HighsModelStatus.kOptimal
    info2 = h2.getInfo()
    notes = [
        f"phase 1 (max-min) status {h1.modelStatusToString(st1)}, floor {floor / scale:.6f}, "
        f"bound {bound1 / scale:.6f}",
        f"phase 2 (max total) status {h2.modelStatusToString(st2)}",
        f"floor upper bound over the full graph (each item's best reviewers): {ub_full / scale:.6f}",
    ]
    if nf and floor >= ub_full - 0.5:
        notes.append(
            "floor equals the full-graph upper bound: the max-min value is optimal for the full graph"
        )
    if restricted:
        notes.append(
            f"MIPs restricted to each item's {fair_candidates} best candidates plus the plain optimum; "
            "optimality is relative to that candidate graph"
        )
    x = x2 > 0.5
    cert = Certificate(
        method="mip",
        optimal=bool(ok1 and ok2),
        rounds=2,
        edges_used=m,
        edges_allowed=allowed_total,
        max_reduced_cost=None,
        positive_reduced_cost_sum=None,
        dual_bound=float(info2.mip_dual_bound) / scale if np.isfinite(info2.mip_dual_bound) else None,
        mip_gap=float(info2.mip_gap),
        notes=notes,
    )
    return np.column_stack([ri[x], pj[x]]), cert


# --------------------------------------------------------------------------- random draw


def random_draw(
    n_reviewers: int | None = None,
    n_items: int | None = None,
    demand: Any = None,
    min_load: Any = None,
    max_load: Any = None,
    forbidden: Any = None,
    *,
    seed: int | None = None,
    affinity: np.ndarray | None = None,
    reviewer_names: Sequence[Any] | None = None,
    item_names: Sequence[Any] | None = None,
) -> AssignmentResult:
    """Random drawing of experts ("lottery") respecting conflicts, demand and loads.

    Every allowed pair gets an i.i.d. uniform random priority from
    ``numpy.random.default_rng(seed)``; the assignment maximizing the total priority
    is returned (random-priority draw).  It always finds a draw when one exists and
    is reproducible: the same seed and inputs give the same result.  When ``seed``
    is None a fresh seed is drawn from OS entropy; it is recorded in ``result.seed``.
    ``affinity`` (optional) is only used to report the objective and fairness.
    """
    t0 = time.perf_counter()
    if affinity is not None:
        R, P = np.shape(affinity)
    else:
        R, P = int(n_reviewers), int(n_items)
    if seed is None:
        seed = int(np.random.SeedSequence().entropy % (2**63))
    rng = np.random.default_rng(seed)
    weights = np.round(rng.random((R, P)), 6)
    a, d, lo, hi, f, rn, pn = _prepare(
        weights, demand, min_load, max_load, forbidden, reviewer_names, item_names
    )
    core = _solve_core(a, f, d, lo, hi, rn, pn, DEFAULT_SCALE, 10)
    rep = _check_affinity(affinity, rn, pn) if affinity is not None else np.zeros((R, P))
    return _result(rep, core.x_pairs, d, DEFAULT_SCALE, core.cert, "random", int(seed), t0)


# --------------------------------------------------------------------------- org tree


def org_conflicts(
    reviewer_org: Sequence[Any],
    item_org: Sequence[Any],
    parent: Mapping[Any, Any],
) -> np.ndarray:
    """Forbidden mask (R x P) from an organization tree.

    A reviewer may not review an item of their own organization, of any
    organization above it (ancestor) or below it (descendant).  Siblings and
    cousins are allowed.  ``parent`` maps org -> parent org (None/missing for roots).
    Orgs that are None/"" never conflict.  A cycle in ``parent`` raises ValueError.
    """
    orgs = {o for o in list(reviewer_org) + list(item_org) if o not in (None, "")}
    orgs |= {o for o in parent if o not in (None, "")}
    chains: dict[Any, set[Any]] = {}

    def chain(o):
        if o in chains:
            return chains[o]
        seen: list[Any] = []
        cur = o
        while cur not in (None, ""):
            if cur in seen:
                raise ValueError(f"cycle in organization tree at {cur!r}")
            if cur in chains:
                break
            seen.append(cur)
            cur = parent.get(cur)
        base = set(chains[cur]) if cur in chains else set()
        for node in reversed(seen):
            base = base | {node}
            chains[node] = base
        return chains[o]

    for o in orgs:
        chain(o)
    r_orgs = list(dict.fromkeys(o for o in reviewer_org if o not in (None, "")))
    p_orgs = list(dict.fromkeys(o for o in item_org if o not in (None, "")))
    rel = np.zeros((len(r_orgs), len(p_orgs)), dtype=bool)
    for x, ro in enumerate(r_orgs):
        anc_r = chains[ro]
        for y, po in enumerate(p_orgs):
            rel[x, y] = po in anc_r or ro in chains[po]
    r_idx = {o: k for k, o in enumerate(r_orgs)}
    p_idx = {o: k for k, o in enumerate(p_orgs)}
    R, P = len(reviewer_org), len(item_org)
    ri = np.array([r_idx.get(o, -1) if o not in (None, "") else -1 for o in reviewer_org], dtype=np.int64)
    pi = np.array([p_idx.get(o, -1) if o not in (None, "") else -1 for o in item_org], dtype=np.int64)
    mask = np.zeros((R, P), dtype=bool)
    if rel.size:
        rr = np.where(ri >= 0, ri, 0)
        pp = np.where(pi >= 0, pi, 0)
        mask = rel[rr[:, None], pp[None, :]]
        mask &= (ri >= 0)[:, None] & (pi >= 0)[None, :]
    return mask
