"""Fixtures of the expert review: experts with profiles, a round with criteria and items, a fixed date."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.factories import make_person, make_user
from tupo.accounts.choices import Role
from tupo.reviews import services
from tupo.reviews.models import ExpertProfile

TODAY = dt.datetime(2026, 9, 1, 10, 0)  # a Tuesday; the round's deadline is 10 working days later (2026-09-15)


@pytest.fixture(autouse=True)
def fixed_day():
    with time_machine.travel(TODAY, tick=True):
        yield


def make_expert(username, *, org=None, grant_org=None, fields="组织建设 党建创新", max_load=10, available=True):
    person = make_person(org, name=f"专家{username}") if org is not None else None
    user = make_user(username, Role.EXPERT, grant_org, person=person)
    ExpertProfile.objects.create(user=user, fields=fields, keywords="", profile="", max_load=max_load,
                                 available=available)
    return user


CRITERIA = [
    {"name": "Innovation", "weight": 40, "anchors": "0-3 weak, 4-7 sound, 8-10 outstanding"},
    {"name": "Effectiveness", "weight": 60, "anchors": ""},
]


def make_round(actor, org, **kw):
    data = {"title": kw.pop("title", "2026 innovation topics"), "blind": kw.pop("blind", True), "scale_max": 10,
            "reviews_per_item": kw.pop("reviews_per_item", 2), "min_load": 0, "max_load": kw.pop("max_load", 10),
            "start_date": dt.date(2026, 9, 1), "workdays": 10, "aggregation": kw.pop("aggregation", "calibrated"),
            "funded_count": kw.pop("funded_count", 1), **kw}
    return services.create_round(actor, org=org, data=data, criteria=kw.pop("criteria", CRITERIA))


@pytest.fixture
def experts(tree):
    return [make_expert(f"e{n}", grant_org=tree.county) for n in range(1, 4)]


@pytest.fixture
def review(personas, tree, experts):
    """A draft round of the county with three items (branch A1-1 with 李四 on the team, village A2, village B1)."""
    r = make_round(personas.dept_admin, tree.county, max_load=2)  # 6 reviews, 3 experts: two each
    r.test_items = [
        services.add_item(personas.dept_admin, r, {"title": "党员积分管理创新", "text": "积分 党员 管理", "org": tree.branch_a11,
                                                  "subject_type": "topics.bid", "subject_id": 1},
                          team=[tree.person_a11]),
        services.add_item(personas.dept_admin, r, {"title": "村级组织建设", "text": "组织建设 村", "org": tree.village_a2,
                                                  "subject_type": "topics.bid", "subject_id": 2}),
        services.add_item(personas.dept_admin, r, {"title": "党建引领乡村振兴", "text": "党建 乡村 振兴", "org": tree.village_b1,
                                                  "subject_type": "topics.bid", "subject_id": 3}),
    ]
    return r


def score_all(review_round, values=None):
    """Every active assignment submitted: values[expert username] = (innovation, effectiveness)."""
    from tupo.reviews.models import Assignment

    out = []
    for a in Assignment.objects.filter(round=review_round, status="assigned").select_related("expert", "round"):
        crit = list(review_round.criteria.all())
        inn, eff = (values or {}).get(a.expert.username, (7, 8))
        bump = a.item_id % 3
        services.submit_scorecard(a.expert, a, {crit[0].pk: inn + bump * 0.5, crit[1].pk: max(0, eff - bump)},
                                  opinion=f"Solid work on {a.item.title}", confidence=4)
        out.append(a)
    return out
