"""Named indicators the input-output analysis (DEA) reads from the platform's own records.

Two populations:

* ``orgs``: the organizations at one chosen depth below a root (e.g. the townships of a county); every
  figure counts the unit's whole subtree, in one grouped query per indicator (grouped by the unit's part
  of the materialized path, the pattern of ``orgs.queries.children_with_counts``).
* ``projects``: the projects of a call or year under a root; figures come from
  ``tupo.projects.queries.efficiency_rows`` (one fixed set of queries for all projects).

Each indicator is a function from a list of units to ``{unit_id: float}``; a unit with no record gets 0
(DEA needs strictly positive data: the run reports such units as excluded).
"""

from __future__ import annotations

import os
from collections.abc import Callable
from dataclasses import dataclass
from importlib.util import find_spec

from django.db.models import Count, Q, Sum
from django.db.models.functions import Substr
from django.utils.translation import gettext_lazy as _

from tupo.orgs import tree

ORGS = "orgs"
PROJECTS = "projects"
INPUT = "input"
OUTPUT = "output"


@dataclass(frozen=True)
class Indicator:
    key: str
    population: str
    kind: str  # the usual side: "input" or "output"
    label: object  # lazy translation
    unit: object  # lazy translation
    help: object
    compute: Callable[[list], dict]


# --- organizations of a subtree ------------------------------------------------------------------------

def _grouped(model, units, *, field: str = "org_path", q: Q | None = None, agg=None) -> dict[int, float]:
    """One grouped query: per unit (same-depth organizations), the aggregate over its whole subtree."""
    if not units:
        return {}
    width = len(units[0].path)
    # All units share an ancestor: one range over its subtree, then group by each unit's path prefix.
    common = os.path.commonprefix([u.path for u in units])
    common = common[: common.rfind(tree.SEP) + 1]
    qs = model.objects.filter(tree.subtree_q(common, field) if common else Q(**{f"{field}__startswith": ""}))
    if q is not None:
        qs = qs.filter(q)
    rows = dict(
        qs.annotate(head=Substr(field, 1, width)).order_by().values("head")
        .annotate(n=agg or Count("id")).values_list("head", "n")
    )
    return {u.pk: float(rows.get(u.path) or 0) for u in units}


def _people(units):
    from tupo.orgs.models import Person

    return _grouped(Person, units)


def _cadres(units):
    from tupo.orgs.models import Person

    return _grouped(Person, units, q=Q(is_cadre=True))


def _organizations(units):
    from tupo.orgs.models import Organization

    return _grouped(Organization, units, field="path")


def _published_cases(units):
    from tupo.cases.choices import PUBLIC_CASE_STATUSES
    from tupo.cases.models import Case

    return _grouped(Case, units, q=Q(status__in=PUBLIC_CASE_STATUSES))


def _adoptions(units):
    from tupo.cases.models import Adoption

    return _grouped(Adoption, units)


def _org_projects(units):
    from tupo.projects.models import Project

    return _grouped(Project, units)


def _org_projects_completed(units):
    from tupo.projects.choices import ProjectStatus
    from tupo.projects.models import Project

    return _grouped(Project, units, q=Q(status=ProjectStatus.COMPLETED))


def _org_project_budget(units):
    from tupo.projects.models import Project

    return _grouped(Project, units, agg=Sum("budget_total"))


def _has(module: str) -> bool:
    try:
        return find_spec(module) is not None
    except ModuleNotFoundError:  # pragma: no cover - parent package missing
        return False


def _org_indicators() -> list[Indicator]:
    out = [
        Indicator("people", ORGS, INPUT, _("People on the register"), _("persons"),
                  _("Members registered in the unit and every organization below it."), _people),
        Indicator("cadres", ORGS, INPUT, _("Cadres"), _("persons"),
                  _("People on the register marked as cadres."), _cadres),
        Indicator("organizations", ORGS, INPUT, _("Organizations"), _("organizations"),
                  _("The unit itself and every organization below it."), _organizations),
    ]
    if _has("tupo.cases.models"):
        out += [
            Indicator("published_cases", ORGS, OUTPUT, _("Published cases"), _("cases"),
                      _("Practice cases of the subtree published in the case library."), _published_cases),
            Indicator("adoptions", ORGS, OUTPUT, _("Case adoptions"), _("adoptions"),
                      _("Times organizations of the subtree took up a published case."), _adoptions),
        ]
    if _has("tupo.projects.models"):
        out += [
            Indicator("project_budget", ORGS, INPUT, _("Project funds budgeted"), _("yuan"),
                      _("Budgets of the projects led by organizations of the subtree."), _org_project_budget),
            Indicator("projects", ORGS, OUTPUT, _("Projects undertaken"), _("projects"),
                      _("Projects awarded to organizations of the subtree."), _org_projects),
            Indicator("projects_completed", ORGS, OUTPUT, _("Projects completed"), _("projects"),
                      _("Projects of the subtree that passed completion."), _org_projects_completed),
        ]
    return out


# --- projects of a call or year ------------------------------------------------------------------------

def _project_field(name: str):
    def compute(units):
        from tupo.projects.queries import efficiency_rows

        return {r["project_id"]: float(r.get(name) or 0) for r in efficiency_rows(units)}

    return compute


def _project_indicators() -> list[Indicator]:
    if not _has("tupo.projects.queries"):
        return []
    from tupo.projects import queries

    if not hasattr(queries, "efficiency_rows"):
        return []
    out = [
        Indicator("budget", PROJECTS, INPUT, _("Funds budgeted"), _("yuan"),
                  _("The project's approved budget."), _project_field("budget")),
        Indicator("spent", PROJECTS, INPUT, _("Funds spent"), _("yuan"),
                  _("Spending at completion, or the latest figure reported."), _project_field("spent")),
        Indicator("person_days", PROJECTS, INPUT, _("Person-days"), _("days"),
                  _("Working days the team reported."), _project_field("person_days")),
        Indicator("team_size", PROJECTS, INPUT, _("Team size"), _("persons"),
                  _("Members of the project team, principal included."), _project_field("team_size")),
        Indicator("milestones_met", PROJECTS, OUTPUT, _("Milestones met"), _("milestones"),
                  _("Milestones marked done."), _project_field("milestones_met")),
        Indicator("grade", PROJECTS, OUTPUT, _("Acceptance grade"), _("points"),
                  _("Completion rating as a number: excellent 3, pass 2, fail 1, none 0."), _project_field("grade")),
    ]
    try:
        from tupo.projects.choices import OutputType
    except ImportError:  # pragma: no cover
        return out
    for value, label in OutputType.choices:
        out.append(Indicator(f"outputs_{value}", PROJECTS, OUTPUT, label, _("items"),
                             _("Outputs of this type reported at acceptance."), _project_field(f"outputs_{value}")))
    return out


def registry() -> dict[str, dict[str, Indicator]]:
    """{population: {key: Indicator}}, in display order."""
    return {
        ORGS: {i.key: i for i in _org_indicators()},
        PROJECTS: {i.key: i for i in _project_indicators()},
    }


def for_population(population: str) -> dict[str, Indicator]:
    return registry().get(population, {})


def values(population: str, keys, units) -> dict[str, dict[int, float]]:
    """{key: {unit_id: value}} for the chosen indicators."""
    found = for_population(population)
    return {k: found[k].compute(units) for k in keys}
