"""Expert review (专家评审) of anything another app submits: rounds, criteria, items, assignments and scores.

Other apps link their subject through ``ReviewItem.subject_type`` / ``subject_id`` (e.g. "topics.bid", 17);
this app never imports theirs.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tupo.core.querysets import VisibleQuerySet
from tupo.orgs.models import Organization, Person
from tupo.reviews.choices import (
    Aggregation,
    AssignmentStatus,
    BidLevel,
    ConflictSource,
    Decision,
    RoundStatus,
    TieKind,
)


class RoundQuerySet(VisibleQuerySet):
    visible_q = "tupo.reviews.queries.visible_round_q"


class ItemQuerySet(VisibleQuerySet):
    visible_q = "tupo.reviews.queries.visible_item_q"


class AssignmentQuerySet(VisibleQuerySet):
    visible_q = "tupo.reviews.queries.visible_assignment_q"


class ExpertProfile(models.Model):
    """An expert in the review pool: what they know (for matching) and how much they can take on."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="expert_profile",
                                verbose_name=_("user"))
    fields = models.CharField(_("fields of expertise"), max_length=200, blank=True)
    keywords = models.CharField(_("keywords"), max_length=300, blank=True)
    profile = models.TextField(_("profile"), blank=True)
    available = models.BooleanField(_("available for new rounds"), default=True)
    max_load = models.PositiveSmallIntegerField(_("most items per round"), default=10)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("expert profile")
        verbose_name_plural = _("expert profiles")

    def __str__(self) -> str:
        return str(self.user)

    @property
    def text(self) -> str:
        """What the affinity (TF-IDF) reads about the expert."""
        return " ".join(x for x in (self.fields, self.keywords, self.profile) if x)


class TieQuerySet(models.QuerySet):
    def active(self):
        """Ties not withdrawn: only these create conflicts."""
        return self.filter(withdrawn_at__isnull=True)


class ExpertTie(models.Model):
    """A tie the expert declared to a person or an organization (回避): reviews involving it are conflicted.

    A withdrawn tie stays as a row (who withdrew it, when, why): the history of what the expert declared is kept.
    """

    profile = models.ForeignKey(ExpertProfile, on_delete=models.CASCADE, related_name="ties")
    person = models.ForeignKey(Person, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                               verbose_name=_("person"))
    org = models.ForeignKey(Organization, null=True, blank=True, on_delete=models.CASCADE, related_name="+",
                            verbose_name=_("organization"))
    kind = models.CharField(_("kind of tie"), max_length=20, choices=TieKind.choices)
    note = models.CharField(_("note"), max_length=200, blank=True)
    declared_at = models.DateTimeField(_("declared at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("withdrawn by"))
    withdrawal_reason = models.CharField(_("reason for withdrawal"), max_length=300, blank=True)

    objects = TieQuerySet.as_manager()

    class Meta:
        verbose_name = _("declared tie")
        verbose_name_plural = _("declared ties")
        constraints = [
            models.CheckConstraint(
                condition=(models.Q(person__isnull=False, org__isnull=True) | models.Q(person__isnull=True, org__isnull=False)),
                name="tie_to_person_or_org",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.profile} ~ {self.person or self.org} ({self.kind})"


class ReviewRound(models.Model):
    """One expert review exercise (评审轮次): its criteria, its items, who scores what, by when."""

    title = models.CharField(_("title"), max_length=160)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="review_rounds",
                            verbose_name=_("organized by"))
    status = models.CharField(_("status"), max_length=12, choices=RoundStatus.choices, default=RoundStatus.DRAFT)
    blind = models.BooleanField(_("blind review"), default=True,
                                help_text=_("Owners and exports never see expert names."))
    scale_max = models.PositiveSmallIntegerField(_("highest score per criterion"), default=10)
    reviews_per_item = models.PositiveSmallIntegerField(_("reviews per item"), default=3)
    min_load = models.PositiveSmallIntegerField(_("fewest items per expert"), default=0)
    max_load = models.PositiveSmallIntegerField(_("most items per expert"), default=10)
    start_date = models.DateField(_("scoring starts on"), default=timezone.localdate)
    workdays = models.PositiveSmallIntegerField(_("working days for scoring"), default=10)
    deadline = models.DateField(_("deadline"), editable=False)
    aggregation = models.CharField(_("ranking by"), max_length=16, choices=Aggregation.choices,
                                   default=Aggregation.CALIBRATED)
    funded_count = models.PositiveSmallIntegerField(_("places to award (k)"), null=True, blank=True)
    bidding = models.BooleanField(_("experts bid for items"), default=False, help_text=_(
        "While the round is a draft, experts of the pool mark items as interesting, acceptable or not for them; "
        "the assignment takes the bids into account."))
    bid_bonus = models.FloatField(_("bonus for “interested”"), default=0.3, help_text=_(
        "Added to the match (0–1) of an expert and an item the expert is interested in; half of it for “willing”."))
    bid_penalty = models.FloatField(_("penalty for “not interested”"), default=0.3, help_text=_(
        "Subtracted from the match of an expert and an item the expert marked “not interested”."))
    chair = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="chaired_review_rounds", verbose_name=_("panel chair"), help_text=_(
                                  "Records the decision on each item (an expert of the pool or a department "
                                  "administrator); cannot assign experts or change the round."))
    assignment_report = models.JSONField(default=dict, blank=True, editable=False)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    objects = RoundQuerySet.as_manager()

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("review round")
        verbose_name_plural = _("review rounds")

    def __str__(self) -> str:
        return self.title


class Criterion(models.Model):
    """One scoring criterion of a round (e.g. innovation 30%), with anchors describing the score levels."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="criteria")
    name = models.CharField(_("criterion"), max_length=80)
    weight = models.PositiveSmallIntegerField(_("weight (%)"))
    anchors = models.TextField(_("score levels"), blank=True)
    position = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["round", "position", "id"]
        verbose_name = _("criterion")
        verbose_name_plural = _("criteria")

    def __str__(self) -> str:
        return f"{self.name} ({self.weight}%)"


class ReviewItem(models.Model):
    """One thing under review (a bid, nomination, completion package, case), linked to its subject by type and id."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="items")
    subject_type = models.CharField(_("subject type"), max_length=40, blank=True)
    subject_id = models.PositiveBigIntegerField(_("subject id"), null=True, blank=True)
    title = models.CharField(_("title"), max_length=200)
    text = models.TextField(_("summary"), blank=True)
    org = models.ForeignKey(Organization, on_delete=models.PROTECT, related_name="review_items",
                            verbose_name=_("submitting organization"))
    team = models.ManyToManyField(Person, blank=True, related_name="review_items", verbose_name=_("team"))
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                     related_name="+", verbose_name=_("submitted by"))

    objects = ItemQuerySet.as_manager()

    class Meta:
        ordering = ["round", "id"]
        verbose_name = _("review item")
        verbose_name_plural = _("review items")
        constraints = [
            models.UniqueConstraint(fields=["round", "subject_type", "subject_id"],
                                    condition=models.Q(subject_id__isnull=False), name="one_item_per_subject"),
        ]

    def __str__(self) -> str:
        return self.title


class Assignment(models.Model):
    """An expert asked to review one item in one round."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="assignments")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="review_assignments",
                               verbose_name=_("expert"))
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="assignments")
    status = models.CharField(_("status"), max_length=12, choices=AssignmentStatus.choices,
                              default=AssignmentStatus.ASSIGNED)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    affinity = models.FloatField(default=0.0, editable=False)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = AssignmentQuerySet.as_manager()

    class Meta:
        ordering = ["round", "item", "id"]
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [models.UniqueConstraint(fields=["round", "expert", "item"], name="one_assignment_per_pair")]
        indexes = [models.Index(fields=["expert", "status"], name="assignment_expert_idx")]

    def __str__(self) -> str:
        return f"{self.expert} → {self.item}"


class InterestBid(models.Model):
    """An expert's bid of interest on one item before assignment (interested / willing / not interested)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="bids")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_bids",
                               verbose_name=_("expert"))
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="bids")
    level = models.CharField(_("bid"), max_length=16, choices=BidLevel.choices)
    # set when a department administrator entered the bid for the expert (e.g. sent on paper); None = the expert
    entered_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                                   related_name="+", verbose_name=_("entered by"))
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["round", "item", "expert"]
        verbose_name = _("bid of interest")
        verbose_name_plural = _("bids of interest")
        constraints = [models.UniqueConstraint(fields=["expert", "item"], name="one_bid_per_expert_item")]

    def __str__(self) -> str:
        return f"{self.expert} {self.level} {self.item}"


class Scorecard(models.Model):
    """An expert's written opinion on one item, with their confidence; draft until submitted."""

    assignment = models.OneToOneField(Assignment, on_delete=models.CASCADE, related_name="scorecard")
    opinion = models.TextField(_("opinion"), blank=True)
    confidence = models.PositiveSmallIntegerField(_("confidence (1–5)"), null=True, blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        verbose_name = _("scorecard")
        verbose_name_plural = _("scorecards")

    def __str__(self) -> str:
        return f"{self.assignment}"


class Score(models.Model):
    """One criterion's score on one assignment, with an optional comment."""

    assignment = models.ForeignKey(Assignment, on_delete=models.CASCADE, related_name="scores")
    criterion = models.ForeignKey(Criterion, on_delete=models.CASCADE, related_name="scores")
    value = models.DecimalField(_("score"), max_digits=6, decimal_places=2)
    comment = models.CharField(_("comment"), max_length=500, blank=True)

    class Meta:
        verbose_name = _("score")
        verbose_name_plural = _("scores")
        constraints = [models.UniqueConstraint(fields=["assignment", "criterion"], name="one_score_per_criterion")]

    def __str__(self) -> str:
        return f"{self.criterion}: {self.value}"


class Conflict(models.Model):
    """A reason why an expert must not review an item (回避), from the tree, a declared tie or the expert."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="conflicts")
    expert = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="review_conflicts")
    item = models.ForeignKey(ReviewItem, on_delete=models.CASCADE, related_name="conflicts")
    reason = models.CharField(_("reason"), max_length=300)
    source = models.CharField(_("source"), max_length=10, choices=ConflictSource.choices)

    class Meta:
        ordering = ["item", "expert", "id"]
        verbose_name = _("conflict of interest")
        verbose_name_plural = _("conflicts of interest")
        indexes = [models.Index(fields=["expert", "item"], name="conflict_pair_idx")]

    def __str__(self) -> str:
        return f"{self.expert} × {self.item}: {self.reason}"


class PanelDecision(models.Model):
    """The panel's decision on one item, with its reason."""

    item = models.OneToOneField(ReviewItem, on_delete=models.CASCADE, related_name="decision")
    decision = models.CharField(_("decision"), max_length=12, choices=Decision.choices)
    reason = models.TextField(_("reason"))
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")
    decided_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = _("panel decision")
        verbose_name_plural = _("panel decisions")

    def __str__(self) -> str:
        return f"{self.item}: {self.decision}"


class ReviewEvent(models.Model):
    """History of rounds and assignments: status changes, assignments, draws (who, when, from, to, why)."""

    round = models.ForeignKey(ReviewRound, on_delete=models.CASCADE, related_name="events")
    assignment = models.ForeignKey(Assignment, null=True, blank=True, on_delete=models.SET_NULL, related_name="events")
    kind = models.CharField(max_length=24)
    from_value = models.CharField(max_length=40, blank=True)
    to_value = models.CharField(max_length=40, blank=True)
    reason = models.CharField(_("reason"), max_length=300, blank=True)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL,
                              related_name="+")
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-at", "-id"]

    def __str__(self) -> str:
        return f"{self.round_id} {self.kind} {self.from_value}→{self.to_value}"
