"""Reads: who sees which cycles, nominations and objections."""

from __future__ import annotations

from django.db.models import Q

from tupo.accounts.choices import MANAGING_ROLES, Role
from tupo.awards.choices import CycleStatus
from tupo.orgs import tree

NOTHING = Q(pk__in=[])


def _paths(user, roles) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.org.path for g in user.grants if g.role in roles and g.org_id]


def _ancestor_paths(paths) -> set[str]:
    """Every prefix path of the given paths (a cycle organized above an organization covers it)."""
    out = set()
    for p in paths:
        segs = [s for s in p.split(tree.SEP) if s]
        for n in range(1, len(segs) + 1):
            out.add("".join(f"{s}{tree.SEP}" for s in segs[:n]))
    return out


def visible_cycle_q(user) -> Q:
    """Cycles organized in a department administrator's subtree; for nominating administrators, the
    non-draft cycles whose scope holds their organizations (above or below them)."""
    admin = _paths(user, {Role.DEPT_ADMIN})
    q = tree.subtrees_q(admin, "org__path") if admin else NOTHING
    nominating = _paths(user, MANAGING_ROLES)
    if nominating:
        in_scope = Q(org__path__in=_ancestor_paths(nominating)) | tree.subtrees_q(nominating, "org__path")
        q |= in_scope & ~Q(status=CycleStatus.DRAFT)
    return q


def visible_nomination_q(user) -> Q:
    """Nominations of cycles the user runs, and those of organizations the user administers."""
    admin = _paths(user, {Role.DEPT_ADMIN})
    q = tree.subtrees_q(admin, "cycle__org__path") if admin else NOTHING
    own = _paths(user, MANAGING_ROLES)
    if own:
        q |= tree.subtrees_q(own, "org_path")
    return q


def visible_objection_q(user) -> Q:
    admin = _paths(user, {Role.DEPT_ADMIN})
    return tree.subtrees_q(admin, "cycle__org__path") if admin else NOTHING


def open_cycles_for(user):
    from tupo.awards.models import AwardCycle

    return AwardCycle.objects.visible_to(user).filter(status=CycleStatus.OPEN).select_related("org")
