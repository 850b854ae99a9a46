"""Every write to accounts, roles, tokens and the security policy."""

from __future__ import annotations

import datetime as dt
import secrets

from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.accounts.choices import SEPARATED_ADMIN_ROLES, Role
from tupo.accounts.models import ApiToken, PasswordHistory, RoleGrant, SecurityPolicy, User, hash_token
from tupo.core import audit
from tupo.core.services import ConcurrentEditError, atomic_service, require_perm


class SeparationOfDutiesError(ValidationError):
    """The three separated administrators (三员) may not be combined in one account."""


@atomic_service
def create_user(actor, *, username: str, display_name: str = "", password: str | None = None,
                email: str = "", person=None, must_change_password: bool = True) -> User:
    require_perm(actor, "accounts.manage_users")
    if User.objects.filter(username=username).exists():
        raise ValidationError({"username": [_("This user name is taken.")]})
    user = User(username=username, display_name=display_name, email=email, person=person,
                must_change_password=must_change_password)
    if password:
        validate_password(password, user)
        user.set_password(password)
        user.password_changed_at = timezone.now()
    else:
        user.set_unusable_password()
    user.save()
    audit.record("account.create", actor=actor, obj=user)
    return user


@atomic_service
def set_active(actor, user: User, active: bool) -> User:
    require_perm(actor, "accounts.manage_users")
    if actor is not None and getattr(actor, "pk", None) == user.pk and not active:
        raise ValidationError(_("You cannot disable your own account."))
    user.is_active = active
    user.save(update_fields=["is_active"])
    audit.record("account.enable" if active else "account.disable", actor=actor, obj=user)
    return user


@atomic_service
def grant_role(actor, user: User, role: str, org=None) -> RoleGrant:
    """Grant a role at an organization (or, for the three administrators, system-wide).

    Refuses a second separated-administrator role on one account (三员分立), checked here with a
    readable message and again by a database constraint.
    """
    require_perm(actor, "accounts.manage_roles")
    if role in SEPARATED_ADMIN_ROLES:
        if org is not None:
            raise ValidationError(_("The three administrators are granted system-wide, not at an organization."))
        held = set(user.role_grants.filter(role__in=SEPARATED_ADMIN_ROLES).values_list("role", flat=True))
        if held - {role}:
            raise SeparationOfDutiesError(
                _("%(user)s already holds “%(held)s”: one account may not hold two of the system, security and audit administrator roles.")
                % {"user": user, "held": Role(next(iter(held))).label}
            )
    elif org is None:
        raise ValidationError(_("Choose the organization where this role applies."))
    try:
        with transaction.atomic():
            grant = RoleGrant.objects.create(user=user, role=role, org=org, granted_by=_real(actor))
    except IntegrityError:
        raise ValidationError(_("This role is already granted there.")) from None
    user.forget_grants()
    audit.record("role.grant", actor=actor, obj=user, details={"role": role, "org": org.pk if org else None})
    return grant


def _real(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


@atomic_service
def revoke_role(actor, grant: RoleGrant) -> None:
    require_perm(actor, "accounts.manage_roles")
    details = {"role": grant.role, "org": grant.org_id, "user": grant.user_id}
    user = grant.user
    grant.delete()
    user.forget_grants()
    audit.record("role.revoke", actor=actor, obj=user, details=details)


@atomic_service
def set_password(actor, user: User, new_password: str, *, old_password: str | None = None) -> User:
    """Change a password (the user's own, with the old one; or a reset by the system administrator)."""
    if actor is None or getattr(actor, "pk", None) != user.pk:
        require_perm(actor, "accounts.manage_users")
    elif old_password is None or not user.check_password(old_password):
        raise ValidationError({"old_password": [_("The current password is wrong.")]})
    validate_password(new_password, user)
    if user.password and user.has_usable_password():
        PasswordHistory.objects.create(user=user, password=user.password)
        keep = SecurityPolicy.current().history_count
        stale = list(user.password_history.values_list("id", flat=True)[keep:])
        if stale:
            PasswordHistory.objects.filter(id__in=stale).delete()
    user.set_password(new_password)
    user.password_changed_at = timezone.now()
    user.must_change_password = getattr(actor, "pk", None) != user.pk
    user.save()
    audit.record("account.password", actor=actor, obj=user,
                 details={"reset_by_admin": getattr(actor, "pk", None) != user.pk})
    return user


def password_expired(user: User, now: dt.datetime | None = None) -> bool:
    if user.must_change_password:
        return True
    if not user.password_changed_at:
        return False
    max_age = SecurityPolicy.current().max_age_days
    return (now or timezone.now()) - user.password_changed_at > dt.timedelta(days=max_age)


def requires_second_factor(user: User) -> bool:
    return bool(user.roles & SEPARATED_ADMIN_ROLES) or SecurityPolicy.current().require_2fa_for_all


def pending_totp_device(user: User):
    """The authenticator being set up for ``user`` (made on first use, not yet confirmed)."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    return device or TOTPDevice.objects.create(user=user, name="authenticator", confirmed=False)


@atomic_service
def confirm_totp(user: User, device, token: str) -> bool:
    """Turn two-factor login on with ``device`` if ``token`` is its current code; the previous authenticator
    stops working in the same transaction. False (nothing changed) for a wrong or expired code."""
    from django_otp.plugins.otp_totp.models import TOTPDevice

    if not device.verify_token(token):
        return False
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save(update_fields=["confirmed"])
    audit.record("auth.otp_enabled", actor=user, obj=user)
    return True


@atomic_service
def create_token(actor, user: User, *, name: str, days: int | None = 90) -> tuple[ApiToken, str]:
    """Create an API token; returns the row and the key, which is shown once and never stored."""
    if getattr(actor, "pk", None) != user.pk:
        require_perm(actor, "accounts.manage_users")
    key = "tupo_" + secrets.token_urlsafe(32)
    token = ApiToken.objects.create(
        user=user, name=name[:60] or "token", prefix=key[:12], key_hash=hash_token(key),
        expires_at=timezone.now() + dt.timedelta(days=days) if days else None,
    )
    audit.record("token.create", actor=actor, obj=user, details={"token": token.prefix, "name": token.name})
    return token, key


@atomic_service
def revoke_token(actor, token: ApiToken) -> None:
    if getattr(actor, "pk", None) != token.user_id:
        require_perm(actor, "accounts.manage_users")
    token.revoked_at = timezone.now()
    token.save(update_fields=["revoked_at"])
    audit.record("token.revoke", actor=actor, obj=token.user, details={"token": token.prefix})


def authenticate_token(key: str) -> User | None:
    if not key or not key.startswith("tupo_"):
        return None
    token = ApiToken.objects.usable().select_related("user").filter(key_hash=hash_token(key)).first()
    if token is None or not token.user.is_active:
        return None
    now = timezone.now()
    if token.last_used_at is None or now - token.last_used_at > dt.timedelta(minutes=5):
        ApiToken.objects.filter(pk=token.pk).update(last_used_at=now)
    return token.user


POLICY_FIELDS = ("min_length", "min_classes", "max_age_days", "history_count", "lockout_failures",
                 "lockout_minutes", "idle_minutes", "require_2fa_for_all")


@atomic_service
def update_policy(actor, data: dict, *, expected_version: int) -> SecurityPolicy:
    require_perm(actor, "accounts.manage_policy")
    policy = SecurityPolicy.current()
    if policy.pk and SecurityPolicy.objects.filter(pk=1).exists():
        policy = SecurityPolicy.objects.select_for_update().get(pk=1)
    if policy.version != expected_version:
        raise ConcurrentEditError(policy)
    if data.get("min_length", 8) < 8 or data.get("min_classes", 3) < 3:
        raise ValidationError(_("The baseline requires at least 8 characters and three character classes."))
    changes = {}
    for k in POLICY_FIELDS:
        if k in data and getattr(policy, k) != data[k]:
            changes[k] = [getattr(policy, k), data[k]]
            setattr(policy, k, data[k])
    policy.version += 1
    policy.save()
    audit.record("policy.update", actor=actor, obj=policy, details={"changes": changes})
    return policy


@atomic_service
def unlock(actor, username: str) -> int:
    require_perm(actor, "accounts.manage_policy")
    from axes.utils import reset

    n = reset(username=username)
    audit.record("account.unlock", actor=actor, object_type="accounts.user", object_repr=username, details={"attempts": n})
    return n
