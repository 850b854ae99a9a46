"""Statuses and kinds of the expert review, with the one table of allowed status changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class RoundStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for scoring")
    CLOSED = "closed", _("Scoring closed")
    DECIDED = "decided", _("Decided")


class AssignmentStatus(models.TextChoices):
    ASSIGNED = "assigned", _("Assigned")
    DECLINED = "declined", _("Declined")
    SUBMITTED = "submitted", _("Submitted")
    RECUSED = "recused", _("Recused")


# The only status changes services make; anything else raises InvalidTransition (→ 409 in the API).
ALLOWED_TRANSITIONS = {
    RoundStatus.DRAFT: {RoundStatus.OPEN},
    RoundStatus.OPEN: {RoundStatus.CLOSED},
    RoundStatus.CLOSED: {RoundStatus.OPEN, RoundStatus.DECIDED},
    RoundStatus.DECIDED: set(),
}
ALLOWED_ASSIGNMENT_TRANSITIONS = {
    AssignmentStatus.ASSIGNED: {AssignmentStatus.DECLINED, AssignmentStatus.SUBMITTED, AssignmentStatus.RECUSED},
    AssignmentStatus.DECLINED: set(),
    AssignmentStatus.SUBMITTED: set(),
    AssignmentStatus.RECUSED: set(),
}
# Assignments that still count towards an item's reviews.
ACTIVE_ASSIGNMENT = (AssignmentStatus.ASSIGNED, AssignmentStatus.SUBMITTED)

ROUND_COLOURS = {
    RoundStatus.DRAFT: "secondary",
    RoundStatus.OPEN: "success",
    RoundStatus.CLOSED: "warning",
    RoundStatus.DECIDED: "dark",
}
ASSIGNMENT_COLOURS = {
    AssignmentStatus.ASSIGNED: "info",
    AssignmentStatus.DECLINED: "secondary",
    AssignmentStatus.SUBMITTED: "success",
    AssignmentStatus.RECUSED: "warning",
}


class TieKind(models.TextChoices):
    RELATIVE = "relative", _("Relative")
    FORMER_COLLEAGUE = "former_colleague", _("Former colleague")
    COAUTHOR = "coauthor", _("Co-author")
    ADVISER = "adviser", _("Adviser or student")
    OTHER = "other", _("Other")


class BidLevel(models.TextChoices):
    INTERESTED = "interested", _("Interested")
    WILLING = "willing", _("Willing")
    NOT_INTERESTED = "not_interested", _("Not interested")


BID_COLOURS = {BidLevel.INTERESTED: "success", BidLevel.WILLING: "info", BidLevel.NOT_INTERESTED: "secondary"}


class ConflictSource(models.TextChoices):
    TREE = "tree", _("Organization tree")
    TIE = "tie", _("Declared tie")
    DECLARED = "declared", _("Declared by the expert")


class Aggregation(models.TextChoices):
    CALIBRATED = "calibrated", _("Calibrated score (leniency corrected)")
    TRIMMED_MEAN = "trimmed_mean", _("Mean without highest and lowest")
    MEAN = "mean", _("Mean")
    MEDIAN = "median", _("Median")


class Decision(models.TextChoices):
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Not approved")
    DEFERRED = "deferred", _("Deferred")


DECISION_COLOURS = {Decision.APPROVED: "success", Decision.REJECTED: "secondary", Decision.DEFERRED: "warning"}
