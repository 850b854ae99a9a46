"""Tests for tupo.methods.assignment (pure method, no Django)."""

from __future__ import annotations

import itertools

import numpy as np
import pytest
from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st
from scipy.optimize import linprog
from scipy.sparse import coo_matrix

from tupo.methods.assignment import (
    InfeasibleAssignment,
    assign,
    assign_sparse,
    encode_costs,
    org_conflicts,
    random_draw,
)

# --------------------------------------------------------------------------- helpers


def brute_force(a, demand, lo, hi, forb, scale=10**6, cost=None):
    """All feasible assignments -> list of (total, min item sum, pairs) in integer cost units."""
    R, P = a.shape
    c = encode_costs(a, scale).astype(np.int64) if cost is None else cost
    per_item = []
    for j in range(P):
        ok = [i for i in range(R) if not forb[i, j]]
        per_item.append(list(itertools.combinations(ok, int(demand[j]))))
    out = []
    for choice in itertools.product(*per_item):
        load = np.zeros(R, dtype=int)
        for subset in choice:
            for i in subset:
                load[i] += 1
        if np.any(load < lo) or np.any(load > hi):
            continue
        sums = [sum(int(c[i, j]) for i in subset) for j, subset in enumerate(choice)]
        pos = [s for j, s in enumerate(sums) if demand[j] > 0]
        out.append((sum(sums), min(pos) if pos else 0, choice))
    return out


def check_feasible(res, demand, lo, hi, forb):
    pairs = res.pairs
    R, P = forb.shape
    assert len({(int(i), int(j)) for i, j in pairs}) == len(pairs), "pair used twice"
    assert not forb[pairs[:, 0], pairs[:, 1]].any(), "conflicted pair assigned"
    np.testing.assert_array_equal(np.bincount(pairs[:, 1], minlength=P), demand)
    load = np.bincount(pairs[:, 0], minlength=R)
    assert np.all(load >= lo) and np.all(load <= hi)
    np.testing.assert_array_equal(res.reviewer_load, load)


@st.composite
def small_instances(draw):
    R = draw(st.integers(1, 4))
    P = draw(st.integers(1, 3))
    vals = st.sampled_from([k / 100 for k in range(0, 101)] + [0.29, 0.57, 0.58])
    a = np.array(draw(st.lists(vals, min_size=R * P, max_size=R * P))).reshape(R, P)
    demand = np.array(draw(st.lists(st.integers(0, min(R, 3)), min_size=P, max_size=P)))
    lo = np.array(draw(st.lists(st.integers(0, 1), min_size=R, max_size=R)))
    hi = lo + np.array(draw(st.lists(st.integers(0, 3), min_size=R, max_size=R)))
    forb = np.array(
        draw(st.lists(st.booleans().map(lambda b: b and draw(st.booleans())), min_size=R * P, max_size=R * P))
    ).reshape(R, P)
    return a, demand, lo, hi, forb


# --------------------------------------------------------------------------- optimality


@settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances(), st.sampled_from([1, 10, None]))
def test_equals_brute_force(inst, candidates):
    a, demand, lo, hi, forb = inst
    sols = brute_force(a, demand, lo, hi, forb)
    event("feasible" if sols else "infeasible")
    if not sols:
        with pytest.raises(InfeasibleAssignment) as exc:
            assign(a, demand, lo, hi, forb, candidates=candidates)
        assert exc.value.reasons and all(isinstance(r, str) and r for r in exc.value.reasons)
        return
    res = assign(a, demand, lo, hi, forb, candidates=candidates)
    check_feasible(res, demand, lo, hi, forb)
    assert res.objective_scaled == max(s[0] for s in sols)
    assert res.certificate.optimal
    assert res.objective == pytest.approx(res.objective_scaled / 10**6, abs=1e-9)


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(small_instances())
def test_fair_mode_is_lexicographic_optimum(inst):
    a, demand, lo, hi, forb = inst
    sols = brute_force(a, demand, lo, hi, forb)
    if not sols:
        return
    best_min = max(s[1] for s in sols)
    best_total = max(s[0] for s in sols if s[1] == best_min)
    res = assign(a, demand, lo, hi, forb, fair=True)
    check_feasible(res, demand, lo, hi, forb)
    scaled = encode_costs(res.per_item_affinity, 10**6)[demand > 0]
    if len(scaled):
        assert int(scaled.min()) == best_min
    assert res.objective_scaled == best_total
    assert res.mode == "fair" and res.certificate.method == "mip"


def _structured(R, P, seed, conflict_rate=0.02):
    rng = np.random.default_rng(seed)
    senior = rng.beta(2, 5, size=R)
    a = np.round(np.clip(0.4 * rng.random((R, P)) + 0.6 * senior[:, None], 0, 1), 2)
    forb = rng.random((R, P)) < conflict_rate
    return a, forb


def test_matches_independent_lp_500x150():
    R, P = 500, 150
    a, forb = _structured(R, P, 7)
    demand = np.full(P, 3)
    lo = np.zeros(R, dtype=int)
    lo[:20] = 1  # some reviewers must get work
    hi = np.full(R, 4)
    res = assign(a, demand, lo, hi, forb)
    check_feasible(res, demand, lo, hi, forb)
    assert res.certificate.optimal and res.certificate.method == "column-generation"
    assert res.certificate.max_reduced_cost <= 1e-9

    # independent dense LP with scipy (HiGHS via linprog), same integer costs
    ii, jj = np.nonzero(~forb)
    m = len(ii)
    c = encode_costs(a[ii, jj])
    cols = np.arange(m)
    A_eq = coo_matrix((np.ones(m), (jj, cols)), shape=(P, m))
    A_load = coo_matrix((np.ones(m), (ii, cols)), shape=(R, m))
    from scipy.sparse import vstack

    lp = linprog(
        -c,
        A_ub=vstack([A_load, -A_load]),
        b_ub=np.concatenate([hi, -lo]),
        A_eq=A_eq,
        b_eq=demand,
        bounds=(0, 1),
        method="highs",
    )
    assert lp.status == 0
    assert res.objective_scaled == round(-lp.fun)

    dense = assign(a, demand, lo, hi, forb, candidates=None)
    assert dense.objective_scaled == res.objective_scaled
    assert dense.certificate.method == "dense-lp"


def test_column_generation_adds_edges_when_loads_bind():
    # popular reviewers are everyone's top-k but can take only 2 items: the first
    # candidate graph is too thin / not optimal, pricing must add edges.
    R, P = 300, 120
    a, forb = _structured(R, P, 3)
    demand = np.full(P, 3)
    res = assign(a, demand, 0, 2, forb, candidates=3)
    check_feasible(res, demand, 0, 2, forb)
    dense = assign(a, demand, 0, 2, forb, candidates=None)
    assert res.objective_scaled == dense.objective_scaled
    cert = res.certificate
    assert cert.optimal and cert.rounds >= 2
    assert cert.edges_used < cert.edges_allowed
    assert cert.positive_reduced_cost_sum < 1e-6
    assert cert.dual_bound == pytest.approx(res.objective, abs=1e-6)


def test_conflicts_and_loads_respected_with_pair_list():
    rng = np.random.default_rng(11)
    R, P = 60, 25
    a = np.round(rng.random((R, P)), 2)
    pairs = [(i, j) for i in range(R) for j in range(P) if rng.random() < 0.2]
    forb = np.zeros((R, P), dtype=bool)
    for i, j in pairs:
        forb[i, j] = True
    lo = rng.integers(0, 2, size=R)
    hi = lo + rng.integers(1, 3, size=R)
    demand = rng.integers(1, 4, size=P)
    res = assign(a, demand, lo, hi, pairs)
    check_feasible(res, demand, lo, hi, forb)
    assert res.fairness.min_item_affinity == pytest.approx(res.per_item_affinity.min())
    assert set(res.fairness.quantiles) == {"p10", "p25", "p50", "p75", "p90"}


# --------------------------------------------------------------------------- infeasibility / input errors


def test_infeasible_total_capacity():
    a = np.ones((2, 3))
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(a, [1, 1, 1], 0, 1)
    assert any("total reviewer capacity 2 is less than total demand 3" in r for r in exc.value.reasons)


def test_infeasible_item_all_conflicted_and_too_few_experts():
    a = np.ones((3, 2))
    forb = np.zeros((3, 2), dtype=bool)
    forb[:, 0] = True  # nobody may review item 0
    forb[0, 1] = True
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(a, [1, 3], 0, 5, forb, item_names=["P1", "P17"])
    reasons = exc.value.reasons
    assert "item P1: only 0 non-conflicted reviewers for demand 1" in reasons
    assert "item P17: only 2 non-conflicted reviewers for demand 3" in reasons
    assert "P17" in str(exc.value)


def test_infeasible_min_loads():
    a = np.ones((4, 2))
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(a, [1, 1], 1, 2)
    assert any("minimum loads cannot be met" in r for r in exc.value.reasons)

    forb = np.array([[True, False], [False, False]])
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(np.ones((2, 2)), [1, 1], [2, 0], 2, forb, reviewer_names=["R1", "R2"])
    assert "reviewer R1: only 1 non-conflicted items for minimum load 2" in exc.value.reasons


def test_infeasible_hall_violation_explained():
    # every single check passes, but items 0 and 1 share a single eligible reviewer
    a = np.ones((3, 3))
    forb = np.array([[False, False, True], [True, True, False], [True, True, False]])
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(a, [1, 1, 1], 0, 1, forb, item_names=["A", "B", "C"])
    (reason,) = exc.value.reasons
    assert "items item A, item B together need 2 reviews" in reason
    assert "at most 1" in reason

    # min loads: reviewers 0 and 1 each need an item but may only review item 0 (demand 1)
    forb2 = np.array([[False, True], [False, True], [False, False]])
    with pytest.raises(InfeasibleAssignment) as exc:
        assign(np.ones((3, 2)), [1, 1], [1, 1, 0], 1, forb2)
    assert any(
        "minimum loads cannot be met" in r and "reviewer 0, reviewer 1" in r for r in exc.value.reasons
    )


def test_nan_affinity_rejected_naming_pair():
    a = np.ones((3, 3))
    a[1, 2] = np.nan
    with pytest.raises(ValueError, match=r"\(reviewer R2, item P3\).*NaN"):
        assign(a, 1, 0, 3, reviewer_names=["R1", "R2", "R3"], item_names=["P1", "P2", "P3"])
    with pytest.raises(ValueError, match=r"reviewer 1, item 2"):
        assign(a, 1, 0, 3)


def test_bad_shapes_rejected():
    with pytest.raises(ValueError, match="demand must have length 3"):
        assign(np.ones((2, 3)), [1, 1], 0, 3)
    with pytest.raises(ValueError, match="forbidden mask must have shape"):
        assign(np.ones((2, 3)), 1, 0, 3, np.zeros((3, 2), dtype=bool))


# --------------------------------------------------------------------------- fair mode


def test_fair_mode_raises_minimum_item_sum():
    # plain optimum: r0->p0, r1->p1 = 1.0 + 0.0 (item p1 gets 0)
    # fair optimum:  r0->p1, r1->p0 = 0.3 + 0.6 (worst item 0.3)
    a = np.array([[1.0, 0.3], [0.6, 0.0]])
    plain = assign(a, 1, 1, 1)
    fair = assign(a, 1, 1, 1, fair=True)
    assert plain.objective == pytest.approx(1.0)
    assert plain.fairness.min_item_affinity == pytest.approx(0.0)
    assert fair.fairness.min_item_affinity == pytest.approx(0.3)
    assert fair.objective == pytest.approx(0.9)
    assert fair.certificate.optimal


def test_fair_mode_loses_no_total_when_floor_is_free():
    # Plain optimum already has the best possible floor: fair mode keeps the full total.
    rng = np.random.default_rng(5)
    R, P = 40, 12
    a = np.round(rng.random((R, P)), 2)
    a[:, 0] = 0.05  # item 0 is the worst-off whatever happens (floor = 3 * 0.05)
    plain = assign(a, 3, 0, 2)
    fair = assign(a, 3, 0, 2, fair=True)
    assert fair.fairness.min_item_affinity == pytest.approx(0.15)
    assert fair.objective_scaled == plain.objective_scaled
    # tight capacity: max-min costs a little total (plain 13.69 / min 1.46 -> fair 13.66 / min 1.66)
    a2, forb = _structured(30, 8, 1)
    plain2 = assign(a2, 3, 0, 1, forb)
    fair2 = assign(a2, 3, 0, 1, forb, fair=True)
    assert fair2.fairness.min_item_affinity > plain2.fairness.min_item_affinity + 0.1
    assert plain2.objective - 0.1 < fair2.objective < plain2.objective
    check_feasible(fair2, np.full(8, 3), 0, 1, forb)


# --------------------------------------------------------------------------- random draw


def test_random_draw_reproducible_and_respects_constraints():
    rng = np.random.default_rng(2)
    R, P = 30, 12
    forb = rng.random((R, P)) < 0.3
    demand = np.full(P, 3)
    lo = np.zeros(R, dtype=int)
    lo[:5] = 1
    hi = np.full(R, 2)
    r1 = random_draw(R, P, demand, lo, hi, forb, seed=42)
    r2 = random_draw(R, P, demand, lo, hi, forb, seed=42)
    r3 = random_draw(R, P, demand, lo, hi, forb, seed=43)
    np.testing.assert_array_equal(r1.pairs, r2.pairs)
    assert r1.seed == 42 and r1.mode == "random"
    assert not np.array_equal(r1.pairs, r3.pairs)
    for r in (r1, r3):
        check_feasible(r, demand, lo, hi, forb)
    r4 = random_draw(R, P, demand, lo, hi, forb)
    assert isinstance(r4.seed, int)
    np.testing.assert_array_equal(random_draw(R, P, demand, lo, hi, forb, seed=r4.seed).pairs, r4.pairs)
    # with affinity given, the objective is reported in affinity units
    a = np.round(rng.random((R, P)), 2)
    r5 = random_draw(demand=demand, min_load=lo, max_load=hi, forbidden=forb, seed=42, affinity=a)
    np.testing.assert_array_equal(r5.pairs, r1.pairs)
    assert r5.objective == pytest.approx(a[r5.pairs[:, 0], r5.pairs[:, 1]].sum())


def test_random_draw_infeasible():
    with pytest.raises(InfeasibleAssignment):
        random_draw(2, 2, [2, 2], 0, 1, seed=1)


# --------------------------------------------------------------------------- encoding


def test_two_decimal_affinities_encoded_exactly():
    assert 0.57 * 100 < 57  # the float is just below the decimal value
    assert int(0.57 * 100) == 56
    assert encode_costs(np.array([0.29, 0.57, 0.58]), 100).tolist() == [29.0, 57.0, 58.0]
    # A: r0->p0 (0.29) + r1->p1 (0.58) = 0.87   <- true optimum
    # B: r0->p1 (0.86) + r1->p0 (0.00) = 0.86
    # truncated at scale 100: A = 28 + 57 = 85 < B = 86 + 0 -> truncation picks B.
    a = np.array([[0.29, 0.86], [0.00, 0.58]])
    forb = np.zeros((2, 2), dtype=bool)
    trunc = (a * 100).astype(np.int64)
    best_trunc = max(brute_force(a, [1, 1], [1, 1], [1, 1], forb, cost=trunc), key=lambda s: s[0])
    assert best_trunc[2] == ((1,), (0,))  # wrong answer under truncation
    res = assign(a, 1, 1, 1, scale=100)
    assert res.pairs.tolist() == [[0, 0], [1, 1]]
    assert res.objective == pytest.approx(0.87)
    assert res.objective_scaled == 87
    assert assign(a, 1, 1, 1).objective_scaled == 870000


# --------------------------------------------------------------------------- org tree


def test_org_tree_conflicts():
    parent = {"root": None, "A": "root", "A1": "A", "A2": "A", "A1x": "A1", "B": "root"}
    reviewer_org = ["A1", "A1", None]
    item_org = ["A1", "A", "root", "A1x", "A2", "B", ""]
    m = org_conflicts(reviewer_org, item_org, parent)
    # reviewer in A1: own (A1), ancestors (A, root), descendant (A1x) forbidden;
    # sibling A2 and cousin B allowed; item without org allowed
    assert m[0].tolist() == [True, True, True, True, False, False, False]
    assert m[1].tolist() == m[0].tolist()
    assert not m[2].any()  # reviewer without org
    # reviewer at the root conflicts with everything in the tree
    assert org_conflicts(["root"], ["A1x", "B"], parent).all()
    with pytest.raises(ValueError, match="cycle"):
        org_conflicts(["X"], ["Y"], {"X": "Y", "Y": "X"})


def test_org_conflicts_feed_assign():
    parent = {"root": None, "A": "root", "B": "root"}
    forb = org_conflicts(["A", "B"], ["A", "B"], parent)
    res = assign(np.array([[1.0, 0.1], [0.1, 1.0]]), 1, 0, 1, forb)
    assert res.pairs.tolist() == [[0, 1], [1, 0]]


# --------------------------------------------------------------------------- sparse input


def test_assign_sparse_absent_pairs_are_zero_and_allowed():
    # only (0, 0) has an affinity; item 1 must still be covered by a zero-affinity pair
    res = assign_sparse(2, 2, [(0, 0, 0.7)], demand=[1, 1], max_load=1)
    assert res.pairs.tolist() == [[0, 0], [1, 1]]
    assert res.objective == pytest.approx(0.7)
    with pytest.raises(ValueError, match="duplicate affinity for pair \\(0, 0\\)"):
        assign_sparse(2, 2, [(0, 0, 0.7), (0, 0, 0.1)], demand=1)
    with pytest.raises(ValueError, match="NaN"):
        assign_sparse(2, 2, [(0, 0, float("nan"))], demand=1)
