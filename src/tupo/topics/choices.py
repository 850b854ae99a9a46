"""Statuses and kinds of topics, calls and bids, with the tables of allowed status changes."""

from django.db import models
from django.utils.translation import gettext_lazy as _
from django.utils.translation import pgettext_lazy


class ProposalStatus(models.TextChoices):
    SUBMITTED = "submitted", _("Submitted")
    SHORTLISTED = "shortlisted", _("Shortlisted")
    DECLINED = "declined", _("Declined")


ALLOWED_PROPOSAL_TRANSITIONS = {
    ProposalStatus.SUBMITTED: {ProposalStatus.SHORTLISTED, ProposalStatus.DECLINED},
    ProposalStatus.SHORTLISTED: set(),
    ProposalStatus.DECLINED: set(),
}


class OutputForm(models.TextChoices):
    REPORT = "report", _("Research report")
    DECISION_BRIEF = "decision_brief", _("Decision brief")
    MECHANISM = "mechanism", _("Work rule or mechanism")
    ARTICLE = "article", _("Article")


class Tier(models.TextChoices):
    KEY = "key", _("Key topic")
    GENERAL = "general", _("General topic")


class CallStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    PUBLISHED = "published", _("Published")
    CLOSED = "closed", _("Closed (under review)")
    AWARDED = "awarded", pgettext_lazy("call status", "Awarded")


ALLOWED_CALL_TRANSITIONS = {
    CallStatus.DRAFT: {CallStatus.PUBLISHED},
    CallStatus.PUBLISHED: {CallStatus.CLOSED},
    CallStatus.CLOSED: {CallStatus.AWARDED},
    CallStatus.AWARDED: set(),
}


class BidStatus(models.TextChoices):
    DRAFT = "draft", _("Draft")
    SUBMITTED = "submitted", _("Submitted")
    WITHDRAWN = "withdrawn", _("Withdrawn")
    SCREENED_PASS = "screened_pass", _("Passed screening")
    SCREENED_FAIL = "screened_fail", _("Failed screening")
    AWARDED = "awarded", pgettext_lazy("bid status", "Awarded")
    NOT_AWARDED = "not_awarded", pgettext_lazy("bid status", "Not awarded")


ALLOWED_BID_TRANSITIONS = {
    BidStatus.DRAFT: {BidStatus.SUBMITTED},
    BidStatus.SUBMITTED: {BidStatus.WITHDRAWN, BidStatus.SCREENED_PASS, BidStatus.SCREENED_FAIL},
    BidStatus.WITHDRAWN: {BidStatus.DRAFT},
    BidStatus.SCREENED_PASS: {BidStatus.AWARDED, BidStatus.NOT_AWARDED},
    BidStatus.SCREENED_FAIL: set(),
    BidStatus.AWARDED: set(),
    BidStatus.NOT_AWARDED: set(),
}
# Bids that still take part in the call (count for "one bid per person" and "bids per organization").
LIVE_BID_STATUSES = (BidStatus.DRAFT, BidStatus.SUBMITTED, BidStatus.SCREENED_PASS, BidStatus.AWARDED)


class TeamRole(models.TextChoices):
    PRINCIPAL = "principal", _("Principal")
    MEMBER = "member", _("Member")


class Invitation(models.TextChoices):
    INVITED = "invited", _("Invited")
    CONFIRMED = "confirmed", _("Confirmed")
    DECLINED = "declined", _("Declined")


CALL_COLOURS = {
    CallStatus.DRAFT: "secondary", CallStatus.PUBLISHED: "success", CallStatus.CLOSED: "warning",
    CallStatus.AWARDED: "dark",
}
BID_COLOURS = {
    BidStatus.DRAFT: "secondary", BidStatus.SUBMITTED: "info", BidStatus.WITHDRAWN: "light",
    BidStatus.SCREENED_PASS: "primary", BidStatus.SCREENED_FAIL: "danger", BidStatus.AWARDED: "success",
    BidStatus.NOT_AWARDED: "dark",
}
PROPOSAL_COLOURS = {
    ProposalStatus.SUBMITTED: "info", ProposalStatus.SHORTLISTED: "success", ProposalStatus.DECLINED: "secondary",
}
