"""Case library (典型案例/案例库), Party-building brands (党建品牌) and adoption of cases by other organizations."""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxLengthValidator, MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from tupo.cases.choices import (
    PUBLIC_BRAND_STATUSES,
    PUBLIC_CASE_STATUSES,
    BrandStatus,
    CaseField,
    CaseLevel,
    CaseStatus,
    FileKind,
    SourceType,
)
from tupo.core.querysets import VisibleQuerySet
from tupo.orgs.models import Organization

ABSTRACT_MAX = 1500


class CaseQuerySet(VisibleQuerySet):
    visible_q = "tupo.cases.queries.visible_case_q"


class Case(models.Model):
    """A documented practice case: background, practice, results, discussion, appendix (rich text, sanitized)."""

    title = models.CharField(_("title"), max_length=200)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="cases", verbose_name=_("organization"))
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    level = models.CharField(_("level"), max_length=16, choices=CaseLevel.choices, default=CaseLevel.COUNTY)
    field = models.CharField(_("field"), max_length=32, choices=CaseField.choices, default=CaseField.PARTY_BUILDING)
    tags = models.CharField(_("tags"), max_length=200, blank=True, help_text=_("Separated by commas."))
    year = models.PositiveSmallIntegerField(_("year"))
    abstract = models.TextField(_("abstract"), validators=[MaxLengthValidator(ABSTRACT_MAX)])
    background = models.TextField(_("background and cause"), blank=True)
    practice = models.TextField(_("practice and process"), blank=True)
    results = models.TextField(_("results and response"), blank=True)
    discussion = models.TextField(_("discussion"), blank=True)
    appendix = models.TextField(_("appendix"), blank=True)
    authors = models.CharField(_("authors"), max_length=200, blank=True)
    source_type = models.CharField(_("source type"), max_length=16, choices=SourceType.choices, blank=True, default="")
    source_id = models.PositiveBigIntegerField(_("source id"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=16, choices=CaseStatus.choices, default=CaseStatus.DRAFT)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)
    published_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)

    objects = CaseQuerySet.as_manager()

    RICH_FIELDS = ("background", "practice", "results", "discussion", "appendix")

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("case")
        verbose_name_plural = _("cases")
        indexes = [
            models.Index(fields=["status", "org_path"], name="case_status_path_idx"),
            models.Index(fields=["source_type", "source_id"], name="case_source_idx"),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("cases:detail", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_CASE_STATUSES

    @property
    def tag_list(self) -> list[str]:
        return [t.strip() for t in self.tags.replace("，", ",").split(",") if t.strip()]

    def plain_text(self) -> str:
        from tupo.cases.sanitize import plain_text

        parts = [self.abstract] + [plain_text(getattr(self, f)) for f in self.RICH_FIELDS] + [self.tags]
        return "\n".join(p for p in parts if p)

    def search_document(self) -> dict:
        return {
            "title": self.title, "body": self.plain_text(), "org_path": self.org_path, "is_public": self.is_public,
            "owner_id": self.created_by_id, "year": self.year, "field": self.field, "url": self.get_absolute_url(),
        }


class CaseMetric(models.Model):
    """A before/after figure with its unit (e.g. 矛盾纠纷调处率 62 % → 95 %)."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(_("indicator"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    before = models.DecimalField(_("before"), max_digits=14, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("after"), max_digits=14, decimal_places=2, null=True, blank=True)
    note = models.CharField(_("note"), max_length=200, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name


def _upload_to(instance, filename):
    return f"cases/{filename}"


class CaseFile(models.Model):
    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="files")
    kind = models.CharField(_("kind"), max_length=12, choices=FileKind.choices)
    file = models.FileField(upload_to=_upload_to)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["kind", "id"]

    def __str__(self) -> str:
        return self.original_name


class CaseTransition(models.Model):
    """History of the workflow: who moved the case from which status to which, when and why."""

    case = models.ForeignKey(Case, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    to_status = models.CharField(max_length=16, choices=CaseStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class BrandQuerySet(VisibleQuerySet):
    visible_q = "tupo.cases.queries.visible_brand_q"


class Brand(models.Model):
    """A Party-building brand with its "五有": name, logo, meaning, vehicle (载体), impact; plus its work method."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="brands", verbose_name=_("organization"))
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    name = models.CharField(_("brand name"), max_length=100)
    level = models.CharField(_("level"), max_length=16, choices=CaseLevel.choices, default=CaseLevel.COUNTY)
    logo = models.FileField(_("logo"), upload_to="brands/", blank=True)
    logo_type = models.CharField(max_length=40, blank=True)
    meaning = models.TextField(_("meaning"))
    vehicle = models.TextField(_("vehicle (载体)"))
    impact = models.TextField(_("impact evidence"), blank=True)
    work_method = models.TextField(_("work method (工作法)"), blank=True)
    field = models.CharField(_("field"), max_length=32, choices=CaseField.choices, default=CaseField.PARTY_BUILDING)
    year = models.PositiveSmallIntegerField(_("year"))
    cases = models.ManyToManyField(Case, blank=True, related_name="brands", verbose_name=_("linked cases"))
    status = models.CharField(_("status"), max_length=16, choices=BrandStatus.choices, default=BrandStatus.APPLIED)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BrandQuerySet.as_manager()

    class Meta:
        ordering = ["-year", "-id"]
        verbose_name = _("Party-building brand")
        verbose_name_plural = _("Party-building brands")

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("cases:brand", args=[self.pk])

    @property
    def is_public(self) -> bool:
        return self.status in PUBLIC_BRAND_STATUSES

    def dedup_text(self) -> str:
        return f"{self.name} {self.meaning} {self.work_method}"

    def search_document(self) -> dict:
        body = "\n".join(x for x in (self.meaning, self.vehicle, self.impact, self.work_method) if x)
        return {"title": self.name, "body": body, "org_path": self.org_path, "is_public": self.is_public,
                "owner_id": self.created_by_id, "year": self.year, "field": self.field, "url": self.get_absolute_url()}


class BrandTransition(models.Model):
    brand = models.ForeignKey(Brand, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=BrandStatus.choices)
    to_status = models.CharField(max_length=16, choices=BrandStatus.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    actor_name = models.CharField(max_length=150, blank=True)
    reason = models.CharField(max_length=500, blank=True)
    at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["at", "id"]

    def __str__(self) -> str:
        return f"{self.from_status} → {self.to_status}"


class AdoptionQuerySet(VisibleQuerySet):
    visible_q = "tupo.cases.queries.visible_adoption_q"


class Adoption(models.Model):
    """Another organization takes up a published case (推广应用).

    ``report_due_on``: the day its results report is due, ``settings.TUPO_ADOPTION_REPORT_WORKDAYS`` working days
    after ``started_on`` (``core.calendar``). Empty when the working-day calendar has no data for the year the
    due day falls in: never guessed; ``services.fill_report_due_dates`` fills it once that year is entered.
    """

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="adoptions", verbose_name=_("case"))
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="adoptions",
                            verbose_name=_("adopting organization"))
    org_path = models.CharField(max_length=255, db_index=True, editable=False)
    adapted = models.TextField(_("what was adapted"))
    started_on = models.DateField(_("start date"))
    report_due_on = models.DateField(_("results report due"), null=True, blank=True)
    contact = models.CharField(_("contact"), max_length=100)
    rating = models.PositiveSmallIntegerField(
        _("usefulness (1–5)"), null=True, blank=True, validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AdoptionQuerySet.as_manager()

    class Meta:
        ordering = ["started_on", "id"]
        constraints = [models.UniqueConstraint(fields=["case", "org"], name="adoption_case_org_unique")]

    def __str__(self) -> str:
        return f"{self.org} ← {self.case}"

    def report_state(self, today, reported: bool) -> str:
        """"reported", "overdue", "due" or "unknown" (no due date: the calendar lacked the year)."""
        if reported:
            return "reported"
        if self.report_due_on is None:
            return "unknown"
        return "overdue" if self.report_due_on < today else "due"


class AdoptionReport(models.Model):
    adoption = models.ForeignKey(Adoption, on_delete=models.CASCADE, related_name="reports")
    reported_on = models.DateField(_("report date"))
    summary = models.TextField(_("results"))
    rating = models.PositiveSmallIntegerField(
        _("usefulness (1–5)"), validators=[MinValueValidator(1), MaxValueValidator(5)]
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["reported_on", "id"]

    def __str__(self) -> str:
        return f"{self.adoption} {self.reported_on}"


class AdoptionMetric(models.Model):
    report = models.ForeignKey(AdoptionReport, on_delete=models.CASCADE, related_name="metrics")
    name = models.CharField(_("indicator"), max_length=100)
    unit = models.CharField(_("unit"), max_length=20, blank=True)
    before = models.DecimalField(_("before"), max_digits=14, decimal_places=2, null=True, blank=True)
    after = models.DecimalField(_("after"), max_digits=14, decimal_places=2, null=True, blank=True)

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return self.name
