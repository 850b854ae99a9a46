"""Readable names of audit event types, for the audit administrator (the code stays in the log)."""

from django.utils.translation import gettext_lazy as _

EVENT_LABELS = {
    "auth.login": _("Logged in"),
    "auth.logout": _("Logged out"),
    "auth.login_failed": _("Failed login"),
    "auth.otp_failed": _("Wrong second-factor code"),
    "auth.otp_enabled": _("Two-factor login turned on"),
    "account.create": _("Account created"),
    "account.enable": _("Account enabled"),
    "account.disable": _("Account disabled"),
    "account.password": _("Password changed"),
    "account.unlock": _("Account unlocked"),
    "role.grant": _("Role granted"),
    "role.revoke": _("Role revoked"),
    "token.create": _("API token created"),
    "token.revoke": _("API token revoked"),
    "policy.update": _("Security policy changed"),
    "org.create": _("Organization created"),
    "org.update": _("Organization changed"),
    "org.import": _("Organizations imported"),
    "org.export": _("Organizations exported"),
    "org.post.assign": _("Post assigned"),
    "org.post.end": _("Post ended"),
    "person.create": _("Person added"),
    "person.update": _("Person changed"),
    "person.transfer": _("Person transferred"),
    "person.status": _("Member status changed"),
    "person.import": _("People imported"),
    "person.export": _("People exported"),
    "person.view_numbers": _("Unmasked personal numbers viewed"),
    "import.rejected": _("Import rejected"),
    "dashboard.export": _("Basic data exported"),
    "calendar.day": _("Calendar date changed"),
    "calendar.year": _("Calendar year entered"),
    "system.backup": _("Database backed up"),
    "seed.load": _("Generated data loaded"),
    "audit.export": _("Audit log exported"),
}


def event_label(code: str) -> str:
    if code.startswith("denied:"):
        return str(_("Refused: %(permission)s") % {"permission": code.split(":", 1)[1]})
    return str(EVENT_LABELS.get(code, code))


def object_type_label(label_lower: str) -> str:
    from django.apps import apps

    try:
        return str(apps.get_model(label_lower)._meta.verbose_name)
    except (LookupError, ValueError):
        return label_lower


def details_text(details) -> str:
    if not details:
        return ""
    if isinstance(details, dict):
        return "; ".join(f"{k}: {v}" for k, v in details.items() if v not in (None, "", [], {}))
    return str(details)
