from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import SUBTREE_ROLES
from tupo.cases.queries import is_business_user


def items(user):
    if not is_business_user(user):
        return []
    out = [(_("Case library"), reverse("cases:list"), "cases"), (_("Party-building brands"), reverse("cases:brands"), "brands")]
    if user.roles & SUBTREE_ROLES:
        out.append((_("Adoptions and results reports"), reverse("cases:adoptions"), "adoptions"))
        out.append((_("Cases dashboard"), reverse("cases:dashboard"), "cases_dashboard"))
    return out
