"""Services of the expert review: rounds, conflicts, assignment, scoring, ranking and decisions."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from tests.reviews.conftest import CRITERIA, make_expert, make_round, score_all
from tupo.core.services import InvalidTransition
from tupo.reviews import services
from tupo.reviews.choices import ALLOWED_TRANSITIONS, AssignmentStatus, ConflictSource, RoundStatus, TieKind
from tupo.reviews.models import Assignment, Conflict, ReviewEvent, ReviewRound, Score, Scorecard

pytestmark = pytest.mark.django_db


def _open(review, admin):
    services.assign_optimal(admin, review)
    services.change_status(admin, review, RoundStatus.OPEN)


def test_happy_path(personas, review, experts):
    admin = personas.dept_admin
    report = services.assign_optimal(admin, review)
    assert report["pairs"] == 6 and report["mode"] == "optimal" and "min" in report["fairness"]
    for item in review.test_items:
        assert item.assignments.filter(status="assigned").count() == 2
    services.change_status(admin, review, RoundStatus.OPEN)
    scored = score_all(review, {"e1": (9, 9), "e2": (6, 7), "e3": (5, 5)})
    assert len(scored) == 6 and Scorecard.objects.filter(submitted_at__isnull=False).count() == 6
    services.change_status(admin, review, RoundStatus.CLOSED)
    ranking = services.aggregate(review, k=1, n_draws=200)
    assert [r.n_reviews for r in ranking.rows] == [2, 2, 2]
    top = ranking.rows[0]
    assert top.rank == 1 and top.rank_low <= top.rank_high and 0 <= top.p_funded <= 1
    assert all(r.mean is not None and r.trimmed_mean is not None and r.median is not None for r in ranking.rows)
    assert ranking.alpha_words
    for item in review.test_items:
        services.decide(admin, item, "approved" if item == top.item else "rejected", "By the panel's scores.")
    services.change_status(admin, review, RoundStatus.DECIDED)
    fb = services.feedback(review.test_items[0])
    assert fb["blind"] and len(fb["opinions"]) == 2
    assert all(o["by"].startswith("E") for o in fb["opinions"])
    assert [c["average"] is not None for c in fb["criteria"]] == [True, True]
    kinds = set(ReviewEvent.objects.filter(round=review).values_list("kind", flat=True))
    assert {"create", "assign", "status", "submit", "decide"} <= kinds


def test_weights_must_sum_to_100(personas, tree):
    with pytest.raises(ValidationError) as exc:
        make_round(personas.dept_admin, tree.county, criteria=[{"name": "A", "weight": 40}, {"name": "B", "weight": 50}])
    assert "add up to 90" in str(exc.value)
    assert not ReviewRound.objects.exists()


def test_deadline_counts_working_days(personas, tree):
    r = make_round(personas.dept_admin, tree.county)
    assert r.deadline == dt.date(2026, 9, 15)  # 10 working days after Tuesday 1 September 2026
    r2 = make_round(personas.dept_admin, tree.county, start_date=dt.date(2026, 9, 30), workdays=1)
    assert r2.deadline == dt.date(2026, 10, 8)  # National Day holiday skipped


def test_only_dept_admin_of_the_subtree_creates_rounds(personas, tree):
    for user in (personas.org_admin_a, personas.expert, personas.leader):
        with pytest.raises(PermissionDenied):
            make_round(user, tree.town_a)
    with pytest.raises(PermissionDenied):
        make_round(personas.dept_admin, tree.other)


@pytest.mark.parametrize("frm", list(RoundStatus))
def test_forbidden_round_transitions(personas, review, frm):
    ReviewRound.objects.filter(pk=review.pk).update(status=frm)
    review.refresh_from_db()
    for to in RoundStatus:
        if to in ALLOWED_TRANSITIONS[frm]:
            continue
        with pytest.raises(InvalidTransition):
            services.change_status(personas.dept_admin, review, to)
        review.refresh_from_db()
        assert review.status == frm


def test_open_needs_assignments_and_decided_needs_decisions(personas, review):
    with pytest.raises(ValidationError, match="Assign experts"):
        services.change_status(personas.dept_admin, review, RoundStatus.OPEN)
    _open(review, personas.dept_admin)
    services.change_status(personas.dept_admin, review, RoundStatus.CLOSED)
    with pytest.raises(ValidationError, match="no decision"):
        services.change_status(personas.dept_admin, review, RoundStatus.DECIDED)


def test_forbidden_assignment_transitions(personas, review):
    _open(review, personas.dept_admin)
    a = Assignment.objects.filter(round=review).first()
    services.decline(a.expert, a, "Travelling")
    with pytest.raises(InvalidTransition):
        services.recuse(a.expert, a, "again")
    with pytest.raises(InvalidTransition):
        services.decline(a.expert, a, "again")
    with pytest.raises(InvalidTransition):
        services.save_scorecard(a.expert, a, {})


# --- conflicts ---------------------------------------------------------------------------------------------------

@pytest.mark.parametrize("item_org, conflicted", [
    ("village_a1", True),   # own organization
    ("town_a", True),       # above the expert's organization
    ("county", True),       # further above
    ("branch_a11", True),   # below
    ("village_a2", False),  # sibling
    ("village_b1", False),  # cousin
])
def test_tree_conflicts(personas, tree, item_org, conflicted):
    expert = make_expert("ea1", org=tree.village_a1, grant_org=tree.county)
    r = make_round(personas.dept_admin, tree.county)
    item = services.add_item(personas.dept_admin, r, {"title": "t", "org": getattr(tree, item_org)})
    services.compute_conflicts(personas.dept_admin, r)
    rows = Conflict.objects.filter(expert=expert, item=item)
    assert rows.exists() == conflicted
    if conflicted:
        assert rows.get().source == ConflictSource.TREE and tree.village_a1.name in rows.get().reason


def test_role_grant_counts_as_affiliation_but_expert_grant_does_not(personas, tree):
    expert = make_expert("eb", grant_org=tree.county)
    from tupo.accounts.services import grant_role
    from tupo.core.services import SYSTEM

    grant_role(SYSTEM, expert, "org_admin", tree.town_b)
    expert.forget_grants()
    r = make_round(personas.dept_admin, tree.county)
    b1 = services.add_item(personas.dept_admin, r, {"title": "b", "org": tree.village_b1})
    a2 = services.add_item(personas.dept_admin, r, {"title": "a", "org": tree.village_a2})
    services.compute_conflicts(personas.dept_admin, r)
    assert Conflict.objects.filter(expert=expert, item=b1).exists()
    assert not Conflict.objects.filter(expert=expert, item=a2).exists()


def test_declared_ties(personas, tree):
    expert = make_expert("et", grant_org=tree.county)
    services.declare_tie(expert, expert, kind=TieKind.RELATIVE, person=tree.person_a11)
    services.declare_tie(personas.dept_admin, expert, kind=TieKind.FORMER_COLLEAGUE, org=tree.town_b)
    r = make_round(personas.dept_admin, tree.county)
    with_team = services.add_item(personas.dept_admin, r, {"title": "t", "org": tree.village_a2}, team=[tree.person_a11])
    in_b = services.add_item(personas.dept_admin, r, {"title": "b", "org": tree.village_b1})
    free = services.add_item(personas.dept_admin, r, {"title": "f", "org": tree.village_a2})
    services.compute_conflicts(personas.dept_admin, r)
    assert "李四" in Conflict.objects.get(expert=expert, item=with_team).reason
    assert Conflict.objects.get(expert=expert, item=in_b).source == ConflictSource.TIE
    assert not Conflict.objects.filter(expert=expert, item=free).exists()


def test_assignment_respects_conflicts(personas, tree, review):
    conflicted = make_expert("ec", org=tree.town_a, grant_org=tree.county)
    services.assign_optimal(personas.dept_admin, review)
    mine = set(Assignment.objects.filter(expert=conflicted).values_list("item__org_id", flat=True))
    assert not mine & {tree.branch_a11.pk, tree.village_a2.pk}


# --- infeasibility and reassignment ----------------------------------------------------------------------------

def test_too_few_experts_gives_reasons(personas, tree):
    make_expert("only", grant_org=tree.county)
    r = make_round(personas.dept_admin, tree.county, reviews_per_item=2)
    services.add_item(personas.dept_admin, r, {"title": "Lonely item", "org": tree.village_a2})
    with pytest.raises(ValidationError) as exc:
        services.assign_optimal(personas.dept_admin, r)
    assert any("Lonely item" in m for m in exc.value.messages)
    assert not Assignment.objects.filter(round=r).exists()


def test_item_with_every_expert_conflicted(personas, tree, review):
    for e in ("e1", "e2", "e3"):
        from tupo.accounts.models import User

        services.declare_tie(personas.dept_admin, User.objects.get(username=e), kind=TieKind.OTHER, org=tree.village_b1)
    with pytest.raises(ValidationError) as exc:
        services.assign_optimal(personas.dept_admin, review)
    assert any("党建引领乡村振兴" in m for m in exc.value.messages)


def test_random_draw_records_seed_and_replays(personas, review):
    services.draw_random(personas.dept_admin, review, seed=42)
    first = sorted(Assignment.objects.filter(round=review).values_list("expert_id", "item_id"))
    assert review.assignment_report["seed"] == 42
    assert ReviewEvent.objects.filter(round=review, kind="assign", reason="seed=42").exists()
    services.draw_random(personas.dept_admin, review, seed=42)
    assert sorted(Assignment.objects.filter(round=review).values_list("expert_id", "item_id")) == first


def test_decline_then_one_action_reassign(personas, tree, review, experts):
    make_expert("e4", grant_org=tree.county)
    _open(review, personas.dept_admin)
    a = Assignment.objects.filter(round=review, status="assigned").first()
    services.decline(a.expert, a, "Ill")
    assert services.reassign_declined(personas.dept_admin, review) == 1
    assert a.item.assignments.filter(status__in=["assigned", "submitted"]).count() == 2
    assert not Assignment.objects.filter(round=review, item=a.item, expert=a.expert, status="assigned").exists()


def test_manual_reassign_checks_conflicts_and_loads(personas, tree, review, experts):
    _open(review, personas.dept_admin)
    conflicted = make_expert("ec2", org=tree.village_b1, grant_org=tree.county)
    a = Assignment.objects.filter(round=review, item=review.test_items[2]).first()
    with pytest.raises(ValidationError, match="conflict"):
        services.reassign(personas.dept_admin, a, conflicted)
    full = make_expert("full", grant_org=tree.county, max_load=1)
    other = Assignment.objects.filter(round=review, item=review.test_items[0]).first()
    services.reassign(personas.dept_admin, other, full)
    a = Assignment.objects.filter(round=review, item=review.test_items[1]).first()
    with pytest.raises(ValidationError, match="most allowed"):
        services.reassign(personas.dept_admin, a, full)


def test_recusal_creates_declared_conflict(personas, review):
    _open(review, personas.dept_admin)
    a = Assignment.objects.filter(round=review).first()
    services.recuse(a.expert, a, "My cousin leads this team")
    assert Conflict.objects.get(expert=a.expert, item=a.item).source == ConflictSource.DECLARED
    with pytest.raises(PermissionDenied):
        services.decline(personas.expert, Assignment.objects.filter(round=review, status="assigned").first(), "x")


# --- scoring --------------------------------------------------------------------------------------------------

def _one(review, admin):
    _open(review, admin)
    a = Assignment.objects.filter(round=review).select_related("expert").first()
    crit = list(review.criteria.all())
    return a, crit


def test_scores_out_of_range_refused_nothing_written(personas, review):
    a, crit = _one(review, personas.dept_admin)
    with pytest.raises(ValidationError) as exc:
        services.submit_scorecard(a.expert, a, {crit[0].pk: 8, crit[1].pk: 11}, confidence=3)
    assert f"score_{crit[1].pk}" in exc.value.message_dict
    with pytest.raises(ValidationError):
        services.save_scorecard(a.expert, a, {crit[0].pk: -1})
    assert not Score.objects.exists() and not Scorecard.objects.exists()
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ASSIGNED


def test_submit_needs_every_criterion(personas, review):
    a, crit = _one(review, personas.dept_admin)
    services.save_scorecard(a.expert, a, {crit[0].pk: 8}, opinion="draft")
    with pytest.raises(ValidationError):
        services.submit_scorecard(a.expert, a, {crit[0].pk: 8}, confidence=3)
    a.refresh_from_db()
    assert a.status == AssignmentStatus.ASSIGNED and Score.objects.filter(assignment=a).count() == 1


def test_after_deadline_refused(personas, review):
    a, crit = _one(review, personas.dept_admin)
    with time_machine.travel(dt.datetime(2026, 9, 16, 9, 0)), pytest.raises(ValidationError, match="deadline"):
        services.submit_scorecard(a.expert, a, {crit[0].pk: 8, crit[1].pk: 8}, confidence=3)
    assert not Score.objects.exists()
    with time_machine.travel(dt.datetime(2026, 9, 15, 8, 0)):
        services.submit_scorecard(a.expert, a, {crit[0].pk: 8, crit[1].pk: 8}, confidence=3)


def test_second_submit_refused_clearly(personas, review):
    a, crit = _one(review, personas.dept_admin)
    services.submit_scorecard(a.expert, a, {crit[0].pk: 8, crit[1].pk: 8}, opinion="first", confidence=3)
    with pytest.raises(InvalidTransition, match="already submitted"):
        services.submit_scorecard(a.expert, a, {crit[0].pk: 1, crit[1].pk: 1}, opinion="second", confidence=3)
    assert sorted(Score.objects.filter(assignment=a).values_list("value", flat=True)) == [8, 8]
    assert Scorecard.objects.get(assignment=a).opinion == "first"


def test_other_expert_cannot_score(personas, review, experts):
    a, crit = _one(review, personas.dept_admin)
    other = next(e for e in experts if e.pk != a.expert_id)
    with pytest.raises(PermissionDenied):
        services.save_scorecard(other, a, {crit[0].pk: 5})


def test_decide_requires_closed_round_and_reason(personas, review):
    item = review.test_items[0]
    with pytest.raises(InvalidTransition):
        services.decide(personas.dept_admin, item, "approved", "x")
    _open(review, personas.dept_admin)
    services.change_status(personas.dept_admin, review, RoundStatus.CLOSED)
    with pytest.raises(ValidationError):
        services.decide(personas.dept_admin, item, "approved", "  ")
    with pytest.raises(PermissionDenied):
        services.decide(personas.org_admin_a, item, "approved", "x")


def test_criteria_fixture_weights():
    assert sum(c["weight"] for c in CRITERIA) == 100
