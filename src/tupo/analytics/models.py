"""Saved input-output (DEA) runs: their parameters, progress and results, so a result can be reproduced;
and the yearly figures of organizations that the Malmquist trend compares over years."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tupo.core.querysets import VisibleQuerySet
from tupo.orgs.models import Organization


class Population(models.TextChoices):
    ORGS = "orgs", _("Organizations of a subtree")
    PROJECTS = "projects", _("Projects of a call or year")


class Rts(models.TextChoices):
    CRS = "crs", _("Constant returns to scale (CCR)")
    VRS = "vrs", _("Variable returns to scale (BCC)")


class Orientation(models.TextChoices):
    IN = "in", _("Input oriented: same results with fewer inputs")
    OUT = "out", _("Output oriented: more results with the same inputs")


class RunKind(models.TextChoices):
    DEA = "dea", _("Efficiency in one period (DEA)")
    MALMQUIST = "malmquist", _("Productivity change over years (Malmquist)")


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")
    CANCELLED = "cancelled", _("Cancelled")


FINISHED_STATUSES = (RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED)
# Only a run still waiting or computing can be cancelled; a finished run is kept as it is.
ALLOWED_RUN_TRANSITIONS = {
    RunStatus.QUEUED: {RunStatus.RUNNING, RunStatus.CANCELLED, RunStatus.FAILED, RunStatus.DONE},
    RunStatus.RUNNING: {RunStatus.DONE, RunStatus.FAILED, RunStatus.CANCELLED},
    RunStatus.DONE: set(),
    RunStatus.FAILED: set(),
    RunStatus.CANCELLED: set(),
}

RUN_STATUS_COLOURS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info", RunStatus.DONE: "success",
                      RunStatus.FAILED: "danger", RunStatus.CANCELLED: "warning"}


class AnalysisRunQuerySet(VisibleQuerySet):
    visible_q = "tupo.analytics.queries.visible_run_q"


class AnalysisRun(models.Model):
    """One DEA run over a population of units, with the parameters that reproduce it."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("run by"))
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    kind = models.CharField(_("kind"), max_length=10, choices=RunKind.choices, default=RunKind.DEA)
    population = models.CharField(_("population"), max_length=12, choices=Population.choices)
    root_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("root organization"))
    root_path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("levels below the root"), null=True, blank=True)
    call_id = models.PositiveBigIntegerField(_("call"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    years = models.JSONField(_("years"), default=list, blank=True)  # Malmquist: the years compared, ascending
    input_keys = models.JSONField(_("inputs"), default=list)
    output_keys = models.JSONField(_("outputs"), default=list)
    rts = models.CharField(_("returns to scale"), max_length=3, choices=Rts.choices, default=Rts.CRS)
    orientation = models.CharField(_("orientation"), max_length=3, choices=Orientation.choices,
                                   default=Orientation.IN)
    super_efficiency = models.BooleanField(_("rank efficient units by super-efficiency"), default=False)
    status = models.CharField(_("status"), max_length=10, choices=RunStatus.choices, default=RunStatus.QUEUED)
    message = models.TextField(_("message"), blank=True)
    progress_done = models.PositiveIntegerField(default=0)
    progress_total = models.PositiveIntegerField(default=0)
    unit_count = models.PositiveIntegerField(_("units"), default=0)
    results = models.JSONField(default=dict, blank=True)
    warnings = models.JSONField(default=list, blank=True)
    excluded = models.JSONField(default=list, blank=True)

    objects = AnalysisRunQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("input-output analysis")
        verbose_name_plural = _("input-output analyses")

    def __str__(self) -> str:
        return self.title or f"#{self.pk}"

    @property
    def is_finished(self) -> bool:
        return self.status in FINISHED_STATUSES

    @property
    def is_malmquist(self) -> bool:
        return self.kind == RunKind.MALMQUIST

    @property
    def percent(self) -> int:
        if self.status == RunStatus.DONE:
            return 100
        if not self.progress_total:
            return 0
        return min(100, int(100 * self.progress_done / self.progress_total))

    @property
    def status_colour(self) -> str:
        return RUN_STATUS_COLOURS.get(self.status, "secondary")


class FigureSource(models.TextChoices):
    RECORDED = "recorded", _("Counted from dated records")
    SNAPSHOT = "snapshot", _("Taken during the year")
    DEMO = "demo", _("Demonstration figures")


class YearSnapshot(models.Model):
    """One taking of the yearly figures of a subtree: which year, which indicators, when and by whom.

    Several may exist for one root and year (the periodic job runs again); the figures themselves are
    replaced each time, this log tells the page which years and indicators have figures and since when.
    """

    root_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("root organization"))
    root_path = models.CharField(max_length=255, db_index=True, editable=False)
    year = models.PositiveSmallIntegerField(_("year"))
    indicators = models.JSONField(_("indicators"), default=list)  # keys taken (head-counts only in their year)
    skipped = models.JSONField(default=list, blank=True)  # head-count keys refused for a past year
    source = models.CharField(_("source"), max_length=10, choices=FigureSource.choices,
                              default=FigureSource.RECORDED)
    org_count = models.PositiveIntegerField(default=0)
    taken_at = models.DateTimeField(_("taken at"), auto_now_add=True)
    taken_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="+")

    class Meta:
        ordering = ["-year", "-taken_at", "-id"]
        indexes = [models.Index(fields=["year", "root_path"], name="analytics_snap_year_path")]

    def __str__(self) -> str:
        return f"{self.root_org_id}@{self.year}"


class OrgYearFigure(models.Model):
    """The value of one indicator for one organization (its own records, not its subtree) in one year.

    A unit's figure is the sum over its subtree, one grouped query per indicator and year (the join on
    the organization's current path keeps sums right when the tree changes). Zero values are not stored.
    """

    org = models.ForeignKey(Organization, on_delete=models.CASCADE, related_name="+")
    year = models.PositiveSmallIntegerField(_("year"))
    indicator = models.CharField(_("indicator"), max_length=40)
    value = models.FloatField(_("value"))
    source = models.CharField(max_length=10, choices=FigureSource.choices, default=FigureSource.RECORDED)
    taken_at = models.DateTimeField(_("taken at"))

    class Meta:
        constraints = [models.UniqueConstraint(fields=["org", "year", "indicator"],
                                               name="one_figure_per_org_year_indicator")]
        indexes = [models.Index(fields=["year", "indicator"], name="analytics_fig_year_ind")]

    def __str__(self) -> str:
        return f"{self.org_id} {self.year} {self.indicator}={self.value}"


class UnitResult(models.Model):
    """One line of a finished run's result: a unit (DEA) or a unit and pair of years (Malmquist).

    Rows rather than one JSON document so that a run of 100,000 units is written in chunks and read a
    page at a time: the result page and the export never hold every unit in memory at once.
    """

    run = models.ForeignKey(AnalysisRun, on_delete=models.CASCADE, related_name="unit_results")
    position = models.PositiveIntegerField()  # display order: by rank then name (DEA); by unit then year
    unit_id = models.BigIntegerField()
    name = models.CharField(max_length=200)
    score = models.FloatField(null=True)  # efficiency (DEA) or productivity change (Malmquist)
    data = models.JSONField(default=dict)  # the row as the page and the export show it

    class Meta:
        ordering = ["run", "position"]
        constraints = [models.UniqueConstraint(fields=["run", "position"], name="one_result_row_per_position")]

    def __str__(self) -> str:
        return f"{self.run_id}#{self.position} {self.name}"


class ExportStatus(models.TextChoices):
    QUEUED = "queued", _("Being prepared")
    RUNNING = "running", _("Being prepared")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Failed")


class RunExport(models.Model):
    """The Excel file of a large run, written by the background worker and kept for download.

    A run of tens of thousands of units takes most of a minute to write as .xlsx; no request waits for it:
    the page asks for the file, the worker writes it to storage, the page offers it when ready."""

    run = models.OneToOneField(AnalysisRun, on_delete=models.CASCADE, related_name="export")
    status = models.CharField(_("status"), max_length=8, choices=ExportStatus.choices, default=ExportStatus.QUEUED)
    file = models.FileField(upload_to="analytics/exports/%Y/", blank=True)
    size = models.PositiveBigIntegerField(default=0)
    message = models.TextField(blank=True)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    requested_at = models.DateTimeField(auto_now_add=True)
    finished_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"export of run {self.run_id} ({self.status})"

    @property
    def is_pending(self) -> bool:
        return self.status in (ExportStatus.QUEUED, ExportStatus.RUNNING)
