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


def visible_round_q(user) -> Q:
    """Rounds organized in the subtree of the user's department-administrator grants."""
    paths = _admin_paths(user)
    return tree.subtrees_q(paths, "org__path") if paths else NOTHING


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
    """Items of rounds the user manages, and items the user has an active, non-conflicted assignment on."""
    from tupo.reviews.models import Assignment

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    paths = _admin_paths(user)
    q = tree.subtrees_q(paths, "round__org__path") if paths else NOTHING
    mine = Exists(Assignment.objects.filter(expert_id=user.pk, item_id=OuterRef("pk"), status__in=ACTIVE_ASSIGNMENT))
    return q | (Q(mine) & Q(_not_conflicted(user, "pk")))


def my_assignments(user):
    from tupo.reviews.models import Assignment

    return (Assignment.objects.filter(expert_id=user.pk, status__in=ACTIVE_ASSIGNMENT)
            .filter(_not_conflicted(user, "item_id"))
            .select_related("item", "round", "scorecard").order_by("round__deadline", "round_id", "item_id"))


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
