"""Statuses and kinds of projects, milestones, liaison work and acceptance, with the allowed status changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class ProjectStatus(models.TextChoices):
    ACTIVE = "active", _("In progress")
    COMPLETED = "completed", _("Completed")
    FAILED = "failed", _("Failed acceptance")
    TERMINATED = "terminated", _("Terminated")


ALLOWED_PROJECT_TRANSITIONS = {
    ProjectStatus.ACTIVE: {ProjectStatus.COMPLETED, ProjectStatus.FAILED, ProjectStatus.TERMINATED},
    ProjectStatus.COMPLETED: set(),
    ProjectStatus.FAILED: set(),
    ProjectStatus.TERMINATED: set(),
}
UNFINISHED = (ProjectStatus.ACTIVE,)


class MilestoneStatus(models.TextChoices):
    PLANNED = "planned", _("Planned")
    IN_PROGRESS = "in_progress", _("In progress")
    DONE = "done", _("Done")


ALLOWED_MILESTONE_TRANSITIONS = {
    MilestoneStatus.PLANNED: {MilestoneStatus.IN_PROGRESS, MilestoneStatus.DONE},
    MilestoneStatus.IN_PROGRESS: {MilestoneStatus.DONE},
    MilestoneStatus.DONE: set(),
}


class Decision(models.TextChoices):
    PENDING = "pending", _("Pending")
    APPROVED = "approved", _("Approved")
    REFUSED = "refused", _("Refused")


ALLOWED_DECISION_TRANSITIONS = {
    Decision.PENDING: {Decision.APPROVED, Decision.REFUSED},
    Decision.APPROVED: set(),
    Decision.REFUSED: set(),
}


class VisitForm(models.TextChoices):
    ON_SITE = "on_site", _("On-site visit")
    TALK = "talk", _("Talk or interview")
    MEETING = "meeting", _("Meeting")
    REMOTE = "remote", _("Phone or video")


class ProblemStatus(models.TextChoices):
    OPEN = "open", _("Open")
    SOLVED = "solved", _("Solved")


class LiaisonReportKind(models.TextChoices):
    HALF_YEAR = "half_year", _("Half-year work report")
    RESEARCH = "research", _("Annual research report")


class AcceptanceKind(models.TextChoices):
    MIDTERM = "midterm", _("Mid-term check")
    COMPLETION = "completion", _("Completion acceptance")


class Rating(models.TextChoices):
    EXCELLENT = "excellent", _("Excellent")
    PASS = "pass", _("Pass")
    FAIL = "fail", _("Fail")


RATING_SCORE = {Rating.EXCELLENT: 3, Rating.PASS: 2, Rating.FAIL: 1}


class OutputType(models.TextChoices):
    REPORT = "report", _("Research report")
    DECISION_BRIEF = "decision_brief", _("Decision brief")
    MECHANISM = "mechanism", _("Work rule or mechanism")
    ARTICLE = "article", _("Article")


PROJECT_COLOURS = {ProjectStatus.ACTIVE: "info", ProjectStatus.COMPLETED: "success", ProjectStatus.FAILED: "danger",
                   ProjectStatus.TERMINATED: "secondary"}
MILESTONE_COLOURS = {MilestoneStatus.PLANNED: "secondary", MilestoneStatus.IN_PROGRESS: "info",
                     MilestoneStatus.DONE: "success"}
DECISION_COLOURS = {Decision.PENDING: "warning", Decision.APPROVED: "success", Decision.REFUSED: "danger"}
PROBLEM_COLOURS = {ProblemStatus.OPEN: "warning", ProblemStatus.SOLVED: "success"}
RATING_COLOURS = {Rating.EXCELLENT: "success", Rating.PASS: "primary", Rating.FAIL: "danger"}
