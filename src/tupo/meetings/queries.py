"""Who sees which meetings: the host's scope, invited organizations' users, invited people."""

from __future__ import annotations

from django.db.models import Q

from tupo.cases.queries import NOTHING, is_business_user, scope_paths
from tupo.orgs import tree


def visible_meeting_q(user) -> Q:
    if not is_business_user(user):
        return NOTHING
    paths = scope_paths(user)
    q = tree.subtrees_q(paths, "org_path") | Q(created_by=user.pk)
    if paths:  # an organization in the user's scope is invited
        q |= tree.subtrees_q(paths, "invited_orgs__path")
    own_orgs = [g.org_id for g in user.grants if g.org_id]
    if user.person_id:
        q |= Q(invited_people=user.person_id)
        from tupo.orgs.models import Person

        own_orgs += list(Person.objects.filter(pk=user.person_id).values_list("org_id", flat=True))
    if own_orgs:
        q |= Q(invited_orgs__in=own_orgs)
    return q
