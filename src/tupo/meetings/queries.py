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


PICKER_LIMIT = 10


def invitee_candidates(user, meeting, q: str, limit: int = PICKER_LIMIT) -> dict:
    """The invitee picker: at most ``limit`` organizations and ``limit`` people matching ``q``, not yet invited.

    Organizations: those the user can see, name containing ``q``. People: those the user can see inside the
    meeting's scope (host subtree and invited organizations' subtrees), name starting with ``q`` (indexed).
    A fixed number of queries whatever the size of the tree.
    """
    from tupo.orgs.models import Organization, Person

    q = (q or "").strip()[:50]
    if not q:
        return {"orgs": [], "people": [], "q": q}
    invited_orgs = list(meeting.invited_orgs.values_list("pk", "path"))
    orgs = list(Organization.objects.visible_to(user).filter(name__contains=q)
                .exclude(pk__in=[pk for pk, _p in invited_orgs]).order_by("path")[:limit])
    scope = tree.subtrees_q([meeting.org_path] + [p for _pk, p in invited_orgs], "org_path")
    people = list(Person.objects.visible_to(user).filter(scope, name__startswith=q)
                  .exclude(pk__in=meeting.invited_people.values("pk")).select_related("org").order_by("name", "id")[:limit])
    return {"orgs": orgs, "people": people, "q": q}
