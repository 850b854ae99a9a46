"""To-do lines of meetings: open follow-up actions (see ``tupo.core.todo``)."""

from django.db.models import Count, Max, Min, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import MANAGING_ROLES
from tupo.cases.queries import is_business_user
from tupo.core.todo import Todo
from tupo.orgs import tree


def items(user) -> list[Todo]:
    """Open actions the user owns, and those owned by people of the organizations they manage, in one query; only
    actions of meetings the user can open (an owner who was not invited cannot reach the meeting either)."""
    if not is_business_user(user):
        return []
    from tupo.meetings.choices import ActionStatus
    from tupo.meetings.models import FollowUpAction, Meeting

    paths = [g.org.path for g in user.grants if g.role in MANAGING_ROLES and g.org_id]
    mine = Q(owner_id=user.person_id) if user.person_id else Q(pk__in=[])
    managed = (tree.subtrees_q(paths, "owner__org_path") & ~mine) if paths else Q(pk__in=[])
    if not user.person_id and not paths:
        return []
    late = Q(deadline__lt=timezone.localdate())
    row = (FollowUpAction.objects.filter(mine | managed, status=ActionStatus.OPEN,
                                         meeting__in=Meeting.objects.visible_to(user).values("pk"))
           .order_by()
           .aggregate(mine=Count("pk", filter=mine), mine_late=Count("pk", filter=mine & late),
                      mine_lo=Min("meeting_id", filter=mine), mine_hi=Max("meeting_id", filter=mine),
                      managed=Count("pk", filter=managed), managed_late=Count("pk", filter=managed & late),
                      managed_lo=Min("meeting_id", filter=managed), managed_hi=Max("meeting_id", filter=managed)))
    return [
        Todo(_("Your follow-up actions"), row["mine"], _url(row["mine_lo"], row["mine_hi"]), row["mine_late"],
             level="warning", order=20),
        Todo(_("Open follow-up actions in your organizations"), row["managed"],
             _url(row["managed_lo"], row["managed_hi"]), row["managed_late"], order=50),
    ]


def _url(lo, hi) -> str:
    """The meeting page when every action is of one meeting, else the meetings calendar."""
    if lo is not None and lo == hi:
        return reverse("meetings:detail", args=[lo])
    return reverse("meetings:list")
