"""To-do lines of the innovation award (see ``tupo.core.todo``)."""

import datetime as dt

from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role
from tupo.core.todo import Todo, count_with_overdue
from tupo.orgs import tree

# Who may sit on a presentation panel (``queries.panel_candidates``): only they are asked about slots.
PANEL_ROLES = frozenset({Role.EXPERT, Role.DEPT_ADMIN, Role.LEADER, Role.LIAISON})
SOON = dt.timedelta(days=3)


def items(user) -> list[Todo]:
    roles = user.roles
    today = timezone.localdate()
    out = []
    if Role.MEMBER in roles:
        out += _ballots(user, today)
    if Role.ORG_ADMIN in roles:
        out += _nominations(user, today)
    if Role.DEPT_ADMIN in roles:
        from tupo.awards.choices import ObjectionStatus
        from tupo.awards.models import Objection

        # the handler's own objections (the administrators of the cycle see theirs on the cycle page)
        mine = Objection.objects.visible_to(user).filter(handler=user, status=ObjectionStatus.OPEN)
        n = count_with_overdue(mine, Q(reply_due__lt=today))
        out.append(Todo(_("Objections to answer"), n["total"], reverse("awards:objections_mine"), n["overdue"],
                        level="warning", order=10))
    if roles & PANEL_ROLES:
        from tupo.awards.choices import CycleStatus
        from tupo.awards.models import PanelScore, PresentationSlot

        scored = PanelScore.objects.filter(slot_id=OuterRef("pk"), member_id=user.pk)
        n = (PresentationSlot.objects.filter(panel=user, cycle__status=CycleStatus.PRESENTATION)
             .exclude(Exists(scored)).order_by().count())
        out.append(Todo(_("Presentations to score"), n, reverse("awards:panel"), level="warning", order=20))
    return out


def _ballots(user, today) -> list[Todo]:
    """Categories of cycles whose online vote is open today where the member has not voted yet (one query)."""
    from tupo.awards import queries

    rows = (queries.vote_cycles_for(user).filter(vote_start__lte=today, vote_end__gte=today)
            .annotate(voted=Count("ballots", filter=Q(ballots__voter=user)))
            .values_list("categories", "voted", "vote_end"))
    pending = [(max(len(cats or []) - voted, 0), end) for cats, voted, end in rows]
    total = sum(n for n, _end in pending)
    closing = any(n and end - today < SOON for n, end in pending)
    return [Todo(_("Online votes to cast"), total, reverse("awards:votes"), level="warning" if closing else "info",
                 order=30)]


def _nominations(user, today) -> list[Todo]:
    """For an organization administrator: cycles taking nominations today from which none of their organizations
    has an entry yet, and their draft entries not submitted (two queries)."""
    from tupo.awards.choices import CycleStatus, NominationStatus
    from tupo.awards.models import AwardCycle, Nomination

    paths = [g.org.path for g in user.grants if g.role == Role.ORG_ADMIN and g.org_id]
    own = tree.subtrees_q(paths, "org_path")
    entered = Nomination.objects.filter(own, cycle_id=OuterRef("pk")).exclude(status=NominationStatus.WITHDRAWN)
    cycles = (AwardCycle.objects.visible_to(user)
              .filter(status=CycleStatus.OPEN, apply_start__lte=today, apply_end__gte=today)
              .exclude(Exists(entered)))
    c = count_with_overdue(cycles, soon_q=Q(apply_end__lt=today + SOON))
    drafts = Nomination.objects.visible_to(user).filter(own, status=NominationStatus.DRAFT,
                                                         cycle__status=CycleStatus.OPEN, cycle__apply_end__gte=today)
    d = count_with_overdue(drafts, soon_q=Q(cycle__apply_end__lt=today + SOON))
    url = reverse("awards:mine")
    return [
        Todo(_("Award cycles open for your nominations"), c["total"], url,
             level="warning" if c["soon"] else "info", order=40),
        Todo(_("Draft nominations to submit"), d["total"], url, level="warning" if d["soon"] else "info", order=35),
    ]
