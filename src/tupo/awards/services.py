"""Every write of the practice-innovation award goes through here (views, API and CLI alike).

Each write: ``@atomic_service`` + ``require_perm`` + ``audit.record`` + a ``CycleEvent`` for the history.
The first round by category is an expert review of ``tupo.reviews`` (its services, never a second scoring
system); the live presentation is a simple panel-score record with the trimmed mean of ``methods.calibration``.
"""

from __future__ import annotations

import datetime as dt
import secrets
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.awards.choices import (
    ABSTRACT_MAX,
    ALLOWED_TRANSITIONS,
    NOMINATION_TRANSITIONS,
    OBJECTIONS_PER_HOUR,
    QUOTA_STATUSES,
    REPLY_WORKDAYS,
    AttachmentKind,
    CycleStatus,
    NominationStatus,
    ObjectionChannel,
    ObjectionOutcome,
    ObjectionStatus,
)
from tupo.awards.models import (
    Attachment,
    AwardCycle,
    Ballot,
    Certificate,
    CycleEvent,
    FirstRound,
    Nomination,
    Notice,
    Objection,
    PanelScore,
    PresentationSlot,
    SiteInspection,
)
from tupo.core import audit
from tupo.core.calendar import CalendarDataMissing, add_workdays
from tupo.core.choices import AuditResult
from tupo.core.services import ConcurrentEditError, InvalidTransition, atomic_service, require_perm
from tupo.orgs import tree

CYCLE_FIELDS = ("name", "year", "approval_ref", "approving_body", "issuing_body", "categories", "grades", "criteria",
                "apply_start", "apply_end", "notice_workdays", "max_per_org", "required_materials")
CASE_TEXT_FIELDS = ("title", "abstract", "background", "practice", "results", "discussion", "appendix")
RECEIPT_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # no 0/O, 1/I


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(cycle, kind, actor, *, nomination=None, from_value="", to_value="", reason=""):
    CycleEvent.objects.create(cycle=cycle, nomination=nomination, kind=kind, from_value=str(from_value)[:40],
                              to_value=str(to_value)[:40], reason=(reason or "")[:300], actor=_user(actor))


def random_code(n: int = 12) -> str:
    """Unguessable code (receipts, certificate verification): 12 of 32 symbols ≈ 60 bits."""
    return "".join(secrets.choice(RECEIPT_ALPHABET) for _i in range(n))


# --- cycles -------------------------------------------------------------------------------------------------

def validate_cycle(data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {k: data[k] for k in CYCLE_FIELDS if k in data}
    for k in ("name", "approval_ref", "approving_body"):
        clean[k] = (clean.get(k) or "").strip()
        if not clean[k]:
            errors.setdefault(k, []).append(_("This field is required."))
    cats = [c.strip() for c in clean.get("categories") or [] if c and c.strip()]
    if not cats:
        errors.setdefault("categories", []).append(_("Give at least one category."))
    clean["categories"] = cats
    grades, codes = [], set()
    for n, g in enumerate(clean.get("grades") or [], start=1):
        name = (g.get("name") or "").strip()
        code = (g.get("code") or f"g{n}").strip()
        try:
            quota = int(g.get("quota"))
        except (TypeError, ValueError):
            quota = 0
        if not name or quota < 1 or code in codes:
            errors.setdefault("grades", []).append(_("Grade %(n)s needs a name and a quota of at least 1.") % {"n": n})
        codes.add(code)
        grades.append({"code": code, "name": name, "quota": quota})
    if not grades:
        errors.setdefault("grades", []).append(_("Give at least one grade with its quota."))
    clean["grades"] = grades
    crit = [{"name": (c.get("name") or "").strip(), "weight": int(c.get("weight") or 0)}
            for c in clean.get("criteria") or []]
    if not crit or any(not c["name"] or c["weight"] <= 0 for c in crit) or sum(c["weight"] for c in crit) != 100:
        errors.setdefault("criteria", []).append(_("Give criteria with whole weights summing to 100."))
    clean["criteria"] = crit
    start, end = clean.get("apply_start"), clean.get("apply_end")
    if not start or not end:
        errors.setdefault("apply_end", []).append(_("Give the application window."))
    elif end < start:
        errors.setdefault("apply_end", []).append(_("The window cannot end before it starts."))
    if int(clean.get("notice_workdays") or 0) < 1:
        errors.setdefault("notice_workdays", []).append(_("At least %(n)s.") % {"n": 1})
    if int(clean.get("max_per_org") or 0) < 1:
        errors.setdefault("max_per_org", []).append(_("At least %(n)s.") % {"n": 1})
    if errors:
        raise ValidationError(errors)
    return clean


@atomic_service
def create_cycle(actor, *, org, data: dict) -> AwardCycle:
    require_perm(actor, "awards.add_cycle", org)
    clean = validate_cycle(data)
    clean.setdefault("issuing_body", clean["approving_body"])
    cycle = AwardCycle.objects.create(org=org, created_by=_user(actor), **clean)
    _event(cycle, "create", actor, to_value=CycleStatus.DRAFT)
    audit.record("award.cycle.create", actor=actor, obj=cycle,
                 details={"org": org.pk, "approval_ref": cycle.approval_ref, "grades": cycle.grades})
    return cycle


@atomic_service
def update_cycle(actor, cycle: AwardCycle, data: dict, *, expected_version: int) -> AwardCycle:
    require_perm(actor, "awards.manage_cycle", cycle)
    locked = AwardCycle.objects.select_for_update().get(pk=cycle.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(locked)
    if locked.status not in (CycleStatus.DRAFT, CycleStatus.OPEN):
        raise InvalidTransition(_("The rules of a cycle are fixed once nominations are being screened."))
    clean = validate_cycle({**{k: getattr(locked, k) for k in CYCLE_FIELDS}, **data})
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    for k, v in clean.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save()
    _event(locked, "update", actor, reason=", ".join(changed))
    audit.record("award.cycle.update", actor=actor, obj=locked, details={"fields": changed})
    return locked


def _check_transition(frm: str, to: str) -> None:
    if to not in ALLOWED_TRANSITIONS.get(frm, set()):
        raise InvalidTransition(_("A cycle cannot go from “%(from)s” to “%(to)s”.") % {
            "from": CycleStatus(frm).label, "to": CycleStatus(to).label if to in CycleStatus.values else to})


@atomic_service
def change_status(actor, cycle: AwardCycle, to: str, reason: str = "") -> AwardCycle:
    """Move a cycle along ALLOWED_TRANSITIONS with the checks each step needs."""
    require_perm(actor, "awards.manage_cycle", cycle)
    locked = AwardCycle.objects.select_for_update().get(pk=cycle.pk)
    frm = locked.status
    _check_transition(frm, to)
    if to == CycleStatus.NOTICE:
        raise InvalidTransition(_("Publish the public notice: the cycle then enters the notice period."))
    if to == CycleStatus.SCREENING and not locked.nominations.filter(status=NominationStatus.SUBMITTED).exists():
        raise ValidationError(_("No nomination has been submitted yet."))
    if to == CycleStatus.REVIEW:
        pending = locked.nominations.filter(status=NominationStatus.SUBMITTED).count()
        if pending:
            raise ValidationError(_("%(n)s nomination(s) have not been screened yet.") % {"n": pending})
    if to == CycleStatus.DECIDED:
        open_ = locked.nominations.filter(status__in=(NominationStatus.SHORTLISTED, NominationStatus.PRESENTED),
                                          grade="").count()
        if open_:
            raise ValidationError(_("%(n)s shortlisted nomination(s) have no decision yet.") % {"n": open_})
        if not locked.nominations.filter(status__in=(NominationStatus.SHORTLISTED, NominationStatus.PRESENTED)
                                         ).exclude(grade__in=("", "-")).exists():
            raise ValidationError(_("No nomination has been awarded a grade."))
        _finalize_decisions(actor, locked)
    if to == CycleStatus.CLOSED:
        _check_can_close(locked)
    locked.status = to
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    _event(locked, "status", actor, from_value=frm, to_value=to, reason=reason)
    audit.record("award.cycle.status", actor=actor, obj=locked, details={"from": frm, "to": to, "reason": reason})
    cycle.status, cycle.version = to, locked.version
    return locked


def _check_can_close(cycle: AwardCycle) -> None:
    open_count = cycle.objections.filter(status=ObjectionStatus.OPEN).count()
    if open_count:
        raise InvalidTransition(_("%(n)s objection(s) are still open: the notice cannot close as final.")
                                % {"n": open_count})
    notice = latest_published_notice(cycle)
    if notice is None:
        raise InvalidTransition(_("No public notice has been published."))
    if timezone.localdate() <= notice.period_end:
        raise InvalidTransition(_("The notice period runs until %(d)s.") % {"d": notice.period_end.isoformat()})
    listed = {e["nomination"] for e in notice.entries}
    unnoticed = cycle.nominations.filter(status=NominationStatus.AWARDED).exclude(pk__in=listed)
    if unnoticed.exists():
        raise InvalidTransition(_("A promoted entry needs its own notice: publish a new notice version first."))


# --- nominations --------------------------------------------------------------------------------------------

def _in_scope(cycle: AwardCycle, org) -> bool:
    return org is not None and tree.is_within(org.path, cycle.org.path)


def validate_case_text(data: dict, *, complete: bool) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {k: (data.get(k) or "").strip() for k in CASE_TEXT_FIELDS if k in data}
    if "title" in clean and not clean["title"]:
        errors.setdefault("title", []).append(_("The title is required."))
    abstract = clean.get("abstract", "")
    if len(abstract) > ABSTRACT_MAX:
        errors.setdefault("abstract", []).append(
            _("The abstract has %(n)s characters; at most %(max)s are allowed.") % {"n": len(abstract),
                                                                                    "max": ABSTRACT_MAX})
    if complete:
        for k in ("abstract", "background", "practice", "results"):
            if not clean.get(k):
                errors.setdefault(k, []).append(_("This part of the case text is required before submitting."))
    if errors:
        raise ValidationError(errors)
    return clean


def _lock_cycle(cycle) -> AwardCycle:
    """Lock the cycle row: quota checks of concurrent nominations and submissions then run one after another."""
    return AwardCycle.objects.select_for_update().get(pk=cycle.pk)


def _check_window(cycle: AwardCycle) -> None:
    today = timezone.localdate()
    if cycle.status != CycleStatus.OPEN or not (cycle.apply_start <= today <= cycle.apply_end):
        raise InvalidTransition(_("Nominations are accepted from %(a)s to %(b)s while the cycle is open.") % {
            "a": cycle.apply_start.isoformat(), "b": cycle.apply_end.isoformat()})


def _check_quota(cycle: AwardCycle, org, statuses, *, exclude=None) -> None:
    qs = cycle.nominations.filter(org=org, status__in=statuses)
    if exclude is not None:
        qs = qs.exclude(pk=exclude.pk)
    if qs.count() >= cycle.max_per_org:
        raise ValidationError(_("%(org)s has reached its quota of %(n)s nomination(s) in this cycle.") % {
            "org": org.name, "n": cycle.max_per_org})


@atomic_service
def create_nomination(actor, cycle: AwardCycle, *, org, category: str, data: dict) -> Nomination:
    require_perm(actor, "awards.nominate", org)
    locked = _lock_cycle(cycle)
    if not _in_scope(locked, org):
        raise ValidationError({"org": [_("%(org)s is outside the scope of this cycle.") % {"org": org.name}]})
    _check_window(locked)
    if category not in locked.categories:
        raise ValidationError({"category": [_("Choose one of the cycle's categories.")]})
    _check_quota(locked, org, (NominationStatus.DRAFT, *QUOTA_STATUSES))
    clean = validate_case_text({"title": data.get("title", ""), **data}, complete=False)
    nom = Nomination.objects.create(cycle=locked, org=org, org_path=org.path, category=category,
                                    created_by=_user(actor), **clean)
    _event(locked, "nominate", actor, nomination=nom, to_value=NominationStatus.DRAFT)
    audit.record("award.nomination.create", actor=actor, obj=nom, details={"cycle": locked.pk, "org": org.pk})
    return nom


@atomic_service
def update_nomination(actor, nomination: Nomination, data: dict, *, expected_version: int) -> Nomination:
    require_perm(actor, "awards.edit_nomination", nomination)
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if locked.version != expected_version:
        raise ConcurrentEditError(locked)
    if locked.status != NominationStatus.DRAFT:
        raise InvalidTransition(_("A submitted nomination can no longer be changed."))
    _check_window(locked.cycle)
    clean = validate_case_text({**{k: getattr(locked, k) for k in CASE_TEXT_FIELDS}, **data}, complete=False)
    if "category" in data:
        if data["category"] not in locked.cycle.categories:
            raise ValidationError({"category": [_("Choose one of the cycle's categories.")]})
        clean["category"] = data["category"]
    changed = [k for k, v in clean.items() if getattr(locked, k) != v]
    for k, v in clean.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save()
    audit.record("award.nomination.update", actor=actor, obj=locked, details={"fields": changed})
    return locked


def _move(actor, nom: Nomination, to: str, reason: str = "", kind: str = "status") -> None:
    frm = nom.status
    if to not in NOMINATION_TRANSITIONS.get(frm, set()):
        raise InvalidTransition(_("A nomination cannot go from “%(from)s” to “%(to)s”.") % {
            "from": NominationStatus(frm).label, "to": NominationStatus(to).label})
    nom.status = to
    if reason:
        nom.reason = reason[:300]
    nom.version += 1
    nom.save()
    _event(nom.cycle, kind, actor, nomination=nom, from_value=frm, to_value=to, reason=reason)
    audit.record(f"award.nomination.{kind}", actor=actor, obj=nom, details={"from": frm, "to": to, "reason": reason})


@atomic_service
def submit_nomination(actor, nomination: Nomination) -> Nomination:
    """Submit before the deadline (checked here, whatever the client sent), within the organization's quota."""
    require_perm(actor, "awards.edit_nomination", nomination)
    cycle = _lock_cycle(nomination.cycle)
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    _check_window(cycle)
    validate_case_text({k: getattr(locked, k) for k in CASE_TEXT_FIELDS}, complete=True)
    if not locked.attachments.filter(kind=AttachmentKind.APPLICATION_FORM).exists():
        raise ValidationError({"attachments": [_("Attach the signed application form before submitting.")]})
    _check_quota(cycle, locked.org, QUOTA_STATUSES, exclude=locked)
    locked.submitted_at = timezone.now()
    _move(actor, locked, NominationStatus.SUBMITTED, kind="submit")
    return locked


@atomic_service
def withdraw_draft(actor, nomination: Nomination) -> Nomination:
    require_perm(actor, "awards.edit_nomination", nomination)
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if locked.status != NominationStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be withdrawn by its organization."))
    _move(actor, locked, NominationStatus.WITHDRAWN, _("Withdrawn by the organization."), kind="withdraw")
    return locked


@atomic_service
def add_attachment(actor, nomination: Nomination, upload, kind: str) -> Attachment:
    """Type from the content (never the name) and size limits: photos as images, the rest images/PDF/Office."""
    from tupo.cases import uploads

    require_perm(actor, "awards.edit_nomination", nomination)
    if nomination.status != NominationStatus.DRAFT:
        raise InvalidTransition(_("A submitted nomination can no longer be changed."))
    if kind not in AttachmentKind.values:
        raise ValidationError({"kind": [_("Choose the kind of material.")]})
    att = uploads.store_upload(Attachment(nomination=nomination, kind=kind), upload,
                               images_only=kind == AttachmentKind.PHOTO)
    audit.record("award.attachment.add", actor=actor, obj=nomination,
                 details={"kind": kind, "type": att.content_type, "size": att.size})
    return att


# --- screening and the first round (expert review) ------------------------------------------------------------

@atomic_service
def screen(actor, nomination: Nomination, passed: bool, reason: str = "") -> Nomination:
    require_perm(actor, "awards.manage_nomination", nomination)
    locked = Nomination.objects.select_for_update().select_related("cycle").get(pk=nomination.pk)
    if locked.cycle.status != CycleStatus.SCREENING:
        raise InvalidTransition(_("Nominations are screened while the cycle is in screening."))
    if not passed and not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason why the nomination fails screening.")]})
    _move(actor, locked, NominationStatus.SCREENED_PASS if passed else NominationStatus.SCREENED_FAIL,
          (reason or "").strip(), kind="screen")
    return locked


@atomic_service
def start_first_round(actor, cycle: AwardCycle, *, start_date: dt.date | None = None, workdays: int = 10,
                      blind: bool = True, reviews_per_item: int = 3) -> list[FirstRound]:
    """Screening → review: one expert-review round per category holding its passed nominations as items."""
    from tupo.reviews import services as review_services

    change_status(actor, cycle, CycleStatus.REVIEW)
    made = []
    for category in cycle.categories:
        noms = list(cycle.nominations.filter(category=category, status=NominationStatus.SCREENED_PASS))
        if not noms:
            continue
        review_round = review_services.create_round(actor, org=cycle.org, data={
            "title": f"{cycle.name} · {category}", "blind": blind, "scale_max": 10,
            "reviews_per_item": reviews_per_item, "min_load": 0, "max_load": max(10, len(noms)),
            "start_date": start_date or timezone.localdate(), "workdays": workdays, "aggregation": "calibrated",
            "funded_count": None}, criteria=[{**c, "anchors": ""} for c in cycle.criteria])
        for nom in noms:
            review_services.add_item(actor, review_round, {
                "title": nom.title, "text": nom.abstract, "org": nom.org, "subject_type": "awards.nomination",
                "subject_id": nom.pk, "submitted_by": nom.created_by})
        made.append(FirstRound.objects.create(cycle=cycle, category=category, review_round=review_round))
        _event(cycle, "first_round", actor, to_value=str(review_round.pk), reason=category)
    audit.record("award.first_round.start", actor=actor, obj=cycle,
                 details={"rounds": {f.category: f.review_round_id for f in made}})
    return made


def first_round_ranking(cycle: AwardCycle) -> list[dict]:
    """Per category: the review engine's ranking (read through its services), rows mapped to nominations."""
    from tupo.reviews import services as review_services

    out = []
    for fr in cycle.first_rounds.select_related("review_round").order_by("category"):
        ranking = review_services.aggregate(fr.review_round, n_draws=200)
        noms = {n.pk: n for n in cycle.nominations.filter(pk__in=[r.item.subject_id for r in ranking.rows])}
        out.append({"category": fr.category, "round": fr.review_round, "ranking": ranking,
                    "rows": [(r, noms.get(r.item.subject_id)) for r in ranking.rows]})
    return out


# --- the optional online vote of the first round ---------------------------------------------------------------

VOTE_SETTINGS_STATUSES = (CycleStatus.DRAFT, CycleStatus.OPEN, CycleStatus.SCREENING, CycleStatus.REVIEW)


@atomic_service
def configure_vote(actor, cycle: AwardCycle, *, enabled: bool, weight: int = 0, start: dt.date | None = None,
                   end: dt.date | None = None, max_choices: int = 1) -> AwardCycle:
    """Switch the members' online vote on or off, with its weight (0–100 %), window and entries per ballot.
    Fixed once the first ballot is cast, so that nobody changes the rules of a running vote."""
    require_perm(actor, "awards.manage_cycle", cycle)
    locked = _lock_cycle(cycle)
    if locked.status not in VOTE_SETTINGS_STATUSES:
        raise InvalidTransition(_("The online vote is set before the first round ends."))
    if locked.ballots.exists():
        raise InvalidTransition(_("Ballots have been cast: the rules of the vote can no longer change."))
    errors: dict[str, list[str]] = {}
    try:
        weight = int(weight or 0)
    except (TypeError, ValueError):
        weight = -1
    try:
        max_choices = int(max_choices or 0)
    except (TypeError, ValueError):
        max_choices = 0
    if enabled:
        if not 0 <= weight <= 100:
            errors["vote_weight"] = [_("The weight is a whole percentage from 0 to 100.")]
        if not start or not end:
            errors["vote_end"] = [_("Give the voting window.")]
        elif end < start:
            errors["vote_end"] = [_("The window cannot end before it starts.")]
        if max_choices < 1:
            errors["vote_max_choices"] = [_("At least %(n)s.") % {"n": 1}]
    if errors:
        raise ValidationError(errors)
    if enabled:
        locked.vote_enabled, locked.vote_weight, locked.vote_start, locked.vote_end = True, weight, start, end
        locked.vote_max_choices = max_choices
    else:
        locked.vote_enabled, locked.vote_weight = False, 0
    locked.version += 1
    locked.save(update_fields=["vote_enabled", "vote_weight", "vote_start", "vote_end", "vote_max_choices",
                               "version"])
    _event(locked, "vote_settings", actor, to_value=f"{locked.vote_weight}%" if enabled else "off",
           reason=f"{start} – {end}" if enabled else "")
    audit.record("award.vote.configure", actor=actor, obj=locked, details={
        "enabled": enabled, "weight": locked.vote_weight, "start": str(start), "end": str(end),
        "max_choices": locked.vote_max_choices})
    return locked


def vote_open(cycle: AwardCycle, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (cycle.vote_enabled and cycle.status == CycleStatus.REVIEW and cycle.vote_start is not None
            and cycle.vote_end is not None and cycle.vote_start <= today <= cycle.vote_end)


def vote_entries(cycle: AwardCycle, category: str):
    """What members vote on: the entries of the category that passed screening."""
    return (cycle.nominations.filter(category=category, status=NominationStatus.SCREENED_PASS)
            .select_related("org").order_by("id"))


@atomic_service
def cast_vote(actor, cycle: AwardCycle, category: str, nomination_ids) -> Ballot:
    """One ballot per member and category, for 1…vote_max_choices entries of that category (audited)."""
    require_perm(actor, "awards.vote", cycle)
    locked = AwardCycle.objects.get(pk=cycle.pk)
    if not locked.vote_enabled:
        raise InvalidTransition(_("This cycle has no online vote."))
    if not vote_open(locked):
        raise InvalidTransition(_("Voting is open from %(a)s to %(b)s during the first round.") % {
            "a": locked.vote_start.isoformat() if locked.vote_start else "—",
            "b": locked.vote_end.isoformat() if locked.vote_end else "—"})
    if category not in locked.categories:
        raise ValidationError({"category": [_("Choose one of the cycle's categories.")]})
    try:
        ids = {int(i) for i in nomination_ids}
    except (TypeError, ValueError):
        ids = set()
    if not ids:
        raise ValidationError({"nominations": [_("Choose at least one entry.")]})
    if len(ids) > locked.vote_max_choices:
        raise ValidationError({"nominations": [_("Choose at most %(n)s entries.") % {"n": locked.vote_max_choices}]})
    entries = list(vote_entries(locked, category).filter(pk__in=ids))
    if len(entries) != len(ids):
        raise ValidationError({"nominations": [_("Choose entries of this category.")]})
    if Ballot.objects.filter(cycle=locked, category=category, voter=actor).exists():
        raise ValidationError(_("You have already voted in this category."))
    try:
        with transaction.atomic():
            ballot = Ballot.objects.create(cycle=locked, category=category, voter=actor)
    except IntegrityError:  # a second ballot sent at the same moment: the unique constraint refused it
        raise ValidationError(_("You have already voted in this category.")) from None
    ballot.nominations.set(entries)
    audit.record("award.vote.cast", actor=actor, obj=locked, details={"category": category, "entries": len(entries)})
    return ballot


def vote_results(cycle: AwardCycle) -> list[dict]:
    """Per category: ballots cast and, per entry, its votes and vote share = ballots naming it / ballots (in %)."""
    from django.db.models import Count

    out = []
    for category in cycle.categories:
        ballots = cycle.ballots.filter(category=category).count()
        counts = dict(Ballot.nominations.through.objects.filter(ballot__cycle=cycle, ballot__category=category)
                      .values_list("nomination_id").annotate(n=Count("id")).values_list("nomination_id", "n"))
        noms = list(cycle.nominations.filter(category=category).filter(
            Q(status=NominationStatus.SCREENED_PASS) | Q(pk__in=counts.keys())).select_related("org"))
        rows = [{"nomination": n, "votes": counts.get(n.pk, 0),
                 "share": round(100 * counts.get(n.pk, 0) / ballots, 1) if ballots else 0.0} for n in noms]
        rows.sort(key=lambda r: (-r["votes"], r["nomination"].pk))
        out.append({"category": category, "ballots": ballots, "rows": rows})
    return out


def combine_scores(expert: float | None, share: float, weight_pct: int) -> float | None:
    """combined = expert score (0–100) × (1 − w) + vote share (%) × w, w = weight / 100. Without an expert score
    there is nothing to combine."""
    if expert is None:
        return None
    w = weight_pct / 100
    return round(expert * (1 - w) + share * w, 2)


def combined_ranking(cycle: AwardCycle, first_rounds: list[dict]) -> list[dict]:
    """The expert ranking next to the vote, combined by the explicit formula; [] when the vote is off or w = 0
    (the expert ranking is then the only ranking). Expert scores are put on 0–100: score / scale max × 100."""
    if not cycle.vote_enabled or not cycle.vote_weight:
        return []
    shares = {r["nomination"].pk: r for cat in vote_results(cycle) for r in cat["rows"]}
    out = []
    for fr in first_rounds:
        attr = {"calibrated": "calibrated", "trimmed_mean": "trimmed_mean", "mean": "mean",
                "median": "median"}.get(fr["round"].aggregation, "calibrated")
        scale = float(fr["round"].scale_max or 10)
        rows = []
        for row, nom in fr["rows"]:
            if nom is None:
                continue
            raw = getattr(row, attr)
            expert = round(raw / scale * 100, 2) if raw is not None else None
            share = shares.get(nom.pk, {}).get("share", 0.0)
            rows.append({"nomination": nom, "expert": expert, "share": share,
                         "combined": combine_scores(expert, share, cycle.vote_weight)})
        rows.sort(key=lambda r: (r["combined"] is None, -(r["combined"] or 0), r["nomination"].pk))
        out.append({"category": fr["category"], "rows": rows})
    return out


@atomic_service
def shortlist(actor, cycle: AwardCycle, nomination_ids, reason: str = "") -> AwardCycle:
    """Review → presentation: the chosen nominations go to the live round; the others are not awarded."""
    from tupo.reviews.choices import RoundStatus

    require_perm(actor, "awards.manage_cycle", cycle)
    if cycle.status != CycleStatus.REVIEW:
        raise InvalidTransition(_("The shortlist is made at the end of the first round."))
    unfinished = [fr.category for fr in cycle.first_rounds.select_related("review_round")
                  if fr.review_round.status not in (RoundStatus.CLOSED, RoundStatus.DECIDED)]
    if unfinished:
        raise InvalidTransition(_("The expert review of %(c)s is not closed yet.") % {"c": ", ".join(unfinished)})
    ids = {int(i) for i in nomination_ids}
    if not ids:
        raise ValidationError(_("Choose at least one nomination for the shortlist."))
    passed = list(Nomination.objects.select_for_update().filter(cycle=cycle, status=NominationStatus.SCREENED_PASS))
    unknown = ids - {n.pk for n in passed}
    if unknown:
        raise ValidationError(_("Only nominations that passed screening can be shortlisted."))
    for nom in passed:
        if nom.pk in ids:
            _move(actor, nom, NominationStatus.SHORTLISTED, reason, kind="shortlist")
        else:
            _move(actor, nom, NominationStatus.NOT_AWARDED, _("Not shortlisted after the first round."),
                  kind="shortlist")
    return change_status(actor, cycle, CycleStatus.PRESENTATION, reason)


# --- presentation round, site inspection and decision --------------------------------------------------------

@atomic_service
def schedule_slot(actor, nomination: Nomination, starts_at, panel) -> PresentationSlot:
    require_perm(actor, "awards.manage_nomination", nomination)
    nomination = Nomination.objects.select_related("cycle").get(pk=nomination.pk)
    if nomination.cycle.status != CycleStatus.PRESENTATION or nomination.status != NominationStatus.SHORTLISTED:
        raise InvalidTransition(_("Slots are scheduled for shortlisted nominations in the presentation round."))
    panel = list(panel)
    if len(panel) < 1:
        raise ValidationError({"panel": [_("Choose the panel members.")]})
    slot, _created = PresentationSlot.objects.update_or_create(
        nomination=nomination, defaults={"cycle": nomination.cycle, "starts_at": starts_at})
    if slot.scores.exists():
        raise InvalidTransition(_("Scoring of this slot has started: its panel can no longer change."))
    slot.panel.set(panel)
    _event(nomination.cycle, "slot", actor, nomination=nomination, to_value=starts_at.isoformat()[:16])
    audit.record("award.slot.schedule", actor=actor, obj=nomination,
                 details={"at": starts_at.isoformat(), "panel": [u.pk for u in panel]})
    return slot


@atomic_service
def update_slot(actor, slot: PresentationSlot, starts_at, panel) -> PresentationSlot:
    """Change the time or the panel of a slot, only before its first score."""
    require_perm(actor, "awards.manage_nomination", slot.nomination)
    locked = PresentationSlot.objects.select_for_update().select_related("cycle", "nomination").get(pk=slot.pk)
    if locked.scores.exists():
        raise InvalidTransition(_("Scoring of this slot has started: its time and panel can no longer change."))
    if locked.cycle.status != CycleStatus.PRESENTATION:
        raise InvalidTransition(_("Slots are scheduled for shortlisted nominations in the presentation round."))
    panel = list(panel or [])
    errors = {}
    if starts_at is None:
        errors["starts_at"] = [_("Give the time.")]
    if not panel:
        errors["panel"] = [_("Choose the panel members.")]
    if errors:
        raise ValidationError(errors)
    before = {"at": locked.starts_at.isoformat(), "panel": sorted(locked.panel.values_list("pk", flat=True))}
    locked.starts_at = starts_at
    locked.save(update_fields=["starts_at"])
    locked.panel.set(panel)
    _event(locked.cycle, "slot_update", actor, nomination=locked.nomination, from_value=before["at"][:16],
           to_value=starts_at.isoformat()[:16])
    audit.record("award.slot.update", actor=actor, obj=locked.nomination,
                 details={"before": before, "at": starts_at.isoformat(), "panel": sorted(u.pk for u in panel)})
    return locked


def slot_result(slot: PresentationSlot) -> dict:
    """Scores so far; the trimmed mean (drop highest and lowest) as soon as the last panel member scored."""
    from tupo.methods.calibration import trimmed_mean

    values = [float(v) for v in slot.scores.values_list("value", flat=True)]
    expected = slot.panel.count()
    complete = expected > 0 and len(values) >= expected
    return {"n": len(values), "expected": expected, "complete": complete,
            "trimmed_mean": round(trimmed_mean(values), 2) if complete else None}


@atomic_service
def score_slot(actor, slot: PresentationSlot, value) -> dict:
    """A panel member's one score (0–100) for a presentation; the last score marks the entry as presented."""
    require_perm(actor, "awards.score_slot", slot)
    locked = PresentationSlot.objects.select_for_update().select_related("nomination", "cycle").get(pk=slot.pk)
    if locked.cycle.status != CycleStatus.PRESENTATION:
        raise InvalidTransition(_("Scoring is open during the presentation round only."))
    try:
        score = Decimal(str(value))
    except (InvalidOperation, TypeError, ValueError):
        score = None
    if score is None or not score.is_finite() or not (0 <= score <= 100):
        raise ValidationError({"value": [_("Enter a score from 0 to 100.")]})
    if locked.scores.filter(member=actor).exists():
        raise InvalidTransition(_("You have already scored this presentation."))
    PanelScore.objects.create(slot=locked, member=actor, value=score.quantize(Decimal("0.01")))
    audit.record("award.slot.score", actor=actor, obj=locked.nomination, details={"slot": locked.pk})
    result = slot_result(locked)
    if result["complete"] and locked.nomination.status == NominationStatus.SHORTLISTED:
        _move(actor, locked.nomination, NominationStatus.PRESENTED,
              _("Presentation scored: trimmed mean %(m)s.") % {"m": result["trimmed_mean"]}, kind="presented")
    return result


@atomic_service
def record_inspection(actor, nomination: Nomination, data: dict) -> SiteInspection:
    require_perm(actor, "awards.manage_nomination", nomination)
    nomination = Nomination.objects.select_related("cycle").get(pk=nomination.pk)
    if nomination.status not in (NominationStatus.SHORTLISTED, NominationStatus.PRESENTED):
        raise InvalidTransition(_("Site inspections are recorded for shortlisted entries."))
    errors = {k: [_("This field is required.")] for k in ("date", "inspectors", "findings") if not data.get(k)}
    if errors:
        raise ValidationError(errors)
    visit = SiteInspection.objects.create(nomination=nomination, date=data["date"], inspectors=data["inspectors"],
                                          findings=data["findings"], recorded_by=_user(actor))
    _event(nomination.cycle, "inspection", actor, nomination=nomination, to_value=str(visit.date))
    audit.record("award.inspection", actor=actor, obj=nomination, details={"date": str(visit.date)})
    return visit


@atomic_service
def decide(actor, nomination: Nomination, grade: str, reason: str = "") -> Nomination:
    """Give a shortlisted entry a grade within the quota, or '' for not awarded (recorded when the cycle is decided)."""
    require_perm(actor, "awards.manage_nomination", nomination)
    cycle = _lock_cycle(nomination.cycle)
    locked = Nomination.objects.select_for_update().get(pk=nomination.pk)
    if cycle.status != CycleStatus.PRESENTATION:
        raise InvalidTransition(_("Grades are decided at the end of the presentation round."))
    if locked.status not in (NominationStatus.SHORTLISTED, NominationStatus.PRESENTED):
        raise InvalidTransition(_("Only shortlisted entries receive a grade."))
    if grade:
        g = cycle.grade(grade)
        if g is None:
            raise ValidationError({"grade": [_("Choose one of the cycle's grades.")]})
        used = cycle.nominations.filter(grade=grade).exclude(pk=locked.pk).count()
        if used >= g["quota"]:
            raise ValidationError({"grade": [_("The quota of %(g)s (%(n)s) is used up.") % {"g": g["name"],
                                                                                         "n": g["quota"]}]})
    locked.grade = grade or "-"
    locked.version += 1
    locked.save(update_fields=["grade", "version"])
    _event(cycle, "grade", actor, nomination=locked, to_value=grade or "-", reason=reason)
    audit.record("award.decide", actor=actor, obj=locked, details={"grade": grade, "reason": reason})
    return locked


def _finalize_decisions(actor, cycle: AwardCycle) -> None:
    for nom in cycle.nominations.select_for_update().filter(
            status__in=(NominationStatus.SHORTLISTED, NominationStatus.PRESENTED)):
        if nom.grade == "-":
            nom.grade = ""
            _move(actor, nom, NominationStatus.NOT_AWARDED, _("Not awarded by the decision."), kind="decided")
        else:
            _move(actor, nom, NominationStatus.AWARDED, cycle.grade_name(nom.grade), kind="decided")


# --- public notice ---------------------------------------------------------------------------------------------

def notice_period(issue_date: dt.date, workdays: int) -> tuple[dt.date, dt.date]:
    """From the issue date to the N-th working day after it (the working-day calendar service counts)."""
    try:
        return issue_date, add_workdays(issue_date, workdays)
    except CalendarDataMissing as exc:
        raise ValidationError({"issue_date": [str(exc)]}) from None


def latest_published_notice(cycle: AwardCycle) -> Notice | None:
    return cycle.notices.filter(published_at__isnull=False).order_by("-version").first()


def _snapshot(cycle: AwardCycle) -> list[dict]:
    order = {g["code"]: n for n, g in enumerate(cycle.grades)}
    noms = sorted(cycle.nominations.filter(status=NominationStatus.AWARDED).select_related("org"),
                  key=lambda n: (order.get(n.grade, 99), n.pk))
    return [{"nomination": n.pk, "org": n.org.name, "title": n.title, "abstract": n.abstract, "category": n.category,
             "grade": n.grade, "grade_name": cycle.grade_name(n.grade)} for n in noms]


@atomic_service
def draft_notice(actor, cycle: AwardCycle, data: dict) -> Notice:
    """A new draft version (the first notice, or a correction of a published one)."""
    require_perm(actor, "awards.manage_cycle", cycle)
    locked = _lock_cycle(cycle)
    if locked.status not in (CycleStatus.DECIDED, CycleStatus.NOTICE):
        raise InvalidTransition(_("The public notice comes after the decision."))
    if locked.notices.filter(published_at__isnull=True).exists():
        raise InvalidTransition(_("A draft notice exists already: edit or publish it."))
    clean = _validate_notice(locked, data)
    version = (locked.notices.order_by("-version").values_list("version", flat=True).first() or 0) + 1
    notice = Notice.objects.create(cycle=locked, version=version, **clean)
    _event(locked, "notice_draft", actor, to_value=f"v{version}")
    audit.record("award.notice.draft", actor=actor, obj=notice, details={"version": version})
    return notice


def _validate_notice(cycle, data: dict) -> dict:
    errors: dict[str, list[str]] = {}
    clean = {k: (data.get(k) or "").strip() for k in ("title", "body", "issuing_body", "objection_contact",
                                                       "correction_note")}
    for k in ("title", "body", "issuing_body"):
        if not clean[k]:
            errors.setdefault(k, []).append(_("This field is required."))
    issue_date = data.get("issue_date")
    if not issue_date:
        errors.setdefault("issue_date", []).append(_("This field is required."))
    if errors:
        raise ValidationError(errors)
    clean["issue_date"] = issue_date
    clean["period_start"], clean["period_end"] = notice_period(issue_date, cycle.notice_workdays)
    return clean


@atomic_service
def update_notice(actor, notice: Notice, data: dict) -> Notice:
    require_perm(actor, "awards.manage_cycle", notice.cycle)
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.published_at is not None:
        raise InvalidTransition(_("A published notice is never edited: publish a corrected new version instead."))
    clean = _validate_notice(locked.cycle, {**{k: getattr(locked, k) for k in (
        "title", "body", "issuing_body", "objection_contact", "correction_note", "issue_date")}, **data})
    for k, v in clean.items():
        setattr(locked, k, v)
    locked.save()
    audit.record("award.notice.update", actor=actor, obj=locked, details={"version": locked.version})
    return locked


@atomic_service
def publish_notice(actor, notice: Notice) -> Notice:
    """Publish: the proposed winners are frozen into the notice; the cycle enters (or stays in) the notice period."""
    require_perm(actor, "awards.manage_cycle", notice.cycle)
    cycle = _lock_cycle(notice.cycle)
    locked = Notice.objects.select_for_update().get(pk=notice.pk)
    if locked.published_at is not None:
        raise InvalidTransition(_("This notice is already published."))
    if cycle.status not in (CycleStatus.DECIDED, CycleStatus.NOTICE):
        raise InvalidTransition(_("The public notice comes after the decision."))
    locked.entries = _snapshot(cycle)
    if not locked.entries:
        raise ValidationError(_("No winner to publish."))
    locked.published_at = timezone.now()
    locked.save()
    if cycle.status == CycleStatus.DECIDED:
        cycle.status = CycleStatus.NOTICE
        cycle.version += 1
        cycle.save(update_fields=["status", "version"])
        _event(cycle, "status", actor, from_value=CycleStatus.DECIDED, to_value=CycleStatus.NOTICE)
    notice.cycle.status = cycle.status
    _event(cycle, "notice_publish", actor, to_value=f"v{locked.version}", reason=locked.correction_note)
    audit.record("award.notice.publish", actor=actor, obj=locked,
                 details={"version": locked.version, "period": [str(locked.period_start), str(locked.period_end)],
                          "entries": [e["nomination"] for e in locked.entries]})
    return locked


# --- objections ----------------------------------------------------------------------------------------------

def _new_receipt() -> str:
    while True:
        code = random_code(12)
        receipt = f"{code[:4]}-{code[4:8]}-{code[8:]}"
        if not Objection.objects.filter(receipt=receipt).exists():
            return receipt


def _objection_base(cycle: AwardCycle, data: dict, *, allow_anonymous: bool) -> dict:
    errors: dict[str, list[str]] = {}
    name = (data.get("name") or "").strip()
    contact = (data.get("contact") or "").strip()
    content = (data.get("content") or "").strip()
    anonymous = bool(data.get("anonymous")) and allow_anonymous
    if not anonymous:
        if not name:
            errors.setdefault("name", []).append(_("Give your real name: objections are accepted under real name."))
        if not contact:
            errors.setdefault("contact", []).append(_("Give a phone number or address where we can reply."))
    if not content:
        errors.setdefault("content", []).append(_("Describe the objection."))
    nomination = None
    notice = latest_published_notice(cycle)
    if notice is None:
        errors.setdefault("__all__", []).append(_("No public notice has been published for this cycle."))
    elif data.get("nomination"):
        nid = getattr(data["nomination"], "pk", data["nomination"])
        if int(nid) not in {e["nomination"] for e in notice.entries}:
            errors.setdefault("nomination", []).append(_("Choose an entry of the notice."))
        else:
            nomination = Nomination.objects.get(pk=nid)
    if errors:
        raise ValidationError(errors)
    return {"name": name[:60], "contact": contact[:120], "content": content, "anonymous": anonymous,
            "nomination": nomination, "notice": notice}


def _timing(notice: Notice, received_on: dt.date, postmark_on: dt.date | None) -> dict:
    """Late when it arrives (or, for letters, was posted) after the notice period; the reply due in working days."""
    counts_from = postmark_on or received_on
    try:
        due = add_workdays(received_on, REPLY_WORKDAYS)
    except CalendarDataMissing:
        due = None
    return {"late": counts_from > notice.period_end, "reply_due": due}


def online_objections_from(ip: str | None) -> int:
    since = timezone.now() - dt.timedelta(hours=1)
    return Objection.objects.filter(channel=ObjectionChannel.ONLINE, source_ip=ip, created_at__gte=since).count()


class TooManyObjections(ValidationError):
    pass


def submit_online_objection(cycle: AwardCycle, data: dict, *, ip: str | None) -> Objection:
    """The public form (no login): real name and contact required; a flood from one address is refused."""
    if cycle.status not in (CycleStatus.NOTICE, CycleStatus.CLOSED):
        raise ValidationError(_("No public notice has been published for this cycle."))
    if online_objections_from(ip) >= OBJECTIONS_PER_HOUR:
        audit.record("award.objection.flood", obj=cycle, result=AuditResult.DENIED, source_ip=ip,
                     details={"limit_per_hour": OBJECTIONS_PER_HOUR})
        raise TooManyObjections(_("Too many objections were sent from your address in the last hour. Please try "
                                  "again later, or send your objection by letter or phone."))
    return _create_objection(None, cycle, data, channel=ObjectionChannel.ONLINE, ip=ip, allow_anonymous=False)


@atomic_service
def record_objection(actor, cycle: AwardCycle, data: dict) -> Objection:
    """An objection received by letter (postmark date), phone or in person, entered by the administrator."""
    require_perm(actor, "awards.manage_cycle", cycle)
    channel = data.get("channel")
    if channel not in ObjectionChannel.values:
        raise ValidationError({"channel": [_("Choose the channel.")]})
    if channel == ObjectionChannel.LETTER and not data.get("postmark_on"):
        raise ValidationError({"postmark_on": [_("A letter counts by its postmark date: enter it.")]})
    return _create_objection(actor, cycle, data, channel=channel, ip=None, allow_anonymous=True)


@atomic_service
def _create_objection(actor, cycle, data, *, channel, ip, allow_anonymous) -> Objection:
    base = _objection_base(cycle, data, allow_anonymous=allow_anonymous)
    received_on = data.get("received_on") or timezone.localdate()
    postmark_on = data.get("postmark_on") if channel == ObjectionChannel.LETTER else None
    obj = Objection.objects.create(cycle=cycle, channel=channel, received_on=received_on, postmark_on=postmark_on,
                                   receipt=_new_receipt(), source_ip=ip,
                                   **base, **_timing(base["notice"], received_on, postmark_on))
    _event(cycle, "objection", actor, nomination=obj.nomination, to_value=obj.receipt,
           reason=_("late") if obj.late else "")
    audit.record("award.objection.receive", actor=actor, obj=obj, source_ip=ip,
                 details={"channel": channel, "late": obj.late, "anonymous": obj.anonymous})
    return obj


@atomic_service
def assign_handler(actor, objection: Objection, handler) -> Objection:
    """The administrator gives an open objection to one of the department's staff, who then answers it."""
    from tupo.awards.queries import department_staff

    require_perm(actor, "awards.assign_objection", objection)
    locked = Objection.objects.select_for_update().select_related("cycle__org").get(pk=objection.pk)
    if locked.status != ObjectionStatus.OPEN:
        raise InvalidTransition(_("This objection has been answered already."))
    if handler is None or not department_staff(locked.cycle).filter(pk=handler.pk).exists():
        raise ValidationError({"handler": [_("Choose a member of the department's staff.")]})
    previous = locked.handler_id
    locked.handler = handler
    locked.save(update_fields=["handler"])
    _event(locked.cycle, "objection_handler", actor, nomination=locked.nomination, from_value=locked.receipt,
           to_value=handler.get_username())
    audit.record("award.objection.handler", actor=actor, obj=locked,
                 details={"handler": handler.pk, "previous": previous})
    from tupo.core.notifications import notify

    notify([handler], _("Objection %(r)s was assigned to you (reply due %(d)s).") % {
        "r": locked.receipt, "d": locked.reply_due.isoformat() if locked.reply_due else "—"},
        url=reverse("awards:objection", args=[locked.pk]))
    objection.handler = handler
    return locked


def reply_overdue(objection: Objection, today: dt.date | None = None) -> bool:
    """An open objection past its reply date (10 working days from receipt)."""
    today = today or timezone.localdate()
    return objection.status == ObjectionStatus.OPEN and objection.reply_due is not None and today > objection.reply_due


@atomic_service
def resolve_objection(actor, objection: Objection, *, outcome: str, findings: str, reply_on: dt.date | None = None,
                      withdraw: bool = False, promote=None) -> Objection:
    """Record findings, outcome and reply. An upheld objection may withdraw the entry and promote the next one
    (who then needs a new notice version before the cycle can close). The assigned handler may answer; withdrawing
    and promoting stay with the administrator of the cycle."""
    require_perm(actor, "awards.handle_objection", objection)
    if withdraw or promote is not None:
        require_perm(actor, "awards.manage_cycle", objection.cycle)
    locked = Objection.objects.select_for_update().get(pk=objection.pk)
    if locked.status != ObjectionStatus.OPEN:
        raise InvalidTransition(_("This objection has been answered already."))
    if outcome not in (ObjectionOutcome.UPHELD, ObjectionOutcome.REJECTED):
        raise ValidationError({"outcome": [_("Choose upheld or rejected.")]})
    if not (findings or "").strip():
        raise ValidationError({"findings": [_("Record the findings.")]})
    if (withdraw or promote is not None) and outcome != ObjectionOutcome.UPHELD:
        raise ValidationError({"outcome": [_("Only an upheld objection can withdraw an entry.")]})
    if promote is not None and not withdraw:
        raise ValidationError({"promote": [_("An entry is promoted only in place of a withdrawn one.")]})
    if withdraw:
        target = Nomination.objects.select_for_update().get(pk=locked.nomination_id) if locked.nomination_id else None
        if target is None or target.status != NominationStatus.AWARDED:
            raise ValidationError({"nomination": [_("The objection does not concern an awarded entry.")]})
        grade = target.grade
        _move(actor, target, NominationStatus.WITHDRAWN,
              _("Withdrawn after upheld objection %(r)s.") % {"r": locked.receipt}, kind="withdraw")
        if promote is not None:
            nxt = Nomination.objects.select_for_update().get(pk=promote.pk)
            if nxt.cycle_id != target.cycle_id or nxt.status != NominationStatus.NOT_AWARDED or not (
                    hasattr(nxt, "slot") or nxt.events.filter(kind="shortlist", to_value="shortlisted").exists()):
                raise ValidationError({"promote": [_("Only a shortlisted entry that was not awarded can be promoted.")]})
            nxt.grade = grade
            _move(actor, nxt, NominationStatus.AWARDED,
                  _("Promoted in place of %(t)s; needs a new public notice.") % {"t": target.title}, kind="promote")
    locked.outcome = outcome
    locked.findings = findings.strip()
    locked.reply_on = reply_on or timezone.localdate()
    locked.status = ObjectionStatus.CLOSED
    locked.save()
    _event(locked.cycle, "objection_reply", actor, nomination=locked.nomination, from_value=locked.receipt,
           to_value=outcome)
    audit.record("award.objection.resolve", actor=actor, obj=locked,
                 details={"outcome": outcome, "withdraw": withdraw, "promote": getattr(promote, "pk", None)})
    return locked


def lookup_receipt(receipt: str) -> Objection | None:
    return Objection.objects.filter(receipt=(receipt or "").strip().upper()).select_related("cycle").first()


# --- closing: certificates and the case library -----------------------------------------------------------------

@atomic_service
def issue_certificate(actor, nomination: Nomination) -> Certificate:
    require_perm(actor, "awards.manage_nomination", nomination)
    cycle = _lock_cycle(nomination.cycle)
    nom = Nomination.objects.get(pk=nomination.pk)
    if nom.status != NominationStatus.AWARDED:
        raise ValidationError(_("%(t)s did not win an award: no certificate can be issued.") % {"t": nom.title})
    if cycle.status != CycleStatus.CLOSED:
        raise InvalidTransition(_("Certificates are issued once the cycle is closed."))
    existing = Certificate.objects.filter(nomination=nom).first()
    if existing:
        return existing
    n = Certificate.objects.filter(nomination__cycle=cycle).count() + 1
    cert = Certificate.objects.create(nomination=nom, serial=f"{cycle.year}-{cycle.pk:03d}-{n:03d}",
                                      code=random_code(12), issued_on=timezone.localdate(), issued_by=_user(actor))
    _event(cycle, "certificate", actor, nomination=nom, to_value=cert.serial)
    audit.record("award.certificate", actor=actor, obj=nom, details={"serial": cert.serial})
    return cert


@atomic_service
def closed_on(cycle: AwardCycle) -> dt.date:
    """The date the cycle closed (its commendation date)."""
    ev = cycle.events.filter(kind="status", to_value=CycleStatus.CLOSED).order_by("-at").first()
    return timezone.localdate(ev.at) if ev else timezone.localdate()


def winners_by_grade(cycle: AwardCycle) -> list[dict]:
    """The final list: per grade (in the cycle's order), per category, the winning entries."""
    noms = list(cycle.nominations.filter(status=NominationStatus.AWARDED).select_related("org").order_by("id"))
    out = []
    for g in cycle.grades:
        in_grade = [n for n in noms if n.grade == g["code"]]
        if not in_grade:
            continue
        cats = [{"category": c, "entries": [n for n in in_grade if n.category == c]} for c in cycle.categories]
        out.append({"grade": g, "count": len(in_grade), "categories": [c for c in cats if c["entries"]]})
    return out


@atomic_service
def record_commendation(actor, cycle: AwardCycle, fmt: str) -> None:
    """The commendation document (表彰决定) is produced after close only; each download is audited."""
    require_perm(actor, "awards.manage_cycle", cycle)
    if cycle.status != CycleStatus.CLOSED:
        raise InvalidTransition(_("The commendation document is produced once the cycle is closed."))
    audit.record("award.commendation", actor=actor, obj=cycle, details={"format": fmt})


@atomic_service
def send_winners_to_cases(actor, cycle: AwardCycle) -> list:
    """One action: every winning entry becomes a draft case of the case library (no duplicates on a repeat)."""
    from tupo.cases import services as case_services

    require_perm(actor, "awards.manage_cycle", cycle)
    if cycle.status != CycleStatus.CLOSED:
        raise InvalidTransition(_("Winning entries go to the case library once the cycle is closed."))
    cases = []
    for nom in cycle.nominations.filter(status=NominationStatus.AWARDED).select_related("org"):
        cases.append(case_services.create_case_from(actor, "award", nom.pk, {
            "title": nom.title, "abstract": nom.abstract or nom.title, "background": nom.background,
            "practice": nom.practice, "results": nom.results, "discussion": nom.discussion,
            "appendix": nom.appendix, "year": cycle.year}, org=nom.org))
    audit.record("award.to_cases", actor=actor, obj=cycle, details={"cases": [c.pk for c in cases]})
    return cases
