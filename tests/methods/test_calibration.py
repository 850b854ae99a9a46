"""Tests for tupo.methods.calibration (pure numpy/scipy; no Django needed)."""

from __future__ import annotations

import math
import warnings

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from scipy.stats import spearmanr

from tupo.methods.calibration import (
    VarianceComponents,
    calibrate,
    item_statistics,
    krippendorff_alpha_interval,
    trimmed_mean,
)


def simulate(seed, n_items=200, n_rev=40, per_item=5, q_sd=1.0, b_sd=1.0, e_sd=1.0, base=70.0):
    """Random assignment: each item gets ``per_item`` distinct reviewers from the pool."""
    rng = np.random.default_rng(seed)
    q = rng.normal(0, q_sd, n_items)
    b = rng.normal(0, b_sd, n_rev)
    rv = np.concatenate([rng.choice(n_rev, per_item, replace=False) for _ in range(n_items)])
    it = np.repeat(np.arange(n_items), per_item)
    y = base + q[it] + b[rv] + rng.normal(0, e_sd, it.size)
    return q, b, rv, it, y


def quiet_calibrate(*args, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return calibrate(*args, **kw)


# ------------------------------------------------------------------ simple statistics


def test_trimmed_mean_drops_exactly_one_highest_and_one_lowest():
    assert trimmed_mean([60, 70, 80, 90, 100]) == pytest.approx(80.0)
    # ties at the extremes: only one copy of each extreme goes
    assert trimmed_mean([50, 50, 80, 100, 100]) == pytest.approx((50 + 80 + 100) / 3)
    assert trimmed_mean([1, 2, 3]) == pytest.approx(2.0)


def test_trimmed_mean_falls_back_to_mean_below_three_scores():
    assert trimmed_mean([80, 90]) == pytest.approx(85.0)
    assert trimmed_mean([77]) == pytest.approx(77.0)
    assert math.isnan(trimmed_mean([]))


@given(st.lists(st.lists(st.integers(0, 100), min_size=1, max_size=8), min_size=1, max_size=12))
@settings(max_examples=60, deadline=None)
def test_item_statistics_match_reference(groups):
    ii = np.concatenate([np.full(len(g), k) for k, g in enumerate(groups)])
    y = np.concatenate([np.array(g, dtype=float) for g in groups])
    n, mean, trim, med = item_statistics(ii, y, len(groups))
    for k, g in enumerate(groups):
        assert n[k] == len(g)
        assert mean[k] == pytest.approx(np.mean(g))
        assert med[k] == pytest.approx(np.median(g))
        assert trim[k] == pytest.approx(trimmed_mean(g))


# ------------------------------------------------------------------ Krippendorff's alpha

# Krippendorff (2011) "Computing Krippendorff's Alpha-Reliability", the 4 observers x 12 units
# example with missing values (unit 12 has a single value and is not pairable).
# Published values: nominal .743, ordinal .815, interval .849, ratio .797.
KRIPP_EXAMPLE = [
    # A   B     C     D
    [1, 1, None, 1],
    [2, 2, 3, 2],
    [3, 3, 3, 3],
    [3, 3, 3, 3],
    [2, 2, 2, 2],
    [1, 2, 3, 4],
    [4, 4, 4, 4],
    [1, 1, 2, 1],
    [2, 2, 2, 2],
    [None, 5, 5, 5],
    [None, None, 1, 1],
    [None, 3, None, None],
]


def _long(table):
    units, vals = [], []
    for u, row in enumerate(table):
        for v in row:
            if v is not None:
                units.append(u)
                vals.append(v)
    return np.array(units), np.array(vals, dtype=float)


def test_alpha_interval_on_krippendorff_published_example():
    units, vals = _long(KRIPP_EXAMPLE)
    assert krippendorff_alpha_interval(units, vals) == pytest.approx(0.849, abs=0.0005)


def test_alpha_is_one_for_perfect_agreement_and_shift_invariant():
    units = np.repeat(np.arange(6), 3)
    vals = np.repeat([10.0, 20, 35, 50, 70, 90], 3)
    assert krippendorff_alpha_interval(units, vals) == pytest.approx(1.0)
    u2, v2 = _long(KRIPP_EXAMPLE)
    assert krippendorff_alpha_interval(u2, v2 * 3 + 40) == pytest.approx(krippendorff_alpha_interval(u2, v2))


def test_alpha_undefined_without_pairable_values():
    assert math.isnan(krippendorff_alpha_interval(np.array([0, 1, 2]), np.array([1.0, 2, 3])))


def test_calibrate_reports_alpha():
    _, _, rv, it, y = simulate(1, n_items=60, n_rev=12)
    res = quiet_calibrate(rv, it, y, n_draws=0)
    units = np.asarray(it)
    assert res.alpha == pytest.approx(krippendorff_alpha_interval(units, y))
    assert 0.0 < res.alpha < 1.0


# ------------------------------------------------------------------ offsets and invariances


@pytest.mark.parametrize("method", ["ls", "eb"])
def test_recovers_known_offsets(method):
    q, b, rv, it, y = simulate(3, n_items=400, n_rev=20, b_sd=5.0, e_sd=1.0)
    res = quiet_calibrate(rv, it, y, method=method, n_draws=100)
    est = np.array([r.offset for r in res.reviewers])
    ids = [r.reviewer for r in res.reviewers]
    truth = b[ids] - b.mean()  # offsets are reported centred (sum to zero)
    # each reviewer has ~100 reviews: estimation sd ~ sqrt(2/100) ~ 0.14
    assert np.max(np.abs(est - truth)) < 0.6
    assert np.corrcoef(est, truth)[0, 1] > 0.99
    se = np.array([r.se for r in res.reviewers])
    assert np.all((se > 0.05) & (se < 0.4))
    assert abs(est.sum()) < 1e-6


def test_lenient_reviewer_shift_moves_only_that_offset_ls():
    """LS: adding c to one reviewer's scores changes that reviewer's offset by c relative to
    the others; item scores move only by the common c/R implied by sum-to-zero offsets."""
    _, _, rv, it, y = simulate(4, n_items=150, n_rev=30)
    base = quiet_calibrate(rv, it, y, method="ls", n_draws=0)
    c = 7.5
    y2 = y + c * (rv == 5)
    shifted = quiet_calibrate(rv, it, y2, method="ls", n_draws=0)
    d_items = shifted.calibrated_array() - base.calibrated_array()
    # exact up to the 1e-9 relative ridge that makes the LS system positive definite
    assert np.ptp(d_items) < 1e-5
    assert d_items.mean() == pytest.approx(c / 30, abs=1e-5)
    off0 = {r.reviewer: r.offset for r in base.reviewers}
    off1 = {r.reviewer: r.offset for r in shifted.reviewers}
    rel = {k: off1[k] - off0[k] for k in off0}
    assert rel[5] == pytest.approx(c * (1 - 1 / 30), abs=1e-5)
    assert all(rel[k] == pytest.approx(-c / 30, abs=1e-5) for k in rel if k != 5)


def test_lenient_reviewer_shift_eb_within_shrinkage_tolerance():
    """EB: with the variance components held fixed the offset prior shrinks part of the shift
    into the items.  Tolerance: item scores move by a near-constant amount (spread < 5 % of c)
    and the reviewer's offset absorbs > 90 % of c."""
    _, _, rv, it, y = simulate(5, n_items=200, n_rev=40)
    vc = VarianceComponents(sigma2=1.0, tau2=1.0, beta2=1.0)
    base = quiet_calibrate(rv, it, y, variance=vc, n_draws=0)
    c = 5.0
    shifted = quiet_calibrate(rv, it, y + c * (rv == 7), variance=vc, n_draws=0)
    d = shifted.calibrated_array() - base.calibrated_array()
    assert np.ptp(d) < 0.05 * c
    off0 = {r.reviewer: r.offset for r in base.reviewers}
    off1 = {r.reviewer: r.offset for r in shifted.reviewers}
    others = np.mean([off1[k] - off0[k] for k in off0 if k != 7])
    assert (off1[7] - off0[7]) - others > 0.9 * c
    # and with variance components re-estimated the ranking is unchanged in practice
    free = quiet_calibrate(rv, it, y + c * (rv == 7), n_draws=0)
    rho = spearmanr(free.calibrated_array(), quiet_calibrate(rv, it, y, n_draws=0).calibrated_array())[0]
    assert rho > 0.97


@pytest.mark.parametrize("method", ["ls", "eb"])
def test_adding_constant_to_all_scores_shifts_all_items(method):
    _, _, rv, it, y = simulate(6, n_items=80, n_rev=16)
    a = quiet_calibrate(rv, it, y, method=method, n_draws=0)
    b = quiet_calibrate(rv, it, y + 12.0, method=method, n_draws=0)
    np.testing.assert_allclose(b.calibrated_array() - a.calibrated_array(), 12.0, atol=1e-6)
    np.testing.assert_allclose([r.offset for r in b.reviewers], [r.offset for r in a.reviewers], atol=1e-6)


@given(st.integers(0, 10_000), st.floats(-50, 50), st.floats(0.1, 10))
@settings(max_examples=15, deadline=None)
def test_affine_equivariance_eb(seed, shift, scale):
    _, _, rv, it, y = simulate(seed, n_items=40, n_rev=10, per_item=4)
    a = quiet_calibrate(rv, it, y, n_draws=0)
    b = quiet_calibrate(rv, it, y * scale + shift, n_draws=0)
    np.testing.assert_allclose(
        b.calibrated_array(), a.calibrated_array() * scale + shift, rtol=1e-6, atol=1e-6 * scale
    )


def test_confidence_weights_downweight_noisy_reviews():
    rng = np.random.default_rng(8)
    q, b, rv, it, y = simulate(8, n_items=200, n_rev=40)
    noisy = rng.random(y.size) < 0.3
    y = y + noisy * rng.normal(0, 6, y.size)
    conf = np.where(noisy, 1 / 37.0, 1.0)
    plain = quiet_calibrate(rv, it, y, n_draws=0)
    weighted = quiet_calibrate(rv, it, y, conf, n_draws=0)
    assert spearmanr(weighted.calibrated_array(), q)[0] > spearmanr(plain.calibrated_array(), q)[0] + 0.03


def test_bad_inputs_raise_value_error():
    with pytest.raises(ValueError):
        calibrate([], [], [])
    with pytest.raises(ValueError):
        calibrate(["a"], ["x", "y"], [1.0])
    with pytest.raises(ValueError):
        calibrate(["a"], ["x"], [float("nan")])
    with pytest.raises(ValueError):
        calibrate(["a", "b"], ["x", "x"], [1.0, 2.0], [1.0, 0.0])


def test_tiny_panels_do_not_crash():
    res = quiet_calibrate(["a"], ["x"], [80.0], n_draws=10)
    assert res.items[0].calibrated_score == pytest.approx(80.0)
    assert math.isnan(res.alpha)
    res = quiet_calibrate(["a", "b"], ["x", "x"], [80.0, 80.0], n_draws=10)
    assert res.items[0].calibrated_score == pytest.approx(80.0)
    res = quiet_calibrate(["a", "b", "a", "b"], ["x", "x", "y", "y"], [80.0, 70, 60, 50], n_draws=10)
    assert res.items[0].calibrated_score > res.items[1].calibrated_score


# ------------------------------------------------------------------ graph, flags, output


def test_disconnected_graph_warns_and_centres_per_component():
    rv = ["a", "b", "a", "b", "c", "d", "c", "d"]
    it = ["x", "x", "y", "y", "u", "u", "v", "v"]
    y = [80, 70, 75, 64, 90, 95, 60, 68]
    with pytest.warns(RuntimeWarning, match="not connected"):
        res = calibrate(rv, it, y, n_draws=0)
    assert len(res.components) == 2
    assert not res.connected
    assert any("not connected" in w for w in res.warnings)
    comp = {r.reviewer: r.component for r in res.reviewers}
    off = {r.reviewer: r.offset for r in res.reviewers}
    assert comp["a"] == comp["b"] != comp["c"] == comp["d"]
    assert off["a"] + off["b"] == pytest.approx(0, abs=1e-9)
    assert off["c"] + off["d"] == pytest.approx(0, abs=1e-9)


def test_connected_graph_has_no_warning():
    _, _, rv, it, y = simulate(9, n_items=50, n_rev=10)
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        res = calibrate(rv, it, y, n_draws=0)
    assert res.connected and res.warnings == []


def test_flags_reviewer_who_scores_at_random():
    q, b, rv, it, y = simulate(10, n_items=200, n_rev=20, q_sd=3.0, b_sd=1.0, e_sd=1.0)
    rng = np.random.default_rng(0)
    bad = rv == 3
    y = y.copy()
    y[bad] = 70 + rng.normal(0, 3, bad.sum())  # ignores the proposals
    res = quiet_calibrate(rv, it, y, n_draws=0)
    flagged = {r.reviewer: r for r in res.reviewers if r.flagged}
    assert 3 in flagged
    assert "panel" in flagged[3].reason
    assert len(flagged) <= 2  # honest reviewers are rarely flagged


def test_output_dataclasses_are_complete():
    _, _, rv, it, y = simulate(11, n_items=30, n_rev=8, per_item=3)
    res = quiet_calibrate(rv, it, y, n_draws=50)
    assert len(res.items) == 30 and len(res.reviewers) == 8
    it0 = res.items[0]
    assert it0.n_reviews == 3
    assert it0.se > 0
    assert it0.trimmed_mean == pytest.approx(np.median(y[it == it0.item]))  # 3 scores: trimmed = middle
    assert res.variance.sigma2 > 0 and res.variance.tau2 > 0 and res.variance.beta2 > 0


# ------------------------------------------------------------------ the accuracy target


def test_calibrated_scores_beat_plain_means_on_simulated_panels():
    """200 items x 5 reviews, pool of 40, quality sd = bias sd = noise sd = 1.

    bench/bench_calibration.py, 50 seeds: calibrated 0.893, plain means 0.833, trimmed mean
    0.816; the oracle that knows every bias exactly reaches 0.897, so ~0.90 is the ceiling
    of this design.  Threshold 0.885 leaves room for the
    seed-to-seed sd of a 10-seed mean (~0.004)."""
    cal, mean = [], []
    for seed in range(10):
        q, _, rv, it, y = simulate(1000 + seed)
        res = quiet_calibrate(rv, it, y, n_draws=0)
        cal.append(spearmanr(res.calibrated_array(), q)[0])
        mean.append(spearmanr([x.mean for x in res.items], q)[0])
    assert np.mean(cal) >= 0.885
    assert np.mean(cal) - np.mean(mean) >= 0.04
