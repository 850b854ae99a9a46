"""Tests for tupo.methods.dea: envelopment DEA, slacks, super-efficiency, Malmquist."""

from __future__ import annotations

import math

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tupo.methods.dea import DEAInputError, dea, dea_reference, malmquist

HYP = settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@st.composite
def instances(draw, min_n=2, max_n=12):
    n = draw(st.integers(min_n, max_n))
    m = draw(st.integers(1, 3))
    s = draw(st.integers(1, 3))
    vals = st.floats(1.0, 100.0, allow_nan=False, allow_infinity=False)
    X = np.array(draw(st.lists(st.lists(vals, min_size=m, max_size=m), min_size=n, max_size=n)))
    Y = np.array(draw(st.lists(st.lists(vals, min_size=s, max_size=s), min_size=n, max_size=n)))
    return X, Y


# ---------------------------------------------------------------------------
# Hand-derived cases
# ---------------------------------------------------------------------------


def test_single_input_output_ccr_is_ratio_over_best_ratio():
    X = np.array([[2.0], [4.0], [5.0], [10.0]])
    Y = np.array([[2.0], [2.0], [10.0], [5.0]])
    ratio = Y[:, 0] / X[:, 0]
    expected = ratio / ratio.max()
    for orientation in ("in", "out"):
        r = dea(X, Y, "crs", orientation)
        np.testing.assert_allclose(r.efficiency, expected, atol=1e-9)
    r = dea(X, Y, "crs", "out")
    np.testing.assert_allclose(r.phi, 1 / expected, rtol=1e-9)
    assert r.theta is None
    # unit 1 (x=4, y=2) is projected on unit 2 (ratio 2): λ = 2/10 = 0.2
    r = dea(X, Y, "crs", "in")
    assert r.peers_of(1) == [(2, pytest.approx(0.2))]
    np.testing.assert_allclose(r.targets_in[1], [1.0])


def test_dominated_unit_is_inefficient_and_peers_with_dominator():
    X = np.array([[1.0, 1.0], [2.0, 2.0], [1.0, 3.0], [3.0, 1.0]])
    Y = np.array([[1.0], [1.0], [1.0], [1.0]])
    r = dea(X, Y, "vrs", "in")
    assert r.efficiency[1] == pytest.approx(0.5)
    assert r.peers_of(1) == [(0, pytest.approx(1.0))]
    assert r.efficient[0] and not r.efficient[1]


def test_weakly_efficient_unit_has_slack_and_is_flagged():
    # C = (1, 3) cannot shrink radially (x1 already minimal) but has 1 unit of x2 slack vs A.
    X = np.array([[1.0, 2.0], [2.0, 1.0], [1.0, 3.0]])
    Y = np.ones((3, 1))
    for rts in ("crs", "vrs"):
        r = dea(X, Y, rts, "in", ids=["A", "B", "C"])
        assert r.efficiency[2] == pytest.approx(1.0)
        assert r.weakly_efficient[2] and not r.efficient[2]
        np.testing.assert_allclose(r.slacks_in[2], [0.0, 1.0], atol=1e-9)
        np.testing.assert_allclose(r.targets_in[2], [1.0, 2.0], atol=1e-9)
        assert r.efficient[0] and r.efficient[1]
        assert not r.weakly_efficient[0]


def test_output_slack_detected():
    # B produces less of y2 than A with the same input: radially 1 (y1 equal), slack on y2.
    X = np.ones((2, 1))
    Y = np.array([[4.0, 3.0], [4.0, 1.0]])
    r = dea(X, Y, "crs", "out")
    assert r.efficiency[1] == pytest.approx(1.0)
    assert r.weakly_efficient[1]
    np.testing.assert_allclose(r.slacks_out[1], [0.0, 2.0], atol=1e-9)
    np.testing.assert_allclose(r.targets_out[1], [4.0, 3.0], atol=1e-9)


def test_coelli_deap_example_1():
    # Coelli, T. (1996) "A Guide to DEAP Version 2.1", CEPA Working Paper 96/08,
    # University of New England, example 1 (eg1-dta.txt / eg1-out.txt):
    # 5 firms, 1 output, 2 inputs, input-oriented CRS.  Published: te = 0.500,
    # 1.000, 0.833, 0.714, 1.000; firm 1 input-2 slack 0.5; firm 3 peers 5 (0.5)
    # and 2 (1.0); firm 4 peers 5 (0.286), 2 (0.214); firm 4 input targets
    # 2.143, 1.429.
    Y = np.array([[1.0], [2.0], [3.0], [1.0], [2.0]])
    X = np.array([[2.0, 5.0], [2.0, 4.0], [6.0, 6.0], [3.0, 2.0], [6.0, 2.0]])
    r = dea(X, Y, "crs", "in", ids=[1, 2, 3, 4, 5])
    np.testing.assert_allclose(np.round(r.efficiency, 3), [0.5, 1.0, 0.833, 0.714, 1.0])
    np.testing.assert_allclose(r.slacks_in[0], [0.0, 0.5], atol=1e-9)
    np.testing.assert_allclose(r.slacks_in[1:], 0.0, atol=1e-9)
    np.testing.assert_allclose(r.slacks_out, 0.0, atol=1e-9)
    assert dict(r.peers_of(2)) == {1: pytest.approx(1.0), 4: pytest.approx(0.5)}
    peers4 = dict(r.peers_of(3))
    assert round(peers4[4], 3) == 0.286 and round(peers4[1], 3) == 0.214
    np.testing.assert_allclose(np.round(r.targets_in[3], 3), [2.143, 1.429])
    np.testing.assert_allclose(r.targets_in[0], [1.0, 2.0], atol=1e-9)
    assert list(r.efficient) == [False, True, False, False, True]


def test_all_units_identical_are_all_efficient():
    X = np.full((6, 2), 3.0)
    Y = np.full((6, 2), 5.0)
    for rts in ("crs", "vrs"):
        for orientation in ("in", "out"):
            r = dea(X, Y, rts, orientation, super_efficiency=True)
            np.testing.assert_allclose(r.efficiency, 1.0)
            assert r.efficient.all()
            np.testing.assert_allclose(r.super_efficiency, 1.0)


def test_weak_discrimination_warning_is_returned_not_raised():
    rng = np.random.default_rng(0)
    r = dea(rng.uniform(1, 2, (5, 2)), rng.uniform(1, 2, (5, 2)))
    assert any("discrimination" in w for w in r.warnings)
    r = dea(rng.uniform(1, 2, (12, 2)), rng.uniform(1, 2, (12, 2)))
    assert not r.warnings


def test_progress_callback_reports_total():
    rng = np.random.default_rng(1)
    calls = []
    dea(rng.uniform(1, 9, (300, 2)), rng.uniform(1, 9, (300, 2)), progress=lambda d, t: calls.append((d, t)))
    assert calls and calls[-1] == (300, 300)
    assert all(t == 300 for _, t in calls)


def test_slacks_false_gives_scores_and_peers_only():
    rng = np.random.default_rng(2)
    X, Y = rng.uniform(1, 9, (40, 2)), rng.uniform(1, 9, (40, 2))
    a = dea(X, Y, slacks=False)
    b = dea(X, Y)
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-9)
    assert a.slacks_in is None and a.targets_out is None
    assert all(len(p) >= 1 for p in a.peers)


# ---------------------------------------------------------------------------
# Properties
# ---------------------------------------------------------------------------


@HYP
@given(instances(), st.sampled_from(["crs", "vrs"]), st.sampled_from(["in", "out"]))
def test_scores_in_unit_interval(inst, rts, orientation):
    X, Y = inst
    r = dea(X, Y, rts, orientation)
    assert (r.efficiency > 0).all() and (r.efficiency <= 1.0).all()
    assert (r.slacks_in >= 0).all() and (r.slacks_out >= 0).all()
    # every unit has a reference set whose λ reproduce its targets
    lam = r.lambdas()
    np.testing.assert_allclose(lam @ X, r.targets_in, rtol=1e-6, atol=1e-6)
    np.testing.assert_allclose(lam @ Y, r.targets_out, rtol=1e-6, atol=1e-6)
    if rts == "vrs":
        np.testing.assert_allclose(lam.sum(1), 1.0, atol=1e-7)


@HYP
@given(instances())
def test_bcc_at_least_ccr_and_ccr_orientations_agree(inst):
    X, Y = inst
    ccr_in = dea(X, Y, "crs", "in").efficiency
    ccr_out = dea(X, Y, "crs", "out").efficiency
    np.testing.assert_allclose(ccr_in, ccr_out, rtol=1e-7, atol=1e-9)
    for orientation in ("in", "out"):
        bcc = dea(X, Y, "vrs", orientation).efficiency
        assert (bcc >= ccr_in - 1e-8).all()


@HYP
@given(instances(), st.integers(0, 11), st.floats(0.1, 1.0))
def test_shrinking_inputs_of_a_unit_divides_its_score(inst, o, k):
    # Multiplying unit o's inputs by k ≤ 1 only adds a better point to the
    # technology: its input CCR score becomes min(1, θ/k).
    X, Y = inst
    o = o % len(X)
    theta = dea(X, Y, "crs", "in", slacks=False).efficiency[o]
    X2 = X.copy()
    X2[o] *= k
    theta2 = dea(X2, Y, "crs", "in", slacks=False).efficiency[o]
    assert theta2 == pytest.approx(min(1.0, theta / k), rel=1e-7, abs=1e-9)


@HYP
@given(instances(min_n=3), st.floats(1.0, 10.0))
def test_growing_inputs_of_inefficient_unit_divides_its_score(inst, k):
    # An inefficient unit lies inside the technology of the others, so
    # multiplying its inputs by k ≥ 1 gives exactly θ/k.
    X, Y = inst
    eff = dea(X, Y, "crs", "in", slacks=False).efficiency
    ineff = np.nonzero(eff < 1 - 1e-6)[0]
    if len(ineff) == 0:
        return
    o = ineff[0]
    X2 = X.copy()
    X2[o] *= k
    theta2 = dea(X2, Y, "crs", "in", slacks=False).efficiency[o]
    assert theta2 == pytest.approx(eff[o] / k, rel=1e-7)


@HYP
@given(
    instances(),
    st.integers(0, 11),
    st.floats(0.0, 2.0),
    st.floats(0.0, 0.9),
    st.sampled_from(["crs", "vrs"]),
    st.sampled_from(["in", "out"]),
)
def test_adding_dominated_unit_changes_no_score(inst, j, more_in, less_out, rts, orientation):
    X, Y = inst
    j = j % len(X)
    before = dea(X, Y, rts, orientation, slacks=False).efficiency
    X2 = np.vstack([X, X[j] * (1 + more_in)])
    Y2 = np.vstack([Y, Y[j] * (1 - less_out)])
    after = dea(X2, Y2, rts, orientation, slacks=False).efficiency
    np.testing.assert_allclose(after[:-1], before, rtol=1e-7, atol=1e-9)


@HYP
@given(instances(), st.sampled_from(["crs", "vrs"]), st.sampled_from(["in", "out"]))
def test_agrees_with_linprog_reference(inst, rts, orientation):
    X, Y = inst
    a = dea(X, Y, rts, orientation, super_efficiency=True)
    b = dea_reference(X, Y, rts, orientation, super_efficiency=True)
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-7)
    # maximal total slack is unique even when the slack vector is not
    tot_a = a.slacks_in.sum(1) + a.slacks_out.sum(1)
    tot_b = b.slacks_in.sum(1) + b.slacks_out.sum(1)
    np.testing.assert_allclose(tot_a, tot_b, atol=1e-6 * (1 + np.abs(tot_b).max()))
    assert list(a.super_status) == list(b.super_status)
    ok = ~np.isnan(b.super_efficiency)
    np.testing.assert_allclose(a.super_efficiency[ok], b.super_efficiency[ok], rtol=1e-7)


@pytest.mark.parametrize("rts", ["crs", "vrs"])
@pytest.mark.parametrize("orientation", ["in", "out"])
def test_agrees_with_reference_on_larger_instance(rts, orientation):
    # Large enough to exercise the frame / column-generation and batch logic.
    rng = np.random.default_rng(42)
    n = 250
    X = rng.lognormal(0, 0.7, (n, 3))
    Y = rng.lognormal(0, 0.7, (n, 2))
    X[10] = X[11]  # exact duplicates
    Y[10] = Y[11]
    a = dea(X, Y, rts, orientation)
    b = dea_reference(X, Y, rts, orientation)
    np.testing.assert_allclose(a.efficiency, b.efficiency, atol=1e-7)
    tot_a = a.slacks_in.sum(1) + a.slacks_out.sum(1)
    tot_b = b.slacks_in.sum(1) + b.slacks_out.sum(1)
    np.testing.assert_allclose(tot_a, tot_b, atol=1e-6)
    assert (a.efficient == b.efficient).all()
    assert (a.weakly_efficient == b.weakly_efficient).all()


# ---------------------------------------------------------------------------
# Super-efficiency
# ---------------------------------------------------------------------------


@HYP
@given(instances(), st.sampled_from(["crs", "vrs"]), st.sampled_from(["in", "out"]))
def test_super_efficiency_properties(inst, rts, orientation):
    X, Y = inst
    r = dea(X, Y, rts, orientation, super_efficiency=True)
    eff = r.efficiency >= 1 - 1e-9
    ok = r.super_status == "optimal"
    assert (r.super_efficiency[eff & ok] >= 1 - 1e-12).all()
    np.testing.assert_allclose(r.super_efficiency[~eff], r.efficiency[~eff])
    assert (r.super_status[~eff] == "optimal").all()
    assert np.isnan(r.super_efficiency[~ok]).all()
    if rts == "crs" and orientation == "in":
        assert ok.all()  # input-oriented CCR super-efficiency is always feasible


def test_super_efficiency_ccr_single_input_output():
    X = np.array([[1.0], [2.0], [4.0]])
    Y = np.array([[2.0], [3.0], [2.0]])
    r = dea(X, Y, "crs", "in", super_efficiency=True)
    # unit 0 (ratio 2) against the best other (ratio 1.5): 2 / 1.5
    np.testing.assert_allclose(r.super_efficiency, [2 / 1.5, 0.75, 0.25])


def test_bcc_super_efficiency_infeasible_is_reported():
    # C has the largest output: no convex combination of A, B reaches y = 4,
    # so its input-oriented BCC super-efficiency LP is infeasible.
    X = np.array([[1.0], [2.0], [3.0]])
    Y = np.array([[1.0], [3.0], [4.0]])
    r = dea(X, Y, "vrs", "in", super_efficiency=True, ids=["A", "B", "C"])
    assert r.super_status[2] == "infeasible"
    assert math.isnan(r.super_efficiency[2])
    assert r.efficiency[2] == pytest.approx(1.0)  # the ordinary score is unaffected
    assert r.super_status[0] == "optimal"  # A: B alone covers y = 1 with x = 2
    assert r.super_efficiency[0] == pytest.approx(2.0)
    assert any("infeasible" in w for w in r.warnings)
    ref = dea_reference(X, Y, "vrs", "in", super_efficiency=True)
    assert list(ref.super_status) == list(r.super_status)


# ---------------------------------------------------------------------------
# Malmquist
# ---------------------------------------------------------------------------


def test_malmquist_hand_derived_single_input_output():
    # period 1: A (x=2, y=2) ratio 1, B (4, 2) ratio 0.5
    # period 2: A (2, 3) ratio 1.5, B (4, 2) ratio 0.5
    ids = ["A", "B", "A", "B"]
    periods = [1, 1, 2, 2]
    X = [[2.0], [4.0], [2.0], [4.0]]
    Y = [[2.0], [2.0], [3.0], [2.0]]
    r = malmquist(X, Y, ids, periods)
    assert r.dmu == ["A", "B"] and r.period_from == [1, 1] and r.period_to == [2, 2]
    # A: θ_t(t)=1, θ_t+1(t+1)=1, θ_t(t+1)=1.5, θ_t+1(t)=2/3 → effch 1, techch 1.5
    # B: θ 0.5 → 1/3, θ_t(t+1)=0.5, θ_t+1(t)=1/3 → effch 2/3, techch 1.5, tfpch 1
    np.testing.assert_allclose(r.effch, [1.0, 2 / 3])
    np.testing.assert_allclose(r.techch, [1.5, 1.5])
    np.testing.assert_allclose(r.tfpch, [1.5, 1.0])
    # VRS: B projects on A in both periods (θ^vrs = 0.5 both) → pech 1, sech = effch
    np.testing.assert_allclose(r.pech, [1.0, 1.0])
    np.testing.assert_allclose(r.sech, [1.0, 2 / 3])
    np.testing.assert_allclose(r.tfpch, r.effch * r.techch)
    np.testing.assert_allclose(r.sech * r.pech, r.effch)


def test_malmquist_tfp_equals_ratio_change_for_single_input_output():
    rng = np.random.default_rng(5)
    units, T = 6, 4
    x = rng.uniform(1, 5, (T, units))
    y = rng.uniform(1, 5, (T, units))
    ids = [f"u{i}" for t in range(T) for i in range(units)]
    periods = [t for t in range(T) for _ in range(units)]
    r = malmquist(x.reshape(-1, 1), y.reshape(-1, 1), ids, periods)
    assert len(r.dmu) == units * (T - 1)
    ratio = y / x
    for k, (u, a, b) in enumerate(zip(r.dmu, r.period_from, r.period_to, strict=False)):
        i = int(u[1:])
        assert r.tfpch[k] == pytest.approx(ratio[b, i] / ratio[a, i], rel=1e-7)


def test_malmquist_missing_unit_skips_pair_with_warning():
    ids = ["A", "B", "C", "A", "B", "A", "B", "C"]
    periods = ["2021", "2021", "2021", "2022", "2022", "2023", "2023", "2023"]
    X = [[1.0], [2.0], [3.0], [1.0], [2.0], [1.5], [2.0], [2.5]]
    Y = [[1.0], [1.0], [2.0], [1.5], [1.0], [2.0], [1.0], [2.0]]
    r = malmquist(X, Y, ids, periods)
    pairs = list(zip(r.dmu, r.period_from, r.period_to, strict=False))
    assert ("C", "2021", "2022") not in pairs and ("C", "2022", "2023") not in pairs
    assert ("A", "2021", "2022") in pairs and ("B", "2022", "2023") in pairs
    assert len(r.warnings) == 2 and all("C" in w for w in r.warnings)


def test_malmquist_needs_two_periods():
    with pytest.raises(DEAInputError, match="two periods"):
        malmquist([[1.0], [2.0]], [[1.0], [1.0]], ["A", "B"], [1, 1])


# ---------------------------------------------------------------------------
# Validation
# ---------------------------------------------------------------------------

IDS = ["north", "south", "east"]
XV = [[1.0, 2.0], [2.0, 1.0], [3.0, 3.0]]
YV = [[1.0], [1.0], [2.0]]


def _bad(X=XV, Y=YV, ids=IDS, inputs=("staff", "budget"), outputs=("cases",)):
    return dea(X, Y, ids=ids, input_names=list(inputs), output_names=list(outputs))


@pytest.mark.parametrize(
    "value, words",
    [(0.0, "not positive"), (-3.0, "not positive"), (float("nan"), "missing"), (None, "missing")],
)
def test_bad_input_value_names_unit_and_column(value, words):
    X = [row[:] for row in XV]
    X[1][1] = value
    with pytest.raises(DEAInputError) as exc:
        _bad(X=np.array(X, dtype=float))
    msg = str(exc.value)
    assert "'south'" in msg and "'budget'" in msg and words in msg


def test_bad_output_value_names_unit_and_column():
    Y = [row[:] for row in YV]
    Y[2][0] = 0
    with pytest.raises(DEAInputError, match=r"unit 'east', output 'cases'.*not positive"):
        _bad(Y=Y)


def test_duplicate_id_rejected():
    with pytest.raises(DEAInputError, match="duplicate unit id 'north'"):
        _bad(ids=["north", "south", "north"])


def test_column_both_input_and_output_rejected():
    with pytest.raises(DEAInputError, match="'cases' is named both"):
        _bad(inputs=("staff", "cases"))


def test_one_unit_rejected():
    with pytest.raises(DEAInputError, match="at least 2 units"):
        dea([[1.0]], [[1.0]], ids=["only"])


def test_bad_options_rejected():
    with pytest.raises(DEAInputError, match="rts"):
        dea(XV, YV, rts="irs")
    with pytest.raises(DEAInputError, match="orientation"):
        dea(XV, YV, orientation="both")
