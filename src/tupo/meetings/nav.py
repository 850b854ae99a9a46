from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.cases.queries import is_business_user


def items(user):
    return [(_("Meetings"), reverse("meetings:list"), "meetings")] if is_business_user(user) else []
