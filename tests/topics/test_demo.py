import datetime as dt

import time_machine

from tests.factories import make_person
from tupo.projects.models import Project
from tupo.topics import demo
from tupo.topics.choices import CallStatus
from tupo.topics.models import Call


@time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC))  # deadlines stay inside known calendar data
def test_demo_makes_a_call_in_each_state_and_projects_at_several_stages(tree, personas):
    for i in range(12):
        make_person(tree.village_a1 if i % 2 else tree.village_b1, name=f"干部{i}", birth=dt.date(1992, 1, 1 + i))
    assert demo.load(tree.county)["calls"] == 3
    assert sorted(Call.objects.values_list("status", flat=True)) == sorted(
        [CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.AWARDED])
    assert Call.objects.get(status=CallStatus.CLOSED).review_round_id
    assert sorted(Project.objects.values_list("status", flat=True)) == ["active", "completed"]
    assert Project.objects.get(status="active").visits.count() == 1


def test_demo_needs_enough_cadres(tree):
    assert demo.load(tree.county)["calls"] == 0
