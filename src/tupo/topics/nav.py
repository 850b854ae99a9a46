from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role


def items(user):
    roles = user.roles
    out = []
    if Role.DEPT_ADMIN in roles:
        out.append((_("Calls for bids"), reverse("topics:calls"), "topics"))
        out.append((_("Topics and proposals"), reverse("topics:topics"), "topics_topics"))
    elif Role.ORG_ADMIN in roles:
        out.append((_("Topic proposals"), reverse("topics:topics"), "topics_topics"))
    if user.person_id:
        if Role.DEPT_ADMIN not in roles:
            out.append((_("Open calls"), reverse("topics:calls"), "topics"))
        out.append((_("My bids"), reverse("topics:my_bids"), "topics_bids"))
    return out
