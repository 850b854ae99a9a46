"""The home page's to-do list (待办事项): each app's lines, who sees them, overdue marking, bounded queries.

Objects are written straight through the ORM with dates around today: these tests are about what the list
counts, not about the workflows that produce the rows (the apps' own tests cover those).
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from tests.factories import make_user

from tupo.accounts.choices import Role
from tupo.core.todo import Todo, collect

TODAY = timezone.localdate
DAY = dt.timedelta(days=1)


def lines(user) -> dict:
    """The user's to-do lines by label (English, see the ``english`` fixture)."""
    user.forget_grants()
    return {str(t.label): t for t in collect(user)}


# --- the collector ---------------------------------------------------------------------------------------------

def test_a_todo_with_overdue_work_is_red_and_sorts_before_urgent_and_waiting_lines():
    waiting = Todo("waiting", 3, "/a", order=1)
    soon = Todo("soon", 1, "/b", level="warning", order=50)
    late = Todo("late", 5, "/c", overdue=2, order=99)
    assert late.badge == "danger" and soon.badge == "warning" and waiting.badge == "info"
    assert sorted([waiting, soon, late], key=Todo.sort_key) == [late, soon, waiting]


def test_a_todo_refuses_an_unknown_level():
    with pytest.raises(ValueError):
        Todo("x", 1, "/", level="purple")


def test_nobody_without_work_gets_an_empty_list(personas):
    for user in (personas.nobody, personas.leader, personas.member_a, personas.expert, personas.org_admin_a):
        assert lines(user) == {}


# --- reviews ---------------------------------------------------------------------------------------------------

def _review(tree, expert, *, deadline, status="open", assignment_status="assigned"):
    from tupo.reviews.models import Assignment, ReviewItem, ReviewRound

    rnd = ReviewRound.objects.create(title="R", org=tree.county, status=status, deadline=deadline)
    item = ReviewItem.objects.create(round=rnd, title="I", org=tree.village_a2)
    return Assignment.objects.create(round=rnd, expert=expert, item=item, status=assignment_status)


def test_an_expert_sees_reviews_to_submit_with_the_late_ones_counted(tree, personas):
    late = _review(tree, personas.expert, deadline=TODAY() - DAY)
    _review(tree, personas.expert, deadline=TODAY())  # due today: not late yet
    _review(tree, personas.expert, deadline=TODAY() - DAY, status="draft")  # not open for scoring
    _review(tree, personas.expert, deadline=TODAY() - DAY, assignment_status="submitted")
    t = lines(personas.expert)["Reviews to submit"]
    assert (t.count, t.overdue, t.url) == (2, 1, reverse("reviews:mine"))
    other = make_user("expert2", Role.EXPERT, tree.county)
    assert "Reviews to submit" not in lines(other)
    late.status = "submitted"
    late.save()
    t = lines(personas.expert)["Reviews to submit"]
    assert (t.count, t.overdue) == (1, 0)


def test_a_conflicted_review_is_not_on_the_experts_list(tree, personas):
    from tupo.reviews.models import Conflict

    a = _review(tree, personas.expert, deadline=TODAY())
    Conflict.objects.create(round=a.round, expert=personas.expert, item=a.item, reason="own org", source="tree")
    assert "Reviews to submit" not in lines(personas.expert)


def test_a_department_admin_sees_open_rounds_with_late_reviews_in_their_subtree_only(tree, personas):
    a = _review(tree, personas.expert, deadline=TODAY() - DAY)
    _review(tree, personas.expert, deadline=TODAY() + DAY)  # not late
    t = lines(personas.dept_admin)["Open review rounds with late reviews"]
    assert (t.count, t.overdue, t.badge, t.url) == (1, 1, "danger", reverse("reviews:index"))
    other_admin = make_user("other_admin", Role.DEPT_ADMIN, tree.other)
    assert "Open review rounds with late reviews" not in lines(other_admin)
    a.status = "submitted"
    a.save()
    assert "Open review rounds with late reviews" not in lines(personas.dept_admin)


# --- awards ----------------------------------------------------------------------------------------------------

def _cycle(tree, **kw):
    from tupo.awards.models import AwardCycle

    data = {"name": "Award", "year": TODAY().year, "approval_ref": "ref", "approving_body": "body",
            "org": tree.county, "categories": ["A", "B"], "apply_start": TODAY() - 5 * DAY,
            "apply_end": TODAY() + 10 * DAY, "status": "open", **kw}
    return AwardCycle.objects.create(**data)


def _nomination(cycle, org, status="draft"):
    from tupo.awards.models import Nomination

    return Nomination.objects.create(cycle=cycle, category="A", org=org, org_path=org.path, title="N", status=status)


def test_a_member_sees_each_category_still_to_vote_in_while_the_vote_is_open(tree, personas):
    from tupo.awards.models import Ballot

    cycle = _cycle(tree, status="review", vote_enabled=True, vote_start=TODAY() - DAY, vote_end=TODAY() + 5 * DAY)
    _cycle(tree, status="review", vote_enabled=True, vote_start=TODAY() + DAY, vote_end=TODAY() + 5 * DAY)  # later
    t = lines(personas.member_a)["Online votes to cast"]
    assert (t.count, t.url) == (2, reverse("awards:votes"))
    outsider = make_user("member_x", Role.MEMBER, tree.other)
    assert "Online votes to cast" not in lines(outsider)
    Ballot.objects.create(cycle=cycle, category="A", voter=personas.member_a)
    assert lines(personas.member_a)["Online votes to cast"].count == 1
    Ballot.objects.create(cycle=cycle, category="B", voter=personas.member_a)
    assert "Online votes to cast" not in lines(personas.member_a)


def test_an_org_admin_sees_cycles_to_nominate_in_until_they_nominate_and_drafts_until_submitted(tree, personas):
    cycle = _cycle(tree)
    _cycle(tree, status="draft")  # not visible to nominating administrators
    _cycle(tree, apply_start=TODAY() - 20 * DAY, apply_end=TODAY() - DAY)  # applications closed
    assert lines(personas.org_admin_a)["Award cycles open for your nominations"].count == 1
    assert "Award cycles open for your nominations" not in lines(make_user("admin_x", Role.ORG_ADMIN, tree.other))
    draft = _nomination(cycle, tree.village_a2)
    got = lines(personas.org_admin_a)
    assert "Award cycles open for your nominations" not in got
    assert (got["Draft nominations to submit"].count, got["Draft nominations to submit"].url) == (1, reverse("awards:mine"))
    # town B has no entry yet, and does not see town A's draft
    got_b = lines(personas.org_admin_b)
    assert "Award cycles open for your nominations" in got_b and "Draft nominations to submit" not in got_b
    draft.status = "submitted"
    draft.save()
    assert "Draft nominations to submit" not in lines(personas.org_admin_a)


def _objection(cycle, handler, *, reply_due, status="open", n=[0]):  # noqa: B006 - a counter for unique receipts
    from tupo.awards.models import Notice, Objection

    n[0] += 1
    notice = Notice.objects.create(cycle=cycle, version=n[0], title="T", body="B", issuing_body="I",
                                   issue_date=TODAY(), period_start=TODAY(), period_end=TODAY() + 5 * DAY)
    return Objection.objects.create(cycle=cycle, notice=notice, channel="letter", content="c", received_on=TODAY(),
                                    reply_due=reply_due, handler=handler, status=status, receipt=f"R{n[0]}")


def test_a_handler_sees_the_objections_assigned_to_them_with_late_replies_counted(tree, personas):
    cycle = _cycle(tree, status="notice")
    late = _objection(cycle, personas.dept_admin, reply_due=TODAY() - DAY)
    _objection(cycle, personas.dept_admin, reply_due=TODAY() + DAY)
    _objection(cycle, personas.dept_admin, reply_due=TODAY() - DAY, status="closed")
    t = lines(personas.dept_admin)["Objections to answer"]
    assert (t.count, t.overdue, t.url) == (2, 1, reverse("awards:objections_mine"))
    colleague = make_user("dept2", Role.DEPT_ADMIN, tree.county)  # runs the cycle, not the handler
    assert "Objections to answer" not in lines(colleague)
    late.status = "closed"
    late.save()
    assert lines(personas.dept_admin)["Objections to answer"].overdue == 0


def test_a_panel_member_sees_presentations_to_score_until_scored(tree, personas):
    from tupo.awards.models import PanelScore, PresentationSlot

    cycle = _cycle(tree, status="presentation")
    slot = PresentationSlot.objects.create(cycle=cycle, nomination=_nomination(cycle, tree.village_a2, "shortlisted"),
                                           starts_at=timezone.now())
    slot.panel.add(personas.expert)
    t = lines(personas.expert)["Presentations to score"]
    assert (t.count, t.url) == (1, reverse("awards:panel"))
    assert "Presentations to score" not in lines(make_user("expert2", Role.EXPERT, tree.county))
    PanelScore.objects.create(slot=slot, member=personas.expert, value=Decimal("80"))
    assert "Presentations to score" not in lines(personas.expert)


# --- topics ----------------------------------------------------------------------------------------------------

def _call(tree, org=None, **kw):
    from tupo.topics.models import Call, Topic

    now = timezone.now()
    topic = Topic.objects.create(org=tree.county, title="T")
    data = {"title": "Call", "org": org or tree.county, "status": "published", "starts_at": now - 2 * DAY,
            "ends_at": now + 10 * DAY, **kw}
    call = Call.objects.create(**data)
    call.topics.add(topic)
    return call, topic


def _bid(call, topic, person, status="draft"):
    from tupo.topics.models import Bid

    return Bid.objects.create(call=call, topic=topic, principal=person, org=person.org, org_path=person.org_path,
                              title="B", status=status)


def test_a_cadre_sees_open_calls_of_their_scope_until_they_bid(tree, personas):
    call, topic = _call(tree)
    _call(tree, org=tree.town_b)  # outside member A's scope
    _call(tree, status="draft")
    _call(tree, ends_at=timezone.now() - DAY)  # deadline passed
    t = lines(personas.member_a)["Open calls you can bid on"]
    assert (t.count, t.url) == (1, reverse("topics:calls"))
    bid = _bid(call, topic, tree.person_a11)
    assert "Open calls you can bid on" not in lines(personas.member_a)
    bid.status = "withdrawn"
    bid.save()
    assert lines(personas.member_a)["Open calls you can bid on"].count == 1


def test_an_invited_cadre_sees_the_invitation_until_they_answer(tree, personas):
    from tupo.topics.models import BidTeamMember

    call, topic = _call(tree)
    member = BidTeamMember.objects.create(bid=_bid(call, topic, tree.person_a2), person=tree.person_a11,
                                          invitation="invited")
    t = lines(personas.member_a)["Team invitations to answer"]
    assert (t.count, t.url) == (1, reverse("topics:my_bids"))
    assert "Open calls you can bid on" not in lines(personas.member_a)  # joining counts as taking part
    other = make_user("member_b", Role.MEMBER, tree.village_b1, person=tree.person_b1)
    assert "Team invitations to answer" not in lines(other)
    member.invitation = "confirmed"
    member.save()
    assert "Team invitations to answer" not in lines(personas.member_a)


def test_a_department_admin_sees_proposals_to_decide_and_bids_to_screen_after_the_deadline(tree, personas):
    from tupo.topics.models import TopicProposal

    proposal = TopicProposal.objects.create(org=tree.village_a2, title="P", bottleneck="b", expected_result="e")
    call, topic = _call(tree, ends_at=timezone.now() - DAY)  # published, deadline passed: to close and screen
    bid = _bid(call, topic, tree.person_a2, status="submitted")
    open_call, open_topic = _call(tree)
    _bid(open_call, open_topic, tree.person_b1, status="submitted")  # still open: not yet to screen
    got = lines(personas.dept_admin)
    assert (got["Topic proposals to decide"].count, got["Topic proposals to decide"].url) == (1, reverse("topics:topics"))
    assert got["Bids to screen"].count == 1
    got_a = lines(personas.org_admin_a)  # sees the proposal of its organization, but does not decide it
    assert "Topic proposals to decide" not in got_a and "Bids to screen" not in got_a
    proposal.status = "shortlisted"
    proposal.save()
    bid.status = "screened_pass"
    bid.save()
    got = lines(personas.dept_admin)
    assert "Topic proposals to decide" not in got and "Bids to screen" not in got


# --- projects --------------------------------------------------------------------------------------------------

def _project(tree, principal, *, call_org=None):
    from tupo.projects.models import Project, ProjectMember

    call, topic = _call(tree, org=call_org or tree.county, status="closed", ends_at=timezone.now() - 30 * DAY)
    bid = _bid(call, topic, principal, status="awarded")
    project = Project.objects.create(bid=bid, call=call, topic=topic, org=principal.org, org_path=principal.org_path,
                                     principal=principal, title="Project", tier="key",
                                     starts_on=TODAY() - 60 * DAY, ends_on=TODAY() + 300 * DAY)
    ProjectMember.objects.create(project=project, person=principal, role="principal")
    return project


def _milestone(project, due_on, status="planned"):
    return project.milestones.create(title="M", due_on=due_on, status=status)


def test_a_principal_sees_milestones_due_soon_and_overdue_linking_to_the_project(tree, personas):
    project = _project(tree, tree.person_a11)
    late = _milestone(project, TODAY() - DAY)
    _milestone(project, TODAY() + 5 * DAY)
    _milestone(project, TODAY() + 60 * DAY)  # far ahead
    _milestone(project, TODAY() - 5 * DAY, status="done")
    t = lines(personas.member_a)["Milestones due or overdue"]
    assert (t.count, t.overdue, t.url) == (2, 1, reverse("projects:detail", args=[project.pk]))
    other = make_user("member_b", Role.MEMBER, tree.village_b1, person=tree.person_b1)
    assert "Milestones due or overdue" not in lines(other)
    late.status = "done"
    late.save()
    t = lines(personas.member_a)["Milestones due or overdue"]
    assert (t.count, t.overdue) == (1, 0)


def test_a_liaison_sees_the_projects_they_guide_that_have_overdue_milestones(tree, personas):
    from tupo.projects.models import LiaisonAssignment

    project = _project(tree, tree.person_a11)
    other_project = _project(tree, tree.person_a2)
    late = _milestone(project, TODAY() - DAY)
    _milestone(other_project, TODAY() - DAY)  # not guided by liaison A
    LiaisonAssignment.objects.create(project=project, liaison=personas.liaison_a)
    t = lines(personas.liaison_a)["Projects you guide with overdue milestones"]
    assert (t.count, t.overdue, t.url) == (1, 1, reverse("projects:detail", args=[project.pk]))
    assert "Projects you guide with overdue milestones" not in lines(make_user("liaison_b", Role.LIAISON, tree.town_b))
    late.status = "done"
    late.save()
    assert "Projects you guide with overdue milestones" not in lines(personas.liaison_a)


def test_a_department_admin_sees_change_and_extension_requests_to_decide(tree, personas):
    from tupo.projects.models import ChangeRequest, ExtensionRequest

    project = _project(tree, tree.person_a11)
    change = ChangeRequest.objects.create(project=project, status="pending", description="d", reason="r")
    ExtensionRequest.objects.create(project=project, status="pending", months=3, reason="r")
    t = lines(personas.dept_admin)["Change and extension requests to decide"]
    assert (t.count, t.url) == (2, reverse("projects:detail", args=[project.pk]))
    second = _project(tree, tree.person_a2)
    ChangeRequest.objects.create(project=second, status="pending", description="d", reason="r")
    t = lines(personas.dept_admin)["Change and extension requests to decide"]
    assert (t.count, t.url) == (3, reverse("projects:portfolio"))
    assert "Change and extension requests to decide" not in lines(make_user("admin_x", Role.DEPT_ADMIN, tree.other))
    ChangeRequest.objects.filter(pk=change.pk).update(status="approved")
    ChangeRequest.objects.filter(project=second).update(status="refused")
    ExtensionRequest.objects.update(status="approved")
    assert "Change and extension requests to decide" not in lines(personas.dept_admin)


# --- cases -----------------------------------------------------------------------------------------------------

def _case(org, status):
    from tupo.cases.models import Case

    return Case.objects.create(title="C", org=org, org_path=org.path, status=status, year=TODAY().year)


def test_a_department_admin_sees_cases_and_brand_applications_waiting_for_review(tree, personas):
    from tupo.cases.models import Brand

    case = _case(tree.village_a2, "submitted")
    _case(tree.village_b1, "reviewed")
    _case(tree.other, "submitted")  # other county
    brand = Brand.objects.create(name="B", org=tree.village_a2, org_path=tree.village_a2.path, status="applied",
                                 year=TODAY().year)
    got = lines(personas.dept_admin)
    assert got["Cases to review"].count == 1
    assert got["Cases to review"].url == reverse("cases:list") + "?status=submitted"
    assert got["Reviewed cases to publish"].count == 1
    assert (got["Brand applications to screen or recognize"].count,
            got["Brand applications to screen or recognize"].url) == (1, reverse("cases:brands"))
    assert not {"Cases to review", "Brand applications to screen or recognize"} & set(lines(personas.org_admin_a))
    case.status = "reviewed"
    case.save()
    brand.status = "recognized"
    brand.save()
    got = lines(personas.dept_admin)
    assert "Cases to review" not in got and "Brand applications to screen or recognize" not in got
    assert got["Reviewed cases to publish"].count == 2


# --- meetings --------------------------------------------------------------------------------------------------

def _meeting(org, creator=None):
    from tupo.meetings.models import Meeting

    return Meeting.objects.create(kind="onsite", title="M", starts_at=timezone.now() - 10 * DAY, place="P",
                                  host_org=org, org_path=org.path, created_by=creator)


def test_follow_up_actions_show_for_their_owner_and_the_owners_administrator(tree, personas):
    meeting = _meeting(tree.town_a)
    meeting.invited_people.add(tree.person_a11)
    late = meeting.actions.create(title="A", owner=tree.person_a11, deadline=TODAY() - DAY)
    meeting.actions.create(title="B", owner=tree.person_a11, deadline=TODAY() + DAY)
    meeting.actions.create(title="C", owner=tree.person_a2, deadline=TODAY() + DAY)
    mine = lines(personas.member_a)["Your follow-up actions"]
    assert (mine.count, mine.overdue, mine.url) == (2, 1, reverse("meetings:detail", args=[meeting.pk]))
    managed = lines(personas.org_admin_a)["Open follow-up actions in your organizations"]
    assert (managed.count, managed.overdue) == (3, 1)
    got_b = lines(personas.org_admin_b)
    assert "Open follow-up actions in your organizations" not in got_b
    late.status = "done"
    late.save()
    mine = lines(personas.member_a)["Your follow-up actions"]
    assert (mine.count, mine.overdue) == (1, 0)


def test_an_action_of_a_meeting_the_owner_cannot_open_is_not_counted(tree, personas):
    meeting = _meeting(tree.town_b)  # member A is neither invited nor in its scope
    meeting.actions.create(title="A", owner=tree.person_a11, deadline=TODAY() - DAY)
    assert "Your follow-up actions" not in lines(personas.member_a)


# --- the home page ---------------------------------------------------------------------------------------------

def test_the_home_page_shows_the_list_with_links_and_red_badges(tree, personas, login):
    _review(tree, personas.expert, deadline=TODAY() - DAY)
    html = login(personas.expert).get(reverse("core:home")).content.decode()
    assert "To do" in html and reverse("reviews:mine") in html
    assert "text-bg-danger" in html and "1 overdue" in html


def test_the_home_page_says_when_nothing_is_waiting(personas, login):
    html = login(personas.member_a).get(reverse("core:home")).content.decode()
    assert "Nothing waiting for you." in html


def test_the_separated_administrators_get_no_to_do_panel(personas, login):
    html = login(personas.sysadmin).get(reverse("core:home")).content.decode()
    assert "Nothing waiting for you." not in html


def _work_for_everyone(tree, personas, n: int):
    """``n`` pieces of each kind of work for the department administrator's and the member's lines."""
    for _i in range(n):
        _review(tree, personas.expert, deadline=TODAY() - DAY)
        _case(tree.village_a2, "submitted")
        project = _project(tree, tree.person_a11)
        _milestone(project, TODAY() - DAY)
        project.change_requests.create(status="pending", description="d", reason="r")
        meeting = _meeting(tree.town_a)
        meeting.invited_people.add(tree.person_a11)
        meeting.actions.create(title="A", owner=tree.person_a11, deadline=TODAY() - DAY)


@pytest.mark.parametrize("who", ["dept_admin", "member_a", "org_admin_a", "expert"])
def test_the_home_page_asks_as_many_queries_for_thirty_items_as_for_one(tree, personas, login, who):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = login(getattr(personas, who))
    _work_for_everyone(tree, personas, 1)
    with CaptureQueriesContext(connection) as one:
        few = client.get(reverse("core:home")).context["todos"]
    _work_for_everyone(tree, personas, 30)
    with CaptureQueriesContext(connection) as many:
        lots = client.get(reverse("core:home")).context["todos"]
    assert few and sum(t.count for t in lots) > sum(t.count for t in few)  # the list did grow
    assert len(many) == len(one), [q["sql"] for q in many.captured_queries]


def test_the_home_page_stays_within_a_fixed_query_budget(tree, personas, login, django_assert_max_num_queries):
    _work_for_everyone(tree, personas, 5)
    client = login(personas.dept_admin)
    with django_assert_max_num_queries(40):
        client.get(reverse("core:home"))
