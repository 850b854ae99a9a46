"""Sidebar entries of the award."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import MANAGING_ROLES, Role


def items(user):
    out = []
    roles = user.roles
    if Role.DEPT_ADMIN in roles:
        out.append((_("Innovation award"), reverse("awards:index"), "awards"))
    if roles & MANAGING_ROLES:
        out.append((_("My nominations"), reverse("awards:mine"), "award_mine"))
    from tupo.awards import queries
    from tupo.awards.models import Objection

    if Role.MEMBER in roles and queries.vote_cycles_for(user).exists():
        out.append((_("Online vote"), reverse("awards:votes"), "award_vote"))
    if Role.DEPT_ADMIN in roles and Objection.objects.filter(handler=user).exists():
        out.append((_("Objections assigned to me"), reverse("awards:objections_mine"), "award_objections"))
    if user.award_panel_slots.exists():
        out.append((_("Presentation scoring"), reverse("awards:panel"), "award_panel"))
    return out
