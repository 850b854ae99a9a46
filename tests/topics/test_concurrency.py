"""Two administrators award the same topic at the same moment: one wins, the other is told (PostgreSQL)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tests.topics.helpers import AFTER, OPEN_AT, build, make_bid, travel
from tupo.topics import services
from tupo.topics.choices import BidStatus
from tupo.topics.models import Bid


@pytest.fixture
def postgres_only(django_db_blocker):
    """Set up first, torn down last: puts the session back to normal after the flush (see ``flushable``)."""
    if connection.vendor != "postgresql":
        pytest.skip("row locks between two connections need PostgreSQL")
    yield
    with django_db_blocker.unblock(), connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = origin")


@pytest.fixture
def flushable(transactional_db):
    """Torn down before the flush: committed audit rows are append-only, so the flush runs with triggers off."""
    yield
    connections.close_all()
    with connection.cursor() as cursor:
        cursor.execute("SET session_replication_role = replica")


def test_two_concurrent_awards_one_wins(postgres_only, transactional_db, flushable, tree, personas):
    with travel(OPEN_AT):
        w = build(tree, personas)
        one = make_bid(w.a, w.call, w.topic, submit=True)
        two = make_bid(w.b, w.call, w.topic, submit=True)
    with travel(AFTER):
        services.screen_bid(w.admin, one, True)
        services.screen_bid(w.admin, two, True)
        barrier = threading.Barrier(2)
        outcomes = []

        def award(bid):
            try:
                barrier.wait()
                services.award_bid(w.admin, Bid.objects.get(pk=bid.pk), "same moment")
                outcomes.append("ok")
            except Exception as exc:  # noqa: BLE001 - the loser's error is the point
                outcomes.append(type(exc).__name__)
            finally:
                connections.close_all()

        threads = [threading.Thread(target=award, args=(b,)) for b in (one, two)]
        for t in threads:
            t.start()
        for t in threads:
            t.join()
    assert sorted(outcomes) == ["InvalidTransition", "ok"]
    assert Bid.objects.filter(call=w.call, status=BidStatus.AWARDED).count() == 1
