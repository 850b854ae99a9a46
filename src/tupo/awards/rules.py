"""Named permissions of the award (what a user may *do*; seeing is queries.visible_to).

Roles × phases: the department administrator of the scope runs the cycle; an organization administrator
nominates for organizations in their subtree while the cycle is open; a panel member scores their own slots.
"""

from __future__ import annotations

import rules

from tupo.accounts.choices import MANAGING_ROLES, Role


def _covers(user, path: str, roles) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(g.role in roles and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def manages_award_org(user, org) -> bool:
    return org is not None and _covers(user, org.path, {Role.DEPT_ADMIN})


@rules.predicate
def manages_cycle(user, cycle) -> bool:
    return cycle is not None and _covers(user, cycle.org.path, {Role.DEPT_ADMIN})


@rules.predicate
def manages_nomination_cycle(user, nomination) -> bool:
    return nomination is not None and _covers(user, nomination.cycle.org.path, {Role.DEPT_ADMIN})


@rules.predicate
def nominates_for_org(user, org) -> bool:
    return org is not None and _covers(user, org.path, MANAGING_ROLES)


@rules.predicate
def owns_nomination(user, nomination) -> bool:
    return nomination is not None and _covers(user, nomination.org_path, MANAGING_ROLES)


@rules.predicate
def sits_on_panel(user, slot) -> bool:
    return slot is not None and getattr(user, "is_authenticated", False) and slot.panel.filter(pk=user.pk).exists()


@rules.predicate
def votes_in_cycle(user, cycle) -> bool:
    """Members and cadres (role member) whose organization lies in the cycle's scope."""
    if cycle is None or not getattr(user, "is_authenticated", False):
        return False
    return any(g.role == Role.MEMBER and g.org_id and g.org.path.startswith(cycle.org.path) for g in user.grants)


@rules.predicate
def handles_objection(user, objection) -> bool:
    return (objection is not None and getattr(user, "is_authenticated", False)
            and objection.handler_id is not None and objection.handler_id == user.pk)


@rules.predicate
def manages_objection_cycle(user, objection) -> bool:
    return objection is not None and _covers(user, objection.cycle.org.path, {Role.DEPT_ADMIN})


@rules.predicate
def has_award_admin_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and Role.DEPT_ADMIN in user.roles


rules.add_perm("awards.add_cycle", manages_award_org)
rules.add_perm("awards.manage_cycle", manages_cycle)
rules.add_perm("awards.manage_nomination", manages_nomination_cycle)
rules.add_perm("awards.nominate", nominates_for_org)
rules.add_perm("awards.edit_nomination", owns_nomination)
rules.add_perm("awards.score_slot", sits_on_panel)
rules.add_perm("awards.use_admin", has_award_admin_role)
rules.add_perm("awards.vote", votes_in_cycle)
# The administrator assigns the handler; the handler (or the administrator) records findings and outcome.
rules.add_perm("awards.assign_objection", manages_objection_cycle)
rules.add_perm("awards.handle_objection", manages_objection_cycle | handles_objection)
