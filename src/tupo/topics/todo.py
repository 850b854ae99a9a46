"""To-do lines of topics, calls and bids (see ``tupo.core.todo``)."""

import datetime as dt

from django.db.models import Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role
from tupo.core.todo import Todo, count_with_overdue
from tupo.orgs import tree
from tupo.topics.rules import TOPIC_MANAGING_ROLES

SOON = dt.timedelta(days=3)


def items(user) -> list[Todo]:
    roles = user.roles
    now = timezone.now()
    out = []
    if user.person_id and Role.DEPT_ADMIN not in roles:  # as the sidebar: administrators run calls, not bid
        out += _bidder(user, now)
    paths = [g.org.path for g in user.grants if g.role in TOPIC_MANAGING_ROLES and g.org_id]
    if paths:
        out += _admin(user, paths, now)
    return out


def _bidder(user, now) -> list[Todo]:
    """Open calls of the cadre's scope they neither lead nor joined a bid in, and invitations to answer."""
    from tupo.topics.choices import LIVE_BID_STATUSES, BidStatus, CallStatus, Invitation
    from tupo.topics.models import Bid, BidTeamMember, Call
    from tupo.topics.queries import my_invitations

    person_id = user.person_id
    leads = Bid.objects.filter(call_id=OuterRef("pk"), principal_id=person_id, status__in=LIVE_BID_STATUSES)
    joined = (BidTeamMember.objects.filter(bid__call_id=OuterRef("pk"), person_id=person_id,
                                           bid__status__in=LIVE_BID_STATUSES)
              .exclude(invitation=Invitation.DECLINED))
    ancestors = tree.ancestor_ids(user.person.org_path)  # the rule "topics.add_bid": the call's scope holds them
    calls = (Call.objects.visible_to(user)
             .filter(status=CallStatus.PUBLISHED, org_id__in=ancestors, starts_at__lte=now, ends_at__gt=now)
             .exclude(Exists(leads)).exclude(Exists(joined)))
    c = count_with_overdue(calls, soon_q=Q(ends_at__lt=now + SOON))
    # invitations of drafts whose call still takes answers (``respond_invitation`` refuses the others)
    invitations = my_invitations(user).filter(bid__status=BidStatus.DRAFT, bid__call__status=CallStatus.PUBLISHED,
                                              bid__call__ends_at__gt=now)
    i = count_with_overdue(invitations, soon_q=Q(bid__call__ends_at__lt=now + SOON))
    return [
        Todo(_("Open calls you can bid on"), c["total"], reverse("topics:calls"),
             level="warning" if c["soon"] else "info", order=60),
        Todo(_("Team invitations to answer"), i["total"], reverse("topics:my_bids"), level="warning", order=30),
    ]


def _admin(user, paths, now) -> list[Todo]:
    """A department administrator's proposals to decide and submitted bids waiting for screening."""
    from tupo.topics.choices import BidStatus, CallStatus, ProposalStatus
    from tupo.topics.models import Bid, TopicProposal

    proposals = (TopicProposal.objects.visible_to(user)
                 .filter(tree.subtrees_q(paths, "org__path"), status=ProposalStatus.SUBMITTED).order_by().count())
    # screening happens once the deadline has passed and before the bids go to review (``screen_bid``)
    after_deadline = (Q(call__status=CallStatus.CLOSED, call__review_round_id__isnull=True)
                      | Q(call__status=CallStatus.PUBLISHED, call__ends_at__lte=now))
    bids = (Bid.objects.visible_to(user)
            .filter(after_deadline, tree.subtrees_q(paths, "call__org__path"), status=BidStatus.SUBMITTED)
            .order_by().count())
    return [
        Todo(_("Topic proposals to decide"), proposals, reverse("topics:topics"), order=50),
        Todo(_("Bids to screen"), bids, reverse("topics:calls"), level="warning", order=40),
    ]
