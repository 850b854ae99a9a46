from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role


def items(user):
    if not (user.roles - {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}):
        return []
    out = [(_("Search"), reverse("search:search"), "search")]
    if Role.DEPT_ADMIN in user.roles:
        out.append((_("Search dictionary"), reverse("search:terms"), "search_terms"))
    return out
