from django.urls import NoReverseMatch, reverse
from django.utils.translation import gettext_lazy as _


def items(user):
    if not user.has_perm("analytics.use"):
        return []
    try:
        url = reverse("analytics:list")
    except NoReverseMatch:  # the project URLconf does not include the analytics pages (yet)
        return []
    return [(_("Input-output analysis"), url, "analytics")]
