"""Reads: who sees which proposals, topics, calls and bids; screening and ranking tables; exports."""

from __future__ import annotations

from django.db.models import Count, Exists, OuterRef, Q

from tupo.orgs import tree
from tupo.topics.choices import BidStatus, CallStatus, Invitation
from tupo.topics.rules import TOPIC_MANAGING_ROLES

NOTHING = Q(pk__in=[])
PUBLIC_CALL_STATUSES = (CallStatus.PUBLISHED, CallStatus.CLOSED, CallStatus.AWARDED)


def _admin_paths(user) -> list[str]:
    if not getattr(user, "is_authenticated", False):
        return []
    return [g.org.path for g in user.grants if g.role in TOPIC_MANAGING_ROLES and g.org_id]


def _person_ancestor_ids(user) -> list[int]:
    if not getattr(user, "is_authenticated", False) or not user.person_id:
        return []
    return tree.ancestor_ids(user.person.org_path)


def visible_proposal_q(user) -> Q:
    """Department administrators see proposals from their subtree; an organization's administrators see its own."""
    if not getattr(user, "is_authenticated", False):
        return NOTHING
    from tupo.accounts.choices import MANAGING_ROLES

    paths = [g.org.path for g in user.grants if g.role in MANAGING_ROLES and g.org_id]
    return tree.subtrees_q(paths, "org__path") if paths else NOTHING


def visible_topic_q(user) -> Q:
    paths = _admin_paths(user)
    q = tree.subtrees_q(paths, "org__path") if paths else NOTHING
    ancestors = _person_ancestor_ids(user)
    if ancestors:
        q |= Q(calls__status__in=PUBLIC_CALL_STATUSES, calls__org_id__in=ancestors)
    return q


def visible_call_q(user) -> Q:
    """Calls of the administrator's subtree (any status); published calls whose scope holds the user's record."""
    paths = _admin_paths(user)
    q = tree.subtrees_q(paths, "org__path") if paths else NOTHING
    ancestors = _person_ancestor_ids(user)
    if ancestors:
        q |= Q(status__in=PUBLIC_CALL_STATUSES, org_id__in=ancestors)
    return q


def visible_bid_q(user) -> Q:
    """A bid is seen by its team, the department administrators of the call's scope and its assigned reviewers.

    Never by other bidders: an invitation that was declined no longer shows the bid either.
    """
    from tupo.topics.models import BidTeamMember
    from tupo.topics.review_link import reviewer_bid_q

    if not getattr(user, "is_authenticated", False):
        return NOTHING
    paths = _admin_paths(user)
    q = tree.subtrees_q(paths, "call__org__path") if paths else NOTHING
    if user.person_id:
        team = BidTeamMember.objects.filter(bid_id=OuterRef("pk"), person_id=user.person_id).exclude(
            invitation=Invitation.DECLINED)
        q |= Q(principal_id=user.person_id) | Q(Exists(team))
    return q | reviewer_bid_q(user)


def my_bids(user):
    from tupo.topics.models import Bid

    if not user.person_id:
        return Bid.objects.none()
    return (Bid.objects.filter(Q(principal_id=user.person_id) | Q(team__person_id=user.person_id))
            .distinct().select_related("call", "topic", "principal").order_by("-created_at", "-id"))


def my_invitations(user):
    from tupo.topics.models import BidTeamMember

    if not user.person_id:
        return BidTeamMember.objects.none()
    return (BidTeamMember.objects.filter(person_id=user.person_id, invitation=Invitation.INVITED)
            .select_related("bid", "bid__call", "bid__principal"))


def call_stats(call) -> dict:
    from tupo.topics.models import Bid

    rows = Bid.objects.filter(call=call).values("status").annotate(n=Count("id"))
    return {r["status"]: r["n"] for r in rows}


def bids_for_screening(call):
    from tupo.topics.models import Bid

    return (Bid.objects.filter(call=call).exclude(status__in=[BidStatus.DRAFT, BidStatus.WITHDRAWN])
            .select_related("principal", "org", "topic").prefetch_related("team__person")
            # the screening table shows none of the long texts (nor the budget lines it used to prefetch)
            .defer("angle", "outline", "method", "expected_outputs", "award_reason", "topic__background",
                   "topic__goals")
            .order_by("topic_id", "id"))


def timeline(*, call=None, bid=None):
    from tupo.topics.models import TopicEvent

    qs = TopicEvent.objects.select_related("actor")
    if bid is not None:
        return qs.filter(bid=bid)
    return qs.filter(call=call, bid__isnull=True)


def timeline_labels() -> dict:
    """Readable names of the codes the history rows keep (kinds and statuses), for the timelines."""
    from django.utils.translation import gettext as _

    from tupo.core.events import code_labels
    from tupo.projects import choices as pc
    from tupo.topics import choices as tc

    return code_labels(
        tc.ProposalStatus, tc.CallStatus, tc.BidStatus, tc.Invitation, pc.ProjectStatus, pc.MilestoneStatus,
        pc.Decision, pc.Rating, pc.AcceptanceKind, pc.LiaisonReportKind,
        status=_("Status"), proposal=_("Proposal"), invite=_("Team invitation"),
        invitation=_("Invitation answered"), review=_("Sent to expert review"), milestone=_("Milestone"),
        milestone_moved=_("Milestone moved"), change_request=_("Change request"), extension=_("Extension"),
        ends_on=_("End date"), liaison=_("Liaison assigned"), visit=_("Liaison visit"),
        problem=_("Problem"), liaison_report=_("Liaison report"), submitted=_("Submitted"),
    )


def track_record(person) -> dict:
    """A cadre's innovation track record: every bid and project with their part (principal or member)."""
    from tupo.projects.models import ProjectMember
    from tupo.topics.models import BidTeamMember

    bids = (BidTeamMember.objects.filter(person=person).exclude(invitation=Invitation.DECLINED)
            .select_related("bid", "bid__call").order_by("-bid__created_at"))
    projects = ProjectMember.objects.filter(person=person).select_related("project").order_by("-project__created_at")
    return {"bids": [(m.bid, m.role) for m in bids], "projects": [(m.project, m.role) for m in projects]}


def screening_reasons(call, bids) -> None:
    """Set ``bid.reasons`` (what ``eligibility.check_principal`` answers) on every submitted bid of the screening
    page, in a fixed number of queries: the rules that read the database (one bid per person, bids per
    organization, unfinished projects) are answered for all principals at once; the rules on the person alone
    (scope, age, years of service) are asked of ``check_principal`` with the database rules switched off.
    """
    import copy

    from django.utils.translation import gettext as _

    from tupo.projects.choices import UNFINISHED
    from tupo.projects.models import Project
    from tupo.topics import eligibility
    from tupo.topics.choices import LIVE_BID_STATUSES
    from tupo.topics.models import Bid, BidTeamMember

    todo = [b for b in bids if b.status == BidStatus.SUBMITTED]
    for b in bids:
        b.reasons = []
    if not todo:
        return
    call.org  # noqa: B018 - loaded once, shared by the copy below
    lite = copy.copy(call)
    lite.one_bid_per_person, lite.max_bids_per_org, lite.block_unfinished = False, None, False
    live_of: dict[int, set[int]] = {}  # person -> live bids of the call they lead or are on
    if call.one_bid_per_person:
        for bid_id, person_id in Bid.objects.filter(call=call, status__in=LIVE_BID_STATUSES).values_list("pk", "principal_id"):
            live_of.setdefault(person_id, set()).add(bid_id)
        for bid_id, person_id in (BidTeamMember.objects.filter(bid__call=call, bid__status__in=LIVE_BID_STATUSES)
                                  .exclude(invitation=Invitation.DECLINED).values_list("bid_id", "person_id")):
            live_of.setdefault(person_id, set()).add(bid_id)
    taken: dict[int, set[int]] = {}  # organization -> its bids of the call that count against the quota
    if call.max_bids_per_org:
        for bid_id, org_id in Bid.objects.filter(call=call, status__in=[
                BidStatus.SUBMITTED, BidStatus.SCREENED_PASS, BidStatus.AWARDED]).values_list("pk", "org_id"):
            taken.setdefault(org_id, set()).add(bid_id)
    unfinished: dict[int, Project] = {}
    if call.block_unfinished:
        for p in (Project.objects.filter(principal_id__in={b.principal_id for b in todo}, status__in=UNFINISHED)
                  .exclude(call=call).only("id", "title", "principal_id", "created_at")):
            unfinished.setdefault(p.principal_id, p)  # the default ordering puts the newest first, as .first() does
    for b in todo:
        person = b.principal
        b.reasons = eligibility.check_principal(lite, person, b)
        if call.one_bid_per_person and live_of.get(person.pk, set()) - {b.pk}:
            b.reasons.append(eligibility.Reason("one_bid", _("You already lead or joined another bid of this call.")))
        if call.max_bids_per_org and len(taken.get(person.org_id, set()) - {b.pk}) >= call.max_bids_per_org:
            b.reasons.append(eligibility.Reason("org_quota", _(
                "Your organization has already submitted %(n)s bid(s), the most this call allows.")
                % {"n": call.max_bids_per_org}))
        if person.pk in unfinished:
            b.reasons.append(eligibility.Reason("unfinished", _(
                "You lead the unfinished project “%(p)s” of an earlier call.") % {"p": unfinished[person.pk].title}))
