"""The organization tree, its people, their posts and history, and rolled-up basic-data statistics."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy

from tupo.core.querysets import VisibleQuerySet
from tupo.orgs import tree
from tupo.orgs.choices import (
    Education,
    HostRelation,
    MemberStatus,
    Occupation,
    OrgCategory,
    OrgType,
    PersonEventKind,
    Post,
    Sex,
)


class OrganizationQuerySet(VisibleQuerySet):
    visible_q = "tupo.orgs.queries.visible_org_q"

    def subtree(self, org_or_path) -> OrganizationQuerySet:
        path = org_or_path if isinstance(org_or_path, str) else org_or_path.path
        return self.filter(tree.subtree_q(path))


class Organization(models.Model):
    """A Party organization: a committee, general branch or branch, one node of the tree."""

    name = models.CharField(_("name"), max_length=120)
    code = models.CharField(_("organization code"), max_length=32, unique=True)
    parent = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.PROTECT, related_name="children", verbose_name=_("parent")
    )
    path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(default=1, editable=False)
    org_type = models.CharField(_("organization type"), max_length=32, choices=OrgType.choices)
    org_category = models.CharField(_("organization category"), max_length=32, choices=OrgCategory.choices)
    host_unit = models.CharField(_("host unit"), max_length=120, blank=True)
    host_relation = models.CharField(
        _("host unit relation"), max_length=32, choices=HostRelation.choices, default=HostRelation.LEGAL_ENTITY
    )
    division_code = models.CharField(_("division code"), max_length=12, blank=True, db_index=True)
    secretary = models.ForeignKey(
        "Person", null=True, blank=True, on_delete=models.SET_NULL, related_name="+", verbose_name=_("secretary")
    )
    established_on = models.DateField(_("established on"), null=True, blank=True)
    term_start = models.DateField(_("term start"), null=True, blank=True)
    term_end = models.DateField(_("term end"), null=True, blank=True, db_index=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    updated_at = models.DateTimeField(auto_now=True)

    objects = OrganizationQuerySet.as_manager()

    class Meta:
        ordering = ["path"]
        verbose_name = _("organization")
        verbose_name_plural = _("organizations")
        indexes = [
            # Name prefix search (the meeting invitee picker): a byte-wise range on SQLite, LIKE 'x%' on PostgreSQL.
            models.Index(fields=["name"], name="org_name_prefix_idx", opclasses=["varchar_pattern_ops"]),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def ancestor_ids(self) -> list[int]:
        return tree.ancestor_ids(self.path)

    def term_warning(self, today: dt.date | None = None) -> str | None:
        """'expired' or 'soon' (within the configured months before the term ends), else None."""
        if not self.term_end:
            return None
        today = today or timezone.localdate()
        if self.term_end < today:
            return "expired"
        months = settings.TUPO_TERM_WARNING_MONTHS
        if self.term_end <= add_months(today, months):
            return "soon"
        return None


def add_months(day: dt.date, months: int) -> dt.date:
    month0 = day.month - 1 + months
    year, month = day.year + month0 // 12, month0 % 12 + 1
    import calendar

    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


class PersonQuerySet(VisibleQuerySet):
    visible_q = "tupo.orgs.queries.visible_person_q"

    def in_subtree(self, org_or_path) -> PersonQuerySet:
        path = org_or_path if isinstance(org_or_path, str) else org_or_path.path
        return self.filter(tree.subtree_q(path, "org_path"))


class Person(models.Model):
    """A member or cadre on the register of one organization.

    ``org_path`` repeats the organization's path so subtree lists are one range scan of one index
    (ordered by organization, then id) even with millions of people; services keep it in step.
    """

    name = models.CharField(pgettext_lazy("person", "name"), max_length=60)
    sex = models.CharField(_("sex"), max_length=8, choices=Sex.choices)
    ethnicity = models.CharField(_("ethnicity"), max_length=20, default="汉族")
    birth_date = models.DateField(_("birth date"))
    native_place = models.CharField(_("native place"), max_length=60, blank=True)
    id_number = models.CharField(_("ID number"), max_length=18, unique=True)
    education = models.CharField(_("education"), max_length=20, choices=Education.choices, blank=True)
    occupation = models.CharField(_("occupation"), max_length=24, choices=Occupation.choices, blank=True)
    position = models.CharField(_("job title"), max_length=60, blank=True)
    is_cadre = models.BooleanField(_("cadre"), default=False)
    joined_on = models.DateField(_("joined the Party on"), null=True, blank=True)
    full_member_on = models.DateField(_("full membership on"), null=True, blank=True)
    phone = models.CharField(_("phone"), max_length=20, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=MemberStatus.choices, default=MemberStatus.FULL)
    org = models.ForeignKey(
        Organization, on_delete=models.PROTECT, related_name="people", verbose_name=_("organization")
    )
    org_path = models.CharField(max_length=255, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = PersonQuerySet.as_manager()

    class Meta:
        ordering = ["org_path", "id"]
        verbose_name = _("person")
        verbose_name_plural = _("people")
        indexes = [
            models.Index(fields=["org_path", "id"], name="person_subtree_idx"),
            # PostgreSQL serves LIKE 'prefix%' only from a pattern-ops index; SQLite ignores opclasses.
            models.Index(fields=["org_path"], name="person_path_like_idx", opclasses=["varchar_pattern_ops"]),
            models.Index(fields=["org", "status"], name="person_org_status_idx"),
            models.Index(fields=["name"], name="person_name_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def age(self, on: dt.date | None = None) -> int:
        on = on or timezone.localdate()
        return on.year - self.birth_date.year - ((on.month, on.day) < (self.birth_date.month, self.birth_date.day))


class PersonEvent(models.Model):
    """History of a person's record: creation, transfers, status changes, posts (who, when, from, to, why)."""

    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=16, choices=PersonEventKind.choices)
    from_value = models.CharField(max_length=160, blank=True)
    to_value = models.CharField(max_length=160, blank=True)
    from_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    to_org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.person_id} {self.kind} {self.from_value}→{self.to_value}"


class LeadershipPost(models.Model):
    """A seat in an organization's leadership team (领导班子) held by a person for a period."""

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="posts")
    person = models.ForeignKey(Person, on_delete=models.CASCADE, related_name="posts")
    post = models.CharField(_("post"), max_length=32, choices=Post.choices)
    started_on = models.DateField(_("started on"), default=timezone.localdate)
    ended_on = models.DateField(_("ended on"), null=True, blank=True)

    class Meta:
        ordering = ["org", "post", "started_on"]
        constraints = [
            models.UniqueConstraint(
                fields=["org"], condition=models.Q(post="secretary", ended_on__isnull=True), name="one_active_secretary"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.org} {self.get_post_display()} {self.person}"


class OrgStat(models.Model):
    """Rolled-up counts for one organization's whole subtree, one row per (dimension, key).

    Kept exact by the services that change people or organizations (same transaction, deltas applied
    to the node and every ancestor), and rebuildable from scratch by ``tupo stats rebuild``; a test
    checks that incremental and rebuilt figures agree.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="stats")
    dimension = models.CharField(max_length=24)
    key = models.CharField(max_length=40)
    count = models.IntegerField(default=0)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "dimension", "key"], name="unique_org_stat")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.dimension}={self.key}: {self.count}"
