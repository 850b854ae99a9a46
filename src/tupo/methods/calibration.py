"""Reviewer-score calibration for expert panels (pure numpy/scipy, no Django).

Model (see docs/methods/calibration.md)::

    y_k = mu + q_i(k) + b_r(k) + e_k,   e_k ~ N(0, sigma2 / w_k)

``q_i`` is item quality, ``b_r`` the leniency offset of reviewer ``r`` and ``w_k`` an
optional confidence weight (normalised to mean 1).  Two estimators share one sparse solver:

* ``method="ls"``  -- fixed effects, weighted least squares with a tiny ridge on the offsets;
  offsets are centred (sum to zero) inside each connected component of the review graph.
* ``method="eb"``  -- empirical Bayes (default): ``q ~ N(0, tau2)``, ``b ~ N(0, beta2)``, the
  variance components estimated by ANOVA moments, then the posterior mode (= BLUP), which
  shrinks qualities toward the grand mean and offsets toward zero.

The normal equations are solved by eliminating the (diagonal) item block and factorising the
small Schur complement over reviewers (dense Cholesky up to a few thousand reviewers, sparse
LU beyond).  Posterior draws for standard errors and rank intervals use perturb-then-solve
(exact Gaussian draws from the posterior given the variance components).
"""

from __future__ import annotations

import math
import warnings as _warnings
from collections.abc import Hashable, Sequence
from dataclasses import dataclass, field

import numpy as np
import scipy.linalg as sla
import scipy.sparse as sp
import scipy.sparse.linalg as spla
from scipy.sparse.csgraph import connected_components

__all__ = [
    "CalibrationResult",
    "Component",
    "ItemScore",
    "ReviewerEffect",
    "VarianceComponents",
    "calibrate",
    "item_statistics",
    "krippendorff_alpha_interval",
    "trimmed_mean",
]

DENSE_SCHUR_LIMIT = 3000  # reviewers (+1) up to which the Schur complement is factorised densely


# --------------------------------------------------------------------------- dataclasses


@dataclass(frozen=True)
class ItemScore:
    item: Hashable
    calibrated_score: float
    mean: float
    trimmed_mean: float
    median: float
    n_reviews: int
    se: float  # posterior sd (eb) / sampling sd (ls) of calibrated_score, Monte Carlo estimate
    component: int


@dataclass(frozen=True)
class ReviewerEffect:
    reviewer: Hashable
    offset: float  # + means lenient (scores higher than the panel), - strict
    se: float
    n: int
    flagged: bool
    reason: str
    loo_corr: float  # correlation with leave-one-out item means of the other reviewers (nan if n/a)
    resid_sd_ratio: float  # reviewer's residual sd / pooled residual sd (nan if n/a)
    component: int


@dataclass(frozen=True)
class VarianceComponents:
    sigma2: float  # residual (noise) variance for a weight-1 review
    tau2: float  # variance of item quality
    beta2: float  # variance of reviewer offsets


@dataclass(frozen=True)
class Component:
    index: int
    items: tuple
    reviewers: tuple


@dataclass
class CalibrationResult:
    items: list[ItemScore]
    reviewers: list[ReviewerEffect]
    alpha: float  # Krippendorff's alpha, interval metric (nan if < 2 pairable values)
    components: list[Component]
    warnings: list[str]
    variance: VarianceComponents
    grand_mean: float
    method: str
    _model: _Model | None = field(default=None, repr=False)

    @property
    def connected(self) -> bool:
        return len(self.components) <= 1

    def item_ids(self) -> list:
        return [it.item for it in self.items]

    def calibrated_array(self) -> np.ndarray:
        return np.array([it.calibrated_score for it in self.items], dtype=float)

    def draw(self, n_draws: int, seed: int | np.random.Generator | None = 0, *, kind: str = "posterior"):
        """(n_draws, n_items) draws of the calibrated scores; see :meth:`_Model.draw`."""
        if self._model is None:
            raise ValueError("result has no model attached")
        rng = seed if isinstance(seed, np.random.Generator) else np.random.default_rng(seed)
        return self._model.draw(n_draws, rng, kind=kind)


# --------------------------------------------------------------------------- simple statistics


def trimmed_mean(values: Sequence[float]) -> float:
    """Mean after dropping exactly one highest and one lowest score (去掉最高分和最低分).

    With fewer than 3 scores nothing can be dropped sensibly, so the plain mean is returned.
    Ties: only one copy of the extreme value is removed.
    """
    x = np.asarray(values, dtype=float)
    if x.size == 0:
        return math.nan
    if x.size < 3:
        return float(x.mean())
    return float((x.sum() - x.max() - x.min()) / (x.size - 2))


def item_statistics(item_idx: np.ndarray, y: np.ndarray, n_items: int):
    """Vectorised per-item (n, mean, trimmed mean, median)."""
    n = np.bincount(item_idx, minlength=n_items)
    order = np.lexsort((y, item_idx))
    ys = y[order]
    starts = np.concatenate(([0], np.cumsum(n)[:-1]))
    sums = np.bincount(item_idx, weights=y, minlength=n_items)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean = sums / n
    has = n > 0
    lo = np.full(n_items, np.nan)
    hi = np.full(n_items, np.nan)
    lo[has] = ys[starts[has]]
    hi[has] = ys[starts[has] + n[has] - 1]
    med = np.full(n_items, np.nan)
    med[has] = 0.5 * (ys[starts[has] + (n[has] - 1) // 2] + ys[starts[has] + n[has] // 2])
    trim = mean.copy()
    big = n >= 3
    trim[big] = (sums[big] - lo[big] - hi[big]) / (n[big] - 2)
    return n, mean, trim, med


def krippendorff_alpha_interval(units: np.ndarray, values: np.ndarray) -> float:
    """Krippendorff's alpha with the interval metric (squared difference).

    ``units`` labels the unit (item) of each value; coders need not be given because the
    coefficient only uses which values were assigned to the same unit.  Missing values are
    simply absent.  Units with fewer than two values are not pairable and are dropped
    (Krippendorff 2011, "Computing Krippendorff's Alpha-Reliability").

    Do = 1/n * sum_u 1/(m_u - 1) * sum_{i != j in u} (v_i - v_j)^2
    De = 1/(n (n - 1)) * sum_{i != j over all pairable values} (v_i - v_j)^2
    alpha = 1 - Do / De
    """
    units = np.asarray(units)
    v = np.asarray(values, dtype=float)
    if v.size == 0:
        return math.nan
    _, u = np.unique(units, return_inverse=True)
    m = np.bincount(u)
    keep = m[u] >= 2
    u, v = u[keep], v[keep]
    if v.size < 2:
        return math.nan
    v = v - v.mean()  # numerically kinder; alpha is shift invariant
    m = np.bincount(u)
    s1 = np.bincount(u, weights=v)
    s2 = np.bincount(u, weights=v * v)
    ok = m >= 2
    # sum over ordered pairs i != j of (vi - vj)^2 = 2 m sum v^2 - 2 (sum v)^2
    within = (2 * m[ok] * s2[ok] - 2 * s1[ok] ** 2) / (m[ok] - 1)
    n = v.size
    d_o = within.sum() / n
    d_e = (2 * n * (v * v).sum() - 2 * v.sum() ** 2) / (n * (n - 1))
    if d_e <= 0:
        return 1.0 if d_o <= 0 else math.nan
    return float(1.0 - d_o / d_e)


# --------------------------------------------------------------------------- model


class _Model:
    """Sparse normal equations with the item block eliminated.

    Unknowns: item effects q (I) and z = (b (R), mu) [mu only for eb].  Precision
    A = X'WX/sigma2 + P; blocks A_qq = diag(d), A_qz = C, A_zz; Schur S = A_zz - C' diag(1/d) C.
    """

    def __init__(self, ii, rr, y, w, n_items, n_rev, comp_item, comp_rev, n_comp, vc, method):
        self.ii, self.rr, self.y, self.w = ii, rr, y, w
        self.n_items, self.R = n_items, n_rev
        self.comp_item, self.comp_rev, self.n_comp = comp_item, comp_rev, n_comp
        self.vc = vc
        self.method = method
        s2 = vc.sigma2
        h = w / s2
        self.has_mu = method == "eb"
        nz = n_rev + (1 if self.has_mu else 0)
        self.nz = nz
        hi = np.bincount(ii, weights=h, minlength=n_items)
        hr = np.bincount(rr, weights=h, minlength=n_rev)
        if method == "eb":
            self.pq = np.full(n_items, 1.0 / vc.tau2)
            pb = np.full(n_rev, 1.0 / vc.beta2)
            pmu = 1e-10 * h.sum()
            self.pz = np.concatenate([pb, [pmu]])
        else:
            self.pq = np.zeros(n_items)
            ridge = 1e-9 * max(float(np.median(hr)), 1e-12)
            self.pz = np.full(n_rev, ridge)
        self.d = hi + self.pq
        cols = rr
        C = sp.csr_matrix((h, (ii, cols)), shape=(n_items, nz))
        if self.has_mu:
            C = C + sp.csr_matrix((hi, (np.arange(n_items), np.full(n_items, n_rev))), shape=(n_items, nz))
        self.C = C.tocsr()
        if self.has_mu:
            rows = np.concatenate([np.arange(nz), np.arange(n_rev), np.full(n_rev, n_rev)])
            cols_ = np.concatenate([np.arange(nz), np.full(n_rev, n_rev), np.arange(n_rev)])
            vals = np.concatenate([np.concatenate([hr, [h.sum()]]) + self.pz, hr, hr])
            Azz = sp.csr_matrix((vals, (rows, cols_)), shape=(nz, nz))
        else:
            Azz = sp.diags(hr + self.pz).tocsr()
        S = Azz - (self.C.T @ sp.diags(1.0 / self.d) @ self.C)
        self.dense = nz <= DENSE_SCHUR_LIMIT
        if self.dense:
            Sd = S.toarray()
            Sd = 0.5 * (Sd + Sd.T)
            try:
                self._cho = sla.cho_factor(Sd, lower=True, check_finite=False)
            except np.linalg.LinAlgError:
                Sd[np.diag_indices_from(Sd)] += 1e-9 * np.abs(np.diag(Sd)).max()
                self._cho = sla.cho_factor(Sd, lower=True, check_finite=False)
        else:
            self._lu = spla.splu(S.tocsc())
        # incidence for perturbations
        ones = np.ones(y.size, dtype=np.float32)
        self.Xi = sp.csr_matrix((ones, (ii, np.arange(y.size))), shape=(n_items, y.size))
        self.Xr = sp.csr_matrix((ones, (rr, np.arange(y.size))), shape=(n_rev, y.size))
        self.n_rev_comp = np.bincount(comp_rev, minlength=n_comp).astype(float)
        gq = np.bincount(ii, weights=h * y, minlength=n_items)
        gr = np.bincount(rr, weights=h * y, minlength=n_rev)
        gz = np.concatenate([gr, [float((h * y).sum())]]) if self.has_mu else gr
        self.q, self.z = self._solve(gq[:, None], gz[:, None])
        self.score, self.offset = self._finish(self.q, self.z)
        self.score, self.offset = self.score[:, 0], self.offset[:, 0]

    def _ssolve(self, t):
        if self.dense:
            return sla.cho_solve(self._cho, t, check_finite=False)
        return self._lu.solve(np.asarray(t, dtype=float))

    def _solve(self, gq, gz):
        t = gz - self.C.T @ (gq / self.d[:, None])
        z = self._ssolve(t)
        q = (gq - self.C @ z) / self.d[:, None]
        return q, z

    def _finish(self, q, z):
        """Map (q, z) to calibrated item scores and offsets centred within each component."""
        b = z[: self.R]
        mu = z[self.R] if self.has_mu else 0.0
        m = np.zeros((self.n_comp, b.shape[1]))
        np.add.at(m, self.comp_rev, b)
        m /= np.maximum(self.n_rev_comp, 1.0)[:, None]
        offsets = b - m[self.comp_rev]
        scores = q + mu + m[self.comp_item]
        return scores, offsets

    def fitted(self):
        return self.score[self.ii] + self.offset[self.rr]

    def draw(self, n_draws: int, rng: np.random.Generator, *, kind: str = "posterior", chunk: int = 64):
        """Draws of calibrated item scores (n_draws, I) and offsets (n_draws, R).

        kind="posterior": exact Gaussian posterior given the variance components (perturb the
        data by N(0, sigma2/w) and the prior by N(0, prior precision), re-solve).
        kind="parametric": parametric bootstrap of the estimator around the fit (perturb the
        data only); for method="ls" the two coincide.
        """
        outs_s, outs_b = [], []
        s2 = self.vc.sigma2
        sd_h = np.sqrt(self.w / s2).astype(np.float32)  # w * eps / sigma2 with eps ~ N(0, sigma2 / w)
        left = n_draws
        while left > 0:
            k = min(chunk, left)
            left -= k
            # float32 noise halves the cost of the dominant step (one normal per review per draw)
            E = rng.standard_normal((self.y.size, k), dtype=np.float32)
            E *= sd_h[:, None]
            gq = np.asarray(self.Xi @ E, dtype=float)
            gr = np.asarray(self.Xr @ E, dtype=float)
            gz = np.vstack([gr, gq.sum(0, keepdims=True)]) if self.has_mu else gr
            if kind == "posterior":
                gq = gq + rng.standard_normal(gq.shape) * np.sqrt(self.pq)[:, None]
                gz = gz + rng.standard_normal(gz.shape) * np.sqrt(self.pz)[:, None]
            elif kind != "parametric":
                raise ValueError(f"unknown draw kind {kind!r}")
            dq, dz = self._solve(gq, gz)
            ds, db = self._finish(dq, dz)
            outs_s.append(ds.T + self.score)
            outs_b.append(db.T + self.offset)
        return np.vstack(outs_s), np.vstack(outs_b)


# --------------------------------------------------------------------------- helpers


def _index(values) -> tuple[np.ndarray, list]:
    mapping: dict = {}
    idx = np.empty(len(values), dtype=np.int64)
    for k, v in enumerate(values):
        j = mapping.get(v)
        if j is None:
            j = mapping[v] = len(mapping)
        idx[k] = j
    return idx, list(mapping)


def _components(ii, rr, n_items, n_rev):
    n = n_items + n_rev
    g = sp.csr_matrix((np.ones(ii.size), (ii, n_items + rr)), shape=(n, n))
    n_comp, labels = connected_components(g, directed=False)
    # renumber components by size (largest first) for stable, readable output
    sizes = np.bincount(labels, minlength=n_comp)
    order = np.argsort(-sizes, kind="stable")
    remap = np.empty(n_comp, dtype=np.int64)
    remap[order] = np.arange(n_comp)
    labels = remap[labels]
    return n_comp, labels[:n_items], labels[n_items:]


def estimate_variance_components(ii, rr, y, w, n_items, n_rev, n_comp, resid_ls=None):
    """ANOVA-type moment estimators (documented in docs/methods/calibration.md).

    sigma2 from the fixed-effects residuals (df = N - I - R + components);
    beta2 from the pooled within-item variance minus sigma2;
    tau2 from the variance of item means minus their expected noise (beta2 + sigma2)/n_i.
    """
    N = y.size
    total = float(np.var(y)) if N > 1 else 0.0
    if total <= 0:
        total = 1.0
    floor = 1e-6 * total
    inv_w = 1.0 / w
    notes = []
    n_i = np.bincount(ii, minlength=n_items).astype(float)
    sums = np.bincount(ii, weights=y, minlength=n_items)
    mean_i = sums / np.maximum(n_i, 1)
    dev2 = (y - mean_i[ii]) ** 2
    ss_within = np.bincount(ii, weights=dev2, minlength=n_items)
    multi = n_i >= 2
    df_within = float((n_i[multi] - 1).sum())
    pooled_within = float(ss_within[multi].sum() / df_within) if df_within > 0 else math.nan
    df_resid = N - n_items - n_rev + n_comp
    if resid_ls is not None and df_resid >= 1:
        sigma2 = float((w * resid_ls**2).sum() / df_resid)
    else:
        notes.append(
            "too few reviews to separate reviewer leniency from noise; noise variance guessed "
            "as half the within-item variance"
        )
        sigma2 = 0.5 * pooled_within if math.isfinite(pooled_within) else total
    sigma2 = max(sigma2, floor)
    mean_inv_w = float(np.mean(inv_w))
    if math.isfinite(pooled_within):
        beta2 = pooled_within - sigma2 * mean_inv_w
    else:
        beta2 = 0.0
    beta2 = max(beta2, floor * 100 if n_rev > 1 else floor)
    has = n_i > 0
    if has.sum() >= 2:
        expected_noise = float(np.mean((beta2 + sigma2 * mean_inv_w) / n_i[has]))
        tau2 = float(np.var(mean_i[has], ddof=1)) - expected_noise
    else:
        tau2 = total
    tau2 = max(tau2, floor * 100)
    return VarianceComponents(sigma2=sigma2, tau2=tau2, beta2=beta2), notes


def _loo_correlation(ii, rr, y, n_items, n_rev):
    """Per reviewer: corr(own score, mean of the other reviewers on the same item)."""
    n_i = np.bincount(ii, minlength=n_items).astype(float)
    s_i = np.bincount(ii, weights=y, minlength=n_items)
    others = n_i[ii] - 1
    ok = others > 0
    loo = np.where(ok, (s_i[ii] - y) / np.maximum(others, 1), np.nan)
    corr = np.full(n_rev, np.nan)
    cnt = np.zeros(n_rev, dtype=np.int64)
    order = np.argsort(rr, kind="stable")
    rs = rr[order]
    bounds = np.searchsorted(rs, np.arange(n_rev + 1))
    for r in range(n_rev):
        sel = order[bounds[r] : bounds[r + 1]]
        sel = sel[ok[sel]]
        cnt[r] = sel.size
        if sel.size >= 3:
            a, b = y[sel], loo[sel]
            if a.std() > 0 and b.std() > 0:
                corr[r] = float(np.corrcoef(a, b)[0, 1])
    return corr, cnt


# --------------------------------------------------------------------------- main entry


def calibrate(
    reviewers: Sequence[Hashable],
    items: Sequence[Hashable],
    scores: Sequence[float],
    confidence: Sequence[float] | None = None,
    *,
    method: str = "eb",
    variance: VarianceComponents | None = None,
    n_draws: int = 200,
    seed: int | None = 0,
    min_reviews_to_flag: int = 5,
    flag_corr_below: float = 0.2,
    flag_sd_ratio_above: float = 2.0,
) -> CalibrationResult:
    """Calibrate panel scores for reviewer leniency.

    ``reviewers[k]`` gave ``scores[k]`` to ``items[k]``; ``confidence[k] > 0`` (optional) is a
    relative precision weight.  ``variance`` fixes the variance components (eb only) instead
    of estimating them.  Standard errors are Monte Carlo estimates from ``n_draws`` draws.
    """
    if method not in ("eb", "ls"):
        raise ValueError("method must be 'eb' or 'ls'")
    y = np.asarray(scores, dtype=float)
    if not (len(reviewers) == len(items) == y.size):
        raise ValueError("reviewers, items and scores must have the same length")
    if y.size == 0:
        raise ValueError("no scores")
    if not np.all(np.isfinite(y)):
        raise ValueError("scores must be finite numbers")
    if confidence is None:
        w = np.ones_like(y)
    else:
        w = np.asarray(confidence, dtype=float)
        if w.shape != y.shape or not np.all(np.isfinite(w)) or np.any(w <= 0):
            raise ValueError("confidence must be positive finite numbers, one per score")
        w = w / w.mean()
    ii, item_ids = _index(items)
    rr, rev_ids = _index(reviewers)
    n_it, R = len(item_ids), len(rev_ids)
    notes: list[str] = []
    n_comp, comp_item, comp_rev = _components(ii, rr, n_it, R)
    if n_comp > 1:
        notes.append(
            f"review graph is not connected ({n_comp} separate groups of reviewers and items): "
            "reviewer offsets are centred within each group and scores are not comparable across groups"
        )

    # fixed-effects fit (always needed: residual variance, and the 'ls' answer itself)
    vc_ls = VarianceComponents(sigma2=1.0, tau2=math.inf, beta2=math.inf)
    ls = _Model(ii, rr, y, w, n_it, R, comp_item, comp_rev, n_comp, vc_ls, "ls")
    resid_ls = y - ls.fitted()
    vc_est, vc_notes = estimate_variance_components(ii, rr, y, w, n_it, R, n_comp, resid_ls)
    notes.extend(vc_notes)
    if method == "ls":
        vc = VarianceComponents(sigma2=vc_est.sigma2, tau2=math.inf, beta2=math.inf)
        model = _Model(ii, rr, y, w, n_it, R, comp_item, comp_rev, n_comp, vc, "ls")
    else:
        vc = variance or vc_est
        model = _Model(ii, rr, y, w, n_it, R, comp_item, comp_rev, n_comp, vc, "eb")

    rng = np.random.default_rng(seed)
    if n_draws >= 2:
        ds, db = model.draw(n_draws, rng)
        se_item = ds.std(0, ddof=1)
        se_rev = db.std(0, ddof=1)
    else:
        se_item = np.full(n_it, math.nan)
        se_rev = np.full(R, math.nan)

    n_i, mean_i, trim_i, med_i = item_statistics(ii, y, n_it)

    # reviewer diagnostics
    resid = y - model.fitted()
    n_r = np.bincount(rr, minlength=R)
    rss_r = np.bincount(rr, weights=w * resid**2, minlength=R)
    pooled = float((w * resid**2).sum() / max(y.size, 1))
    with np.errstate(invalid="ignore", divide="ignore"):
        sd_ratio = np.sqrt((rss_r / np.maximum(n_r, 1)) / pooled) if pooled > 0 else np.full(R, np.nan)
    loo_corr, loo_n = _loo_correlation(ii, rr, y, n_it, R)
    reviewers_out = []
    for r in range(R):
        reasons = []
        if n_r[r] >= min_reviews_to_flag:
            c = loo_corr[r]
            if math.isfinite(c) and c < flag_corr_below:
                reasons.append(
                    f"scores barely track the panel: correlation {c:.2f} with the other reviewers' "
                    f"mean over {int(loo_n[r])} shared items (threshold {flag_corr_below:.2f})"
                )
            if math.isfinite(sd_ratio[r]) and sd_ratio[r] > flag_sd_ratio_above:
                reasons.append(
                    f"residual spread {sd_ratio[r]:.1f}x the panel's after correcting leniency "
                    f"(threshold {flag_sd_ratio_above:.1f}x)"
                )
        reviewers_out.append(
            ReviewerEffect(
                reviewer=rev_ids[r],
                offset=float(model.offset[r]),
                se=float(se_rev[r]),
                n=int(n_r[r]),
                flagged=bool(reasons),
                reason="; ".join(reasons),
                loo_corr=float(loo_corr[r]),
                resid_sd_ratio=float(sd_ratio[r]),
                component=int(comp_rev[r]),
            )
        )
    items_out = [
        ItemScore(
            item=item_ids[i],
            calibrated_score=float(model.score[i]),
            mean=float(mean_i[i]),
            trimmed_mean=float(trim_i[i]),
            median=float(med_i[i]),
            n_reviews=int(n_i[i]),
            se=float(se_item[i]),
            component=int(comp_item[i]),
        )
        for i in range(n_it)
    ]
    comps = []
    for c in range(n_comp):
        comps.append(
            Component(
                index=c,
                items=tuple(item_ids[i] for i in np.flatnonzero(comp_item == c)),
                reviewers=tuple(rev_ids[r] for r in np.flatnonzero(comp_rev == c)),
            )
        )
    for msg in notes:
        _warnings.warn(msg, RuntimeWarning, stacklevel=2)
    return CalibrationResult(
        items=items_out,
        reviewers=reviewers_out,
        alpha=krippendorff_alpha_interval(ii, y),
        components=comps,
        warnings=notes,
        variance=vc,
        grand_mean=float(y.mean()),
        method=method,
        _model=model,
    )
