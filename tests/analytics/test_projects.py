"""The projects population reads ``tupo.projects.queries.efficiency_rows``."""

from __future__ import annotations

import pytest

from tests.topics.helpers import AFTER, OPEN_AT, build, make_bid, travel
from tupo.analytics import indicators, present, services
from tupo.analytics.models import RunStatus
from tupo.projects.models import Milestone
from tupo.topics import services as topic_services

pytestmark = pytest.mark.urls("tests.analytics.urls")


def award(world, user, topic):
    bid = make_bid(user, world.call, topic)
    topic_services.submit_bid(user, bid)
    return bid


@pytest.fixture
def projects(tree, personas):
    with travel(OPEN_AT):
        world = build(tree, personas)
        bids = [award(world, world.a, world.topic), award(world, world.b, world.topic2)]
        with travel(AFTER):
            out = []
            for bid in bids:
                topic_services.screen_bid(world.admin, bid, True)
                out.append(topic_services.award_bid(world.admin, bid, "ok"))
    world.projects = out
    return world


def test_projects_of_a_call(projects, personas):
    p1, p2 = projects.projects
    ms1 = list(Milestone.objects.filter(project=p1).order_by("id"))
    ms2 = list(Milestone.objects.filter(project=p2).order_by("id"))
    assert ms1 and ms2
    Milestone.objects.filter(pk=ms1[0].pk).update(status="done")
    Milestone.objects.filter(pk__in=[m.pk for m in ms2]).update(status="done")
    vals = indicators.values("projects", ["budget", "milestones_met"], [p1, p2])
    assert vals["milestones_met"] == {p1.pk: 1.0, p2.pk: float(len(ms2))}
    run = services.start_run(personas.dept_admin, {
        "population": "projects", "root_org": projects.call.org, "call_id": projects.call.pk,
        "inputs": ["budget"], "outputs": ["milestones_met"], "rts": "crs", "orientation": "in"})
    assert run.status == RunStatus.DONE, run.message
    ratio = {p.pk: vals["milestones_met"][p.pk] / vals["budget"][p.pk] for p in (p1, p2)}
    best = max(ratio.values())
    got = {r["id"]: r["efficiency"] for r in list(present.result_rows(run))}
    assert got == {k: pytest.approx(v / best) for k, v in ratio.items()}
    assert {r["name"] for r in list(present.result_rows(run))} == {p1.title, p2.title}


def test_projects_need_a_call_or_year(projects, personas):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as exc:
        services.start_run(personas.dept_admin, {"population": "projects", "root_org": projects.call.org,
                                                 "inputs": ["budget"], "outputs": ["grade"]})
    assert "Choose a call or a year." in exc.value.message_dict["call_id"]
