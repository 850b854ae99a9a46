"""The to-do list (待办事项) of the home page: what is waiting for the user, across the apps.

Apps add their own lines the way they add sidebar entries: an optional module ``tupo.<app>.todo`` with
``items(user) -> list[Todo]``. Each provider asks one or two COUNT queries whatever the amount of work, only
for the roles that can have such work, and counts only what the user may open (the app's ``visible_to`` /
queries and rules). ``collect`` drops lines with nothing to do and puts overdue work first.
"""

from __future__ import annotations

import importlib
from dataclasses import dataclass
from functools import lru_cache
from importlib.util import find_spec

from django.db.models import Count, Max, Min, Q

# Urgency levels, most urgent first. "danger" is for lines with overdue work.
LEVELS = ("danger", "warning", "info")
# Bootstrap colour of each level's badge: red, amber, and a quiet grey for work that is simply waiting.
COLOURS = {"danger": "danger", "warning": "warning", "info": "secondary"}


@dataclass(frozen=True)
class Todo:
    """One line of the to-do list: how many things of one kind wait for the user, and where to act on them.

    ``overdue`` of them are past their deadline (the badge turns red); ``level`` colours a line with nothing
    overdue ("warning": due soon or time-bound, "info": waiting). ``order`` ranks lines of the same urgency.
    """

    label: str
    count: int
    url: str
    overdue: int = 0
    level: str = "info"
    order: int = 100

    def __post_init__(self):
        if self.level not in LEVELS:
            raise ValueError(f"unknown to-do level {self.level!r}")

    @property
    def badge(self) -> str:
        return "danger" if self.overdue else self.level

    @property
    def colour(self) -> str:
        return COLOURS[self.badge]

    def sort_key(self) -> tuple:
        return (0 if self.overdue else 1, LEVELS.index(self.badge), self.order, str(self.label))


@lru_cache(maxsize=1)
def providers() -> tuple:
    """The ``tupo.<app>.todo`` modules of the installed apps (looked up once per process)."""
    from django.conf import settings

    return tuple(importlib.import_module(f"{app}.todo") for app in settings.INSTALLED_APPS
                 if app.startswith("tupo.") and app != "tupo.core" and find_spec(f"{app}.todo") is not None)


def collect(user) -> list[Todo]:
    """Every app's lines for the user, without the empty ones, overdue work first."""
    if user is None or not getattr(user, "is_authenticated", False):
        return []
    out = [t for module in providers() for t in module.items(user) if t.count > 0]
    return sorted(out, key=Todo.sort_key)


def count_with_overdue(qs, overdue_q: Q | None = None, *, soon_q: Q | None = None) -> dict:
    """One COUNT query: ``total``, ``overdue`` (rows matching ``overdue_q``), ``soon`` (matching ``soon_q``)."""
    aggregates = {"total": Count("pk", distinct=True)}
    if overdue_q is not None:
        aggregates["overdue"] = Count("pk", filter=overdue_q, distinct=True)
    if soon_q is not None:
        aggregates["soon"] = Count("pk", filter=soon_q, distinct=True)
    row = qs.order_by().aggregate(**aggregates)
    return {"total": row["total"], "overdue": row.get("overdue") or 0, "soon": row.get("soon") or 0}


def count_in_one_parent(qs, parent_field: str, overdue_q: Q | None = None) -> dict:
    """Like ``count_with_overdue``, plus ``only_parent``: the id of the one parent (meeting, project) all the rows
    belong to, or None when they spread over several (then the line links to the list, else to that parent)."""
    aggregates = {"total": Count("pk", distinct=True), "lo": Min(parent_field), "hi": Max(parent_field)}
    if overdue_q is not None:
        aggregates["overdue"] = Count("pk", filter=overdue_q, distinct=True)
    row = qs.order_by().aggregate(**aggregates)
    only = row["lo"] if row["lo"] is not None and row["lo"] == row["hi"] else None
    return {"total": row["total"], "overdue": row.get("overdue") or 0, "only_parent": only}
