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
            .select_related("principal", "org", "topic").prefetch_related("team__person", "budget_lines")
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

    from tupo.projects import choices as pc
    from tupo.topics import choices as tc

    labels: dict = {}
    for enum in (tc.ProposalStatus, tc.CallStatus, tc.BidStatus, tc.Invitation, pc.ProjectStatus, pc.MilestoneStatus,
                 pc.Decision, pc.Rating, pc.AcceptanceKind, pc.LiaisonReportKind):
        labels.update({k: str(v) for k, v in enum.choices})
    labels.update({
        "status": _("Status"), "proposal": _("Proposal"), "invite": _("Team invitation"),
        "invitation": _("Invitation answered"), "review": _("Sent to expert review"), "milestone": _("Milestone"),
        "milestone_moved": _("Milestone moved"), "change_request": _("Change request"), "extension": _("Extension"),
        "ends_on": _("End date"), "liaison": _("Liaison assigned"), "visit": _("Liaison visit"),
        "problem": _("Problem"), "liaison_report": _("Liaison report"), "submitted": _("Submitted"),
    })
    return labels


def track_record(person) -> dict:
    """A cadre's innovation track record: every bid and project with their part (principal or member)."""
    from tupo.projects.models import ProjectMember
    from tupo.topics.models import BidTeamMember

    bids = (BidTeamMember.objects.filter(person=person).exclude(invitation=Invitation.DECLINED)
            .select_related("bid", "bid__call").order_by("-bid__created_at"))
    projects = ProjectMember.objects.filter(person=person).select_related("project").order_by("-project__created_at")
    return {"bids": [(m.bid, m.role) for m in bids], "projects": [(m.project, m.role) for m in projects]}
