"""Cross-cutting models: the append-only audit log and the working-day calendar overrides."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tupo.core.choices import AuditResult


class AppendOnlyError(Exception):
    """Raised when code tries to change or delete an audit row."""


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):  # noqa: D401 - refusing is the point
        raise AppendOnlyError("audit events are append-only")

    def delete(self):
        raise AppendOnlyError("audit events are append-only")

    def search(self, *, q: str = "", event_type: str = "", result: str = "", user: str = "", since=None, until=None):
        qs = self
        if q:
            qs = qs.filter(
                models.Q(object_repr__icontains=q) | models.Q(object_id=q) | models.Q(event_type__icontains=q)
            )
        if event_type:
            qs = qs.filter(event_type=event_type)
        if result:
            qs = qs.filter(result=result)
        if user:
            qs = qs.filter(actor_username__icontains=user)
        if since:
            qs = qs.filter(created_at__gte=since)
        if until:
            qs = qs.filter(created_at__lt=until)
        return qs


class AuditEvent(models.Model):
    """One thing that happened: a login, a failure, a write. Never changed, never deleted.

    Each row stores the hash of the previous row, so removing or editing any row breaks the chain
    (``tupo audit verify`` names the first broken link). Database triggers refuse UPDATE and DELETE too.
    """

    created_at = models.DateTimeField(_("time"), db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.DO_NOTHING, db_constraint=False,
        related_name="+", verbose_name=_("user"),
    )
    actor_username = models.CharField(_("user name"), max_length=150, blank=True)
    source_ip = models.GenericIPAddressField(_("source address"), null=True, blank=True)
    event_type = models.CharField(_("event type"), max_length=64, db_index=True)
    object_type = models.CharField(_("object type"), max_length=64, blank=True)
    object_id = models.CharField(_("object id"), max_length=64, blank=True)
    object_repr = models.CharField(_("object"), max_length=200, blank=True)
    result = models.CharField(_("result"), max_length=16, choices=AuditResult.choices, default=AuditResult.SUCCESS)
    details = models.JSONField(_("details"), default=dict, blank=True)
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64, unique=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        ordering = ["-id"]
        verbose_name = _("audit event")
        verbose_name_plural = _("audit events")
        indexes = [models.Index(fields=["object_type", "object_id"])]

    def __str__(self) -> str:
        return f"{self.created_at:%Y-%m-%d %H:%M:%S} {self.actor_username} {self.event_type} {self.result}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            raise AppendOnlyError("audit events are append-only")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise AppendOnlyError("audit events are append-only")


class AuditChainHead(models.Model):
    """A single row holding the last hash: locking it serializes appends so the chain never forks."""

    last_hash = models.CharField(max_length=64)
    last_event_id = models.BigIntegerField(default=0)

    def __str__(self) -> str:
        return f"audit head at event {self.last_event_id}"


class WorkCalendarYear(models.Model):
    """A year whose holiday schedule (State Council notice) an administrator has entered.

    Years not covered by the chinesecalendar package are unknown until a row exists here:
    working-day arithmetic into an unknown year raises instead of guessing.
    """

    year = models.PositiveIntegerField(_("year"), unique=True)
    source = models.CharField(_("source document"), max_length=200, blank=True)
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    entered_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["year"]
        verbose_name = _("calendar year")

    def __str__(self) -> str:
        return str(self.year)


class WorkCalendarDay(models.Model):
    """An override of one date: a holiday, or a weekend made into a working day (调休)."""

    date = models.DateField(_("date"), unique=True)
    is_workday = models.BooleanField(_("working day"))
    name = models.CharField(_("name"), max_length=60, blank=True)

    class Meta:
        ordering = ["date"]
        verbose_name = _("calendar override")

    def __str__(self) -> str:
        return f"{self.date} {'workday' if self.is_workday else 'holiday'} {self.name}"


class Notification(models.Model):
    """A message for one user in the platform (the bell in the top bar); e-mail goes out beside it."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("message"), blank=True)
    url = models.CharField(_("link"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("time"), auto_now_add=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notification_unread_idx")]
        verbose_name = _("notification")

    def __str__(self) -> str:
        return f"{self.user_id}: {self.title}"
