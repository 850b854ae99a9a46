"""Password rules of the security baseline: character classes and no reuse of recent passwords."""

from __future__ import annotations

import re

from django.contrib.auth.hashers import check_password
from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

CLASSES = [re.compile(r"[a-z]"), re.compile(r"[A-Z]"), re.compile(r"\d"), re.compile(r"[^A-Za-z0-9]")]


def _policy():
    from tupo.accounts.models import SecurityPolicy

    return SecurityPolicy.current()


class CharacterClassValidator:
    """At least N of: lower-case letters, upper-case letters, digits, symbols; and the policy's length."""

    def __init__(self, min_classes: int = 3):
        self.default = min_classes

    def validate(self, password, user=None):
        policy = _policy()
        if len(password) < policy.min_length:
            raise ValidationError(
                ngettext("The password must have at least %(n)d character.",
                         "The password must have at least %(n)d characters.", policy.min_length) % {"n": policy.min_length},
                code="password_too_short",
            )
        found = sum(1 for c in CLASSES if c.search(password))
        if found < policy.min_classes:
            raise ValidationError(
                _("The password must mix at least %(n)d of: lower-case letters, upper-case letters, digits, symbols.")
                % {"n": policy.min_classes},
                code="password_classes",
            )

    def get_help_text(self):
        return _("At least 8 characters mixing three of: lower-case, upper-case, digits, symbols.")


class PasswordHistoryValidator:
    """The new password must differ from the last N (policy) passwords."""

    def __init__(self, remember: int = 5):
        self.default = remember

    def validate(self, password, user=None):
        if user is None or not getattr(user, "pk", None):
            return
        n = _policy().history_count
        recent = [user.password] if user.password else []
        recent += list(user.password_history.values_list("password", flat=True)[: max(n - 1, 0)])
        for encoded in recent[:n]:
            if encoded and check_password(password, encoded):
                raise ValidationError(
                    _("The password must differ from your last %(n)d passwords.") % {"n": n}, code="password_reused"
                )

    def get_help_text(self):
        return _("It must differ from your last five passwords.")
