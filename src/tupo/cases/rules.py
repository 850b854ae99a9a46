"""Named permissions for cases, brands and adoptions (seeing is queries.visible_*_q)."""

from __future__ import annotations

import rules

from tupo.accounts.choices import MANAGING_ROLES, SUBTREE_ROLES, Role
from tupo.cases.choices import CaseStatus


def covers(user, path: str, roles) -> bool:
    if not getattr(user, "is_authenticated", False) or not path:
        return False
    return any(g.role in roles and g.org_id and path.startswith(g.org.path) for g in user.grants)


@rules.predicate
def manages_org(user, org) -> bool:
    return org is not None and covers(user, org.path, MANAGING_ROLES)


@rules.predicate
def manages_item(user, obj) -> bool:
    """The object's organization (``org_path``) lies in a subtree the user manages."""
    return obj is not None and covers(user, obj.org_path, MANAGING_ROLES)


@rules.predicate
def dept_admin_over(user, obj) -> bool:
    return obj is not None and covers(user, obj.org_path, {Role.DEPT_ADMIN})


@rules.predicate
def editable_case(user, case) -> bool:
    return case is not None and case.status == CaseStatus.DRAFT


@rules.predicate
def not_archived(user, case) -> bool:
    return case is not None and case.status != CaseStatus.ARCHIVED


@rules.predicate
def has_subtree_role(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles & SUBTREE_ROLES)


rules.add_perm("cases.add_case", manages_org)
rules.add_perm("cases.change_case", manages_item & editable_case)
rules.add_perm("cases.upload_case_file", manages_item & not_archived)
rules.add_perm("cases.submit_case", manages_item)
rules.add_perm("cases.review_case", dept_admin_over)
rules.add_perm("cases.publish_case", dept_admin_over)
rules.add_perm("cases.adopt_case", manages_org)
rules.add_perm("cases.report_adoption", manages_item)
rules.add_perm("cases.add_brand", manages_org)
rules.add_perm("cases.screen_brand", dept_admin_over)
rules.add_perm("cases.link_brand_case", manages_item)  # the brand's organization admin or a department admin over it
rules.add_perm("cases.view_dashboard", has_subtree_role)
