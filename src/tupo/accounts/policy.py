"""Live security-policy values for django-axes and the session (edited by the security administrator)."""

import datetime as dt

from tupo.accounts.models import SecurityPolicy


def failure_limit(request, credentials) -> int:
    return SecurityPolicy.current().lockout_failures


def cool_off(request=None) -> dt.timedelta:
    return dt.timedelta(minutes=SecurityPolicy.current().lockout_minutes)
