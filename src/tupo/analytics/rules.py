"""Named permissions of the input-output analysis (what a user may *do*; seeing is queries.visible_to)."""

from __future__ import annotations

import rules

from tupo.accounts.choices import Role

# Department administrators and leaders of a subtree analyse it; nobody else sees these pages.
ANALYTICS_ROLES = frozenset({Role.DEPT_ADMIN, Role.LEADER})


def covers(user, path: str) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return any(g.role in ANALYTICS_ROLES and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def analyses_org(user, org) -> bool:
    return org is not None and covers(user, org.path)


@rules.predicate
def sees_run(user, run) -> bool:
    return run is not None and covers(user, run.root_path)


@rules.predicate
def started_run(user, run) -> bool:
    return run is not None and getattr(user, "pk", None) is not None and run.created_by_id == user.pk


@rules.predicate
def dept_admin_over_run(user, run) -> bool:
    if run is None or not getattr(user, "is_authenticated", False):
        return False
    return any(g.role == Role.DEPT_ADMIN and g.org_id and run.root_path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def dept_admin_over_org(user, org) -> bool:
    if org is None or not getattr(user, "is_authenticated", False):
        return False
    return any(g.role == Role.DEPT_ADMIN and g.org_id and org.path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def has_analytics_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles & ANALYTICS_ROLES)


rules.add_perm("analytics.use", has_analytics_role)
rules.add_perm("analytics.run_analysis", analyses_org)
rules.add_perm("analytics.view_run", sees_run)
# Who started a run may stop it; so may a department administrator over its root (a leader only their own).
rules.add_perm("analytics.cancel_run", sees_run & (started_run | dept_admin_over_run))
# Yearly figures are written for a whole subtree and feed every trend over it: department administrators only
# (a leader reads them).
rules.add_perm("analytics.take_snapshot", dept_admin_over_org)
