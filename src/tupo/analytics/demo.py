"""Demo yearly figures, so the Malmquist page has a trend to show right after ``make run``.

The demo tree is generated today: its records carry no past, and its register no history. So:

* the current year is taken for real (``services.snapshot_year``: head-counts of today's register, and the
  dated records of this year);
* the three years before get **demonstration figures** (source "demo", badged as such on the page): the
  townships' own figures derived from today's register with a seeded drift, so that productivity moves
  differently from township to township. A later real snapshot of such a year replaces them.
"""

from __future__ import annotations

import random

from django.db import transaction
from django.utils import timezone

from tupo.analytics import services, yearly
from tupo.analytics.models import FigureSource, OrgYearFigure, YearSnapshot
from tupo.core.services import SYSTEM
from tupo.orgs import tree
from tupo.orgs.models import Organization

DEMO_YEARS = 3


@transaction.atomic
def load(root_org: Organization) -> dict:
    this_year = timezone.localdate().year
    services.snapshot_year(SYSTEM, root_org, this_year)
    towns = list(Organization.objects.filter(tree.subtree_q(root_org.path), depth=root_org.depth + 1)
                 .order_by("path"))
    if len(towns) < 2:
        return {"years": [this_year]}
    people = yearly.unit_values(towns, this_year, ["people", "cadres", "organizations"])
    keys = list(yearly.registry())
    now = timezone.now()
    years = list(range(this_year - DEMO_YEARS, this_year))
    rows = []
    for i, town in enumerate(towns):
        rng = random.Random(2026 + i)
        staff = max(people["people"].get(town.pk, 0), 10.0)
        skill = rng.uniform(0.6, 1.4)  # how productive this township is
        trend = rng.uniform(-0.08, 0.15)  # and how that changes each year
        for step, year in enumerate(years):
            size = staff * (1 - 0.03 * (len(years) - step)) * rng.uniform(0.97, 1.03)
            prod = skill * (1 + trend) ** step
            values = {
                "people": round(size),
                "cadres": max(1, round(size * 0.12)),
                "organizations": max(1, round(people["organizations"].get(town.pk, 1) * rng.uniform(0.95, 1.0))),
                "project_budget": round(size * 800 * rng.uniform(0.8, 1.2), -2),
                "published_cases": max(1, round(size / 25 * prod * rng.uniform(0.85, 1.15))),
                "adoptions": max(1, round(size / 40 * prod * rng.uniform(0.8, 1.2))),
                "projects": max(1, round(size / 60 * prod * rng.uniform(0.8, 1.2))),
                "projects_completed": max(1, round(size / 90 * prod * rng.uniform(0.8, 1.2))),
            }
            for key in keys:
                if key in values:
                    rows.append(OrgYearFigure(org=town, year=year, indicator=key, value=float(values[key]),
                                              source=FigureSource.DEMO, taken_at=now))
    OrgYearFigure.objects.filter(tree.subtree_q(root_org.path, "org__path"), year__in=years).delete()
    OrgYearFigure.objects.bulk_create(rows)
    for year in years:
        YearSnapshot.objects.create(root_org=root_org, root_path=root_org.path, year=year, indicators=keys,
                                    source=FigureSource.DEMO, org_count=len(towns))
    return {"years": years + [this_year], "figures": len(rows), "runs": _demo_runs(root_org, years)}


def _demo_runs(root_org: Organization, years: list[int]) -> int:
    """Two saved runs by the demo department administrator, so the result pages have something to show."""
    from django.contrib.auth import get_user_model

    admin = get_user_model().objects.filter(username="dept_admin").first()
    if admin is None:
        return 0
    services.start_run(admin, {
        "kind": "malmquist", "title": "乡镇党委产出效率变化（演示数据）", "root_org": root_org, "depth": 1,
        "years": years, "inputs": ["people", "project_budget"], "outputs": ["published_cases", "adoptions"]})
    services.start_run(admin, {
        "population": "orgs", "title": "乡镇党委投入产出效率（演示）", "root_org": root_org, "depth": 1,
        "inputs": ["people", "cadres"], "outputs": ["published_cases", "adoptions"], "rts": "vrs"})
    return 2
