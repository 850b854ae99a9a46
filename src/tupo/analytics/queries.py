"""Reads: who sees which runs, which organizations and calls a user may analyse, the units of a population."""

from __future__ import annotations

from typing import NamedTuple

from django.db.models import Q

from tupo.analytics.models import Population
from tupo.analytics.rules import ANALYTICS_ROLES
from tupo.orgs import tree
from tupo.orgs.models import Organization

NOTHING = Q(pk__in=[])


def scope_paths(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return tree.collapse([g.org.path for g in user.grants if g.role in ANALYTICS_ROLES and g.org_id])


def covering_snapshots(root_path: str):
    """Yearly snapshots whose subtree holds ``root_path`` (taken at the root itself or at an ancestor)."""
    from tupo.analytics.models import YearSnapshot

    ancestors = []
    for i in range(len(root_path)):
        if root_path[i] == tree.SEP:
            ancestors.append(root_path[: i + 1])
    return YearSnapshot.objects.filter(root_path__in=ancestors)


def snapshots_in_scope(user, limit: int = 200) -> list:
    """Snapshots of the user's subtrees or above them (what the Malmquist form can draw on)."""
    from tupo.analytics.models import YearSnapshot

    paths = scope_paths(user)
    if not paths:
        return []
    q = tree.subtrees_q(paths, "root_path")
    for p in paths:
        q |= Q(pk__in=covering_snapshots(p).values("pk"))
    return list(YearSnapshot.objects.filter(q).select_related("root_org", "taken_by")[:limit])


def visible_run_q(user) -> Q:
    """A run is seen by department administrators and leaders whose subtree holds its root organization."""
    paths = scope_paths(user)
    return tree.subtrees_q(paths, "root_path") if paths else NOTHING


def root_choices(user, levels: int = 2) -> list[Organization]:
    """Organizations a user may take as the root: their scope organizations and a few levels below."""
    paths = scope_paths(user)
    if not paths:
        return []
    q = NOTHING
    for p in paths:
        q |= tree.subtree_q(p) & Q(depth__lte=tree.depth(p) + levels)
    return list(Organization.objects.filter(q).order_by("path")[:2000])


def call_choices(user, root: Organization | None = None) -> list:
    """Calls (of topics) whose organization lies in the user's scope (or under ``root``)."""
    try:
        from tupo.topics.models import Call
    except ImportError:  # pragma: no cover
        return []
    paths = [root.path] if root is not None else scope_paths(user)
    if not paths:
        return []
    return list(Call.objects.filter(tree.subtrees_q(paths, "org__path")).select_related("org").order_by("-id")[:500])


class OrgUnit(NamedTuple):
    """An organization as a unit of analysis: what the indicators and the result need, and no more
    (100,000 model instances would cost several hundred MB; these tuples a tenth of it)."""

    pk: int
    path: str
    name: str


def org_units(root: Organization, depth: int) -> list[OrgUnit]:
    """Organizations exactly ``depth`` levels below ``root`` (1 = its direct children)."""
    qs = (Organization.objects.filter(tree.subtree_q(root.path), depth=root.depth + depth).order_by("path")
          .values_list("pk", "path", "name"))
    return [OrgUnit(*row) for row in qs.iterator(chunk_size=5000)]


def project_units(root: Organization, call_id: int | None, year: int | None) -> list:
    """Projects of calls under ``root``, of one call and/or starting in one year."""
    from tupo.projects.models import Project

    qs = Project.objects.filter(tree.subtree_q(root.path, "call__org__path"))
    if call_id:
        qs = qs.filter(call_id=call_id)
    if year:
        qs = qs.filter(starts_on__year=year)
    return list(qs.order_by("id"))


def units_of(run) -> list:
    if run.population == Population.ORGS:
        return org_units(run.root_org, run.depth or 1)
    return project_units(run.root_org, run.call_id, run.year)


def unit_name(unit) -> str:
    return getattr(unit, "name", None) or getattr(unit, "title", None) or str(unit)
