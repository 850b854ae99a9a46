from __future__ import annotations

import pytest

from tests.factories import make_org, make_person
from tupo.cases.models import Case

pytestmark = pytest.mark.urls("tests.analytics.urls")


def publish_cases(org, n):
    for i in range(n):
        Case.objects.create(title=f"case {org.code} {i}", org=org, org_path=org.path, year=2025, abstract="x",
                            status="published")


def add_people(org, n):
    for _ in range(n):
        make_person(org)


@pytest.fixture
def towns(tree):
    """Townships of the county with hand-checkable people (input) and published cases (output).

    town A: 2 people, 3 cases (ratio 1.5, best)   town B: 1 person, 1 case (ratio 1 → 2/3)
    town C: 4 people, 2 cases (ratio 0.5 → 1/3)   town D: 1 person, 0 cases (excluded)
    """
    tree.town_c = make_org("TC", tree.county, name="石桥镇党委")
    tree.town_d = make_org("TD", tree.county, name="东山镇党委")
    add_people(tree.town_c, 4)
    add_people(tree.town_d, 1)
    publish_cases(tree.village_a1, 2)
    publish_cases(tree.town_a, 1)
    publish_cases(tree.village_b1, 1)
    publish_cases(tree.town_c, 2)
    Case.objects.create(title="draft", org=tree.town_d, org_path=tree.town_d.path, year=2025, abstract="x")
    return tree


def org_params(tree, **kw):
    return {"population": "orgs", "root_org": tree.county, "depth": 1, "inputs": ["people"],
            "outputs": ["published_cases"], "rts": "crs", "orientation": "in", **kw}
