"""Innovation topics (创新课题), their calls for bids (招标公告), the bids (投标书) and their teams.

A call's eligibility rules are data on the call; every check lives in ``eligibility``; every write in ``services``.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.core.querysets import VisibleQuerySet
from tupo.orgs.models import Organization, Person
from tupo.topics.choices import BidStatus, CallStatus, Invitation, OutputForm, ProposalStatus, TeamRole, Tier


class ProposalQuerySet(VisibleQuerySet):
    visible_q = "tupo.topics.queries.visible_proposal_q"


class TopicQuerySet(VisibleQuerySet):
    visible_q = "tupo.topics.queries.visible_topic_q"


class CallQuerySet(VisibleQuerySet):
    visible_q = "tupo.topics.queries.visible_call_q"


class BidQuerySet(VisibleQuerySet):
    visible_q = "tupo.topics.queries.visible_bid_q"


class TopicProposal(models.Model):
    """A topic proposed by an organization: the real bottleneck and the result it expects."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="topic_proposals",
                            verbose_name=_("proposing organization"))
    title = models.CharField(_("title"), max_length=160)
    bottleneck = models.TextField(_("bottleneck"))
    expected_result = models.TextField(_("expected result"))
    status = models.CharField(_("status"), max_length=12, choices=ProposalStatus.choices,
                              default=ProposalStatus.SUBMITTED)
    decision_reason = models.CharField(_("reason"), max_length=300, blank=True)
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = ProposalQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("topic proposal")
        verbose_name_plural = _("topic proposals")

    def __str__(self) -> str:
        return self.title


class Topic(models.Model):
    """A drafted innovation topic, put out to bidding through one or more calls."""

    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="topics",
                            verbose_name=_("drafted by"))
    proposal = models.ForeignKey(TopicProposal, null=True, blank=True, on_delete=models.SET_NULL,
                                 related_name="topics", verbose_name=_("from proposal"))
    title = models.CharField(_("title"), max_length=160)
    background = models.TextField(_("background"), blank=True)
    goals = models.TextField(_("goals"), blank=True)
    output_form = models.CharField(_("expected output form"), max_length=20, choices=OutputForm.choices,
                                   default=OutputForm.REPORT)
    tier = models.CharField(_("tier"), max_length=10, choices=Tier.choices, default=Tier.GENERAL)
    funding = models.DecimalField(_("funding (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    duration_months = models.PositiveSmallIntegerField(_("expected duration (months)"), default=12)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = TopicQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("topic")
        verbose_name_plural = _("topics")

    def __str__(self) -> str:
        return self.title


class Call(models.Model):
    """A call for bids (招标公告): topics, scope, bidding window and eligibility rules, all as data."""

    title = models.CharField(_("title"), max_length=160)
    description = models.TextField(_("notice text"), blank=True)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="calls",
                            verbose_name=_("scope (cadres of this organization and below may bid)"))
    topics = models.ManyToManyField(Topic, related_name="calls", verbose_name=_("topics"))
    status = models.CharField(_("status"), max_length=12, choices=CallStatus.choices, default=CallStatus.DRAFT)
    starts_at = models.DateTimeField(_("bidding opens at"), null=True, blank=True)
    ends_at = models.DateTimeField(_("deadline"), null=True, blank=True, db_index=True)
    deadline_workdays = models.PositiveSmallIntegerField(
        _("deadline in working days after publication"), null=True, blank=True,
        help_text=_("Leave empty to use the deadline date."))
    # Eligibility rules (empty = not applied).
    max_principal_age = models.PositiveSmallIntegerField(_("highest age of the principal"), null=True, blank=True)
    min_service_years = models.PositiveSmallIntegerField(_("fewest years of service"), null=True, blank=True)
    team_min = models.PositiveSmallIntegerField(_("smallest team (principal included)"), default=1)
    team_max = models.PositiveSmallIntegerField(_("largest team (principal included)"), default=5)
    one_bid_per_person = models.BooleanField(_("a person leads or joins one bid per call"), default=True)
    max_bids_per_org = models.PositiveSmallIntegerField(_("most bids per organization"), null=True, blank=True)
    block_unfinished = models.BooleanField(
        _("no bid from a principal with an unfinished project of an earlier call"), default=True)
    awards_per_topic = models.PositiveSmallIntegerField(_("bids awarded per topic"), default=1)
    criteria = models.JSONField(_("review criteria"), default=list, blank=True)
    review_round_id = models.PositiveBigIntegerField(null=True, blank=True, editable=False)
    published_at = models.DateTimeField(null=True, blank=True, editable=False)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    objects = CallQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("call for bids")
        verbose_name_plural = _("calls for bids")
        indexes = [models.Index(fields=["status", "ends_at"], name="call_status_end_idx")]

    def __str__(self) -> str:
        return self.title

    def is_open(self, now=None) -> bool:
        """Bids can be written and submitted now (published, inside the window)."""
        now = now or timezone.now()
        return (self.status == CallStatus.PUBLISHED and self.starts_at is not None and self.ends_at is not None
                and self.starts_at <= now < self.ends_at)

    @property
    def deadline_date(self):
        """The last day of bidding (a deadline at midnight belongs to the day before)."""
        import datetime as dt

        return timezone.localdate(self.ends_at - dt.timedelta(microseconds=1)) if self.ends_at else None

    def deadline_passed(self, now=None) -> bool:
        return self.ends_at is not None and (now or timezone.now()) >= self.ends_at


class Bid(models.Model):
    """A team's bid for one topic of a call. The awarded bid becomes the project's task book."""

    call = models.ForeignKey(Call, on_delete=models.PROTECT, related_name="bids", verbose_name=_("call"))
    topic = models.ForeignKey(Topic, on_delete=models.PROTECT, related_name="bids", verbose_name=_("topic"))
    principal = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="principal_bids",
                                  verbose_name=_("principal"))
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="bids",
                            verbose_name=_("organization"))
    org_path = models.CharField(max_length=255, editable=False, db_index=True)
    title = models.CharField(_("title"), max_length=200)
    angle = models.TextField(_("angle"), blank=True)
    outline = models.TextField(_("research outline"), blank=True)
    method = models.TextField(_("method"), blank=True)
    expected_outputs = models.TextField(_("expected outputs"), blank=True)
    total_budget = models.DecimalField(_("total budget (yuan)"), max_digits=12, decimal_places=2, default=Decimal("0"))
    service_years = models.PositiveSmallIntegerField(
        _("principal's years of Party-building work"), null=True, blank=True,
        help_text=_("Leave empty to count from the date of joining the Party."))
    status = models.CharField(_("status"), max_length=16, choices=BidStatus.choices, default=BidStatus.DRAFT)
    single_award = models.BooleanField(default=True, editable=False)
    screening_reason = models.CharField(_("screening reason"), max_length=300, blank=True)
    award_reason = models.TextField(_("award reason"), blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    submitted_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1, editable=False)
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(auto_now=True)

    objects = BidQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("bid")
        verbose_name_plural = _("bids")
        constraints = [
            # One awarded bid per topic of a call, unless the call allows several (then the service counts).
            models.UniqueConstraint(fields=["call", "topic"], condition=models.Q(status="awarded", single_award=True),
                                    name="one_award_per_topic"),
        ]
        indexes = [models.Index(fields=["call", "status"], name="bid_call_status_idx")]

    def __str__(self) -> str:
        return self.title


class BidTeamMember(models.Model):
    """A person on a bid's team: the principal, or an invited member who confirms or declines."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="team")
    person = models.ForeignKey(Person, on_delete=models.PROTECT, related_name="bid_memberships",
                               verbose_name=_("person"))
    role = models.CharField(_("role"), max_length=10, choices=TeamRole.choices, default=TeamRole.MEMBER)
    invitation = models.CharField(_("invitation"), max_length=10, choices=Invitation.choices,
                                  default=Invitation.INVITED)
    responded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["bid", "-role", "id"]
        verbose_name = _("team member")
        verbose_name_plural = _("team members")
        constraints = [models.UniqueConstraint(fields=["bid", "person"], name="one_membership_per_bid")]

    def __str__(self) -> str:
        return f"{self.person} ({self.get_role_display()})"


class BidMilestone(models.Model):
    """A dated step of the bid's work plan."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField(_("milestone"), max_length=160)
    due_on = models.DateField(_("due on"))
    deliverable = models.CharField(_("deliverable"), max_length=200, blank=True)

    class Meta:
        ordering = ["bid", "due_on", "id"]
        verbose_name = _("planned milestone")

    def __str__(self) -> str:
        return f"{self.title} {self.due_on}"


class BudgetLine(models.Model):
    """One line of a bid's budget; the lines add up to the bid's total."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="budget_lines")
    item = models.CharField(_("item"), max_length=120)
    amount = models.DecimalField(_("amount (yuan)"), max_digits=12, decimal_places=2)

    class Meta:
        ordering = ["bid", "id"]
        verbose_name = _("budget line")

    def __str__(self) -> str:
        return f"{self.item}: {self.amount}"


class TopicEvent(models.Model):
    """History of proposals, calls and bids: who, when, from, to, why (the timelines read this)."""

    call = models.ForeignKey(Call, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    bid = models.ForeignKey(Bid, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    proposal = models.ForeignKey(TopicProposal, null=True, blank=True, on_delete=models.CASCADE, related_name="events")
    kind = models.CharField(max_length=24)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    reason = models.TextField(_("reason"), blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.kind} {self.from_value}→{self.to_value}"


def _attachment_path(instance, filename):
    return f"topics/bids/{filename}"


class BidAttachment(models.Model):
    """A file attached to a bid; type checked from the content, stored under a random name."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_attachment_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["bid", "id"]

    def __str__(self) -> str:
        return self.original_name


def _call_file_path(instance, filename):
    return f"topics/calls/{filename}"


class CallAttachment(models.Model):
    """A file published with a call (the full notice, a bid form template…); seen by everyone the call reaches."""

    call = models.ForeignKey(Call, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField(upload_to=_call_file_path)
    original_name = models.CharField(max_length=200)
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField(default=0)
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["call", "id"]

    def __str__(self) -> str:
        return self.original_name
