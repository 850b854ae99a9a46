"""Yearly figures of organizations, for the Malmquist trend (productivity change over years).

The platform's indicators (``indicators.py``) describe the records *as they stand today*. A trend needs the
figure of each year. Two kinds of indicator:

* **dated**: the records carry the date the thing happened, so the figure of any past year is counted
  honestly from them: cases published in the year (``Case.published_at``), adoptions started in the year
  (``Adoption.started_on``), projects started in the year and their budgets (``Project.starts_on``),
  projects whose completion acceptance was passed in the year (``Acceptance.rated_at``);
* **head-counts** (people on the register, cadres, organizations): the register keeps no history, so the
  figure of a year exists only if it was taken *during that year* (the periodic job, ``tupo
  analytics_snapshot``). A past year without such a snapshot has no head-count figure, and nothing is
  invented for it.

Every figure is stored per organization for its *own* records (``OrgYearFigure``), zero values left out;
a unit's figure is the sum over its subtree, one grouped query per indicator and year.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from django.db.models import Count, Q, Sum
from django.utils.translation import gettext_lazy as _

from tupo.analytics.indicators import INPUT, OUTPUT, _grouped, _has
from tupo.orgs import tree


@dataclass(frozen=True)
class YearlyIndicator:
    key: str
    kind: str  # usual side
    label: object
    unit: object
    help: object
    dated: bool  # True: countable for any past year from dated records; False: a head-count of "now"
    own: Callable[[str, int], dict]  # (root path, year) -> {org_id: value} of each organization's own records


def _own(model, root_path: str, *, q: Q | None = None, agg=None) -> dict[int, float]:
    """One grouped query: per organization of the subtree, the aggregate of its own records."""
    qs = model.objects.filter(tree.subtree_q(root_path, "org_path"))
    if q is not None:
        qs = qs.filter(q)
    rows = qs.order_by().values("org_id").annotate(n=agg or Count("id")).values_list("org_id", "n")
    return {org_id: float(n) for org_id, n in rows if n}


def _people(root_path, year):
    from tupo.orgs.models import Person

    return _own(Person, root_path)


def _cadres(root_path, year):
    from tupo.orgs.models import Person

    return _own(Person, root_path, q=Q(is_cadre=True))


def _organizations(root_path, year):
    from tupo.orgs.models import Organization

    ids = Organization.objects.filter(tree.subtree_q(root_path)).values_list("id", flat=True)
    return {pk: 1.0 for pk in ids.iterator(chunk_size=5000)}


def _published_cases(root_path, year):
    from tupo.cases.choices import PUBLIC_CASE_STATUSES
    from tupo.cases.models import Case

    return _own(Case, root_path, q=Q(status__in=PUBLIC_CASE_STATUSES, published_at__year=year))


def _adoptions(root_path, year):
    from tupo.cases.models import Adoption

    return _own(Adoption, root_path, q=Q(started_on__year=year))


def _projects_started(root_path, year):
    from tupo.projects.models import Project

    return _own(Project, root_path, q=Q(starts_on__year=year))


def _project_budget(root_path, year):
    from tupo.projects.models import Project

    return _own(Project, root_path, q=Q(starts_on__year=year), agg=Sum("budget_total"))


def _projects_completed(root_path, year):
    from tupo.projects.choices import AcceptanceKind, Rating
    from tupo.projects.models import Acceptance

    qs = Acceptance.objects.filter(tree.subtree_q(root_path, "project__org_path"), kind=AcceptanceKind.COMPLETION,
                                   rated_at__year=year).exclude(rating__in=["", Rating.FAIL])
    rows = qs.order_by().values("project__org_id").annotate(n=Count("project_id", distinct=True))
    return {r["project__org_id"]: float(r["n"]) for r in rows if r["n"]}


def registry() -> dict[str, YearlyIndicator]:
    out = [
        YearlyIndicator("people", INPUT, _("People on the register"), _("persons"),
                        _("Head-count on the register when the year's snapshot was taken."), False, _people),
        YearlyIndicator("cadres", INPUT, _("Cadres"), _("persons"),
                        _("Cadres on the register when the year's snapshot was taken."), False, _cadres),
        YearlyIndicator("organizations", INPUT, _("Organizations"), _("organizations"),
                        _("Organizations in the subtree when the year's snapshot was taken."), False,
                        _organizations),
    ]
    if _has("tupo.cases.models"):
        out += [
            YearlyIndicator("published_cases", OUTPUT, _("Cases published in the year"), _("cases"),
                            _("Practice cases of the subtree published in the case library during the year."),
                            True, _published_cases),
            YearlyIndicator("adoptions", OUTPUT, _("Case adoptions started in the year"), _("adoptions"),
                            _("Times organizations of the subtree started applying a published case."), True,
                            _adoptions),
        ]
    if _has("tupo.projects.models"):
        out += [
            YearlyIndicator("project_budget", INPUT, _("Funds of projects started in the year"), _("yuan"),
                            _("Budgets of the projects of the subtree that started during the year."), True,
                            _project_budget),
            YearlyIndicator("projects", OUTPUT, _("Projects started in the year"), _("projects"),
                            _("Projects of the subtree that started during the year."), True, _projects_started),
            YearlyIndicator("projects_completed", OUTPUT, _("Projects completed in the year"), _("projects"),
                            _("Projects of the subtree whose completion acceptance was passed during the year."),
                            True, _projects_completed),
        ]
    return {i.key: i for i in out}


def unit_values(units, year: int, keys) -> dict[str, dict[int, float]]:
    """{key: {unit_id: value}}: each unit's figure of ``year`` summed over its subtree (one query per key)."""
    from tupo.analytics.models import OrgYearFigure

    return {k: _grouped(OrgYearFigure, units, field="org__path", q=Q(year=year, indicator=k), agg=Sum("value"))
            for k in keys}
