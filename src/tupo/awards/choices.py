"""Statuses and kinds of the practice-innovation award, with the tables of allowed status changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class CycleStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    OPEN = "open", _("Open for nominations")
    SCREENING = "screening", _("Eligibility screening")
    REVIEW = "review", _("First round by category")
    PRESENTATION = "presentation", _("Presentation round")
    DECIDED = "decided", _("Decided")
    NOTICE = "notice", _("Public notice")
    CLOSED = "closed", _("Closed")


# The only status changes services make; anything else raises InvalidTransition (→ 409 in the API).
# decided → notice happens by publishing the first notice; presentation → review lets the admin reopen.
ALLOWED_TRANSITIONS = {
    CycleStatus.DRAFT: {CycleStatus.OPEN},
    CycleStatus.OPEN: {CycleStatus.SCREENING},
    CycleStatus.SCREENING: {CycleStatus.REVIEW},
    CycleStatus.REVIEW: {CycleStatus.PRESENTATION},
    CycleStatus.PRESENTATION: {CycleStatus.DECIDED},
    CycleStatus.DECIDED: {CycleStatus.NOTICE},
    CycleStatus.NOTICE: {CycleStatus.CLOSED},
    CycleStatus.CLOSED: set(),
}


class NominationStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    SCREENED_PASS = "screened_pass", _("Passed screening")
    SCREENED_FAIL = "screened_fail", _("Failed screening")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    PRESENTED = "presented", _("Presented")
    AWARDED = "awarded", _("Awarded")
    NOT_AWARDED = "not_awarded", _("Not awarded")
    WITHDRAWN = "withdrawn", _("Withdrawn")


NOMINATION_TRANSITIONS = {
    NominationStatus.DRAFT: {NominationStatus.SUBMITTED, NominationStatus.WITHDRAWN},
    NominationStatus.SUBMITTED: {NominationStatus.SCREENED_PASS, NominationStatus.SCREENED_FAIL},
    NominationStatus.SCREENED_PASS: {NominationStatus.SHORTLISTED, NominationStatus.NOT_AWARDED},
    NominationStatus.SCREENED_FAIL: set(),
    NominationStatus.SHORTLISTED: {NominationStatus.PRESENTED, NominationStatus.AWARDED,
                                   NominationStatus.NOT_AWARDED},
    NominationStatus.PRESENTED: {NominationStatus.AWARDED, NominationStatus.NOT_AWARDED},
    # An upheld objection withdraws a winner; the next one may be promoted (then a new notice is needed).
    NominationStatus.AWARDED: {NominationStatus.WITHDRAWN},
    NominationStatus.NOT_AWARDED: {NominationStatus.AWARDED},
    NominationStatus.WITHDRAWN: set(),
}
# Nominations that use up the organization's quota.
QUOTA_STATUSES = tuple(s for s in NominationStatus.values if s not in (NominationStatus.DRAFT, NominationStatus.WITHDRAWN))


class AttachmentKind(models.TextChoices):
    APPLICATION_FORM = "application_form", _("Signed application form")
    PHOTO = "photo", _("Photo")
    OTHER = "other", _("Other material")


class ObjectionChannel(models.TextChoices):
    ONLINE = "online", _("Online form")
    LETTER = "letter", _("Letter")
    PHONE = "phone", _("Phone")
    IN_PERSON = "in_person", _("In person")


class ObjectionStatus(models.TextChoices):
    OPEN = "open", _("Being handled")
    CLOSED = "closed", _("Replied")


class ObjectionOutcome(models.TextChoices):
    NONE = "", _("Not decided yet")
    UPHELD = "upheld", _("Upheld")
    REJECTED = "rejected", _("Rejected")


CYCLE_COLOURS = {
    CycleStatus.DRAFT: "secondary", CycleStatus.OPEN: "success", CycleStatus.SCREENING: "info",
    CycleStatus.REVIEW: "info", CycleStatus.PRESENTATION: "info", CycleStatus.DECIDED: "warning",
    CycleStatus.NOTICE: "warning", CycleStatus.CLOSED: "dark",
}
NOMINATION_COLOURS = {
    NominationStatus.DRAFT: "secondary", NominationStatus.SUBMITTED: "info", NominationStatus.SCREENED_PASS: "info",
    NominationStatus.SCREENED_FAIL: "danger", NominationStatus.SHORTLISTED: "primary",
    NominationStatus.PRESENTED: "primary", NominationStatus.AWARDED: "success",
    NominationStatus.NOT_AWARDED: "secondary", NominationStatus.WITHDRAWN: "dark",
}

ABSTRACT_MAX = 1500
# Online objections accepted from one source address per hour (a flood beyond this is refused and audited).
OBJECTIONS_PER_HOUR = 5
# Working days within which an objection is answered.
REPLY_WORKDAYS = 10
