"""Navigation fitting the user's roles, built once per request."""

from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import MANAGING_ROLES, PEOPLE_VIEWING_ROLES, Role


def navigation(request):
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {"nav_items": []}
    roles = user.roles
    items = [(_("Home"), reverse("core:home"), "home")]
    if roles - {Role.AUDIT_ADMIN}:
        items.append((_("Organizations"), reverse("orgs:tree"), "orgs"))
    if roles & PEOPLE_VIEWING_ROLES:
        items.append((_("People"), reverse("orgs:people"), "people"))
        items.append((_("Basic data"), reverse("orgs:dashboard_home"), "dashboard"))
    if roles & MANAGING_ROLES:
        items.append((_("Import"), reverse("orgs:import"), "import"))
    items.extend(_app_items(user))
    if Role.SYSTEM_ADMIN in roles:
        items.append((_("Accounts"), reverse("accounts:users"), "users"))
        items.append((_("Working-day calendar"), reverse("core:calendar"), "calendar"))
        items.append((_("Backups"), reverse("core:backups"), "backups"))
    if Role.SECURITY_ADMIN in roles:
        items.append((_("Roles"), reverse("accounts:grants"), "grants"))
        items.append((_("Security policy"), reverse("accounts:policy"), "policy"))
    if Role.AUDIT_ADMIN in roles:
        items.append((_("Audit log"), reverse("core:audit_log"), "audit"))
    from tupo.core.notifications import unread_count

    return {
        "nav_items": items,
        "nav_groups": _grouped(items),
        "nav_active": _active_key(request, items),
        "unread_notifications": unread_count(user),
    }


# Sidebar sections by the first part of an entry's URL; unknown prefixes go to the last section.
NAV_SECTIONS = [
    (_("Basic data"), ("/orgs/",)),
    (_("Innovation topics"), ("/topics/", "/projects/")),
    (_("Review and awards"), ("/reviews/", "/awards/")),
    (_("Promotion"), ("/cases/", "/meetings/", "/search/")),
    (_("Analysis"), ("/analytics/",)),
]


def _grouped(items):
    """[(section title or None, [items])]: home first, then the sections that have entries, then the rest."""
    sections = [(title, []) for title, _prefixes in NAV_SECTIONS]
    head, rest = [], []
    for item in items:
        url = item[1]
        if url == "/":
            head.append(item)
            continue
        for i, (_title, prefixes) in enumerate(NAV_SECTIONS):
            if url.startswith(prefixes):
                sections[i][1].append(item)
                break
        else:
            rest.append(item)
    groups = [(None, head)] + [(title, entries) for title, entries in sections if entries]
    if rest:
        groups.append((_("Administration") if len(groups) > 1 else None, rest))
    return groups


def _app_items(user):
    """Apps add their own entries: ``tupo.<app>.nav.items(user)`` returns (label, url, key) tuples."""
    import importlib
    from importlib.util import find_spec

    from django.conf import settings

    out = []
    for app in settings.INSTALLED_APPS:
        if app.startswith("tupo.") and find_spec(f"{app}.nav") is not None:
            out.extend(importlib.import_module(f"{app}.nav").items(user))
    return out


# URL names whose page belongs to another sidebar entry than their namespace.
ACTIVE_BY_URL_NAME = {
    "orgs:people": "people", "orgs:person": "people", "orgs:person_edit": "people", "orgs:person_create": "people",
    "orgs:people_export": "people", "orgs:dashboard": "dashboard", "orgs:dashboard_home": "dashboard",
    "orgs:import": "import", "core:home": "home", "core:audit_log": "audit", "core:audit_verify": "audit",
    "core:calendar": "calendar", "core:backups": "backups", "accounts:users": "users", "accounts:grants": "grants",
    "accounts:policy": "policy",
}


def _active_key(request, items) -> str:
    """One highlighted entry: a known URL name first, else the entry whose URL is the longest prefix."""
    match = getattr(request, "resolver_match", None)
    if match is not None and match.view_name in ACTIVE_BY_URL_NAME:
        return ACTIVE_BY_URL_NAME[match.view_name]
    best = max((url for _label, url, _key in items if request.path.startswith(url) and url != "/"), key=len, default=None)
    return next((key for _label, url, key in items if url == best), "")
