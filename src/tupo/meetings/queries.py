"""Who sees which meetings: the host's scope, invited organizations' users, invited people."""

from __future__ import annotations

import re

from django.db.models import Q

from tupo.accounts.choices import MANAGING_ROLES
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
ID_TAIL_RE = re.compile(r"^[0-9]{3}[0-9Xx]$")  # ASCII only: \d would also take full-width digits


def id_search_paths(user) -> list[str]:
    """Subtrees where the user may see ID numbers in clear (``orgs.view_personal_numbers``: managing roles),
    so the only ones where a search by the last four digits may look."""
    return [g.org.path for g in user.grants if g.role in MANAGING_ROLES and g.org_id]


def invitee_candidates(user, meeting, q: str, limit: int = PICKER_LIMIT) -> dict:
    """The invitee picker: at most ``limit`` organizations and ``limit`` people matching ``q``, not yet invited.

    Organizations the user can see: names *starting* with ``q`` first (the name index), then, if that found fewer
    than ``limit``, names containing ``q`` (a scan of the user's visible subtree, see docs/cases.md). People the
    user can see inside the meeting's scope (host subtree and invited organizations' subtrees): names starting
    with ``q`` (the name index); or, when ``q`` is four digits (the last one may be X) and the user holds a
    managing role, people of the managed subtrees whose ID number ends with them. ID numbers are shown masked.
    A fixed number of queries whatever the size of the tree.
    """
    from tupo.orgs.models import Organization, Person

    q = (q or "").strip()[:50]
    if not q:
        return {"orgs": [], "people": [], "q": q, "by_id": False, "id_refused": False}
    invited_orgs = list(meeting.invited_orgs.values_list("pk", "path"))
    invited_ids = [pk for pk, _p in invited_orgs]
    scope = tree.subtrees_q([meeting.org_path] + [p for _pk, p in invited_orgs], "org_path")
    people_qs = (Person.objects.visible_to(user).filter(scope).exclude(pk__in=meeting.invited_people.values("pk"))
                 .select_related("org"))
    by_id = bool(ID_TAIL_RE.match(q))
    if by_id:
        paths = id_search_paths(user)
        people = (list(people_qs.filter(tree.subtrees_q(paths, "org_path"), id_number__endswith=q.upper())
                       .order_by("name", "id")[:limit]) if paths else [])
        return {"orgs": [], "people": people, "q": q, "by_id": True, "id_refused": not paths}
    visible_orgs = Organization.objects.visible_to(user).exclude(pk__in=invited_ids)
    orgs = list(visible_orgs.filter(name_prefix_q(q)).order_by(name_order(), "id")[:limit])
    if len(orgs) < limit:
        orgs += list(visible_orgs.filter(name__contains=q).exclude(pk__in=[o.pk for o in orgs])
                     .order_by("path")[: limit - len(orgs)])
    people = list(people_qs.filter(name_prefix_q(q)).order_by(name_order(), "id")[:limit])
    return {"orgs": orgs, "people": people, "q": q, "by_id": False, "id_refused": False}


def name_order(field: str = "name"):
    """The order of prefix matches that the same index can give: byte order (code points), as SQLite compares.

    PostgreSQL: ``name COLLATE "C"``, served by ``person_name_c_idx`` / ``org_name_c_idx`` (orgs 0005), which also
    serve the LIKE; sorting in the database collation instead made the planner walk the whole plain name index
    for a common first character (docs/decisions/001, addendum)."""
    from django.db import connection
    from django.db.models.functions import Collate

    return Collate(field, "C") if connection.vendor == "postgresql" else field


PREFIX_END = "\U0010ffff"  # sorts after every character: [text, text + PREFIX_END) is every string starting with text


def name_prefix_q(text: str, field: str = "name") -> Q:
    """Names starting with ``text``, written so each database can use an index on ``field``.

    SQLite: a byte-wise range (Django's ``startswith`` adds ``ESCAPE``, which turns off SQLite's LIKE
    optimisation, and that optimisation also needs a case-insensitive index). PostgreSQL: ``LIKE 'text%'``,
    served by a ``varchar_pattern_ops`` index whatever the database collation.
    """
    from django.db import connection

    if connection.vendor == "postgresql":
        return Q(**{f"{field}__startswith": text})
    return Q(**{f"{field}__gte": text, f"{field}__lt": text + PREFIX_END})
