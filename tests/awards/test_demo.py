import datetime as dt

import time_machine

from tupo.awards import demo
from tupo.awards.models import AwardCycle, Certificate, FirstRound, Objection


def closed_rounds():
    return FirstRound.objects.filter(cycle__status="closed").select_related("review_round")


@time_machine.travel(dt.datetime(2026, 11, 20, 10, 0, tzinfo=dt.UTC))  # notice periods inside known calendar data
def test_demo_makes_a_closed_cycle_and_one_in_the_notice_period(tree, personas, client):
    made = demo.load(tree.county)
    assert made == {"cycles": 2, "certificates": 3, "objections": 1}
    # scored by outside experts: the review engine found no conflict with the entries
    assert {a.expert.username for fr in closed_rounds() for a in fr.review_round.assignments.all()} <= {
        "award_expert1", "award_expert2"}
    closed = AwardCycle.objects.get(status="closed")
    running = AwardCycle.objects.get(status="notice")
    assert closed.year == 2025 and running.year == 2026
    assert Certificate.objects.filter(nomination__cycle=closed).count() == 3
    objection = Objection.objects.get()
    assert objection.cycle == running and objection.handler == personas.dept_admin and objection.status == "open"
    assert running.notices.get().published_at and running.apply_end < dt.date(2026, 11, 20)
    # the public pages are filled
    assert client.get(f"/awards/public/{closed.pk}/results/").status_code == 200
    assert client.get(f"/awards/public/{running.pk}/notice/").status_code == 200
    assert client.get(f"/awards/public/{running.pk}/results/").status_code == 404


def test_demo_needs_enough_organizations(tree):
    assert demo.load(tree.other)["cycles"] == 0
    assert not AwardCycle.objects.exists()
