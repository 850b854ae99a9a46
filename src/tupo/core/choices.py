from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditResult(models.TextChoices):
    SUCCESS = "success", _("Success")
    FAILURE = "failure", _("Failure")
    DENIED = "denied", _("Denied")


AUDIT_RESULT_COLOURS = {
    AuditResult.SUCCESS: "success",
    AuditResult.FAILURE: "warning",
    AuditResult.DENIED: "danger",
}
