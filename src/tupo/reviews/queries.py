"""Reads: who sees which rounds, items and assignments; progress; the score table behind ranking and exports."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from tupo.orgs import tree
from tupo.reviews.choices import ACTIVE_ASSIGNMENT, AssignmentStatus
from tupo.reviews.rules import REVIEW_MANAGING_ROLES

NOTHING = Q(pk__in=[])


def _admin_paths(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.org.path for g in user.grants if g.role in REVIEW_MANAGING_ROLES and g.org_id]


def managed_round_q(user) -> Q:
    """Rounds organized in the subtree of the user's department-administrator grants."""
    paths = _admin_paths(user)
    return tree.subtrees_q(paths, "org__path") if paths else NOTHING


def visible_round_q(user) -> Q:
    """Rounds the user manages, and rounds whose panel the user chairs (to read the ranking and decide)."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    return managed_round_q(user) | Q(chair_id=user.pk)


def _not_conflicted(user, item_ref: str):
    from tupo.reviews.models import Conflict

    return ~Exists(Conflict.objects.filter(expert_id=user.pk, item_id=OuterRef(item_ref)))


def visible_assignment_q(user) -> Q:
    """Assignments of rounds the user manages, and the user's own active, non-conflicted ones."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    paths = _admin_paths(user)
    q = tree.subtrees_q(paths, "round__org__path") if paths else NOTHING
    return q | (Q(expert_id=user.pk, status__in=ACTIVE_ASSIGNMENT) & Q(_not_conflicted(user, "item_id")))


def visible_item_q(user) -> Q:
    """Items of rounds the user manages or chairs, and items the user has an active, non-conflicted assignment on.

    A chair sees every item of the round, conflicted ones included: the decision page then says why the chair may
    not decide it (a hidden item would look like a missing one)."""
    from tupo.reviews.models import Assignment

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    paths = _admin_paths(user)
    q = tree.subtrees_q(paths, "round__org__path") if paths else NOTHING
    mine = Exists(Assignment.objects.filter(expert_id=user.pk, item_id=OuterRef("pk"), status__in=ACTIVE_ASSIGNMENT))
    return q | Q(round__chair_id=user.pk) | (Q(mine) & Q(_not_conflicted(user, "pk")))


def my_assignments(user):
    from tupo.reviews.models import Assignment

    return (Assignment.objects.filter(expert_id=user.pk, status__in=ACTIVE_ASSIGNMENT)
            .filter(_not_conflicted(user, "item_id"))
            .select_related("item", "round", "scorecard").order_by("round__deadline", "round_id", "item_id"))


def rounds_open_for_bids(user) -> list:
    """Draft rounds asking for bids of interest whose pool holds the expert (few rounds: checked in Python)."""
    from tupo.accounts.choices import Role
    from tupo.reviews.choices import RoundStatus
    from tupo.reviews.models import ReviewRound
    from tupo.reviews.services import in_pool

    if not getattr(user, "is_authenticated", False) or Role.EXPERT not in user.roles:
        return []
    rounds = ReviewRound.objects.filter(status=RoundStatus.DRAFT, bidding=True).select_related("org") \
        .order_by("-created_at", "-id")[:50]
    return [r for r in rounds if in_pool(user, r)]


def chaired_rounds(user) -> list:
    """Rounds whose panel the user chairs, newest first (few: a list on "My reviews")."""
    from tupo.reviews.models import ReviewRound

    if not getattr(user, "is_authenticated", False):
        return []
    return list(ReviewRound.objects.filter(chair_id=user.pk).select_related("org").order_by("-created_at", "-id")[:50])


def pool_ties(user):
    """Declared ties (in force and withdrawn) of the experts in the department administrator's pool: experts whose
    expert grant lies in one of the administrator's subtrees or above it (the experts ``expert_pool`` would offer
    for a round organized there), whatever their availability. Empty for anyone else."""
    from tupo.accounts.choices import Role
    from tupo.accounts.models import RoleGrant
    from tupo.reviews.models import ExpertTie

    paths = _admin_paths(user)
    if not paths:
        return ExpertTie.objects.none()
    on_branch = (Q(org__isnull=True) | tree.subtrees_q(paths, "org__path")
                 | Q(org_id__in={a for p in paths for a in tree.ancestor_ids(p)}))
    experts = RoleGrant.objects.filter(on_branch, role=Role.EXPERT).values("user_id")
    return ExpertTie.objects.filter(profile__user_id__in=experts)


# --- bids of interest ------------------------------------------------------------------------------------------

def conflicted_items_q(expert, review_round) -> Q:
    """The round's items ``expert`` is conflicted with, as one Q on ReviewItem: the rules of
    ``services.find_conflicts`` (tree: own, ancestor or descendant organization; declared ties to a team member or
    to an organization at or above the submitting one) written as SQL, plus every stored conflict row of the expert
    in the round (recusals). The bids page pages through 10,000 items with it instead of checking each in Python;
    tests check it agrees with ``find_conflicts``."""
    from tupo.reviews.models import Conflict, ExpertTie, ReviewItem
    from tupo.reviews.services import _affiliations

    blocked = Q(Exists(Conflict.objects.filter(round=review_round, expert_id=expert.pk, item_id=OuterRef("pk"))))
    orgs = _affiliations([expert])[expert.pk]
    if orgs:
        blocked |= tree.subtrees_q([o.path for o in orgs], "org__path")  # same org or below
        blocked |= Q(org_id__in={a for o in orgs for a in tree.ancestor_ids(o.path)})  # same org or above
    ties = list(ExpertTie.objects.active().filter(profile__user_id=expert.pk).select_related("org"))
    people = [t.person_id for t in ties if t.person_id]
    if people:
        blocked |= Q(Exists(ReviewItem.team.through.objects.filter(reviewitem_id=OuterRef("pk"),
                                                                   person_id__in=people)))
    tie_paths = [t.org.path for t in ties if t.org_id]
    if tie_paths:
        blocked |= tree.subtrees_q(tie_paths, "org__path")
    return blocked


def expert_pool_q(review_round) -> Q:
    """Q on User: the round's pool (same rule as ``services.expert_pool``: active, available profile, an expert
    grant with no organization or one at, above or below the organizing organization), in one query."""
    from tupo.accounts.choices import Role
    from tupo.accounts.models import RoleGrant

    path = review_round.org.path
    on_branch = Q(org__isnull=True) | tree.subtree_q(path, "org__path") | Q(org_id__in=tree.ancestor_ids(path))
    grants = RoleGrant.objects.filter(on_branch, role=Role.EXPERT).values("user_id")
    return Q(pk__in=grants, is_active=True, expert_profile__available=True)


def biddable_items(expert, review_round):
    """The round's items ``expert`` may bid on (not conflicted), as a queryset ordered by id: pages cost two
    queries (count and page) whatever the size of the round."""
    return review_round.items.exclude(conflicted_items_q(expert, review_round)).select_related("org").order_by("id")


def progress(review_round):
    """Per expert and per item: done / in progress (draft scores) / not started, in a few aggregate queries."""
    from tupo.accounts.models import User
    from tupo.reviews.models import ReviewItem, Score

    active = Q(review_assignments__round=review_round, review_assignments__status__in=ACTIVE_ASSIGNMENT)
    started = Score.objects.filter(assignment__round=review_round, assignment__status=AssignmentStatus.ASSIGNED)
    experts = (User.objects.filter(active).distinct()
               .annotate(total=Count("review_assignments", filter=active, distinct=True),
                         done=Count("review_assignments", distinct=True,
                                    filter=active & Q(review_assignments__status=AssignmentStatus.SUBMITTED)),
                         started=Count("review_assignments", distinct=True,
                                       filter=active & Q(review_assignments__in=started.values("assignment_id"))))
               .order_by("id"))
    a_active = Q(assignments__status__in=ACTIVE_ASSIGNMENT)
    items = (ReviewItem.objects.filter(round=review_round).select_related("org", "decision")
             .annotate(total=Count("assignments", filter=a_active, distinct=True),
                       done=Count("assignments", distinct=True,
                                  filter=Q(assignments__status=AssignmentStatus.SUBMITTED)),
                       started=Count("assignments", distinct=True,
                                     filter=Q(assignments__in=started.values("assignment_id"))))
             .order_by("id"))
    return experts, items


def state_of(row) -> str:
    if row.total and row.done >= row.total:
        return "done"
    if row.done or row.started:
        return "in_progress"
    return "not_started"


# --- experts' quality record ---------------------------------------------------------------------------------

MIN_AGREEMENT_ITEMS = 3


def _pearson(xs: list[float], ys: list[float]) -> float | None:
    n = len(xs)
    if n < MIN_AGREEMENT_ITEMS:
        return None
    mx, my = sum(xs) / n, sum(ys) / n
    sxx = sum((x - mx) ** 2 for x in xs)
    syy = sum((y - my) ** 2 for y in ys)
    if sxx <= 0 or syy <= 0:
        return None
    return sum((x - mx) * (y - my) for x, y in zip(xs, ys, strict=True)) / (sxx * syy) ** 0.5


def quality_record(user) -> list[dict]:
    """Per expert, over the rounds ``user`` administers: rounds, assigned/submitted, timeliness, agreement with the
    panel, mean calibration offset, declines and recusals. Four queries whatever the number of experts or rounds;
    the statistics are computed in Python. Totals are put on a 0–10 scale so rounds with other scales compare."""
    import warnings

    import numpy as np
    from django.utils import timezone

    from tupo.accounts.models import User
    from tupo.methods.calibration import calibrate
    from tupo.reviews.models import Assignment, ReviewRound, Score

    rounds = {r.pk: r for r in ReviewRound.objects.filter(managed_round_q(user)).only("pk", "deadline", "scale_max")}
    if not rounds:
        return []
    rows = list(Assignment.objects.filter(round_id__in=rounds)
                .values_list("id", "round_id", "expert_id", "item_id", "status", "scorecard__submitted_at"))
    today = timezone.localdate()
    rec: dict[int, dict] = {}
    for _a, round_id, expert_id, _item, status, submitted_at in rows:
        r = rec.setdefault(expert_id, {"rounds": set(), "assigned": 0, "submitted": 0, "on_time": 0, "due": 0,
                                       "declined": 0, "recused": 0, "offsets": [], "pairs": []})
        r["rounds"].add(round_id)
        r["assigned"] += 1
        deadline = rounds[round_id].deadline
        if status == AssignmentStatus.SUBMITTED:
            r["submitted"] += 1
            r["due"] += 1
            if submitted_at is not None and timezone.localtime(submitted_at).date() <= deadline:
                r["on_time"] += 1
        elif status == AssignmentStatus.ASSIGNED and today > deadline:
            r["due"] += 1  # overdue and still unfinished: counts against timeliness
        elif status == AssignmentStatus.DECLINED:
            r["declined"] += 1
        elif status == AssignmentStatus.RECUSED:
            r["recused"] += 1
    # weighted totals of every submitted review, one query
    totals: dict[int, list] = {}
    for a_id, round_id, item_id, expert_id, value, weight, conf in (
            Score.objects.filter(assignment__round_id__in=rounds, assignment__status=AssignmentStatus.SUBMITTED)
            .values_list("assignment_id", "assignment__round_id", "assignment__item_id", "assignment__expert_id",
                         "value", "criterion__weight", "assignment__scorecard__confidence")):
        entry = totals.setdefault(a_id, [round_id, item_id, expert_id, 0.0, conf])
        entry[3] += float(value) * weight / 100 * 10 / (rounds[round_id].scale_max or 10)
    by_round: dict[int, list] = {}
    for round_id, item_id, expert_id, total, conf in totals.values():
        by_round.setdefault(round_id, []).append((item_id, expert_id, total, conf))
    for reviews in by_round.values():
        by_item: dict[int, list] = {}
        for item_id, expert_id, total, _c in reviews:
            by_item.setdefault(item_id, []).append((expert_id, total))
        for entries in by_item.values():
            for expert_id, total in entries:
                others = [t for e, t in entries if e != expert_id]
                if others:
                    rec[expert_id]["pairs"].append((total, sum(others) / len(others)))
        if len({e for _i, e, _t, _c in reviews}) < 2:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            try:
                result = calibrate([x[1] for x in reviews], [x[0] for x in reviews], [x[2] for x in reviews],
                                   [x[3] or 3 for x in reviews], n_draws=20)
            except (ValueError, np.linalg.LinAlgError):
                continue
        for eff in result.reviewers:
            if eff.offset is not None and not np.isnan(eff.offset):
                rec[eff.reviewer]["offsets"].append(float(eff.offset))
    names = {u.pk: u for u in User.objects.filter(pk__in=rec).only("pk", "username", "display_name")}
    out = []
    for expert_id, r in rec.items():
        pairs = r["pairs"]
        out.append({
            "expert": names.get(expert_id), "expert_id": expert_id, "rounds": len(r["rounds"]),
            "assigned": r["assigned"], "submitted": r["submitted"],
            "timeliness": r["on_time"] / r["due"] if r["due"] else None,
            "agreement": _pearson([p[0] for p in pairs], [p[1] for p in pairs]), "agreement_items": len(pairs),
            "offset": sum(r["offsets"]) / len(r["offsets"]) if r["offsets"] else None,
            "declined": r["declined"], "recused": r["recused"],
        })
    out.sort(key=lambda row: (str(row["expert"] or ""), row["expert_id"]))
    return out
