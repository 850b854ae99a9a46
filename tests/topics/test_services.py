"""Topics services: the whole path, forbidden transitions, eligibility rules, bad input, the deadline, awards."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction

from tests.factories import make_user
from tests.topics.helpers import (
    AFTER,
    BEFORE,
    OPEN_AT,
    cadre,
    end_of,
    make_bid,
    make_call,
    travel,
)
from tupo.accounts.choices import Role
from tupo.core.services import InvalidTransition
from tupo.projects.models import Project
from tupo.topics import eligibility, services
from tupo.topics.choices import BidStatus, CallStatus, ProposalStatus
from tupo.topics.models import Bid, TopicEvent


def test_full_path_from_proposal_to_project(world, tree, personas):
    proposal = services.submit_proposal(personas.org_admin_a, tree.town_a, {
        "title": "Village councils", "bottleneck": "meetings are formal", "expected_result": "a method"})
    services.decide_proposal(world.admin, proposal, ProposalStatus.SHORTLISTED)
    topic = services.create_topic(world.admin, tree.county, {"title": "From proposal", "tier": "general",
                                                               "funding": "5000", "duration_months": 12},
                                  proposal=proposal)
    assert topic.proposal == proposal
    bid = make_bid(world.a, world.call, world.topic)
    member = services.invite_member(world.a, bid, world.c.person)
    services.respond_invitation(world.c, member, accept=True)
    bid = services.submit_bid(world.a, bid)
    assert bid.status == BidStatus.SUBMITTED
    with travel(AFTER):
        bid = services.screen_bid(world.admin, bid, True)
        world.call.refresh_from_db()
        assert world.call.status == CallStatus.CLOSED
        project = services.award_bid(world.admin, bid, "Best angle")
        call = services.finish_call(world.admin, world.call, "decided")
    assert call.status == CallStatus.AWARDED
    assert project.title == bid.title and project.budget_total == bid.total_budget
    assert sorted(project.members.values_list("role", flat=True)) == ["member", "principal"]
    assert project.milestones.count() == 2 and project.budget_lines.count() == 2
    assert project.task_book["method"] == "field research"
    kinds = list(TopicEvent.objects.filter(bid=bid).order_by("at", "id").values_list("to_value", flat=True))
    assert kinds[0] == BidStatus.DRAFT and kinds[-1] == BidStatus.AWARDED


def test_deadline_in_working_days_uses_the_calendar(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], ends_at=None, deadline_workdays=5, publish=False)
    call = services.publish_call(world.admin, call)
    from tupo.core.calendar import WorkCalendar

    assert call.ends_at == end_of(WorkCalendar().add_workdays(dt.date(2026, 3, 2), 5))


@pytest.mark.parametrize("frm,to", [
    ("draft", "closed"), ("draft", "awarded"), ("published", "awarded"), ("published", "draft"),
    ("closed", "published"), ("awarded", "closed"),
])
def test_forbidden_call_transitions(world, tree, frm, to):
    from tupo.topics.choices import ALLOWED_CALL_TRANSITIONS

    assert to not in ALLOWED_CALL_TRANSITIONS[frm]
    call = make_call(world.admin, tree.county, [world.topic], publish=False)
    type(call).objects.filter(pk=call.pk).update(status=frm)
    call.refresh_from_db()
    action = {"published": services.publish_call, "closed": services.close_call,
              "awarded": services.finish_call, "draft": services.publish_call}[to]
    with pytest.raises((InvalidTransition, ValidationError)):
        action(world.admin, call)


def _force(bid, status):
    Bid.objects.filter(pk=bid.pk).update(status=status)
    bid.refresh_from_db()
    return bid


@pytest.mark.parametrize("frm", ["draft", "withdrawn", "screened_fail", "awarded", "not_awarded"])
def test_only_submitted_bids_are_screened(world, frm):
    bid = _force(make_bid(world.a, world.call, world.topic), frm)
    with travel(AFTER), pytest.raises(InvalidTransition):
        services.screen_bid(world.admin, bid, True)


@pytest.mark.parametrize("frm", ["draft", "submitted", "withdrawn", "screened_fail", "not_awarded"])
def test_only_passing_bids_are_awarded(world, frm):
    bid = _force(make_bid(world.a, world.call, world.topic), frm)
    with travel(AFTER), pytest.raises(InvalidTransition):
        services.award_bid(world.admin, bid, "because")


@pytest.mark.parametrize("frm", ["draft", "withdrawn", "screened_pass", "awarded"])
def test_only_submitted_bids_are_withdrawn(world, frm):
    bid = _force(make_bid(world.a, world.call, world.topic), frm)
    with pytest.raises(InvalidTransition):
        services.withdraw_bid(world.a, bid)


def test_withdraw_and_reopen_before_the_deadline(world):
    bid = make_bid(world.a, world.call, world.topic, submit=True)
    bid = services.withdraw_bid(world.a, bid, "rethinking")
    bid = services.reopen_bid(world.a, bid)
    services.update_bid(world.a, bid, {"title": "Better"}, expected_version=bid.version)
    assert services.submit_bid(world.a, Bid.objects.get(pk=bid.pk)).status == BidStatus.SUBMITTED


def test_proposal_cannot_be_decided_twice(world, tree, personas):
    p = services.submit_proposal(personas.org_admin_a, tree.town_a, {"title": "t", "bottleneck": "b",
                                                                      "expected_result": "r"})
    services.decide_proposal(world.admin, p, ProposalStatus.DECLINED, "out of scope")
    with pytest.raises(InvalidTransition):
        services.decide_proposal(world.admin, p, ProposalStatus.SHORTLISTED)


# --- eligibility rules ----------------------------------------------------------------------------------------

def _reasons(call, user):
    return [r.rule for r in eligibility.check_principal(call, user.person)]


def test_eligible_cadre_has_no_reasons(world):
    assert _reasons(world.call, world.a) == []


def test_scope_rule(world, tree):
    outsider = cadre("outsider", tree.other)
    call = make_call(world.admin, tree.town_a, [world.topic])
    assert "scope" in _reasons(call, world.b) and "scope" in _reasons(call, outsider)
    assert _reasons(call, world.a) == []
    with pytest.raises(PermissionDenied):
        make_bid(world.b, call, world.topic)


def test_age_rule(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], max_principal_age=36)
    old = cadre("old", tree.village_a1, birth=dt.date(1980, 1, 1))
    assert _reasons(call, old) == ["age"]
    assert _reasons(call, world.a) == []  # born 1990-03-07: 36 on the deadline
    with pytest.raises(ValidationError, match="at most 36"):
        make_bid(old, call, world.topic)


def test_service_years_rule_from_joining_date_or_stated_on_the_bid(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], min_service_years=12)
    assert _reasons(call, world.a) == ["service"]  # joined 2015: 10 years
    bid = make_bid(world.a, call, world.topic, service_years=12)
    assert bid.service_years == 12
    newcomer = cadre("newcomer", tree.village_a1, joined_on=None, full_member_on=None, status="non_member")
    assert "state yours" in str(eligibility.check_principal(call, newcomer.person)[0])


def test_one_bid_per_person_per_call(world):
    make_bid(world.a, world.call, world.topic)
    assert _reasons(world.call, world.a) == ["one_bid"]
    with pytest.raises(ValidationError):
        make_bid(world.a, world.call, world.topic2)


def test_max_bids_per_org(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], max_bids_per_org=1)
    peer = cadre("peer", tree.branch_a11)
    make_bid(world.a, call, world.topic, submit=True)
    assert _reasons(call, peer) == ["org_quota"]
    assert _reasons(call, world.c) == []  # another organization


def test_team_size_rule(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], team_min=2, team_max=2)
    bid = make_bid(world.a, call, world.topic)
    with pytest.raises(ValidationError, match="2 to 2 people"):
        services.submit_bid(world.a, bid)
    m = services.invite_member(world.a, bid, world.c.person)
    with pytest.raises(ValidationError, match="confirm"):
        services.submit_bid(world.a, bid)
    services.respond_invitation(world.c, m, accept=True)
    with pytest.raises(ValidationError, match="at most 2"):
        services.invite_member(world.a, bid, world.d.person)
    assert services.submit_bid(world.a, bid).status == BidStatus.SUBMITTED


def test_unfinished_project_of_an_earlier_call_blocks_the_principal(world, tree):
    bid = make_bid(world.a, world.call, world.topic, submit=True)
    with travel(AFTER):
        services.screen_bid(world.admin, bid, True)
        services.award_bid(world.admin, bid, "good")
        later = make_call(world.admin, tree.county, [world.topic2], ends_at=end_of(dt.date(2026, 4, 30)))
        assert _reasons(later, world.a) == ["unfinished"]
        relaxed = make_call(world.admin, tree.county, [world.topic2], ends_at=end_of(dt.date(2026, 4, 30)),
                            block_unfinished=False)
        assert _reasons(relaxed, world.a) == []


# --- bad input ----------------------------------------------------------------------------------------------

def test_team_member_out_of_scope_or_in_another_bid(world, tree):
    outsider = cadre("outsider", tree.other)
    bid = make_bid(world.a, world.call, world.topic)
    with pytest.raises(ValidationError, match="not registered in the scope"):
        services.invite_member(world.a, bid, outsider.person)
    other = make_bid(world.b, world.call, world.topic2)
    m = services.invite_member(world.b, other, world.c.person)
    services.respond_invitation(world.c, m, accept=True)
    with pytest.raises(ValidationError, match="already in another bid"):
        services.invite_member(world.a, bid, world.c.person)


def test_budget_lines_must_add_up(world):
    bid = make_bid(world.a, world.call, world.topic, total_budget="9000")
    with pytest.raises(ValidationError, match="add up to 8000.00 yuan, not the stated total of 9000.00"):
        services.submit_bid(world.a, bid)
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.DRAFT


def test_milestone_outside_the_project_period_is_refused(world):
    with pytest.raises(ValidationError, match="outside the project period"):
        make_bid(world.a, world.call, world.topic, plan=[{"title": "Too late", "due_on": "2027-05-01"}])
    with pytest.raises(ValidationError, match="outside the project period"):
        make_bid(world.a, world.call, world.topic, plan=[{"title": "Too early", "due_on": "2026-03-01"}])


def test_double_submit_is_one_submission(world):
    bid = make_bid(world.a, world.call, world.topic)
    first = services.submit_bid(world.a, bid)
    second = services.submit_bid(world.a, bid)
    assert first.pk == second.pk and second.version == first.version
    assert Bid.objects.filter(call=world.call).count() == 1
    assert TopicEvent.objects.filter(bid=bid, to_value=BidStatus.SUBMITTED).count() == 1


def test_second_bid_on_the_same_topic_by_a_double_click_is_refused(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], one_bid_per_person=False)
    make_bid(world.a, call, world.topic)
    with pytest.raises(ValidationError, match="already have a bid"):
        make_bid(world.a, call, world.topic)
    assert Bid.objects.filter(call=call).count() == 1


def test_nothing_changes_after_the_deadline(world):
    bid = make_bid(world.a, world.call, world.topic)
    m = services.invite_member(world.a, bid, world.c.person)
    submitted = make_bid(world.b, world.call, world.topic2, submit=True)
    with travel(AFTER):
        for action in (lambda: services.submit_bid(world.a, bid),
                       lambda: services.update_bid(world.a, bid, {"title": "late"}),
                       lambda: services.invite_member(world.a, bid, world.d.person),
                       lambda: services.respond_invitation(world.c, m, True),
                       lambda: services.withdraw_bid(world.b, submitted),
                       lambda: make_bid(world.d, world.call, world.topic2)):
            with pytest.raises(services.WindowClosed):
                action()
    assert Bid.objects.get(pk=bid.pk).status == BidStatus.DRAFT
    assert Bid.objects.get(pk=bid.pk).title == "Village council method"


def test_nothing_before_the_window_opens(world, tree):
    with travel(BEFORE):
        call = make_call(world.admin, tree.county, [world.topic], starts_at=OPEN_AT)
        with pytest.raises(services.WindowClosed, match="not opened"):
            make_bid(world.a, call, world.topic)


def test_two_awards_on_one_topic_the_second_is_told(world):
    one = make_bid(world.a, world.call, world.topic, submit=True)
    two = make_bid(world.b, world.call, world.topic, submit=True)
    with travel(AFTER):
        services.screen_bid(world.admin, one, True)
        services.screen_bid(world.admin, two, True)
        services.award_bid(world.admin, one, "first admin")
        with pytest.raises(InvalidTransition, match="already been awarded"):
            services.award_bid(world.admin, two, "second admin")
    assert Bid.objects.filter(call=world.call, status=BidStatus.AWARDED).count() == 1
    assert Project.objects.filter(call=world.call).count() == 1


def test_the_database_refuses_a_second_award_even_without_the_service(world):
    one = make_bid(world.a, world.call, world.topic, submit=True)
    two = make_bid(world.b, world.call, world.topic, submit=True)
    Bid.objects.filter(pk=one.pk).update(status=BidStatus.AWARDED)
    with pytest.raises(IntegrityError), transaction.atomic():
        Bid.objects.filter(pk=two.pk).update(status=BidStatus.AWARDED)


def test_a_call_may_allow_several_awards_per_topic(world, tree):
    call = make_call(world.admin, tree.county, [world.topic], awards_per_topic=2, one_bid_per_person=True)
    bids = [make_bid(u, call, world.topic, submit=True) for u in (world.a, world.b, world.c)]
    with travel(AFTER):
        for b in bids:
            services.screen_bid(world.admin, b, True)
        services.award_bid(world.admin, bids[0], "1")
        services.award_bid(world.admin, bids[1], "2")
        with pytest.raises(InvalidTransition):
            services.award_bid(world.admin, bids[2], "3")


def test_screening_fail_needs_a_reason_and_is_recorded(world):
    bid = make_bid(world.a, world.call, world.topic, submit=True)
    with travel(AFTER):
        with pytest.raises(ValidationError):
            services.screen_bid(world.admin, bid, False, "")
        bid = services.screen_bid(world.admin, bid, False, "Principal over age")
    assert bid.screening_reason == "Principal over age"
    assert TopicEvent.objects.filter(bid=bid, to_value=BidStatus.SCREENED_FAIL, reason="Principal over age").exists()


def test_only_the_principal_changes_the_bid_and_only_admins_screen(world, personas):
    bid = make_bid(world.a, world.call, world.topic, submit=False)
    with pytest.raises(PermissionDenied):
        services.update_bid(world.b, bid, {"title": "hijack"})
    services.submit_bid(world.a, bid)
    with travel(AFTER):
        for actor in (world.a, personas.org_admin_a, personas.leader, personas.expert):
            with pytest.raises(PermissionDenied):
                services.screen_bid(actor, bid, True)


def test_review_round_created_through_reviews(world, tree):
    from tupo.reviews.models import ReviewItem, ReviewRound

    expert_org = tree.county
    make_user("e1", Role.EXPERT, expert_org)
    one = make_bid(world.a, world.call, world.topic, submit=True)
    two = make_bid(world.b, world.call, world.topic2, submit=True)
    with travel(AFTER):
        services.screen_bid(world.admin, one, True)
        with pytest.raises(ValidationError, match="Screen every"):
            services.send_to_review(world.admin, world.call)
        services.screen_bid(world.admin, two, False, "no")
        rnd = services.send_to_review(world.admin, world.call)
    assert ReviewRound.objects.get(pk=rnd.pk).criteria.count() == 2
    items = ReviewItem.objects.filter(round=rnd)
    assert [(i.subject_type, i.subject_id) for i in items] == [("topics.bid", one.pk)]
    from tupo.topics import review_link

    world.call.refresh_from_db()
    assert [r["bid_id"] for r in review_link.ranking(world.call)] == [one.pk]
