"""The call's eligibility rules, each one explained: ``check_principal`` answers "may I bid, and if not why not"."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.topics.choices import LIVE_BID_STATUSES, BidStatus, Invitation


@dataclass
class Reason:
    rule: str
    message: str

    def __str__(self) -> str:
        return self.message


def reference_date(call) -> dt.date:
    """Ages and years of service are counted on the deadline (or today while no deadline is set)."""
    return call.deadline_date or timezone.localdate()


def years_between(start: dt.date, end: dt.date) -> int:
    return end.year - start.year - ((end.month, end.day) < (start.month, start.day))


def _in_scope(call, person) -> bool:
    return person.org_path.startswith(call.org.path)


def _other_live_bids(call, person, exclude_bid=None):
    from django.db.models import Q

    from tupo.topics.models import Bid, BidTeamMember

    memberships = BidTeamMember.objects.filter(person=person).exclude(invitation=Invitation.DECLINED).values("bid_id")
    qs = Bid.objects.filter(call=call, status__in=LIVE_BID_STATUSES).filter(
        Q(principal=person) | Q(pk__in=memberships))
    if exclude_bid is not None and exclude_bid.pk:
        qs = qs.exclude(pk=exclude_bid.pk)
    return qs


def check_principal(call, person, bid=None) -> list[Reason]:
    """Every rule of the call the person fails as a principal (empty list: eligible)."""
    out: list[Reason] = []
    if person is None:
        return [Reason("person", _("Your account is not linked to a person on the register."))]
    on = reference_date(call)
    if not _in_scope(call, person):
        out.append(Reason("scope", _("Your organization is not in the scope of this call (%(org)s and below).")
                          % {"org": call.org.name}))
    if call.max_principal_age is not None and person.age(on) > call.max_principal_age:
        out.append(Reason("age", _("The principal must be at most %(max)s years old on %(day)s; you will be %(age)s.")
                          % {"max": call.max_principal_age, "day": on.isoformat(), "age": person.age(on)}))
    if call.min_service_years:
        years = bid.service_years if bid is not None and bid.service_years is not None else (
            years_between(person.joined_on, on) if person.joined_on else None)
        if years is None:
            out.append(Reason("service", _("The call asks for %(n)s years of service; state yours on the bid.")
                              % {"n": call.min_service_years}))
        elif years < call.min_service_years:
            out.append(Reason("service", _("The call asks for at least %(n)s years of service; you have %(y)s.")
                              % {"n": call.min_service_years, "y": years}))
    if call.one_bid_per_person and _other_live_bids(call, person, bid).exists():
        out.append(Reason("one_bid", _("You already lead or joined another bid of this call.")))
    if call.max_bids_per_org:
        from tupo.topics.models import Bid

        taken = Bid.objects.filter(call=call, org_id=person.org_id, status__in=[
            BidStatus.SUBMITTED, BidStatus.SCREENED_PASS, BidStatus.AWARDED])
        if bid is not None and bid.pk:
            taken = taken.exclude(pk=bid.pk)
        if taken.count() >= call.max_bids_per_org:
            out.append(Reason("org_quota", _("Your organization has already submitted %(n)s bid(s), the most this call allows.")
                              % {"n": call.max_bids_per_org}))
    if call.block_unfinished:
        from tupo.projects.queries import unfinished_projects_of

        earlier = unfinished_projects_of(person).exclude(call=call).first()
        if earlier is not None:
            out.append(Reason("unfinished", _("You lead the unfinished project “%(p)s” of an earlier call.")
                              % {"p": earlier.title}))
    return out


def check_member(call, person, bid) -> list[Reason]:
    """Rules a team member must meet: in scope, and (when the call says so) in no other bid of the call."""
    out: list[Reason] = []
    if not _in_scope(call, person):
        out.append(Reason("scope", _("%(name)s is not registered in the scope of this call.") % {"name": person.name}))
    if call.one_bid_per_person and _other_live_bids(call, person, bid).exists():
        out.append(Reason("one_bid", _("%(name)s is already in another bid of this call.") % {"name": person.name}))
    return out


def team_size(bid) -> int:
    """Principal plus members who have not declined."""
    return 1 + bid.team.exclude(role="principal").exclude(invitation=Invitation.DECLINED).count()
