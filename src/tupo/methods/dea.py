"""Data Envelopment Analysis (DEA): envelopment models, super-efficiency, Malmquist.

Pure numerical code (numpy + highspy, scipy only for the reference solver); no
Django import.  See ``docs/methods/dea.md`` for the models and conventions.

Models (unit ``o`` scored against the ``n`` observed units ``j``)::

    input oriented   min θ    s.t.  Σ λ_j x_j + s⁻ = θ x_o,  Σ λ_j y_j − s⁺ = y_o
    output oriented  max φ    s.t.  Σ λ_j x_j + s⁻ = x_o,    Σ λ_j y_j − s⁺ = φ y_o
    λ, s⁻, s⁺ ≥ 0;  VRS (BCC) adds Σ λ_j = 1.

Phase two fixes θ (or φ) and maximises Σ s⁻ + Σ s⁺ (plain sum, in the data's
own units, as in Cooper, Seiford & Tone), which tells weakly efficient units
(radial score 1 but positive slack) from efficient ones.

Speed: every unit is scored with one warm-started HiGHS model whose λ columns
are only a *candidate frame* (a growing subset of the units).  After each solve
the LP duals price *all* units at once (one matrix product for a batch of
units); a unit whose reduced cost is negative enters the frame and the LP is
solved again.  When no unit prices out, the restricted optimum is the optimum
of the full LP (column generation, as in Dulá's frame-based DEA).  The frame
ends up holding the extreme efficient units, which are few, so each LP is
small whatever the number of units.
"""

from __future__ import annotations

import math
import os
import sys
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field

import numpy as np

__all__ = [
    "DEAInputError",
    "DEAResult",
    "MalmquistResult",
    "dea",
    "dea_reference",
    "malmquist",
]

RTS = ("crs", "vrs")
ORIENTATIONS = ("in", "out")

# Radial score within this distance of 1 counts as radially efficient; slack
# (relative to the column's mean) above SLACK_TOL makes a unit only weakly
# efficient.
EFF_TOL = 1e-7
SLACK_TOL = 1e-7

_INF = float("inf")


class DEAInputError(ValueError):
    """Bad DEA data; the message names the unit and the column at fault."""


# --------------------------------------------------------------------------
# Results
# --------------------------------------------------------------------------


@dataclass
class DEAResult:
    """Scores of ``n`` units with ``m`` inputs and ``s`` outputs.

    efficiency:        (n,) Farrell efficiency in (0, 1]: θ (input) or 1/φ (output).
    theta / phi:       (n,) radial factor of the chosen orientation (other is None).
    slacks_in/out:     (n, m) / (n, s) maximal slacks (phase two), None if slacks=False.
    targets_in/out:    projections on the efficient frontier (None if slacks=False).
    efficient:         (n,) bool, radial score 1 and no slack (Pareto-Koopmans).
    weakly_efficient:  (n,) bool, radial score 1 but some positive slack.
    peers:             per unit list of (index, λ) with λ > 0 (the reference set).
    status:            (n,) "optimal" for each unit's envelopment LP.
    super_efficiency:  (n,) Andersen-Petersen score (≥ 1 for efficient units,
                       equal to ``efficiency`` for the others), NaN where the LP
                       is infeasible (possible under VRS); None if not asked.
    super_status:      (n,) "optimal" or "infeasible"; None if not asked.
    warnings:          messages worth showing (e.g. weak discrimination).
    """

    ids: list
    rts: str
    orientation: str
    efficiency: np.ndarray
    theta: np.ndarray | None
    phi: np.ndarray | None
    slacks_in: np.ndarray | None
    slacks_out: np.ndarray | None
    targets_in: np.ndarray | None
    targets_out: np.ndarray | None
    efficient: np.ndarray | None
    weakly_efficient: np.ndarray | None
    lambda_ptr: np.ndarray
    lambda_idx: np.ndarray
    lambda_val: np.ndarray
    status: np.ndarray
    super_efficiency: np.ndarray | None = None
    super_status: np.ndarray | None = None
    input_names: list[str] = field(default_factory=list)
    output_names: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)

    @property
    def n(self) -> int:
        return len(self.efficiency)

    def peers_of(self, i: int) -> list[tuple[int, float]]:
        """Reference set of unit ``i``: list of (unit index, λ)."""
        a, b = self.lambda_ptr[i], self.lambda_ptr[i + 1]
        return [(int(j), float(v)) for j, v in zip(self.lambda_idx[a:b], self.lambda_val[a:b], strict=False)]

    @property
    def peers(self) -> list[list[tuple[int, float]]]:
        """Per unit list of (unit index, λ) (built on demand; CSR arrays hold it)."""
        return [self.peers_of(i) for i in range(self.n)]

    def lambdas(self) -> np.ndarray:
        """Dense (n, n) λ matrix (row = scored unit); for small problems."""
        out = np.zeros((self.n, self.n))
        for i in range(self.n):
            a, b = self.lambda_ptr[i], self.lambda_ptr[i + 1]
            out[i, self.lambda_idx[a:b]] = self.lambda_val[a:b]
        return out


@dataclass
class MalmquistResult:
    """One row per unit and pair of consecutive periods (input oriented)."""

    dmu: list
    period_from: list
    period_to: list
    effch: np.ndarray
    techch: np.ndarray
    pech: np.ndarray
    sech: np.ndarray
    tfpch: np.ndarray
    # Farrell input efficiencies behind the indices (d_a_b = unit's period-b
    # point against period-a technology; CRS unless marked vrs).
    d_t_t: np.ndarray = None
    d_t1_t1: np.ndarray = None
    d_t_t1: np.ndarray = None
    d_t1_t: np.ndarray = None
    vrs_t_t: np.ndarray = None
    vrs_t1_t1: np.ndarray = None
    warnings: list[str] = field(default_factory=list)


# --------------------------------------------------------------------------
# Validation
# --------------------------------------------------------------------------


def _names(names, k, prefix):
    if names is None:
        return [f"{prefix}{i + 1}" for i in range(k)]
    names = [str(v) for v in names]
    if len(names) != k:
        raise DEAInputError(f"expected {k} {prefix} names, got {len(names)}")
    return names


def _as_matrix(a, what):
    try:
        arr = np.asarray(a, dtype=float)
    except (TypeError, ValueError) as exc:
        raise DEAInputError(f"{what} must be numeric: {exc}") from None
    if arr.ndim == 1:
        arr = arr[:, None]
    if arr.ndim != 2:
        raise DEAInputError(f"{what} must be a 2-D array (units × {what}s)")
    return arr


def _validate(X, Y, ids, input_names, output_names, *, min_units=2):
    X = _as_matrix(X, "input")
    Y = _as_matrix(Y, "output")
    n, m = X.shape
    if Y.shape[0] != n:
        raise DEAInputError(f"inputs have {n} units but outputs have {Y.shape[0]}")
    s = Y.shape[1]
    if m == 0 or s == 0:
        raise DEAInputError("DEA needs at least one input and one output column")
    ids = list(range(n)) if ids is None else list(ids)
    if len(ids) != n:
        raise DEAInputError(f"got {len(ids)} ids for {n} units")
    in_names = _names(input_names, m, "x")
    out_names = _names(output_names, s, "y")
    both = sorted(set(in_names) & set(out_names))
    if both:
        raise DEAInputError(f"column '{both[0]}' is named both as an input and an output")
    for names, kind in ((in_names, "input"), (out_names, "output")):
        if len(set(names)) != len(names):
            dup = next(v for v in names if names.count(v) > 1)
            raise DEAInputError(f"{kind} column '{dup}' is listed twice")
    if n < min_units:
        raise DEAInputError(f"DEA needs at least {min_units} units, got {n}")
    seen = {}
    for i, u in enumerate(ids):
        if u in seen:
            raise DEAInputError(f"duplicate unit id '{u}' (rows {seen[u] + 1} and {i + 1})")
        seen[u] = i
    for arr, names, kind in ((X, in_names, "input"), (Y, out_names, "output")):
        bad = ~np.isfinite(arr)
        if bad.any():
            i, c = np.argwhere(bad)[0]
            raise DEAInputError(
                f"unit '{ids[i]}', {kind} '{names[c]}': value is missing or not finite ({arr[i, c]})"
            )
        bad = arr <= 0
        if bad.any():
            i, c = np.argwhere(bad)[0]
            raise DEAInputError(
                f"unit '{ids[i]}', {kind} '{names[c]}': value {arr[i, c]:g} is not positive "
                "(DEA needs strictly positive inputs and outputs)"
            )
    warnings = []
    need = max(3 * (m + s), m * s)
    if n < need:
        warnings.append(
            f"weak discrimination: {n} units for {m} inputs and {s} outputs "
            f"(rule of thumb asks for at least max(3(m+s), m·s) = {need}); "
            "many units may score 1"
        )
    return X, Y, ids, in_names, out_names, warnings


def _check_options(rts, orientation):
    if rts not in RTS:
        raise DEAInputError(f"rts must be one of {RTS}, got {rts!r}")
    if orientation not in ORIENTATIONS:
        raise DEAInputError(f"orientation must be one of {ORIENTATIONS}, got {orientation!r}")


# --------------------------------------------------------------------------
# HiGHS engine (column generation over a candidate frame)
# --------------------------------------------------------------------------

_BANNER_DONE = False


def _new_highs():
    """A silent ``highspy.Highs``; HiGHS prints a banner on stdout (fd 1) the first
    time one is built in a process, which would corrupt CSV output: swallow it."""
    global _BANNER_DONE
    import highspy

    if _BANNER_DONE:
        h = highspy.Highs()
    else:
        try:
            sys.stdout.flush()
        except Exception:  # pragma: no cover
            pass
        try:
            saved = os.dup(1)
        except OSError:  # pragma: no cover - no fd 1
            saved = None
        if saved is not None:
            devnull = os.open(os.devnull, os.O_WRONLY)
            os.dup2(devnull, 1)
            try:
                h = highspy.Highs()
            finally:
                os.dup2(saved, 1)
                os.close(saved)
                os.close(devnull)
        else:  # pragma: no cover
            h = highspy.Highs()
        _BANNER_DONE = True
    h.setOptionValue("output_flag", False)
    h.setOptionValue("presolve", "off")
    h.setOptionValue("solver", "simplex")
    # No "threads" option: HiGHS keeps one scheduler per process and refuses a different
    # thread count once another solver (e.g. the assignment) has started it. Simplex runs serially.

    h.setOptionValue("primal_feasibility_tolerance", 1e-10)
    h.setOptionValue("dual_feasibility_tolerance", 1e-10)
    return h


def _colwise_lp(cost, lower, upper, row_lower, row_upper, A):
    """HighsLp from a dense (rows × cols) matrix, column-wise sparse."""
    import highspy

    nrow, ncol = A.shape
    lp = highspy.HighsLp()
    lp.num_col_ = ncol
    lp.num_row_ = nrow
    lp.col_cost_ = np.asarray(cost, dtype=float)
    lp.col_lower_ = np.asarray(lower, dtype=float)
    lp.col_upper_ = np.asarray(upper, dtype=float)
    lp.row_lower_ = np.asarray(row_lower, dtype=float)
    lp.row_upper_ = np.asarray(row_upper, dtype=float)
    At = np.ascontiguousarray(A.T)
    nz = At != 0
    lp.a_matrix_.format_ = highspy.MatrixFormat.kColwise
    lp.a_matrix_.start_ = np.concatenate([[0], np.cumsum(nz.sum(axis=1))]).astype(np.int32)
    lp.a_matrix_.index_ = np.nonzero(nz)[1].astype(np.int32)
    lp.a_matrix_.value_ = At[nz].astype(float)
    return lp


class _Engine:
    """Scores evaluation points against a reference technology (Xr, Yr).

    Data are expected already normalised (each column divided by a positive
    scale) so that the solver tolerances are meaningful.

    Column layout: 0 = radial factor (θ or φ), 1..m = input slacks,
    m+1..m+s = output slacks, m+s+1 = "self" column (the evaluated point
    itself, guarantees feasibility of the ordinary model), then the frame.
    Row layout: m input rows, s output rows, (+1 convexity row for VRS).
    """

    PRICE_TOL = 1e-9
    CS_TOL = 1e-9
    P1_STRATEGY = 1
    P2_STRATEGY = 4
    ELEMENT_BUDGET = 4_000_000  # n × batch floats for the pricing matrix

    def __init__(self, Xr, Yr, rts, orientation, slack_weights_in, slack_weights_out):
        import highspy

        self.hs = highspy
        self.Xr, self.Yr = Xr, Yr
        self.n, self.m = Xr.shape
        self.s = Yr.shape[1]
        self.vrs = rts == "vrs"
        self.inp = orientation == "in"
        parts = [Xr, Yr] + ([np.ones((self.n, 1))] if self.vrs else [])
        self.Z = np.ascontiguousarray(np.hstack(parts))  # n × k pricing matrix
        self.k = self.Z.shape[1]
        m, s = self.m, self.s
        self.nfix = 1 + m + s + 1
        self.self_col = 1 + m + s
        self.w_slack = np.concatenate([slack_weights_in, slack_weights_out])
        self.in_frame = np.zeros(self.n, dtype=bool)
        self.frame: list[int] = []
        self._cand = None
        self._logs = None

        # Build the model with the fixed columns only; frame columns are added.
        k = self.k
        A = np.zeros((k, self.nfix))
        A[:m, 1 : 1 + m] = np.eye(m)
        A[m : m + s, 1 + m : 1 + m + s] = -np.eye(s)
        if self.vrs:
            A[m + s, self.self_col] = 1.0
        # Radial and self coefficients are placeholders (set per unit); keep
        # them non-zero so the sparsity pattern exists.
        if self.inp:
            A[:m, 0] = -1.0
        else:
            A[m : m + s, 0] = -1.0
        A[: m + s, self.self_col] = 1.0
        cost = np.zeros(self.nfix)
        cost[0] = 1.0 if self.inp else -1.0
        lower = np.zeros(self.nfix)
        upper = np.full(self.nfix, _INF)
        rl = np.zeros(k)
        ru = np.zeros(k)
        if self.vrs:
            rl[m + s] = ru[m + s] = 1.0
        self.h = _new_highs()
        self.h.setOptionValue("simplex_strategy", self.P1_STRATEGY)
        self.h.passModel(_colwise_lp(cost, lower, upper, rl, ru, A))
        self._use_self = True
        self._phase1_cost = cost[: 1 + m + s].copy()
        self._phase2_cost = np.concatenate([[0.0], -self.w_slack])
        self._cost_idx = np.arange(1 + m + s, dtype=np.int32)
        self._rhs_idx = np.arange(m, m + s, dtype=np.int32) if self.inp else np.arange(0, m, dtype=np.int32)
        self.n_lp = 0
        self.n_fallback = 0

    # -- frame management -------------------------------------------------
    def add_to_frame(self, js):
        js = [int(j) for j in js if not self.in_frame[j]]
        js = list(dict.fromkeys(js))
        if not js:
            return
        k = self.k
        Zj = self.Z[js]  # len × k, all entries > 0
        cnt = len(js)
        starts = np.arange(0, cnt * k + 1, k, dtype=np.int32)[: cnt + 1]
        idx = np.tile(np.arange(k, dtype=np.int32), cnt)
        self.h.addCols(
            cnt,
            np.zeros(cnt),
            np.zeros(cnt),
            np.full(cnt, _INF),
            cnt * k,
            starts[:cnt],
            idx,
            Zj.ravel().astype(float),
        )
        for j in js:
            self.in_frame[j] = True
            self.frame.append(j)

    def _candidates(self):
        """Units that may still enter the frame: not in it and not dominated by a
        frame unit.  Under the optimal duals π_x ≤ 0 ≤ π_y (reduced costs of the
        slack columns), so a unit dominated by a frame unit k — componentwise
        (VRS), or by a multiple t·k (CRS) — prices no better than k, which the
        simplex already prices ≤ 0.  Updated incrementally as the frame grows."""
        if self._cand is None:
            self._cand = ~self.in_frame
            self._checked = 0
            self._cidx = None
        new = self.frame[self._checked :]
        if new or self._cidx is None:
            newa = np.asarray(new, dtype=np.int64)
            self._cand[newa] = False
            C = np.nonzero(self._cand)[0]
            if len(newa) and len(C):
                dom = self._dominated(C, newa)
                self._cand[C[dom]] = False
            self._checked = len(self.frame)
            self._cidx = np.nonzero(self._cand)[0]
            self._Zc = self.Z[self._cidx]
            self._Xc = self.Xr[self._cidx]
        return self._cidx, self._Zc, self._Xc

    def _dominated(self, C, K):
        out = np.zeros(len(C), dtype=bool)
        width = len(K) * (self.m + self.s)
        step = max(1, 2_000_000 // max(1, width))
        if self.vrs:
            XK, YK = self.Xr[K], self.Yr[K]
            for a in range(0, len(C), step):
                c = C[a : a + step]
                d = (self.Xr[c][:, None, :] >= XK[None]).all(-1)
                d &= (self.Yr[c][:, None, :] <= YK[None]).all(-1)
                out[a : a + step] = d.any(1)
        else:
            if self._logs is None:
                self._logs = (np.log(self.Xr), np.log(self.Yr))
            lx, ly = self._logs
            lxK, lyK = lx[K], ly[K]
            for a in range(0, len(C), step):
                c = C[a : a + step]
                # exists t: t·x_k ≤ x_j and t·y_k ≥ y_j  ⇔  max(lx_k − lx_j) ≤ min(ly_k − ly_j)
                hi = (lxK[None] - lx[c][:, None, :]).max(-1)
                lo = (lyK[None] - ly[c][:, None, :]).min(-1)
                out[a : a + step] = (hi <= lo + 1e-12).any(1)
        return out

    def initial_frame(self):
        """A few units certainly on the frontier (maximisers of simple ratios)."""
        X, Y = self.Xr, self.Yr
        cand = []
        if self.vrs:
            cand += list(np.argmin(X, axis=0)) + list(np.argmax(Y, axis=0))
            cand.append(int(np.argmax(Y.sum(1) - X.sum(1))))
        else:
            for i in range(self.m):
                for r in range(self.s):
                    cand.append(int(np.argmax(Y[:, r] / X[:, i])))
            cand.append(int(np.argmax(Y.sum(1) / X.sum(1))))
        self.add_to_frame(cand)

    # -- one LP -----------------------------------------------------------
    def _set_point(self, x, y, use_self):
        h, m, s = self.h, self.m, self.s
        if self.inp:
            for i in range(m):
                h.changeCoeff(i, 0, -x[i])
            h.changeRowsBounds(s, self._rhs_idx, y, y)
        else:
            for r in range(s):
                h.changeCoeff(m + r, 0, -y[r])
            h.changeRowsBounds(m, self._rhs_idx, x, x)
        if use_self:
            sc = self.self_col
            for i in range(m):
                h.changeCoeff(i, sc, x[i])
            for r in range(s):
                h.changeCoeff(m + r, sc, y[r])
        if use_self != self._use_self:
            h.changeColBounds(self.self_col, 0.0, _INF if use_self else 0.0)
            self._use_self = use_self

    def _run(self):
        h = self.h
        h.run()
        self.n_lp += 1
        st = h.getModelStatus()
        if st == self.hs.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            return "optimal", np.asarray(sol.col_value), np.asarray(sol.row_dual)
        if st == self.hs.HighsModelStatus.kInfeasible:
            return "infeasible", None, None
        # Numerical trouble: retry from scratch once.
        h.clearSolver()
        h.run()
        st = h.getModelStatus()
        if st == self.hs.HighsModelStatus.kOptimal:
            sol = h.getSolution()
            return "optimal", np.asarray(sol.col_value), np.asarray(sol.row_dual)
        if st == self.hs.HighsModelStatus.kInfeasible:
            return "infeasible", None, None
        raise RuntimeError(f"HiGHS failed on a DEA LP: {h.modelStatusToString(st)}")

    def solve_point(self, x, y, use_self, exclude, phase2):
        """Solve phase 1 (and 2) for one point against the current frame.

        Returns (status, radial, colvals, pi1, pi2)."""
        h = self.h
        self._set_point(x, y, use_self)
        if exclude >= 0 and self.in_frame[exclude]:
            col = self.nfix + self.frame.index(exclude)
            h.changeColBounds(col, 0.0, 0.0)
        else:
            col = -1
        try:
            h.changeColBounds(0, 0.0, _INF)
            h.changeColsCost(1 + self.m + self.s, self._cost_idx, self._phase1_cost)
            status, cv, pi1 = self._run()
            if status != "optimal":
                return status, math.nan, None, None, None
            rad = float(cv[0])
            pi2 = None
            # Complementary slackness: a slack whose reduced cost is > 0 under
            # this (verified optimal) dual is zero in *every* optimal solution.
            # When that holds for all slacks phase two has nothing to do.
            m, s = self.m, self.s
            rc = np.concatenate([-pi1[:m], pi1[m : m + s]])
            if phase2 and rc.min() <= self.CS_TOL * max(1.0, float(np.abs(pi1).max())):
                h.changeColBounds(0, rad, rad)
                h.changeColsCost(1 + self.m + self.s, self._cost_idx, self._phase2_cost)
                if self.P2_STRATEGY is not None:
                    h.setOptionValue("simplex_strategy", self.P2_STRATEGY)
                status2, cv2, pi2 = self._run()
                if self.P2_STRATEGY is not None:
                    h.setOptionValue("simplex_strategy", self.P1_STRATEGY)
                if status2 == "optimal":
                    cv = cv2
                else:  # pragma: no cover - phase 1 solution is feasible
                    pi2 = None
            return "optimal", rad, cv, pi1, pi2
        finally:
            if col >= 0:
                h.changeColBounds(col, 0.0, _INF)

    # -- full LP fallback (restricted frame infeasible) --------------------
    def solve_full(self, x, y, exclude, phase2):
        """Solve one point against all reference units (minus ``exclude``)."""
        m, s, k = self.m, self.s, self.k
        keep = np.ones(self.n, dtype=bool)
        if exclude >= 0:
            keep[exclude] = False
        Zk = self.Z[keep]
        idx = np.nonzero(keep)[0]
        nfix = 1 + m + s
        A = np.zeros((k, nfix + len(idx)))
        A[:m, 1 : 1 + m] = np.eye(m)
        A[m : m + s, 1 + m : 1 + m + s] = -np.eye(s)
        if self.inp:
            A[:m, 0] = -x
        else:
            A[m : m + s, 0] = -y
        A[:, nfix:] = Zk.T
        rl = np.zeros(k)
        if self.inp:
            rl[m : m + s] = y
        else:
            rl[:m] = x
        if self.vrs:
            rl[m + s] = 1.0
        cost = np.zeros(A.shape[1])
        cost[:nfix] = self._phase1_cost
        h = _new_highs()
        h.passModel(_colwise_lp(cost, np.zeros(A.shape[1]), np.full(A.shape[1], _INF), rl, rl.copy(), A))
        h.run()
        self.n_fallback += 1
        if h.getModelStatus() != self.hs.HighsModelStatus.kOptimal:
            return "infeasible", math.nan, None, None
        cv = np.asarray(h.getSolution().col_value)
        rad = float(cv[0])
        if phase2:
            h.changeColBounds(0, rad, rad)
            h.changeColsCost(nfix, np.arange(nfix, dtype=np.int32), self._phase2_cost)
            h.run()
            if h.getModelStatus() == self.hs.HighsModelStatus.kOptimal:
                cv = np.asarray(h.getSolution().col_value)
        lam = cv[nfix:]
        nzl = lam > 1e-12
        return "optimal", rad, cv[:nfix], (idx[nzl], lam[nzl])

    # -- batch driver -------------------------------------------------------
    def score(self, Xe, Ye, self_index, *, use_self, exclude_self, phase2, progress=None):
        """Score every evaluation point.

        self_index[p] = reference index of point p (or -1): its own column is
        excluded from the frame when ``exclude_self`` (super-efficiency).
        Returns dict of arrays."""
        npt = Xe.shape[0]
        m, s = self.m, self.s
        radial = np.full(npt, math.nan)
        slk = np.full((npt, m + s), math.nan)
        status = np.empty(npt, dtype=object)
        lam_idx: list = [None] * npt
        lam_val: list = [None] * npt
        if not self.frame:
            self.initial_frame()

        def max_batch():
            cand_n = self.n if exclude_self else max(1, len(self._candidates()[0]))
            return int(max(8, min(512, self.ELEMENT_BUDGET // (2 * cand_n))))

        # Small batches first: while the frame is still incomplete most units
        # fail verification and are solved again, so keep that waste small.
        batch = 8
        start = 0
        while start < npt:
            pending = list(range(start, min(npt, start + batch)))
            start += len(pending)
            batch = min(max_batch(), 2 * batch)
            while pending:
                duals = []  # (point, pi)
                sols = {}
                entering = []  # added to the frame only after pricing
                for p in pending:
                    excl = int(self_index[p]) if exclude_self else -1
                    st, rad, cv, pi1, pi2 = self.solve_point(Xe[p], Ye[p], use_self, excl, phase2)
                    if st != "optimal":
                        # Restricted frame infeasible: decide on the full set.
                        st, rad, head, lam = self.solve_full(Xe[p], Ye[p], excl, phase2)
                        status[p] = st
                        radial[p] = rad
                        if st == "optimal":
                            slk[p] = head[1 : 1 + m + s]
                            lam_idx[p], lam_val[p] = lam
                            entering.extend(int(j) for j in lam[0])
                        else:
                            lam_idx[p], lam_val[p] = np.empty(0, dtype=np.int64), np.empty(0)
                        continue
                    sols[p] = (rad, cv)
                    duals.append((p, pi1))
                    if pi2 is not None:
                        duals.append((p, pi2))
                if not duals:
                    self.add_to_frame(entering)
                    break
                P = np.array([d[1] for d in duals])  # q × k
                failing = set()
                if exclude_self:
                    # Full pricing: a unit dominated only by the excluded one
                    # may enter, so the dominance filter does not apply.
                    cidx = np.nonzero(~self.in_frame)[0]
                    Zc, Xc = self.Z[cidx], self.Xr[cidx]
                else:
                    cidx, Zc, Xc = self._candidates()
                V = Zc @ P.T  # |cand| × q : π·a_j, > 0 means column j improves
                if exclude_self and len(cidx):
                    for c, (p, _) in enumerate(duals):
                        o = self_index[p]
                        at = np.searchsorted(cidx, o)
                        if o >= 0 and at < len(cidx) and cidx[at] == o:
                            V[at, c] = -_INF
                if len(cidx):
                    tol = self.PRICE_TOL * np.maximum(1.0, np.abs(P).max(axis=1))
                    best = V.argmax(axis=0)
                    bad_cols = np.nonzero(V[best, np.arange(len(duals))] > tol)[0]
                else:
                    bad_cols = np.empty(0, dtype=np.int64)
                if len(bad_cols):
                    if not self.vrs:
                        # CRS: enter the unit with the best ratio under the dual
                        # weights (it is on the frontier), not the biggest one.
                        Px = np.abs(P[bad_cols, :m])
                        D = Xc @ Px.T
                        Vb = V[:, bad_cols]
                        with np.errstate(divide="ignore", invalid="ignore"):
                            R = np.where(D > 0, Vb / D, Vb)
                        best_b = R.argmax(axis=0)
                    else:
                        best_b = best[bad_cols]
                    for c, j in zip(bad_cols, best_b, strict=False):
                        failing.add(duals[c][0])
                        entering.append(int(cidx[j]))
                self.add_to_frame(entering)
                for p, (rad, cv) in sols.items():
                    if p in failing:
                        continue
                    status[p] = "optimal"
                    radial[p] = rad
                    slk[p] = cv[1 : 1 + m + s]
                    li, lv = self._lambdas(cv, p, self_index[p] if use_self else -1)
                    lam_idx[p], lam_val[p] = li, lv
                pending = sorted(failing)
            if progress is not None:
                progress(start, npt)
        return radial, slk, status, lam_idx, lam_val

    def _lambdas(self, cv, p, self_ref):
        lam = cv[self.nfix :]
        nz = np.nonzero(lam > 1e-12)[0]
        idx = np.asarray(self.frame, dtype=np.int64)[nz]
        val = lam[nz]
        ls = cv[self.self_col]
        if ls > 1e-12:
            if self_ref < 0:  # pragma: no cover - self column only with a reference index
                raise RuntimeError("self column used without a reference unit")
            hit = np.nonzero(idx == self_ref)[0]
            if len(hit):
                val = val.copy()
                val[hit[0]] += ls
            else:
                idx = np.append(idx, self_ref)
                val = np.append(val, ls)
        order = np.argsort(idx, kind="stable")
        return idx[order], val[order]


# --------------------------------------------------------------------------
# Public API
# --------------------------------------------------------------------------


def _assemble(
    X,
    Y,
    ids,
    in_names,
    out_names,
    warnings,
    rts,
    orientation,
    radial,
    slk,
    status,
    lam_idx,
    lam_val,
    slacks,
    scale_x,
    scale_y,
):
    n, m = X.shape
    if orientation == "in":
        eff = np.minimum(radial, 1.0)
        theta, phi = radial, None
    else:
        phi = radial
        theta = None
        eff = np.minimum(1.0 / radial, 1.0)
    counts = np.array([len(a) for a in lam_idx], dtype=np.int64)
    ptr = np.concatenate([[0], np.cumsum(counts)])
    li = np.concatenate(lam_idx) if n else np.empty(0, dtype=np.int64)
    lv = np.concatenate(lam_val) if n else np.empty(0)
    res = DEAResult(
        ids=ids,
        rts=rts,
        orientation=orientation,
        efficiency=eff,
        theta=theta,
        phi=phi,
        slacks_in=None,
        slacks_out=None,
        targets_in=None,
        targets_out=None,
        efficient=None,
        weakly_efficient=None,
        lambda_ptr=ptr,
        lambda_idx=li.astype(np.int64),
        lambda_val=lv,
        status=status.astype(str),
        input_names=in_names,
        output_names=out_names,
        warnings=warnings,
    )
    if slacks:
        sn = np.maximum(slk, 0.0)
        s_in = sn[:, :m] * scale_x
        s_out = sn[:, m:] * scale_y
        res.slacks_in, res.slacks_out = s_in, s_out
        if orientation == "in":
            res.targets_in = radial[:, None] * X - s_in
            res.targets_out = Y + s_out
        else:
            res.targets_in = X - s_in
            res.targets_out = radial[:, None] * Y + s_out
        radial_one = np.abs(eff - 1.0) <= EFF_TOL
        has_slack = (sn > SLACK_TOL).any(axis=1)
        res.efficient = radial_one & ~has_slack
        res.weakly_efficient = radial_one & has_slack
    return res


def dea(
    X,
    Y,
    rts: str = "crs",
    orientation: str = "in",
    slacks: bool = True,
    super_efficiency: bool = False,
    ids: Sequence | None = None,
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> DEAResult:
    """Envelopment DEA of ``n`` units.

    X: (n, m) inputs, Y: (n, s) outputs, strictly positive.
    rts: "crs" (CCR) or "vrs" (BCC); orientation: "in" or "out".
    slacks: run phase two (maximal slacks, targets, weak efficiency flags).
    super_efficiency: also compute Andersen-Petersen scores.
    ids: unit identifiers (default 0..n-1), used in error messages.
    progress: optional callback progress(done, total), called per batch.
    Raises DEAInputError on bad data.
    """
    _check_options(rts, orientation)
    X, Y, ids, in_names, out_names, warnings = _validate(X, Y, ids, input_names, output_names)
    scale_x = X.mean(axis=0)
    scale_y = Y.mean(axis=0)
    Xn, Yn = X / scale_x, Y / scale_y
    # Phase two maximises the plain sum of slacks in the data's units; in
    # normalised units that is weight = scale (divided by max for conditioning).
    w = np.concatenate([scale_x, scale_y])
    w = w / w.max()
    eng = _Engine(Xn, Yn, rts, orientation, w[: X.shape[1]], w[X.shape[1] :])
    n = X.shape[0]
    idx = np.arange(n)
    total = n
    prog = None
    if progress is not None:
        extra = 0
        prog = lambda d, t: progress(d, total + extra)  # noqa: E731
    radial, slk, status, lam_idx, lam_val = eng.score(
        Xn, Yn, idx, use_self=True, exclude_self=False, phase2=slacks, progress=prog
    )
    res = _assemble(
        X,
        Y,
        ids,
        in_names,
        out_names,
        warnings,
        rts,
        orientation,
        radial,
        slk,
        status,
        lam_idx,
        lam_val,
        slacks,
        scale_x,
        scale_y,
    )
    if super_efficiency:
        sup = res.efficiency.copy()
        sst = np.array(["optimal"] * n, dtype=object)
        cand = np.nonzero(res.efficiency >= 1.0 - EFF_TOL)[0]
        if len(cand):
            r2, _, st2, _, _ = eng.score(
                Xn[cand], Yn[cand], cand, use_self=False, exclude_self=True, phase2=False
            )
            with np.errstate(divide="ignore"):
                val = r2 if orientation == "in" else 1.0 / r2
            ok = st2 == "optimal"
            sup[cand] = np.where(ok, np.maximum(val, 1.0), math.nan)
            sst[cand] = st2
        res.super_efficiency = sup
        res.super_status = sst.astype(str)
        n_inf = int((res.super_status == "infeasible").sum())
        if n_inf:
            res.warnings.append(
                f"super-efficiency infeasible for {n_inf} unit(s) (possible under VRS); reported as NaN"
            )
    if progress is not None:
        progress(total, total)
    return res


def dea_reference(
    X,
    Y,
    rts: str = "crs",
    orientation: str = "in",
    slacks: bool = True,
    super_efficiency: bool = False,
    ids: Sequence | None = None,
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
) -> DEAResult:
    """Straightforward reference: one ``scipy.optimize.linprog`` per unit and phase,
    with all units as λ columns.  Slow; for tests and benchmarks."""
    from scipy.optimize import linprog

    _check_options(rts, orientation)
    X, Y, ids, in_names, out_names, warnings = _validate(X, Y, ids, input_names, output_names)
    n, m = X.shape
    s = Y.shape[1]
    inp = orientation == "in"
    nv = 1 + n + m + s  # radial, λ, s_in, s_out

    def build(o, excl):
        A = np.zeros((m + s, nv))
        b = np.zeros(m + s)
        A[:m, 1 : 1 + n] = X.T
        A[m:, 1 : 1 + n] = Y.T
        A[:m, 1 + n : 1 + n + m] = np.eye(m)
        A[m:, 1 + n + m :] = -np.eye(s)
        if inp:
            A[:m, 0] = -X[o]
            b[m:] = Y[o]
        else:
            A[m:, 0] = -Y[o]
            b[:m] = X[o]
        if rts == "vrs":
            A = np.vstack([A, np.r_[0.0, np.ones(n), np.zeros(m + s)]])
            b = np.r_[b, 1.0]
        bounds = [(0, None)] * nv
        if excl:
            bounds[1 + o] = (0, 0)
        return A, b, bounds

    radial = np.zeros(n)
    slk = np.zeros((n, m + s))
    status = np.array(["optimal"] * n, dtype=object)
    lam_idx, lam_val = [], []
    for o in range(n):
        A, b, bounds = build(o, False)
        c = np.zeros(nv)
        c[0] = 1.0 if inp else -1.0
        r = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
        if r.status != 0:  # pragma: no cover
            raise RuntimeError(f"reference LP failed for unit {ids[o]}: {r.message}")
        rad = r.x[0]
        x = r.x
        if slacks:
            bounds[0] = (rad, rad)
            c2 = np.zeros(nv)
            c2[1 + n :] = -1.0
            r2 = linprog(c2, A_eq=A, b_eq=b, bounds=bounds, method="highs")
            if r2.status == 0:
                x = r2.x
        radial[o] = rad
        slk[o] = x[1 + n :]
        lam = x[1 : 1 + n]
        nz = np.nonzero(lam > 1e-12)[0]
        lam_idx.append(nz.astype(np.int64))
        lam_val.append(lam[nz])
    res = _assemble(
        X,
        Y,
        ids,
        in_names,
        out_names,
        warnings,
        rts,
        orientation,
        radial,
        slk,
        status,
        lam_idx,
        lam_val,
        slacks,
        np.ones(m),
        np.ones(s),
    )
    if super_efficiency:
        sup = res.efficiency.copy()
        sst = np.array(["optimal"] * n, dtype=object)
        for o in np.nonzero(res.efficiency >= 1.0 - EFF_TOL)[0]:
            A, b, bounds = build(o, True)
            c = np.zeros(nv)
            c[0] = 1.0 if inp else -1.0
            r = linprog(c, A_eq=A, b_eq=b, bounds=bounds, method="highs")
            if r.status == 2:
                sup[o], sst[o] = math.nan, "infeasible"
            elif r.status == 0:
                sup[o] = max(r.x[0] if inp else 1.0 / r.x[0], 1.0)
            else:  # pragma: no cover
                raise RuntimeError(f"reference super-efficiency LP failed: {r.message}")
        res.super_efficiency = sup
        res.super_status = sst.astype(str)
    return res


# --------------------------------------------------------------------------
# Malmquist
# --------------------------------------------------------------------------


def malmquist(
    X,
    Y,
    ids: Sequence,
    periods: Sequence,
    *,
    input_names: Sequence[str] | None = None,
    output_names: Sequence[str] | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> MalmquistResult:
    """Malmquist productivity index between consecutive periods of a long panel.

    X (N, m), Y (N, s): one row per (unit, period); ``ids`` and ``periods`` of
    length N.  Input oriented, distance = Farrell input efficiency θ (the
    reciprocal of Shephard's input distance), Färe et al. (1994)::

        effch  = θ_{t+1}(t+1) / θ_t(t)                      (CRS)
        techch = sqrt( θ_t(t+1)/θ_{t+1}(t+1) · θ_t(t)/θ_{t+1}(t) )   (CRS)
        pech   = θ^vrs_{t+1}(t+1) / θ^vrs_t(t)
        sech   = effch / pech
        tfpch  = effch · techch

    where θ_a(b) is the unit's period-b point scored against the period-a
    technology.  Values > 1 mean improvement.  A unit absent from one of two
    consecutive periods gets no row for that pair (a warning says so).

    ``progress(done, total)``, if given, is called per batch of solved points:
    total = 2 points per row (CRS and VRS within its period) + 2 per unit and
    pair of consecutive periods (the two cross-period scores).  An exception
    raised by the callback stops the computation (a cancelled run).
    """
    ids = list(ids)
    periods = list(periods)
    if len(ids) != len(periods):
        raise DEAInputError("ids and periods must have the same length")
    row_ids = [f"{u}@{t}" for u, t in zip(ids, periods, strict=False)]
    X, Y, _, in_names, out_names, _ = _validate(X, Y, row_ids, input_names, output_names)
    order = sorted(set(periods), key=_period_key)
    if len(order) < 2:
        raise DEAInputError("Malmquist needs at least two periods")
    per_period = {}
    for t in order:
        rows = [i for i, p in enumerate(periods) if p == t]
        units = [ids[i] for i in rows]
        if len(units) < 2:
            raise DEAInputError(f"period '{t}' has {len(units)} unit(s); each period needs at least 2")
        per_period[t] = (np.array(rows), {u: k for k, u in enumerate(units)})
    scale_x = X.mean(axis=0)
    scale_y = Y.mean(axis=0)
    Xn, Yn = X / scale_x, Y / scale_y
    ones_m, ones_s = np.ones(X.shape[1]), np.ones(Y.shape[1])

    pairs = list(zip(order[:-1], order[1:], strict=False))
    total = 2 * len(ids) + 2 * sum(len(set(per_period[a][1]) & set(per_period[b][1])) for a, b in pairs)
    done = [0]

    def report():
        """The progress of one ``score`` call, shifted by the points solved before it."""
        if progress is None:
            return None
        offset = done[0]
        return lambda d, _n: progress(offset + d, total)

    def finished(n):
        done[0] += n
        if progress is not None:
            progress(done[0], total)

    within = {}
    for t in order:
        rows, _ = per_period[t]
        loc = np.arange(len(rows))
        vals = {}
        for rts in ("crs", "vrs"):
            eng = _Engine(Xn[rows], Yn[rows], rts, "in", ones_m, ones_s)
            rad, *_ = eng.score(
                Xn[rows], Yn[rows], loc, use_self=True, exclude_self=False, phase2=False, progress=report()
            )
            vals[rts] = np.minimum(rad, 1.0)
            finished(len(rows))
        within[t] = vals

    out = {k: [] for k in ("dmu", "from", "to", "d00", "d11", "d01", "d10", "v00", "v11")}
    warnings = []
    for t, t1 in pairs:
        rows0, map0 = per_period[t]
        rows1, map1 = per_period[t1]
        common = [u for u in map0 if u in map1]
        missing = [u for u in list(map0) + list(map1) if (u in map0) != (u in map1)]
        if missing:
            warnings.append(
                f"units present in only one of periods '{t}' and '{t1}' skipped for that pair: "
                + ", ".join(str(u) for u in missing[:10])
                + (" ..." if len(missing) > 10 else "")
            )
        if not common:
            continue
        a = np.array([map0[u] for u in common])
        b = np.array([map1[u] for u in common])
        # cross-period CRS: period t+1 points against technology t, and vice versa
        eng0 = _Engine(Xn[rows0], Yn[rows0], "crs", "in", ones_m, ones_s)
        d01, *_ = eng0.score(
            Xn[rows1[b]], Yn[rows1[b]], np.full(len(b), -1), use_self=False, exclude_self=False, phase2=False,
            progress=report(),
        )
        finished(len(b))
        eng1 = _Engine(Xn[rows1], Yn[rows1], "crs", "in", ones_m, ones_s)
        d10, *_ = eng1.score(
            Xn[rows0[a]], Yn[rows0[a]], np.full(len(a), -1), use_self=False, exclude_self=False, phase2=False,
            progress=report(),
        )
        finished(len(a))
        out["dmu"] += common
        out["from"] += [t] * len(common)
        out["to"] += [t1] * len(common)
        out["d00"].append(within[t]["crs"][a])
        out["d11"].append(within[t1]["crs"][b])
        out["d01"].append(d01)
        out["d10"].append(d10)
        out["v00"].append(within[t]["vrs"][a])
        out["v11"].append(within[t1]["vrs"][b])

    def cat(key):
        return np.concatenate(out[key]) if out[key] else np.empty(0)

    d00, d11, d01, d10, v00, v11 = (cat(k) for k in ("d00", "d11", "d01", "d10", "v00", "v11"))
    effch = d11 / d00
    techch = np.sqrt((d01 / d11) * (d00 / d10))
    pech = v11 / v00
    return MalmquistResult(
        dmu=out["dmu"],
        period_from=out["from"],
        period_to=out["to"],
        effch=effch,
        techch=techch,
        pech=pech,
        sech=effch / pech,
        tfpch=effch * techch,
        d_t_t=d00,
        d_t1_t1=d11,
        d_t_t1=d01,
        d_t1_t=d10,
        vrs_t_t=v00,
        vrs_t1_t1=v11,
        warnings=warnings,
    )


def _period_key(p):
    """Sort periods numerically when they look like numbers, else as text."""
    try:
        return (0, float(p), "")
    except (TypeError, ValueError):
        return (1, 0.0, str(p))
