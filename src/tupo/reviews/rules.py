"""Named permissions of the expert review (what a user may *do*; seeing is queries.visible_to)."""

from __future__ import annotations

import rules

from tupo.accounts.choices import Role

REVIEW_MANAGING_ROLES = frozenset({Role.DEPT_ADMIN})


def _covers(user, path: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(g.role in REVIEW_MANAGING_ROLES and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def manages_review_org(user, org) -> bool:
    """A department administrator whose subtree holds the organization."""
    return org is not None and _covers(user, org.path)


@rules.predicate
def manages_round(user, review_round) -> bool:
    return review_round is not None and _covers(user, review_round.org.path)


@rules.predicate
def manages_item_round(user, item) -> bool:
    return item is not None and _covers(user, item.round.org.path)


@rules.predicate
def manages_assignment_round(user, assignment) -> bool:
    return assignment is not None and _covers(user, assignment.round.org.path)


def _is_chair(user, review_round) -> bool:
    return (review_round is not None and getattr(user, "is_authenticated", False)
            and review_round.chair_id is not None and review_round.chair_id == user.pk)


@rules.predicate
def chairs_round(user, review_round) -> bool:
    """The round's panel chair: reads the ranking and records decisions, nothing else."""
    return _is_chair(user, review_round)


@rules.predicate
def chairs_item_round(user, item) -> bool:
    return item is not None and _is_chair(user, item.round)


@rules.predicate
def is_assigned_expert(user, assignment) -> bool:
    return assignment is not None and getattr(user, "pk", None) == assignment.expert_id


@rules.predicate
def owns_item(user, item) -> bool:
    """Whoever submitted the subject, its team, and administrators of the submitting organization."""
    if item is None or not getattr(user, "is_authenticated", False):
        return False
    if item.submitted_by_id == user.pk:
        return True
    if user.person_id and item.team.filter(pk=user.person_id).exists():
        return True
    return any(g.role in (Role.ORG_ADMIN, Role.DEPT_ADMIN) and g.org_id and item.org.path.startswith(g.org.path)
               for g in user.grants)


@rules.predicate
def item_decided(user, item) -> bool:
    from tupo.reviews.choices import RoundStatus

    return item is not None and item.round.status == RoundStatus.DECIDED and hasattr(item, "decision")


@rules.predicate
def has_review_admin_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles & REVIEW_MANAGING_ROLES)


@rules.predicate
def is_expert(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.EXPERT in user.roles


@rules.predicate
def in_review_pool(user, review_round) -> bool:
    """An available expert whose expert grant lies on the round's branch of the tree (the round's pool)."""
    from tupo.reviews.services import in_pool

    return review_round is not None and in_pool(user, review_round)


@rules.predicate
def declared_tie(user, tie) -> bool:
    return tie is not None and getattr(user, "pk", None) == tie.profile.user_id


rules.add_perm("reviews.add_round", manages_review_org)
rules.add_perm("reviews.manage_round", manages_round)
rules.add_perm("reviews.manage_item", manages_item_round)
rules.add_perm("reviews.manage_assignment", manages_assignment_round)
rules.add_perm("reviews.decide_item", manages_item_round | chairs_item_round)
rules.add_perm("reviews.view_ranking", manages_round | chairs_round)
rules.add_perm("reviews.review", is_assigned_expert)
rules.add_perm("reviews.view_feedback", manages_item_round | (owns_item & item_decided))
rules.add_perm("reviews.use_admin", has_review_admin_role)
rules.add_perm("reviews.edit_own_profile", is_expert)
rules.add_perm("reviews.bid", in_review_pool)
rules.add_perm("reviews.withdraw_tie", declared_tie | has_review_admin_role)
