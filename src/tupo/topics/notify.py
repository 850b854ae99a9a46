"""Notices of the bidding: in the platform (the bell) and by e-mail after commit (core.notifications).

A bid's notices go to its own team only — never to other bidders.
"""

from __future__ import annotations

from django.urls import reverse
from django.utils.translation import gettext as _

from tupo.core.notifications import notify


def _send(users, subject: str, body: str, url: str = "") -> None:
    notify(users, subject, body, url)


def _users_of_people(person_ids):
    from tupo.accounts.models import User

    return list(User.objects.filter(person_id__in=list(person_ids), is_active=True))


def _team_users(bid):
    from tupo.topics.choices import Invitation

    ids = set(bid.team.exclude(invitation=Invitation.DECLINED).values_list("person_id", flat=True)) | {bid.principal_id}
    return _users_of_people(ids)


def call_published(call) -> None:
    from tupo.accounts.models import User
    from tupo.orgs import tree

    users = User.objects.filter(tree.subtree_q(call.org.path, "person__org_path"), is_active=True)
    _send(users.iterator(), _("New call for bids: %(t)s") % {"t": call.title},
          _("A call for bids is open until %(d)s.") % {"d": call.ends_at}, reverse("topics:call", args=[call.pk]))


def invited(member) -> None:
    _send(_users_of_people([member.person_id]), _("Team invitation: %(t)s") % {"t": member.bid.title},
          _("%(p)s invites you to join the bid “%(t)s”. Confirm or decline it in Tupo.")
          % {"p": member.bid.principal.name, "t": member.bid.title}, reverse("topics:bid", args=[member.bid_id]))


def screened(bid) -> None:
    _send(_team_users(bid), _("Screening result: %(t)s") % {"t": bid.title},
          _("Your bid “%(t)s”: %(s)s. %(r)s") % {"t": bid.title, "s": bid.get_status_display(), "r": bid.screening_reason},
          reverse("topics:bid", args=[bid.pk]))


def award_result(bid) -> None:
    _send(_team_users(bid), _("Award result: %(t)s") % {"t": bid.title},
          _("Your bid “%(t)s”: %(s)s.") % {"t": bid.title, "s": bid.get_status_display()}, reverse("topics:bid", args=[bid.pk]))
