"""Accounts: the user, the roles granted at organization nodes, API tokens, and the security policy."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import SEPARATED_ADMIN_ROLES, Role


class User(AbstractUser):
    """A person who logs in. Linked to a Person record (orgs) when they are a member or cadre."""

    display_name = models.CharField(_("display name"), max_length=60, blank=True)
    person = models.OneToOneField(
        "orgs.Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="user",
        verbose_name=_("person record"),
    )
    password_changed_at = models.DateTimeField(_("password changed at"), null=True, blank=True)
    must_change_password = models.BooleanField(_("must change password"), default=False)

    class Meta:
        verbose_name = _("user")
        verbose_name_plural = _("users")

    def __str__(self) -> str:
        return self.display_name or self.username

    @property
    def grants(self) -> list[RoleGrant]:
        """Active role grants with their organizations, loaded once per user object."""
        if not hasattr(self, "_grants_cache"):
            self._grants_cache = list(self.role_grants.select_related("org").order_by("id"))
        return self._grants_cache

    def has_perm(self, perm, obj=None) -> bool:
        """Permissions come from role grants only: ``is_superuser`` grants nothing in Tupo.

        A superuser flag would let one account act as all three separated administrators at once.
        """
        if not self.is_active:
            return False
        from django.contrib.auth.models import _user_has_perm

        return _user_has_perm(self, perm, obj)

    def forget_grants(self) -> None:
        self.__dict__.pop("_grants_cache", None)

    @property
    def roles(self) -> set[str]:
        return {g.role for g in self.grants}

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    @property
    def separated_admin_role(self) -> str | None:
        found = self.roles & SEPARATED_ADMIN_ROLES
        return next(iter(found)) if found else None


class RoleGrant(models.Model):
    """A role held by a user at an organization node; covers that node's whole subtree.

    The three separated administrators are granted without an organization (they act on the system).
    """

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="role_grants", verbose_name=_("user"))
    role = models.CharField(_("role"), max_length=32, choices=Role.choices)
    org = models.ForeignKey(
        "orgs.Organization", null=True, blank=True, on_delete=models.PROTECT, related_name="role_grants",
        verbose_name=_("organization"),
    )
    granted_by = models.ForeignKey(
        User, null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("granted by")
    )
    granted_at = models.DateTimeField(_("granted at"), default=timezone.now)

    class Meta:
        verbose_name = _("role grant")
        constraints = [
            models.UniqueConstraint(fields=["user", "role", "org"], name="unique_role_grant"),
            # 三员分立: one account, at most one of the three separated administrator roles.
            models.UniqueConstraint(
                fields=["user"], condition=Q(role__in=sorted(SEPARATED_ADMIN_ROLES)), name="one_separated_admin_role"
            ),
            models.CheckConstraint(
                condition=Q(role__in=sorted(SEPARATED_ADMIN_ROLES), org__isnull=True)
                | (~Q(role__in=sorted(SEPARATED_ADMIN_ROLES)) & Q(org__isnull=False)),
                name="org_required_for_business_roles",
            ),
        ]

    def __str__(self) -> str:
        where = f" @ {self.org}" if self.org_id else ""
        return f"{self.user} · {self.get_role_display()}{where}"


class PasswordHistory(models.Model):
    """Hashes of a user's previous passwords, so the last N are not reused."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="password_history")
    password = models.CharField(max_length=128)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"password of {self.user_id} set {self.created_at:%Y-%m-%d}"


def hash_token(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


class ApiTokenQuerySet(models.QuerySet):
    def usable(self):
        now = timezone.now()
        return self.filter(revoked_at__isnull=True).filter(Q(expires_at__isnull=True) | Q(expires_at__gt=now))


class ApiToken(models.Model):
    """A bearer token for the JSON API. Only a hash is stored; the key is shown once."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens", verbose_name=_("user"))
    name = models.CharField(_("name"), max_length=60)
    prefix = models.CharField(_("prefix"), max_length=12)
    key_hash = models.CharField(max_length=64, unique=True)
    created_at = models.DateTimeField(_("created at"), default=timezone.now)
    expires_at = models.DateTimeField(_("expires at"), null=True, blank=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    objects = ApiTokenQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("API token")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class SecurityPolicy(models.Model):
    """The live security policy (one row), edited by the security administrator."""

    min_length = models.PositiveSmallIntegerField(_("minimum password length"), default=8)
    min_classes = models.PositiveSmallIntegerField(_("character classes required"), default=3)
    max_age_days = models.PositiveSmallIntegerField(_("password maximum age (days)"), default=90)
    history_count = models.PositiveSmallIntegerField(_("previous passwords not reusable"), default=5)
    lockout_failures = models.PositiveSmallIntegerField(_("failed logins before lockout"), default=5)
    lockout_minutes = models.PositiveSmallIntegerField(_("lockout duration (minutes)"), default=15)
    idle_minutes = models.PositiveSmallIntegerField(_("idle logout (minutes)"), default=30)
    require_2fa_for_all = models.BooleanField(_("require two-factor login for every account"), default=False)
    version = models.PositiveIntegerField(default=1)

    class Meta:
        verbose_name = _("security policy")

    def __str__(self) -> str:
        return "security policy"

    @classmethod
    def current(cls) -> SecurityPolicy:
        policy = cls.objects.filter(pk=1).first()
        if policy is None:
            policy = cls(
                pk=1,
                max_age_days=settings.TUPO_PASSWORD_MAX_AGE_DAYS,
                idle_minutes=settings.TUPO_IDLE_TIMEOUT_MINUTES,
                lockout_failures=settings.TUPO_LOCKOUT_FAILURES,
                lockout_minutes=settings.TUPO_LOCKOUT_MINUTES,
            )
        return policy
