"""Login, logout and failed logins go to the audit log."""

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from tupo.core import audit
from tupo.core.choices import AuditResult
from tupo.core.middleware import client_ip


@receiver(user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit.record("auth.login", actor=user, obj=user, source_ip=client_ip(request) if request else None)


@receiver(user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit.record("auth.logout", actor=user, obj=user, source_ip=client_ip(request) if request else None)


@receiver(user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    from tupo.accounts.models import User

    username = (credentials or {}).get("username", "")[:150]
    actor = User.objects.filter(username=username).first()
    audit.record(
        "auth.login_failed", actor=actor, object_type="accounts.user", object_repr=username,
        result=AuditResult.FAILURE, source_ip=client_ip(request) if request else None,
        details={"username": username},
    )
