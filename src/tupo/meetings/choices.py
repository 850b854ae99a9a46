from django.db import models
from django.utils.translation import gettext_lazy as _


class MeetingKind(models.TextChoices):
    ONSITE = "onsite", _("On-site meeting")
    EXCHANGE = "exchange", _("Experience exchange")
    SEMINAR = "seminar", _("Theory seminar")


class SignInMethod(models.TextChoices):
    QR = "qr", _("QR code")
    MANUAL = "manual", _("Manual, by staff")


class ActionStatus(models.TextChoices):
    OPEN = "open", _("Open")
    DONE = "done", _("Done")


ACTION_TRANSITIONS = {ActionStatus.OPEN: {ActionStatus.DONE}, ActionStatus.DONE: {ActionStatus.OPEN}}
