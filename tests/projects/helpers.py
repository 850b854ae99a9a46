from __future__ import annotations

from tests.topics.helpers import AFTER, make_bid, travel
from tupo.topics import services as topic_services


def awarded_project(world, *, with_member=True):
    """Member A's bid (with C on the team) awarded after the deadline; returns the project (time back at OPEN_AT)."""
    bid = make_bid(world.a, world.call, world.topic)
    if with_member:
        m = topic_services.invite_member(world.a, bid, world.c.person)
        topic_services.respond_invitation(world.c, m, accept=True)
    topic_services.submit_bid(world.a, bid)
    with travel(AFTER):
        topic_services.screen_bid(world.admin, bid, True)
        return topic_services.award_bid(world.admin, bid, "Clear plan")
