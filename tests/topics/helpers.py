"""Shared set-up of the bidding tests: a published call over the county, cadres with accounts, a winning bid."""

from __future__ import annotations

import datetime as dt

import time_machine
from django.utils import timezone

from tests.factories import make_person, make_user
from tupo.accounts.choices import Role
from tupo.topics import services

OPEN_AT = dt.datetime(2026, 3, 2, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))  # a Monday
DEADLINE = dt.date(2026, 3, 20)
AFTER = dt.datetime(2026, 3, 23, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
BEFORE = dt.datetime(2026, 2, 20, 10, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def end_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


def make_topic(admin, org, **kw):
    data = {"title": kw.pop("title", "Grassroots governance in villages"), "background": "b", "goals": "g",
            "output_form": "report", "tier": kw.pop("tier", "key"), "funding": kw.pop("funding", "10000"),
            "duration_months": kw.pop("duration_months", 12), **kw}
    return services.create_topic(admin, org, data)


def make_call(admin, org, topics, *, publish=True, **kw):
    data = {"title": kw.pop("title", "2026 young-cadre innovation call"), "description": "notice",
            "ends_at": kw.pop("ends_at", end_of(DEADLINE)), "team_min": kw.pop("team_min", 1),
            "team_max": kw.pop("team_max", 5), **kw}
    call = services.create_call(admin, org, data, topics, criteria=[{"name": "Innovation", "weight": 60},
                                                                     {"name": "Feasibility", "weight": 40}])
    if publish:
        call = services.publish_call(admin, call)
    return call


def bid_data(**kw):
    return {"title": kw.pop("title", "Village council method"), "angle": "angle", "outline": "outline",
            "method": "field research", "expected_outputs": "report", "total_budget": kw.pop("total_budget", "8000"),
            **kw}


LINES = [{"item": "Field trips", "amount": "5000"}, {"item": "Printing", "amount": "3000"}]
PLAN = [{"title": "Survey done", "due_on": "2026-06-30"}, {"title": "Report drafted", "due_on": "2027-01-31"}]


def make_bid(user, call, topic, *, submit=False, lines=LINES, plan=PLAN, **kw):
    bid = services.create_bid(user, call, topic, bid_data(**kw), budget_lines=lines, milestones=plan)
    if submit:
        bid = services.submit_bid(user, bid)
    return bid


def cadre(username, org, **kw):
    person = make_person(org, name=kw.pop("name", username), **kw)
    return make_user(username, Role.MEMBER, org, person=person)


class World:
    pass


def build(tree, personas):
    """At OPEN_AT: a key topic in a published call over the county; three cadres besides member_a."""
    w = World()
    w.admin = personas.dept_admin
    w.topic = make_topic(w.admin, tree.county)
    w.topic2 = make_topic(w.admin, tree.county, title="Party members in new industries", tier="general",
                          funding="5000")
    w.call = make_call(w.admin, tree.county, [w.topic, w.topic2])
    w.a = personas.member_a
    w.b = cadre("cadre_b", tree.village_b1, name="孙八")
    w.c = cadre("cadre_c", tree.village_a2, name="周九")
    w.d = cadre("cadre_d", tree.town_b, name="吴十")
    return w


def travel(when):
    return time_machine.travel(when, tick=False)
