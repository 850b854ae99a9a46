"""Reads: who sees which organizations and people, and the basic-data dashboard figures."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy

from tupo.accounts.choices import PEOPLE_VIEWING_ROLES, SUBTREE_ROLES, Role
from tupo.orgs import tree
from tupo.orgs.choices import AGE_BANDS, JOIN_PERIODS, age_band_label
from tupo.orgs.models import Organization, Person, add_months
from tupo.orgs.stats import UNKNOWN, Figures, figures_for

NOTHING = Q(pk__in=[])
NOT_FILLED = gettext_lazy("Not filled in")


def _subtree_paths(user, roles) -> list[str]:
    return [g.org.path for g in user.grants if g.role in roles and g.org_id]


def visible_org_q(user) -> Q:
    """Organizations a user may open: subtrees of their scoped roles, their own organization(s).

    The system and security administrators see the tree's organizations (to manage accounts and grant
    roles) but none of the people; the audit administrator sees neither.
    """
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    roles = user.roles
    if roles & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
        return Q()
    q = tree.subtrees_q(_subtree_paths(user, SUBTREE_ROLES))
    own = [g.org_id for g in user.grants if g.role not in SUBTREE_ROLES and g.org_id]
    if user.person_id:
        own.append(Person.objects.filter(pk=user.person_id).values_list("org_id", flat=True).first())
    if own:
        q |= Q(pk__in=[o for o in own if o])
    return q


def visible_person_q(user) -> Q:
    """People a user may open: everyone in subtrees where they hold a people-viewing role, and themselves."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    q = tree.subtrees_q(_subtree_paths(user, PEOPLE_VIEWING_ROLES), "org_path")
    if user.person_id:
        q |= Q(pk=user.person_id)
    return q


def home_orgs(user) -> list[Organization]:
    """The topmost organizations a user can see: where their tree browsing starts."""
    visible = Organization.objects.visible_to(user)
    if user.roles & {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN}:
        return list(visible.filter(parent__isnull=True))
    paths = tree.collapse(_subtree_paths(user, SUBTREE_ROLES))
    orgs = list(Organization.objects.filter(path__in=paths))
    seen = {o.pk for o in orgs}
    extra = [o for o in visible.exclude(pk__in=seen).filter(
        pk__in=[g.org_id for g in user.grants if g.org_id] + ([user.person.org_id] if user.person_id else [])
    ) if not any(o.path.startswith(p) for p in paths)]
    return orgs + extra


def children_with_counts(org: Organization) -> list[Organization]:
    """Direct children, each with its subtree's organization and people counts, in three queries.

    Rolled-up rows for materialized children; otherwise one grouped count over the parent's range,
    grouping by the child part of the path (all children's paths have the same length).
    """
    from django.db.models import Count
    from django.db.models.functions import Substr

    from tupo.orgs.models import OrgStat
    from tupo.orgs.stats import MATERIALIZED_DEPTH

    children = list(Organization.objects.filter(parent=org).select_related("secretary").order_by("code"))
    if not children:
        return children
    if children[0].depth <= MATERIALIZED_DEPTH:
        rows = OrgStat.objects.filter(org__in=children, dimension__in=["orgs", "people"], key="total")
        counts = {(r.org_id, r.dimension): r.count for r in rows}
        for child in children:
            child.subtree_orgs = counts.get((child.pk, "orgs"), 0)
            child.subtree_people = counts.get((child.pk, "people"), 0)
        return children
    width = len(children[0].path)
    people = dict(
        Person.objects.filter(tree.subtree_q(org.path, "org_path")).exclude(org_path=org.path)
        .annotate(head=Substr("org_path", 1, width)).order_by().values("head").annotate(n=Count("id"))
        .values_list("head", "n")
    )
    orgs = dict(
        Organization.objects.filter(tree.subtree_q(org.path)).exclude(pk=org.pk)
        .annotate(head=Substr("path", 1, width)).order_by().values("head").annotate(n=Count("id"))
        .values_list("head", "n")
    )
    for child in children:
        child.subtree_orgs = orgs.get(child.path, 0)
        child.subtree_people = people.get(child.path, 0)
    return children


@dataclass
class Chart:
    key: str
    title: str
    rows: list[tuple[str, int]]
    kind: str = "bar"
    total: int = field(init=False)

    def __post_init__(self):
        self.total = sum(n for _label, n in self.rows)


def _banded(years: dict[str, int], bands, as_of_year: int, by_age: bool) -> list[tuple[str, int]]:
    out = []
    for low, high in bands:
        n = 0
        for y, count in years.items():
            if y == UNKNOWN:
                continue
            v = as_of_year - int(y) if by_age else int(y)
            if (low is None or v >= low) and (high is None or v <= high):
                n += count
        label = age_band_label(low, high)
        out.append((label, n))
    if years.get(UNKNOWN):
        out.append((str(NOT_FILLED), years[UNKNOWN]))
    return out


def dashboard(org: Organization, today: dt.date | None = None) -> dict:
    """Every figure of the basic-data dashboard for one subtree, in a handful of queries."""
    from tupo.orgs.choices import Education, MemberStatus, Occupation, OrgCategory, OrgType, Sex

    today = today or timezone.localdate()
    fig: Figures = figures_for(org)

    def labelled(dim, choices):
        labels = dict(choices.choices)
        data = fig.get(dim, {})
        rows = [(str(labels[k]), data.get(k, 0)) for k in labels if data.get(k)]
        if data.get(UNKNOWN):
            rows.append((str(NOT_FILLED), data[UNKNOWN]))
        return rows

    from django.utils.translation import gettext as _

    charts = [
        Chart("org_type", _("Organizations by type"), labelled("org_type", OrgType), "pie"),
        Chart("org_category", _("Organizations by category"), labelled("org_category", OrgCategory)),
        Chart("sex", _("People by sex"), labelled("sex", Sex), "pie"),
        Chart("age", _("People by age band (age = %(year)s − birth year)") % {"year": today.year},
              _banded(fig.get("birth_year", {}), AGE_BANDS, today.year, by_age=True)),
        Chart("education", _("People by education"), labelled("education", Education)),
        Chart("occupation", _("People by occupation"), labelled("occupation", Occupation)),
        Chart("join_period", _("People by year of joining the Party"),
              _banded({k: v for k, v in fig.get("join_year", {}).items()}, JOIN_PERIODS, today.year, by_age=False)),
        Chart("status", _("Probationary and full members"), labelled("status", MemberStatus), "pie"),
    ]
    subtree = Organization.objects.filter(tree.subtree_q(org.path))
    soon_limit = add_months(today, 6)
    expiring_qs = subtree.filter(term_end__isnull=False, term_end__lte=soon_limit).order_by("term_end")
    expiring_count = expiring_qs.count()
    expiring = list(expiring_qs[:20])
    missing_secretary = list(subtree.filter(secretary__isnull=True).order_by("path")[:20])
    return {
        "org": org,
        "figures": fig,
        "charts": charts,
        "people_total": fig.get_count("people"),
        "orgs_total": fig.get_count("orgs"),
        "no_secretary_total": fig.get_count("no_secretary"),
        "expiring": expiring,
        "expiring_total": expiring_count,
        "missing_secretary": missing_secretary,
        "today": today,
    }
