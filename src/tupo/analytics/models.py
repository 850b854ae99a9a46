"""Saved input-output (DEA) runs: their parameters, progress and results, so a result can be reproduced."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

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


class RunStatus(models.TextChoices):
    QUEUED = "queued", _("Queued")
    RUNNING = "running", _("Running")
    DONE = "done", _("Done")
    FAILED = "failed", _("Failed")


RUN_STATUS_COLOURS = {RunStatus.QUEUED: "secondary", RunStatus.RUNNING: "info", RunStatus.DONE: "success",
                      RunStatus.FAILED: "danger"}


class AnalysisRunQuerySet(models.QuerySet):
    def visible_to(self, user) -> AnalysisRunQuerySet:
        from tupo.analytics.queries import visible_run_q

        return self.filter(visible_run_q(user))


class AnalysisRun(models.Model):
    """One DEA run over a population of units, with the parameters that reproduce it."""

    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+",
                                   verbose_name=_("run by"))
    created_at = models.DateTimeField(_("started at"), auto_now_add=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200, blank=True)
    population = models.CharField(_("population"), max_length=12, choices=Population.choices)
    root_org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="+",
                                 verbose_name=_("root organization"))
    root_path = models.CharField(max_length=255, db_index=True, editable=False)
    depth = models.PositiveSmallIntegerField(_("levels below the root"), null=True, blank=True)
    call_id = models.PositiveBigIntegerField(_("call"), null=True, blank=True)
    year = models.PositiveSmallIntegerField(_("year"), null=True, blank=True)
    input_keys = models.JSONField(_("inputs"), default=list)
    output_keys = models.JSONField(_("outputs"), default=list)
    rts = models.CharField(_("returns to scale"), max_length=3, choices=Rts.choices, default=Rts.CRS)
    orientation = models.CharField(_("orientation"), max_length=3, choices=Orientation.choices,
                                   default=Orientation.IN)
    super_efficiency = models.BooleanField(_("rank efficient units by super-efficiency"), default=False)
    status = models.CharField(_("status"), max_length=8, choices=RunStatus.choices, default=RunStatus.QUEUED)
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
        return self.status in (RunStatus.DONE, RunStatus.FAILED)

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
