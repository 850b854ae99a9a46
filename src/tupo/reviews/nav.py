"""Sidebar entries of the expert review."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role


def items(user):
    out = []
    roles = user.roles
    if Role.DEPT_ADMIN in roles:
        out.append((_("Expert review"), reverse("reviews:index"), "reviews"))
    if Role.EXPERT in roles:
        out.append((_("My reviews"), reverse("reviews:mine"), "my_reviews"))
    return out
