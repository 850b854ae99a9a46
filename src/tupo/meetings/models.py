"""Meetings that promote experience (现场会, 经验交流会, 理论研讨会): attendance and follow-up actions."""

from __future__ import annotations

import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.meetings.choices import ActionStatus, MeetingKind, SignInMethod
from tupo.orgs.models import Organization, Person


def _token() -> str:
    return secrets.token_urlsafe(16)


class MeetingQuerySet(models.QuerySet):
    def visible_to(self, user) -> MeetingQuerySet:
        from tupo.meetings.queries import visible_meeting_q

        return self.filter(visible_meeting_q(user)).distinct()


class Meeting(models.Model):
    """A promotion meeting: on-site meeting (现场会), experience exchange (经验交流会) or theory seminar (理论研讨会)."""

    kind = models.CharField(_("kind"), max_length=16, choices=MeetingKind.choices)
    title = models.CharField(_("title"), max_length=200)
    starts_at = models.DateTimeField(_("starts at"))
    ends_at = models.DateTimeField(_("ends at"), null=True, blank=True)
    place = models.CharField(_("place"), max_length=200)
    host_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="hosted_meetings",
                                 verbose_name=_("host organization"))
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    agenda = models.TextField(_("agenda"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    cases = models.ManyToManyField("cases.Case", blank=True, related_name="meetings", verbose_name=_("cases presented"))
    invited_orgs = models.ManyToManyField(Organization, blank=True, related_name="meeting_invitations",
                                          verbose_name=_("invited organizations"))
    invited_people = models.ManyToManyField(Person, blank=True, related_name="meeting_invitations",
                                            verbose_name=_("invited people"))
    sign_in_token = models.CharField(max_length=40, default=_token, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = MeetingQuerySet.as_manager()

    class Meta:
        ordering = ["-starts_at", "-id"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("meetings:detail", args=[self.pk])

    def search_document(self) -> dict:
        return {"title": self.title, "body": f"{self.place}\n{self.agenda}\n{self.minutes}", "org_path": self.org_path,
                "is_public": False, "owner_id": self.created_by_id, "year": self.starts_at.year, "field": "",
                "url": self.get_absolute_url()}


class MeetingFile(models.Model):
    """A meeting material (speech, slides, photos): checked from its content, stored under a random name."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="materials")
    file = models.FileField(upload_to="meetings/")
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["uploaded_at", "id"]

    def __str__(self) -> str:
        return self.original_name


class Attendance(models.Model):
    """One person (or named guest) signed in to a meeting, by QR code or by staff; at most once."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    name = models.CharField(_("name"), max_length=60)
    org_name = models.CharField(_("organization"), max_length=120, blank=True)
    method = models.CharField(_("method"), max_length=8, choices=SignInMethod.choices)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    signed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["signed_at", "id"]
        constraints = [
            models.UniqueConstraint(fields=["meeting", "person"], name="attendance_once_per_person",
                                    condition=models.Q(person__isnull=False)),
            models.UniqueConstraint(fields=["meeting", "name"], name="attendance_once_per_name",
                                    condition=models.Q(person__isnull=True)),
        ]

    def __str__(self) -> str:
        return self.name


class FollowUpAction(models.Model):
    """Something the meeting decided to do, with an owner inside the host's scope and a deadline."""

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="actions")
    title = models.CharField(_("action"), max_length=200)
    owner = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="+", verbose_name=_("owner"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=8, choices=ActionStatus.choices, default=ActionStatus.OPEN)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["deadline", "id"]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        return self.status == ActionStatus.OPEN and self.deadline < (today or timezone.localdate())


class FollowUpEvent(models.Model):
    """History of a follow-up action: who moved it from which status to which, when and why."""

    action = models.ForeignKey(FollowUpAction, on_delete=models.CASCADE, related_name="events")
    from_status = models.CharField(max_length=8, blank=True)
    to_status = models.CharField(max_length=8)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    note = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"
