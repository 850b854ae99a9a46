"""The one shape of ``Model.objects.visible_to(user)`` for the workflow apps."""

from __future__ import annotations

from django.db import models
from django.utils.module_loading import import_string


class VisibleQuerySet(models.QuerySet):
    """``visible_to(user)`` filters by the Q object that the app's ``queries`` module builds for the user.

    Subclasses name that function by dotted path (``visible_q = "tupo.topics.queries.visible_call_q"``); it is
    imported when first called, because the queries modules import the models. Lists use ``visible_to``; single
    objects go through ``core.access.get_visible_or_404``, which uses it too, so a page and its list agree.
    """

    visible_q: str = ""

    def visible_to(self, user):
        return self.filter(import_string(self.visible_q)(user))
