"""Named permissions of projects (what a user may *do*; seeing is queries.visible_to)."""

from __future__ import annotations

import rules

from tupo.topics.rules import TOPIC_MANAGING_ROLES


def _covers(user, path: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(g.role in TOPIC_MANAGING_ROLES and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def manages_project(user, project) -> bool:
    """A department administrator whose subtree holds the call's scope."""
    return project is not None and _covers(user, project.call.org.path)


@rules.predicate
def on_team(user, project) -> bool:
    if project is None or not getattr(user, "person_id", None):
        return False
    return project.members.filter(person_id=user.person_id).exists()


@rules.predicate
def is_liaison(user, project) -> bool:
    if project is None or not getattr(user, "is_authenticated", False):
        return False
    return project.liaisons.filter(liaison_id=user.pk, active=True).exists()


rules.add_perm("projects.manage_project", manages_project)
rules.add_perm("projects.report", on_team)
rules.add_perm("projects.liaise", is_liaison)
rules.add_perm("projects.follow_problem", is_liaison | manages_project)
