"""The optional online vote of the first round: settings, one ballot per member and category, the window, the
scope, and the explicit combination with the expert ranking (never mixed in silently)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.urls import reverse

from tests.awards.helpers import REVIEW_DAY, VOTE_FROM, VOTE_UNTIL, build, travel
from tests.awards.helpers import in_review_with_vote as in_review
from tests.factories import make_user
from tupo.accounts.choices import Role
from tupo.awards import services
from tupo.awards.models import Ballot
from tupo.core.models import AuditEvent
from tupo.core.services import InvalidTransition


def test_members_vote_once_per_category_and_the_combination_is_explicit(tree, personas, login):
    w = in_review(tree, personas)
    with travel(REVIEW_DAY):
        services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk, w.b1.pk])
        services.cast_vote(w.member_b, w.cycle, "围绕中心", [w.a1.pk])
        services.cast_vote(w.member_b, w.cycle, "服务群众", [w.a2.pk])
    results = {c["category"]: c for c in services.vote_results(w.cycle)}
    assert results["围绕中心"]["ballots"] == 2
    assert [(r["nomination"].pk, r["votes"], r["share"]) for r in results["围绕中心"]["rows"]] == [
        (w.a1.pk, 2, 100.0), (w.b1.pk, 1, 50.0)]
    first = services.first_round_ranking(w.cycle)
    combined = {c["category"]: c for c in services.combined_ranking(w.cycle, first)}
    expert = {row.item.subject_id: row.calibrated / fr["round"].scale_max * 100
              for fr in first for row, _n in fr["rows"]}
    for r in combined["围绕中心"]["rows"]:
        pk = r["nomination"].pk
        assert r["combined"] == pytest.approx(expert[pk] * 0.7 + r["share"] * 0.3, abs=0.01)
    # the expert ranking itself is untouched by the vote
    assert [row.calibrated for fr in first for row, _n in fr["rows"]] == [
        row.calibrated for fr in services.first_round_ranking(w.cycle) for row, _n in fr["rows"]]
    assert AuditEvent.objects.filter(event_type="award.vote.cast").count() == 3
    page = login(personas.dept_admin).get(reverse("awards:cycle", args=[w.cycle.pk])).content.decode()
    assert "Combined score = expert score (0–100) × (1 − 30%) + vote share (%) × 30%" in page
    assert 'id="vote-results"' in page and 'id="first-round"' in page


def test_weight_zero_or_no_vote_leaves_the_expert_ranking_alone(tree, personas, login):
    w = in_review(tree, personas, weight=0)
    with travel(REVIEW_DAY):
        services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk])
    assert services.combined_ranking(w.cycle, services.first_round_ranking(w.cycle)) == []
    page = login(personas.dept_admin).get(reverse("awards:cycle", args=[w.cycle.pk])).content.decode()
    assert 'id="vote-results"' in page and "Combined score" not in page
    with travel(REVIEW_DAY), pytest.raises(InvalidTransition, match="Ballots have been cast"):
        services.configure_vote(personas.dept_admin, w.cycle, enabled=True, weight=50, start=VOTE_FROM,
                                end=VOTE_UNTIL)


def test_without_a_vote_nobody_votes_and_nothing_is_combined(tree, personas, client):
    w = in_review(tree, personas, vote=False)
    with travel(REVIEW_DAY), pytest.raises(InvalidTransition, match="no online vote"):
        services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk])
    assert services.combined_ranking(w.cycle, services.first_round_ranking(w.cycle)) == []
    client.force_login(personas.member_a)
    with travel(REVIEW_DAY):
        assert client.get(reverse("awards:vote", args=[w.cycle.pk])).status_code == 404


def test_a_second_ballot_is_refused_by_the_service_and_by_the_database(tree, personas, client):
    w = in_review(tree, personas)
    with travel(REVIEW_DAY):
        services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk])
        with pytest.raises(ValidationError, match="already voted"):
            services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.b1.pk])
        with pytest.raises(IntegrityError), transaction.atomic():
            Ballot.objects.create(cycle=w.cycle, category="围绕中心", voter=personas.member_a)
        # the page: a crafted second post gets the message, nothing is added
        client.force_login(personas.member_a)
        r = client.post(reverse("awards:vote", args=[w.cycle.pk]), {"category": "围绕中心",
                                                                    "nominations": [str(w.b1.pk)]})
    assert r.status_code == 200 and "already voted" in r.content.decode()
    assert Ballot.objects.count() == 1 and list(Ballot.objects.get().nominations.all()) == [w.a1]


def test_the_ballot_page_records_a_vote(tree, personas, client):
    w = in_review(tree, personas)
    client.force_login(w.member_b)
    url = reverse("awards:vote", args=[w.cycle.pk])
    with travel(REVIEW_DAY):
        page = client.get(url).content.decode()
        assert w.a1.title in page and w.b1.title in page
        r = client.post(url, {"category": "服务群众", "nominations": [str(w.a2.pk)]})
        assert r.status_code == 302
        page = client.get(url).content.decode()
        assert client.get(reverse("awards:votes")).status_code == 200
    assert "You have voted in this category" in page
    assert Ballot.objects.get().voter == w.member_b


def test_out_of_scope_members_and_other_roles_cannot_vote(tree, personas, client):
    w = in_review(tree, personas)
    outsider = make_user("member_x", Role.MEMBER, tree.other)
    with travel(REVIEW_DAY):
        for user in (outsider, personas.org_admin_a, personas.expert, personas.dept_admin):
            with pytest.raises(PermissionDenied):
                services.cast_vote(user, w.cycle, "围绕中心", [w.a1.pk])
            client.force_login(user)
            assert client.get(reverse("awards:vote", args=[w.cycle.pk])).status_code == 404
    assert not Ballot.objects.exists()
    assert AuditEvent.objects.filter(event_type="denied:awards.vote").count() == 4


def test_votes_outside_the_window_are_refused(tree, personas, client):
    w = in_review(tree, personas)
    for day in (dt.datetime(2026, 9, 20, 10, 0), dt.datetime(2026, 9, 26, 9, 0)):
        with travel(day):
            with pytest.raises(InvalidTransition, match="Voting is open from 2026-09-21 to 2026-09-25"):
                services.cast_vote(personas.member_a, w.cycle, "围绕中心", [w.a1.pk])
            client.force_login(personas.member_a)
            page = client.get(reverse("awards:vote", args=[w.cycle.pk])).content.decode()
            assert 'id="vote-closed"' in page and "Cast my vote" not in page
    assert not Ballot.objects.exists()


def test_bad_ballots_and_bad_settings_get_clear_messages(tree, personas):
    w = in_review(tree, personas, max_choices=1)
    with travel(REVIEW_DAY):
        for ids, msg in (([], "at least one"), ([w.a1.pk, w.b1.pk], "at most 1"), ([w.a2.pk], "of this category")):
            with pytest.raises(ValidationError, match=msg):
                services.cast_vote(personas.member_a, w.cycle, "围绕中心", ids)
        with pytest.raises(ValidationError, match="categories"):
            services.cast_vote(personas.member_a, w.cycle, "不存在", [w.a1.pk])
    assert not Ballot.objects.exists()
    admin = personas.dept_admin
    with travel(REVIEW_DAY):
        for kw, field in (({"weight": 150}, "vote_weight"), ({"weight": -1}, "vote_weight"),
                          ({"start": VOTE_UNTIL, "end": VOTE_FROM}, "vote_end"), ({"end": None}, "vote_end"),
                          ({"max_choices": 0}, "vote_max_choices")):
            args = {"enabled": True, "weight": 20, "start": VOTE_FROM, "end": VOTE_UNTIL, "max_choices": 1, **kw}
            with pytest.raises(ValidationError) as exc:
                services.configure_vote(admin, w.cycle, **args)
            assert field in exc.value.error_dict
        with pytest.raises(PermissionDenied):
            services.configure_vote(personas.org_admin_a, w.cycle, enabled=True, weight=10, start=VOTE_FROM,
                                    end=VOTE_UNTIL)
    w.cycle.refresh_from_db()
    assert (w.cycle.vote_weight, w.cycle.vote_max_choices) == (30, 1)


def test_vote_settings_page_and_the_end_of_the_first_round(tree, personas, login):
    w = build(tree, personas, upto="presentation")
    c = login(personas.dept_admin)
    url = reverse("awards:vote_settings", args=[w.cycle.pk])
    with travel(REVIEW_DAY):
        r = c.post(url, {"vote_enabled": "on", "vote_weight": "20", "vote_start": "2026-09-21",
                         "vote_end": "2026-09-25", "vote_max_choices": "1"}, follow=True)
    assert "set before the first round ends" in r.content.decode()
    w.cycle.refresh_from_db()
    assert not w.cycle.vote_enabled
    login(personas.org_admin_a)
    assert c.post(url, {"vote_weight": "20", "vote_max_choices": "1"}).status_code == 403
