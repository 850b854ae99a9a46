"""Helpers every app's services use: permission checks that are audited, and concurrency errors."""

from __future__ import annotations

import functools

from django.core.exceptions import PermissionDenied
from django.db import transaction
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


class AuditedPermissionDenied(PermissionDenied):
    """A refusal whose audit event is written once the refused transaction has rolled back."""

    def __init__(self, message, audit_kwargs):
        super().__init__(message)
        self.audit_kwargs = audit_kwargs
        self.audited = False

    def record(self) -> None:
        if self.audited or _in_real_transaction():
            return
        from tupo.core import audit

        audit.record(**self.audit_kwargs)
        self.audited = True


def _in_real_transaction() -> bool:
    """In a transaction other than the one a test case wraps around every test."""
    connection = transaction.get_connection()
    return any(not getattr(block, "_from_testcase", False) for block in connection.atomic_blocks)


def require_perm(actor, perm: str, obj=None) -> None:
    """Raise PermissionDenied (→ 403) unless ``actor`` has ``perm``; every refusal is audited."""
    if actor is not None and actor.has_perm(perm, obj):
        return
    exc = AuditedPermissionDenied(
        _("You may view this but not change it."),
        {"event_type": f"denied:{perm}", "actor": actor, "obj": obj, "result": AuditResult.DENIED,
         "details": {"permission": perm}},
    )
    exc.record()  # outside a transaction: now; inside one: by atomic_service after the rollback
    raise exc


def atomic_service(func):
    """``transaction.atomic`` for a service, plus the audit of a refusal after the rollback."""

    @functools.wraps(func)
    def wrapper(*args, **kwargs):
        try:
            with transaction.atomic():
                return func(*args, **kwargs)
        except AuditedPermissionDenied as exc:
            exc.record()
            raise

    return wrapper


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


def create_backup(actor, target_dir=None):
    """Back up the database (system administrator, or the command line)."""
    from tupo.core import audit
    from tupo.core.backup import make_backup

    require_perm(actor, "core.manage_backups")
    path = make_backup(target_dir)
    audit.record("system.backup", actor=actor, object_repr=path.name, details={"bytes": path.stat().st_size})
    return path
