"""Projects born from awarded bids: the frozen task book (任务书), milestones and progress, liaison work,
extensions, change requests, mid-term check and completion acceptance."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.core.querysets import VisibleQuerySet
from tupo.orgs.models import Organization, Person
from tupo.projects.choices import (
    AcceptanceKind,
    Decision,
    LiaisonReportKind,
    MilestoneStatus,
    ProblemStatus,
    ProjectStatus,
    Rating,
    VisitForm,
)


class ProjectQuerySet(VisibleQuerySet):
    visible_q = "tupo.projects.queries.visible_project_q"


class Project(models.Model):
    """An awarded bid under way. ``task_book`` is the frozen copy of the bid; later changes go through requests."""

    bid = models.OneToOneField("topics.Bid", on_delete=models.PROTECT, related_name="project", verbose_name=_("bid"))
    call = models.ForeignKey("topics.Call", on_delete=models.PROTECT, related_name="projects", verbose_name=_("call"))
    topic = models.ForeignKey("topics.Topic", on_delete=models.PROTECT, related_name="projects",
                              verbose_name=_("topic"))
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="projects",
                            verbose_name=_("organization"))
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    principal = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="principal_projects",
                                  verbose_name=_("principal"))
    title = models.CharField(_("title"), max_length=200)
    tier = models.CharField(_("tier"), max_length=10)
    method = models.TextField(_("method"), blank=True)
    outline = models.TextField(_("research outline"), blank=True)
    expected_outputs = models.TextField(_("expected outputs"), blank=True)
    output_form = models.CharField(_("expected output form"), max_length=20, blank=True)
    funding = models.DecimalField(_("funding (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    budget_total = models.DecimalField(_("budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    task_book = models.JSONField(_("task book"), default=dict, editable=False)
    status = models.CharField(_("status"), max_length=12, choices=ProjectStatus.choices, default=ProjectStatus.ACTIVE)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProjectQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("project")
        verbose_name_plural = _("projects")
        indexes = [models.Index(fields=["status", "ends_on"], name="project_status_end_idx")]

    def __str__(self) -> str:
        return self.title


class ProjectMember(models.Model):
    """A cadre's part in a project (principal or member): the innovation track record reads this."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="members")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="project_memberships",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10)

    class Meta:
        ordering = ["project", "-role", "id"]
        constraints = [models.UniqueConstraint(fields=["project", "person"], name="one_role_per_project")]

    def __str__(self) -> str:
        return f"{self.person} ({self.role})"


class ProjectBudgetLine(models.Model):
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("item"), max_length=120)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return f"{self.item}: {self.amount}"


class Milestone(models.Model):
    """A dated step of the task book; due within the project period."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=160)
    due_on = models.DateField(_("due on"))
    deliverable = models.CharField(_("deliverable"), max_length=200, blank=True)
    status = models.CharField(_("status"), max_length=12, choices=MilestoneStatus.choices,
                              default=MilestoneStatus.PLANNED)
    done_on = models.DateField(_("done on"), null=True, blank=True)

    class Meta:
        ordering = ["project", "due_on", "id"]
        verbose_name = _("milestone")
        verbose_name_plural = _("milestones")
        indexes = [models.Index(fields=["status", "due_on"], name="milestone_status_due_idx")]

    def __str__(self) -> str:
        return self.title

    def is_overdue(self, today=None) -> bool:
        return self.status != MilestoneStatus.DONE and self.due_on < (today or timezone.localdate())


class ProgressReport(models.Model):
    """The team's report on one milestone: what was done, spending to date and person-days."""

    milestone = models.ForeignKey(Milestone, on_delete=models.CASCADE, related_name="reports")
    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="progress_reports")
    text = models.TextField(_("progress"))
    spent_to_date = models.DecimalField(_("spending to date (yuan)"), max_digits=12, decimal_places=2)
    person_days = models.DecimalField(_("person-days"), max_digits=8, decimal_places=1, default=Decimal("0"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("progress report")

    def __str__(self) -> str:
        return f"{self.milestone}: {self.created_at:%Y-%m-%d}"


class ChangeRequest(models.Model):
    """A change to the frozen task book, applied only once the administrator approves it (recorded)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="change_requests")
    description = models.TextField(_("requested change"))
    reason = models.TextField(_("reason"))
    milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                                  verbose_name=_("milestone to move"))
    new_due_on = models.DateField(_("new due date"), null=True, blank=True)
    status = models.CharField(_("status"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("change request")

    def __str__(self) -> str:
        return self.description[:60]


class ExtensionRequest(models.Model):
    """Asked before the project ends; at most the configured months (3 by default)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="extensions")
    months = models.PositiveSmallIntegerField(_("months"))
    reason = models.TextField(_("reason"))
    status = models.CharField(_("status"), max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decision_reason = models.TextField(_("decision reason"), blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("extension request")

    def __str__(self) -> str:
        return f"+{self.months}"


class LiaisonAssignment(models.Model):
    """A liaison leader (联系领导) for a project, with their routine (三个一 by default)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="liaisons")
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="liaison_projects",
                                verbose_name=_("liaison"))
    visits_per_quarter = models.PositiveSmallIntegerField(_("visits per quarter"), default=1)
    reports_per_half_year = models.PositiveSmallIntegerField(_("work reports per half-year"), default=1)
    research_reports_per_year = models.PositiveSmallIntegerField(_("research reports per year"), default=1)
    started_on = models.DateField(_("since"), default=timezone.localdate)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["project", "id"]
        verbose_name = _("liaison assignment")
        constraints = [models.UniqueConstraint(fields=["project", "liaison"], condition=models.Q(active=True),
                                               name="one_active_liaison_assignment")]

    def __str__(self) -> str:
        return f"{self.liaison} → {self.project}"


class LiaisonVisit(models.Model):
    """A visit in the liaison's work log (走访记录)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="visits")
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    visited_on = models.DateField(_("date"))
    duration_hours = models.DecimalField(_("duration (hours)"), max_digits=5, decimal_places=1)
    form = models.CharField(_("form"), max_length=10, choices=VisitForm.choices, default=VisitForm.ON_SITE)
    findings = models.TextField(_("findings"), blank=True)
    guidance = models.TextField(_("guidance given"), blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-visited_on", "-id"]
        verbose_name = _("liaison visit")

    def __str__(self) -> str:
        return f"{self.project} {self.visited_on}"


class LiaisonReport(models.Model):
    """A liaison's half-year work report or annual research report on a project."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="liaison_reports")
    liaison = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    kind = models.CharField(_("kind"), max_length=10, choices=LiaisonReportKind.choices)
    submitted_on = models.DateField(_("date"), default=timezone.localdate)
    text = models.TextField(_("report"))

    class Meta:
        ordering = ["-submitted_on", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.submitted_on}"


class Problem(models.Model):
    """A problem raised (问题清单): owner, deadline, followed until solved (成效清单)."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="problems")
    visit = models.ForeignKey(LiaisonVisit, null=True, blank=True, on_delete=models.SET_NULL, related_name="problems")
    description = models.TextField(_("problem"))
    owner = models.ForeignKey(Person, null=True, blank=True, on_delete=models.SET_NULL, related_name="+",
                              verbose_name=_("owner"))
    deadline = models.DateField(_("deadline"))
    status = models.CharField(_("status"), max_length=8, choices=ProblemStatus.choices, default=ProblemStatus.OPEN)
    outcome = models.TextField(_("outcome"), blank=True)
    unblocked_milestone = models.ForeignKey(Milestone, null=True, blank=True, on_delete=models.SET_NULL,
                                            related_name="+", verbose_name=_("milestone unblocked"))
    solved_on = models.DateField(_("solved on"), null=True, blank=True)

    class Meta:
        ordering = ["status", "deadline", "id"]
        verbose_name = _("problem")

    def __str__(self) -> str:
        return self.description[:60]

    def is_overdue(self, today=None) -> bool:
        return self.status == ProblemStatus.OPEN and self.deadline < (today or timezone.localdate())


class Acceptance(models.Model):
    """Mid-term check or completion acceptance: the team's package and the rating with comments."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="acceptances")
    kind = models.CharField(_("kind"), max_length=10, choices=AcceptanceKind.choices)
    report = models.TextField(_("report"))
    spending = models.DecimalField(_("spending (yuan)"), max_digits=12, decimal_places=2)
    person_days = models.DecimalField(_("person-days"), max_digits=8, decimal_places=1, default=Decimal("0"))
    outputs = models.JSONField(_("outputs by type"), default=dict)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(default=timezone.now)
    rating = models.CharField(_("rating"), max_length=10, choices=Rating.choices, blank=True)
    comments = models.TextField(_("comments"), blank=True)
    rated_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")
    rated_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        verbose_name = _("acceptance")
        constraints = [models.UniqueConstraint(fields=["project", "kind"], condition=models.Q(rating=""),
                                               name="one_pending_acceptance_per_kind")]

    def __str__(self) -> str:
        return f"{self.project} {self.kind}"


class ProjectEvent(models.Model):
    """History of a project: who, when, from, to, why."""

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    from_value = models.CharField(max_length=60, blank=True)
    to_value = models.CharField(max_length=60, blank=True)
    reason = models.TextField(blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value}→{self.to_value}"


def _project_file_path(instance, filename):
    return f"projects/files/{filename}"


class ProjectFile(models.Model):
    """A file the team attaches to a progress report or a mid-term/completion package.

    The type is read from the content (``cases.uploads``) and the file stored under a random name.
    """

    project = models.ForeignKey(Project, on_delete=models.CASCADE, related_name="files")
    report = models.ForeignKey(ProgressReport, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    acceptance = models.ForeignKey(Acceptance, null=True, blank=True, on_delete=models.CASCADE, related_name="files")
    file = models.FileField(upload_to=_project_file_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["project", "id"]

    def __str__(self) -> str:
        return self.original_name
