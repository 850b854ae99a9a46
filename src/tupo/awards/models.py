"""The practice-innovation award (组织工作实践创新奖): cycles, nominations, presentation, notices, objections.

Grades, categories, criteria and materials of a cycle are data (JSON lists) entered by the administrator.
The first round by category is an expert review (``tupo.reviews``) linked through ``FirstRound``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tupo.awards.choices import (
    AttachmentKind,
    CycleStatus,
    NominationStatus,
    ObjectionChannel,
    ObjectionOutcome,
    ObjectionStatus,
)
from tupo.core.querysets import VisibleQuerySet
from tupo.orgs.models import Organization


class CycleQuerySet(VisibleQuerySet):
    visible_q = "tupo.awards.queries.visible_cycle_q"


class NominationQuerySet(VisibleQuerySet):
    visible_q = "tupo.awards.queries.visible_nomination_q"


class ObjectionQuerySet(VisibleQuerySet):
    visible_q = "tupo.awards.queries.visible_objection_q"


class AwardCycle(models.Model):
    """One award round, with its approval (commendations are regulated), scope, quotas and timeline."""

    name = models.CharField(_("name"), max_length=160)
    year = models.PositiveSmallIntegerField(_("year"))
    approval_ref = models.CharField(_("approval reference (批准文号)"), max_length=80)
    approving_body = models.CharField(_("approving body"), max_length=120)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="award_cycles",
                            verbose_name=_("scope (organizing organization)"))
    issuing_body = models.CharField(_("issuing body"), max_length=120, blank=True)
    categories = models.JSONField(_("categories"), default=list)
    grades = models.JSONField(_("grades and quotas"), default=list)  # [{"code", "name", "quota"}]
    criteria = models.JSONField(_("criteria with weights"), default=list)  # [{"name", "weight"}]
    apply_start = models.DateField(_("applications from"))
    apply_end = models.DateField(_("applications until"))
    notice_workdays = models.PositiveSmallIntegerField(_("notice period (working days)"), default=5)
    max_per_org = models.PositiveSmallIntegerField(_("most nominations per organization"), default=1)
    required_materials = models.TextField(_("required materials"), blank=True)
    # Optional online vote of the members in the first round: shown apart from the expert ranking, combined only
    # by the explicit formula expert score × (1 − w) + vote share × w (w = vote_weight / 100).
    vote_enabled = models.BooleanField(_("online vote"), default=False)
    vote_weight = models.PositiveSmallIntegerField(_("weight of the vote (%)"), default=0)
    vote_start = models.DateField(_("voting from"), null=True, blank=True)
    vote_end = models.DateField(_("voting until"), null=True, blank=True)
    vote_max_choices = models.PositiveSmallIntegerField(_("entries per ballot"), default=1)
    status = models.CharField(_("status"), max_length=16, choices=CycleStatus.choices, default=CycleStatus.DRAFT)
    version = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CycleQuerySet.as_manager()

    class Meta:
        verbose_name = _("award cycle")
        verbose_name_plural = _("award cycles")
        ordering = ["-year", "-id"]

    def __str__(self) -> str:
        return self.name

    def grade(self, code: str) -> dict | None:
        return next((g for g in self.grades if g.get("code") == code), None)

    def grade_name(self, code: str) -> str:
        g = self.grade(code)
        return g["name"] if g else ""


class FirstRound(models.Model):
    """The expert review (tupo.reviews) that runs the first round of one category."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="first_rounds")
    category = models.CharField(_("category"), max_length=60)
    review_round = models.OneToOneField("reviews.ReviewRound", on_delete=models.PROTECT, related_name="+")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["cycle", "category"], name="awards_one_round_per_category")]

    def __str__(self) -> str:
        return f"{self.cycle_id}: {self.category}"


class Nomination(models.Model):
    """An organization's entry, with the case text in the standard structure."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="nominations")
    category = models.CharField(_("category"), max_length=60)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="award_nominations",
                            verbose_name=_("nominating organization"))
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    title = models.CharField(_("title"), max_length=200)
    abstract = models.TextField(_("abstract"), blank=True)
    background = models.TextField(_("background and cause"), blank=True)
    practice = models.TextField(_("practice and process"), blank=True)
    results = models.TextField(_("results and response"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    appendix = models.TextField(_("appendix"), blank=True)
    status = models.CharField(_("status"), max_length=16, choices=NominationStatus.choices,
                              default=NominationStatus.DRAFT)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    grade = models.CharField(_("grade"), max_length=30, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    version = models.PositiveIntegerField(default=0)

    objects = NominationQuerySet.as_manager()

    class Meta:
        verbose_name = _("nomination")
        verbose_name_plural = _("nominations")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.title

    @property
    def grade_name(self) -> str:
        return self.cycle.grade_name(self.grade)


class Attachment(models.Model):
    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="attachments")
    kind = models.CharField(_("kind"), max_length=20, choices=AttachmentKind.choices)
    file = models.FileField(upload_to="awards/%Y/")
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    original_name = models.CharField(_("file name"), max_length=120)
    uploaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.original_name


class CycleEvent(models.Model):
    """History of a cycle and its nominations: who moved what from where to where, and why."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="events")
    nomination = models.ForeignKey(Nomination, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=30)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value}→{self.to_value}"


class PresentationSlot(models.Model):
    """One live presentation (现场陈述): a time, a nomination and the panel scoring it."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="slots")
    nomination = models.OneToOneField(Nomination, on_delete=models.CASCADE, related_name="slot")
    starts_at = models.DateTimeField(_("time"))
    panel = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="award_panel_slots",
                                   verbose_name=_("panel"))

    class Meta:
        ordering = ["starts_at", "id"]

    def __str__(self) -> str:
        return f"{self.nomination_id} @ {self.starts_at:%Y-%m-%d %H:%M}"


class PanelScore(models.Model):
    slot = models.ForeignKey(PresentationSlot, on_delete=models.CASCADE, related_name="scores")
    member = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(_("score"), max_digits=5, decimal_places=2)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [models.UniqueConstraint(fields=["slot", "member"], name="awards_one_score_per_member")]

    def __str__(self) -> str:
        return f"{self.slot_id}: {self.value}"


class SiteInspection(models.Model):
    """On-site verification of a shortlisted entry (实地考察)."""

    nomination = models.ForeignKey(Nomination, on_delete=models.CASCADE, related_name="inspections")
    date = models.DateField(_("date"))
    inspectors = models.CharField(_("inspectors"), max_length=200)
    findings = models.TextField(_("findings"))
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return f"{self.nomination_id} {self.date}"


class Notice(models.Model):
    """The public notice (公示). Published notices are never edited: a correction is a new published version."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="notices")
    version = models.PositiveSmallIntegerField(_("version"))
    title = models.CharField(_("title"), max_length=200)
    body = models.TextField(_("body"))
    issuing_body = models.CharField(_("issuing body"), max_length=120)
    issue_date = models.DateField(_("issue date"))
    period_start = models.DateField(_("notice period from"))
    period_end = models.DateField(_("notice period until"))
    objection_contact = models.TextField(_("how to object"), blank=True)
    entries = models.JSONField(default=list, editable=False)  # snapshot at publication: what the public sees
    correction_note = models.CharField(_("what this version corrects"), max_length=300, blank=True)
    published_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("public notice")
        verbose_name_plural = _("public notices")
        ordering = ["cycle", "version"]
        constraints = [models.UniqueConstraint(fields=["cycle", "version"], name="awards_notice_version")]

    def __str__(self) -> str:
        return self.title

    @property
    def is_published(self) -> bool:
        return self.published_at is not None


class Objection(models.Model):
    """An objection during the notice period (异议): real name and contact, channel, handling and reply."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.PROTECT, related_name="objections")
    notice = models.ForeignKey(Notice, on_delete=models.PROTECT, related_name="objections")
    nomination = models.ForeignKey(Nomination, null=True, blank=True, on_delete=models.PROTECT,
                                   related_name="objections", verbose_name=_("entry objected to"))
    channel = models.CharField(_("channel"), max_length=12, choices=ObjectionChannel.choices)
    name = models.CharField(_("real name"), max_length=60, blank=True)
    contact = models.CharField(_("contact"), max_length=120, blank=True)
    anonymous = models.BooleanField(_("anonymous"), default=False)
    content = models.TextField(_("content"))
    received_on = models.DateField(_("received on"))
    postmark_on = models.DateField(_("postmark date"), null=True, blank=True)
    late = models.BooleanField(_("late"), default=False)
    reply_due = models.DateField(_("reply due"), null=True, blank=True)
    handler = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                related_name="+", verbose_name=_("handler"))
    findings = models.TextField(_("findings"), blank=True)
    outcome = models.CharField(_("outcome"), max_length=10, choices=ObjectionOutcome.choices, blank=True, default="")
    status = models.CharField(_("status"), max_length=8, choices=ObjectionStatus.choices, default=ObjectionStatus.OPEN)
    reply_on = models.DateField(_("reply date"), null=True, blank=True)
    receipt = models.CharField(_("receipt number"), max_length=24, unique=True)
    source_ip = models.GenericIPAddressField(null=True, blank=True, editable=False)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    objects = ObjectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("objection")
        verbose_name_plural = _("objections")
        ordering = ["-id"]

    def __str__(self) -> str:
        return self.receipt


class Certificate(models.Model):
    nomination = models.OneToOneField(Nomination, on_delete=models.PROTECT, related_name="certificate")
    serial = models.CharField(_("serial number"), max_length=30, unique=True)
    code = models.CharField(_("verification code"), max_length=24, unique=True)
    issued_on = models.DateField(_("date"))
    issued_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.serial


class Ballot(models.Model):
    """One member's online vote in one category of the first round (网络投票). The unique constraint makes a
    second ballot of the same person in the same category impossible, whatever the client does."""

    cycle = models.ForeignKey(AwardCycle, on_delete=models.CASCADE, related_name="ballots")
    category = models.CharField(_("category"), max_length=60)
    voter = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    nominations = models.ManyToManyField(Nomination, related_name="ballots", verbose_name=_("entries chosen"))
    cast_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("ballot")
        verbose_name_plural = _("ballots")
        constraints = [models.UniqueConstraint(fields=["cycle", "category", "voter"],
                                               name="awards_one_ballot_per_voter_category")]

    def __str__(self) -> str:
        return f"{self.cycle_id}/{self.category}/{self.voter_id}"
