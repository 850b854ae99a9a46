"""Named permissions for organizations and people (what a user may *do*; seeing is queries.visible_to)."""

from __future__ import annotations

import rules

from tupo.accounts.choices import MANAGING_ROLES, PEOPLE_VIEWING_ROLES, Role


def _covers(user, path: str, roles) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(g.role in roles and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def manages_org(user, org) -> bool:
    return org is not None and _covers(user, org.path, MANAGING_ROLES)


@rules.predicate
def manages_person(user, person) -> bool:
    return person is not None and _covers(user, person.org_path, MANAGING_ROLES)


@rules.predicate
def is_self(user, person) -> bool:
    return person is not None and getattr(user, "person_id", None) == person.pk


@rules.predicate
def views_org_dashboard(user, org) -> bool:
    return org is not None and _covers(user, org.path, PEOPLE_VIEWING_ROLES)


@rules.predicate
def has_managing_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles & MANAGING_ROLES)


@rules.predicate
def is_dept_admin(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.DEPT_ADMIN in user.roles


rules.add_perm("orgs.change_organization", manages_org)
rules.add_perm("orgs.add_child_organization", manages_org)
rules.add_perm("orgs.add_person", manages_org)
rules.add_perm("orgs.change_person", manages_person)
rules.add_perm("orgs.view_personal_numbers", manages_person | is_self)
rules.add_perm("orgs.view_dashboard", views_org_dashboard)
rules.add_perm("orgs.view_members", views_org_dashboard)
rules.add_perm("orgs.import", has_managing_role)
# Creating a new tree root is reserved to command-line work (seed), whose actor is the system.
rules.add_perm("orgs.create_root_organization", rules.always_deny)
