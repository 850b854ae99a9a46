from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role


def items(user):
    roles = user.roles
    out = []
    if Role.DEPT_ADMIN in roles:
        out.append((_("Project portfolio"), reverse("projects:portfolio"), "projects"))
    elif user.person_id or Role.LIAISON in roles:
        out.append((_("My projects"), reverse("projects:portfolio"), "projects"))
    if Role.LIAISON in roles:
        out.append((_("Problem list"), reverse("projects:problems"), "projects_problems"))
    return out
