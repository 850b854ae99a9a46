"""Helpers every app's services use: permission checks that are audited, and concurrency errors."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.utils.translation import gettext as _

from tupo.core.choices import AuditResult


class ConcurrentEditError(Exception):
    """Somebody else saved this record after the form was opened: nothing was overwritten."""

    def __init__(self, obj=None):
        self.obj = obj
        super().__init__(
            _("Someone else changed this record after you opened it. Nothing was saved: reload to see their change.")
        )


class InvalidTransition(Exception):
    """A state change the transition table does not allow."""


def require_perm(actor, perm: str, obj=None) -> None:
    """Raise PermissionDenied (→ 403) unless ``actor`` has ``perm``; a refusal is audited."""
    if actor is not None and actor.has_perm(perm, obj):
        return
    from tupo.core import audit

    audit.record(
        f"denied:{perm}", actor=actor, obj=obj, result=AuditResult.DENIED, details={"permission": perm}
    )
    raise PermissionDenied(_("You may view this but not change it."))


class SystemActor:
    """The actor of command-line work (seed, scheduled jobs): allowed everything, audited as 'system'."""

    is_authenticated = False
    is_active = True
    pk = None
    username = "system"
    person_id = None
    roles: set = set()
    grants: list = []

    def get_username(self) -> str:
        return self.username

    def has_perm(self, perm, obj=None) -> bool:
        return True

    def __str__(self) -> str:
        return "system"


SYSTEM = SystemActor()


def save_calendar_day(actor, data: dict):
    """Add or change one date's override (holiday or make-up working day). System administrator only."""
    from django.db import transaction

    from tupo.core import audit
    from tupo.core.models import WorkCalendarDay

    require_perm(actor, "core.manage_calendar")
    with transaction.atomic():
        day, _created = WorkCalendarDay.objects.update_or_create(
            date=data["date"], defaults={"is_workday": data["is_workday"], "name": data.get("name", "")}
        )
        audit.record("calendar.day", actor=actor, obj=day, details={"date": str(day.date), "is_workday": day.is_workday})
    return day


def enter_calendar_year(actor, data: dict):
    from django.db import transaction

    from tupo.core import audit
    from tupo.core.models import WorkCalendarYear

    require_perm(actor, "core.manage_calendar")
    with transaction.atomic():
        year, _created = WorkCalendarYear.objects.update_or_create(
            year=data["year"], defaults={"source": data.get("source", ""), "entered_by": actor}
        )
        audit.record("calendar.year", actor=actor, obj=year, details={"year": year.year})
    return year
