"""Detail access in one place: 404 for what a user may not see, 403 for what they may see but not change."""

from __future__ import annotations

from django.http import Http404


def get_visible_or_404(model, user, **lookup):
    """Load one row through ``model.objects.visible_to(user)``; hidden and missing look the same (404)."""
    obj = model.objects.visible_to(user).filter(**lookup).first()
    if obj is None:
        raise Http404(model._meta.verbose_name)
    return obj
