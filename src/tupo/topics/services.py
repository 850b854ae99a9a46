"""Every write to proposals, topics, calls and bids goes through here (views, API and the demo alike).

After a call's deadline nothing a bidder sends changes anything: each bidder write re-reads the call under a
row lock and checks the window on the server (``_require_open``), whatever the client thinks the time is.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal, InvalidOperation

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.core import audit
from tupo.core.calendar import CalendarDataMissing, add_workdays
from tupo.core.services import ConcurrentEditError, InvalidTransition, atomic_service, require_perm
from tupo.orgs.models import Organization, Person, add_months
from tupo.topics import eligibility
from tupo.topics.choices import (
    ALLOWED_BID_TRANSITIONS,
    ALLOWED_CALL_TRANSITIONS,
    ALLOWED_PROPOSAL_TRANSITIONS,
    BidStatus,
    CallStatus,
    Invitation,
    OutputForm,
    ProposalStatus,
    TeamRole,
    Tier,
)
from tupo.topics.models import (
    Bid,
    BidAttachment,
    BidMilestone,
    BidTeamMember,
    BudgetLine,
    Call,
    Topic,
    TopicEvent,
    TopicProposal,
)

TOPIC_FIELDS = ("title", "background", "goals", "output_form", "tier", "funding", "duration_months")
CALL_FIELDS = ("title", "description", "starts_at", "ends_at", "deadline_workdays", "max_principal_age",
               "min_service_years", "team_min", "team_max", "one_bid_per_person", "max_bids_per_org",
               "block_unfinished", "awards_per_topic")
BID_FIELDS = ("title", "angle", "outline", "method", "expected_outputs", "total_budget", "service_years")


class WindowClosed(InvalidTransition):
    """A bidder write outside the bidding window (→ 409 in the API, a message on the page)."""


def _user(actor):
    return actor if getattr(actor, "is_authenticated", False) else None


def _event(kind, actor, *, call=None, bid=None, proposal=None, from_value="", to_value="", reason=""):
    TopicEvent.objects.create(call=call, bid=bid, proposal=proposal, kind=kind, from_value=from_value,
                              to_value=to_value, reason=reason or "", actor=_user(actor))


def _check_transition(table, labels, frm, to, what):
    if to not in table.get(frm, set()):
        raise InvalidTransition(_("%(what)s cannot go from “%(a)s” to “%(b)s”.") % {
            "what": what, "a": labels(frm).label, "b": labels(to).label if to in labels.values else to})


def _money(value, field) -> Decimal:
    try:
        d = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError, TypeError):
        raise ValidationError({field: [_("Enter an amount in yuan.")]}) from None
    if d < 0:
        raise ValidationError({field: [_("The amount cannot be negative.")]})
    return d


# --- proposals and topics ----------------------------------------------------------------------------------

@atomic_service
def submit_proposal(actor, org: Organization, data: dict) -> TopicProposal:
    require_perm(actor, "topics.add_proposal", org)
    errors = {k: [_("This field is required.")] for k in ("title", "bottleneck", "expected_result")
              if not (data.get(k) or "").strip()}
    if errors:
        raise ValidationError(errors)
    proposal = TopicProposal.objects.create(org=org, submitted_by=_user(actor), title=data["title"].strip(),
                                            bottleneck=data["bottleneck"].strip(),
                                            expected_result=data["expected_result"].strip())
    _event("proposal", actor, proposal=proposal, to_value=ProposalStatus.SUBMITTED)
    audit.record("topic.proposal.submit", actor=actor, obj=proposal, details={"org": org.pk})
    return proposal


@atomic_service
def decide_proposal(actor, proposal: TopicProposal, to: str, reason: str = "") -> TopicProposal:
    require_perm(actor, "topics.decide_proposal", proposal)
    locked = TopicProposal.objects.select_for_update().get(pk=proposal.pk)
    _check_transition(ALLOWED_PROPOSAL_TRANSITIONS, ProposalStatus, locked.status, to, _("A proposal"))
    if to == ProposalStatus.DECLINED and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason for declining.")]})
    frm, locked.status, locked.decision_reason = locked.status, to, reason.strip()
    locked.save(update_fields=["status", "decision_reason"])
    _event("proposal", actor, proposal=locked, from_value=frm, to_value=to, reason=reason)
    audit.record("topic.proposal.decide", actor=actor, obj=locked, details={"from": frm, "to": to, "reason": reason})
    return locked


def validate_topic(data: dict) -> dict:
    clean = {k: data[k] for k in TOPIC_FIELDS if k in data and data[k] is not None}
    errors: dict[str, list] = {}
    if not (clean.get("title") or "").strip():
        errors["title"] = [_("The title is required.")]
    if clean.get("output_form", OutputForm.REPORT) not in OutputForm.values:
        errors["output_form"] = [_("Choose an output form.")]
    if clean.get("tier", Tier.GENERAL) not in Tier.values:
        errors["tier"] = [_("Choose a tier.")]
    if "funding" in clean:
        try:
            clean["funding"] = _money(clean["funding"], "funding")
        except ValidationError as exc:
            errors.update(exc.message_dict)
    if "duration_months" in clean and not 1 <= int(clean["duration_months"]) <= 60:
        errors["duration_months"] = [_("Between 1 and 60 months.")]
    if errors:
        raise ValidationError(errors)
    return clean


@atomic_service
def create_topic(actor, org: Organization, data: dict, proposal: TopicProposal | None = None) -> Topic:
    require_perm(actor, "topics.add_topic", org)
    clean = validate_topic(data)
    topic = Topic.objects.create(org=org, proposal=proposal, created_by=_user(actor), **clean)
    audit.record("topic.create", actor=actor, obj=topic, details={"org": org.pk, "tier": topic.tier})
    return topic


@atomic_service
def update_topic(actor, topic: Topic, data: dict) -> Topic:
    require_perm(actor, "topics.change_topic", topic)
    locked = Topic.objects.select_for_update().get(pk=topic.pk)
    if locked.calls.exclude(status=CallStatus.DRAFT).exists():
        raise InvalidTransition(_("This topic is in a published call: it can no longer change."))
    for k, v in validate_topic({**{k: getattr(locked, k) for k in TOPIC_FIELDS}, **data}).items():
        setattr(locked, k, v)
    locked.save()
    audit.record("topic.update", actor=actor, obj=locked, details={"fields": sorted(data)})
    return locked


# --- calls -------------------------------------------------------------------------------------------------

def validate_criteria(criteria) -> list[dict]:
    out = []
    for c in criteria or []:
        name = (c.get("name") or "").strip()
        try:
            weight = int(c.get("weight") or 0)
        except (TypeError, ValueError):
            weight = 0
        if name or weight:
            if not name or weight <= 0:
                raise ValidationError({"criteria": [_("Each criterion needs a name and a positive weight.")]})
            out.append({"name": name, "weight": weight})
    if out and sum(c["weight"] for c in out) != 100:
        raise ValidationError({"criteria": [_("The weights of the criteria must add up to 100.")]})
    return out


def validate_call(data: dict) -> dict:
    clean = {k: data[k] for k in CALL_FIELDS if k in data}
    errors: dict[str, list] = {}
    if not (clean.get("title") or "").strip():
        errors["title"] = [_("The title is required.")]
    tmin, tmax = clean.get("team_min") or 1, clean.get("team_max") or 5
    if tmin < 1 or tmin > tmax:
        errors["team_min"] = [_("The smallest team must be at least 1 and no larger than the largest team.")]
    if (clean.get("awards_per_topic") or 1) < 1:
        errors["awards_per_topic"] = [_("At least 1.")]
    if clean.get("starts_at") and clean.get("ends_at") and clean["ends_at"] <= clean["starts_at"]:
        errors["ends_at"] = [_("The deadline must come after the opening.")]
    if errors:
        raise ValidationError(errors)
    return clean


@atomic_service
def create_call(actor, org: Organization, data: dict, topics, criteria=None) -> Call:
    require_perm(actor, "topics.add_call", org)
    clean = validate_call(data)
    topics = list(topics)
    if not topics:
        raise ValidationError({"topics": [_("Choose at least one topic.")]})
    for t in topics:
        require_perm(actor, "topics.change_topic", t)
    call = Call.objects.create(org=org, created_by=_user(actor), criteria=validate_criteria(criteria), **clean)
    call.topics.set(topics)
    _event("status", actor, call=call, to_value=CallStatus.DRAFT)
    audit.record("topic.call.create", actor=actor, obj=call, details={"org": org.pk, "topics": [t.pk for t in topics]})
    return call


def _lock_call(call: Call, expected_version: int | None = None) -> Call:
    locked = Call.objects.select_for_update().select_related("org").get(pk=call.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


@atomic_service
def update_call(actor, call: Call, data: dict, *, topics=None, criteria=None, expected_version: int | None = None) -> Call:
    require_perm(actor, "topics.manage_call", call)
    locked = _lock_call(call, expected_version)
    if locked.status != CallStatus.DRAFT:
        raise InvalidTransition(_("A published call can no longer change."))
    merged = {**{k: getattr(locked, k) for k in CALL_FIELDS}, **data}
    for k, v in validate_call(merged).items():
        setattr(locked, k, v)
    if criteria is not None:
        locked.criteria = validate_criteria(criteria)
    if topics is not None:
        locked.topics.set(list(topics))
    locked.version += 1
    locked.save()
    audit.record("topic.call.update", actor=actor, obj=locked, details={"fields": sorted(data)})
    return locked


def _end_of_day(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day + dt.timedelta(days=1), dt.time.min))


@atomic_service
def publish_call(actor, call: Call, *, expected_version: int | None = None) -> Call:
    """Open the call: bidding starts now (or at ``starts_at``); the deadline is a date or N working days on."""
    require_perm(actor, "topics.manage_call", call)
    locked = _lock_call(call, expected_version)
    _check_transition(ALLOWED_CALL_TRANSITIONS, CallStatus, locked.status, CallStatus.PUBLISHED, _("A call"))
    now = timezone.now()
    locked.starts_at = locked.starts_at or now
    if locked.deadline_workdays:
        try:
            locked.ends_at = _end_of_day(add_workdays(timezone.localdate(max(now, locked.starts_at)),
                                                      locked.deadline_workdays))
        except CalendarDataMissing as exc:
            raise ValidationError({"deadline_workdays": [str(exc)]}) from None
    if locked.ends_at is None:
        raise ValidationError({"ends_at": [_("Set the deadline (a date or a number of working days).")]})
    if locked.ends_at <= max(now, locked.starts_at):
        raise ValidationError({"ends_at": [_("The deadline has already passed.")]})
    if not locked.topics.exists():
        raise ValidationError({"topics": [_("Choose at least one topic.")]})
    locked.status, locked.published_at = CallStatus.PUBLISHED, now
    locked.version += 1
    locked.save()
    _event("status", actor, call=locked, from_value=CallStatus.DRAFT, to_value=CallStatus.PUBLISHED)
    audit.record("topic.call.publish", actor=actor, obj=locked, details={"ends_at": locked.ends_at.isoformat()})
    from tupo.topics import notify

    notify.call_published(locked)
    return locked


def _close_if_due(actor, locked: Call) -> Call:
    if locked.status == CallStatus.PUBLISHED:
        if not locked.deadline_passed():
            raise InvalidTransition(_("The call is still open for bids until %(t)s.")
                                    % {"t": timezone.localtime(locked.ends_at).strftime("%Y-%m-%d %H:%M")})
        locked.status = CallStatus.CLOSED
        locked.version += 1
        locked.save(update_fields=["status", "version"])
        _event("status", actor, call=locked, from_value=CallStatus.PUBLISHED, to_value=CallStatus.CLOSED,
               reason=_("deadline passed"))
        audit.record("topic.call.close", actor=actor, obj=locked)
        # Drafts and pending invitations left at the deadline are simply not bids.
    return locked


@atomic_service
def close_call(actor, call: Call) -> Call:
    require_perm(actor, "topics.manage_call", call)
    locked = _lock_call(call)
    _check_transition(ALLOWED_CALL_TRANSITIONS, CallStatus, locked.status, CallStatus.CLOSED, _("A call"))
    return _close_if_due(actor, locked)


# --- bids (bidder side) ------------------------------------------------------------------------------------

def _require_open(call: Call) -> Call:
    """Re-read the call under a lock and refuse any bidder write outside its window."""
    locked = _lock_call(call)
    now = timezone.now()
    if locked.status != CallStatus.PUBLISHED or locked.ends_at is None or now >= locked.ends_at:
        raise WindowClosed(_("The deadline of this call has passed: bids can no longer be submitted or changed."))
    if locked.starts_at and now < locked.starts_at:
        raise WindowClosed(_("Bidding for this call has not opened yet."))
    return locked


def _lock_bid(bid: Bid, expected_version: int | None = None) -> Bid:
    locked = Bid.objects.select_for_update().get(pk=bid.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


def _clean_lines(lines) -> list[tuple[str, Decimal]]:
    out = []
    for n, line in enumerate(lines or [], 1):
        item = (line.get("item") or "").strip()
        amount = line.get("amount")
        if not item and amount in (None, ""):
            continue
        if not item:
            raise ValidationError({"budget_lines": [_("Budget line %(n)s needs an item.") % {"n": n}]})
        out.append((item, _money(amount, "budget_lines")))
    return out


def _clean_milestones(call: Call, topic: Topic, milestones) -> list[tuple[str, dt.date, str]]:
    start, end = planned_period(call, topic)
    out = []
    for n, m in enumerate(milestones or [], 1):
        title = (m.get("title") or "").strip()
        due = m.get("due_on")
        if not title and not due:
            continue
        if not title or not due:
            raise ValidationError({"milestones": [_("Milestone %(n)s needs a title and a date.") % {"n": n}]})
        if isinstance(due, str):
            try:
                due = dt.date.fromisoformat(due)
            except ValueError:
                raise ValidationError({"milestones": [_("Milestone %(n)s: enter a date.") % {"n": n}]}) from None
        if start and not start <= due <= end:
            raise ValidationError({"milestones": [
                _("Milestone “%(t)s” is due on %(d)s, outside the project period %(a)s – %(b)s.")
                % {"t": title, "d": due.isoformat(), "a": start.isoformat(), "b": end.isoformat()}]})
        out.append((title, due, (m.get("deliverable") or "").strip()))
    return out


def planned_period(call: Call, topic: Topic) -> tuple[dt.date | None, dt.date | None]:
    """The project period a bid plans for: from the deadline, the topic's expected duration."""
    if call.ends_at is None:
        return None, None
    start = call.deadline_date
    return start, add_months(start, topic.duration_months)


def _write_children(bid: Bid, lines, milestones) -> None:
    if lines is not None:
        bid.budget_lines.all().delete()
        BudgetLine.objects.bulk_create([BudgetLine(bid=bid, item=i, amount=a) for i, a in lines])
    if milestones is not None:
        bid.milestones.all().delete()
        BidMilestone.objects.bulk_create([BidMilestone(bid=bid, title=t, due_on=d, deliverable=x)
                                          for t, d, x in milestones])


def _check_budget(bid: Bid) -> None:
    total = sum((line.amount for line in bid.budget_lines.all()), Decimal("0"))
    if total != bid.total_budget:
        raise ValidationError({"budget_lines": [
            _("The budget lines add up to %(sum)s yuan, not the stated total of %(total)s yuan.")
            % {"sum": f"{total:.2f}", "total": f"{bid.total_budget:.2f}"}]})


def _validate_bid_fields(data: dict) -> dict:
    clean = {k: data[k] for k in BID_FIELDS if k in data}
    if "title" in clean and not (clean["title"] or "").strip():
        raise ValidationError({"title": [_("The title is required.")]})
    if "total_budget" in clean:
        clean["total_budget"] = _money(clean["total_budget"] or 0, "total_budget")
    return clean


@atomic_service
def create_bid(actor, call: Call, topic: Topic, data: dict, *, budget_lines=None, milestones=None) -> Bid:
    """A cadre starts a bid (a draft) as its principal; the call's rules for principals are checked now."""
    require_perm(actor, "topics.add_bid", call)
    locked = _require_open(call)
    if not locked.topics.filter(pk=topic.pk).exists():
        raise ValidationError({"topic": [_("This topic is not part of the call.")]})
    person = Person.objects.get(pk=actor.person_id)
    clean = _validate_bid_fields(data)
    if not (clean.get("title") or "").strip():
        raise ValidationError({"title": [_("The title is required.")]})
    if Bid.objects.filter(call=locked, topic=topic, principal=person, status__in=[
            BidStatus.DRAFT, BidStatus.SUBMITTED]).exists():
        raise ValidationError({"topic": [_("You already have a bid for this topic.")]})
    probe = Bid(call=locked, principal=person, service_years=clean.get("service_years"))
    reasons = eligibility.check_principal(locked, person, probe)
    if reasons:
        raise ValidationError({"__all__": [str(r) for r in reasons]})
    lines = _clean_lines(budget_lines)
    plan = _clean_milestones(locked, topic, milestones)
    bid = Bid.objects.create(call=locked, topic=topic, principal=person, org_id=person.org_id, org_path=person.org_path,
                             single_award=locked.awards_per_topic == 1, created_by=_user(actor), **clean)
    BidTeamMember.objects.create(bid=bid, person=person, role=TeamRole.PRINCIPAL, invitation=Invitation.CONFIRMED,
                                 responded_at=timezone.now())
    _write_children(bid, lines, plan)
    _event("status", actor, call=locked, bid=bid, to_value=BidStatus.DRAFT)
    audit.record("topic.bid.create", actor=actor, obj=bid, details={"call": locked.pk, "topic": topic.pk})
    return bid


@atomic_service
def update_bid(actor, bid: Bid, data: dict, *, budget_lines=None, milestones=None,
               expected_version: int | None = None) -> Bid:
    require_perm(actor, "topics.change_bid", bid)
    call = _require_open(bid.call)
    locked = _lock_bid(bid, expected_version)
    if locked.status != BidStatus.DRAFT:
        raise InvalidTransition(_("Only a draft can be changed; withdraw the bid first to change it."))
    for k, v in _validate_bid_fields(data).items():
        setattr(locked, k, v)
    _write_children(locked, _clean_lines(budget_lines) if budget_lines is not None else None,
                    _clean_milestones(call, locked.topic, milestones) if milestones is not None else None)
    locked.version += 1
    locked.save()
    audit.record("topic.bid.update", actor=actor, obj=locked, details={"fields": sorted(data)})
    return locked


@atomic_service
def invite_member(actor, bid: Bid, person: Person) -> BidTeamMember:
    require_perm(actor, "topics.change_bid", bid)
    call = _require_open(bid.call)
    locked = _lock_bid(bid)
    if locked.status != BidStatus.DRAFT:
        raise InvalidTransition(_("Only a draft's team can change."))
    if locked.team.filter(person=person).exclude(invitation=Invitation.DECLINED).exists():
        raise ValidationError({"person": [_("%(name)s is already on the team.") % {"name": person.name}]})
    reasons = eligibility.check_member(call, person, locked)
    if reasons:
        raise ValidationError({"person": [str(r) for r in reasons]})
    if eligibility.team_size(locked) + 1 > call.team_max:
        raise ValidationError({"person": [_("The team may have at most %(n)s people.") % {"n": call.team_max}]})
    member, _created = BidTeamMember.objects.update_or_create(
        bid=locked, person=person, defaults={"role": TeamRole.MEMBER, "invitation": Invitation.INVITED,
                                             "responded_at": None})
    _event("invite", actor, bid=locked, to_value=str(person.pk))
    audit.record("topic.bid.invite", actor=actor, obj=locked, details={"person": person.pk})
    from tupo.topics import notify

    notify.invited(member)
    return member


MAX_ATTACHMENTS = 10


@atomic_service
def add_attachment(actor, bid: Bid, upload) -> BidAttachment:
    """Attach a file to a draft before the deadline: PDF, Office or image files, checked from their content."""
    from tupo.cases import uploads

    require_perm(actor, "topics.change_bid", bid)
    _require_open(bid.call)
    locked = _lock_bid(bid)
    if locked.status != BidStatus.DRAFT:
        raise InvalidTransition(_("Only a draft's attachments can change."))
    if locked.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": [_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}]})
    att = uploads.store_upload(BidAttachment(bid=locked), upload, images_only=False)
    audit.record("topic.bid.attach", actor=actor, obj=locked, details={"type": att.content_type, "bytes": att.size})
    return att


@atomic_service
def remove_member(actor, member: BidTeamMember) -> None:
    require_perm(actor, "topics.change_bid", member.bid)
    _require_open(member.bid.call)
    locked = _lock_bid(member.bid)
    if locked.status != BidStatus.DRAFT or member.role == TeamRole.PRINCIPAL:
        raise InvalidTransition(_("This member cannot be removed."))
    member.delete()
    audit.record("topic.bid.remove_member", actor=actor, obj=locked, details={"person": member.person_id})


@atomic_service
def respond_invitation(actor, member: BidTeamMember, accept: bool) -> BidTeamMember:
    require_perm(actor, "topics.respond_invitation", member)
    call = _require_open(member.bid.call)
    locked = BidTeamMember.objects.select_for_update().get(pk=member.pk)
    if locked.invitation != Invitation.INVITED:
        raise InvalidTransition(_("You have already answered this invitation."))
    if accept:
        reasons = eligibility.check_member(call, locked.person, locked.bid)
        if reasons:
            raise ValidationError({"__all__": [str(r) for r in reasons]})
    locked.invitation = Invitation.CONFIRMED if accept else Invitation.DECLINED
    locked.responded_at = timezone.now()
    locked.save(update_fields=["invitation", "responded_at"])
    _event("invitation", actor, bid=locked.bid, to_value=locked.invitation)
    audit.record("topic.bid.invitation", actor=actor, obj=locked.bid, details={"answer": locked.invitation})
    return locked


@atomic_service
def submit_bid(actor, bid: Bid, *, expected_version: int | None = None) -> Bid:
    """Submit before the deadline. Idempotent: a bid already submitted stays as it is (a double click is one bid)."""
    require_perm(actor, "topics.change_bid", bid)
    call = _require_open(bid.call)
    locked = _lock_bid(bid)
    if locked.status == BidStatus.SUBMITTED:
        return locked
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    _check_transition(ALLOWED_BID_TRANSITIONS, BidStatus, locked.status, BidStatus.SUBMITTED, _("A bid"))
    errors = [str(r) for r in eligibility.check_principal(call, locked.principal, locked)]
    pending = locked.team.filter(invitation=Invitation.INVITED).select_related("person")
    if pending:
        errors.append(_("Waiting for these members to confirm: %(names)s.") % {"names": ", ".join(m.person.name for m in pending)})
    size = eligibility.team_size(locked)
    if not call.team_min <= size <= call.team_max:
        errors.append(_("The team must have %(a)s to %(b)s people (principal included); it has %(n)s.")
                      % {"a": call.team_min, "b": call.team_max, "n": size})
    if not locked.milestones.exists():
        errors.append(_("Add at least one dated milestone to the plan."))
    if errors:
        raise ValidationError({"__all__": errors})
    _check_budget(locked)
    locked.status, locked.submitted_at = BidStatus.SUBMITTED, timezone.now()
    locked.version += 1
    locked.save()
    _event("status", actor, bid=locked, from_value=BidStatus.DRAFT, to_value=BidStatus.SUBMITTED)
    audit.record("topic.bid.submit", actor=actor, obj=locked, details={"call": call.pk})
    return locked


@atomic_service
def withdraw_bid(actor, bid: Bid, reason: str = "") -> Bid:
    require_perm(actor, "topics.change_bid", bid)
    _require_open(bid.call)
    locked = _lock_bid(bid)
    _check_transition(ALLOWED_BID_TRANSITIONS, BidStatus, locked.status, BidStatus.WITHDRAWN, _("A bid"))
    locked.status = BidStatus.WITHDRAWN
    locked.version += 1
    locked.save()
    _event("status", actor, bid=locked, from_value=BidStatus.SUBMITTED, to_value=BidStatus.WITHDRAWN, reason=reason)
    audit.record("topic.bid.withdraw", actor=actor, obj=locked, details={"reason": reason})
    return locked


@atomic_service
def reopen_bid(actor, bid: Bid) -> Bid:
    """A withdrawn bid goes back to draft (before the deadline), to be changed and submitted again."""
    require_perm(actor, "topics.change_bid", bid)
    call = _require_open(bid.call)
    locked = _lock_bid(bid)
    _check_transition(ALLOWED_BID_TRANSITIONS, BidStatus, locked.status, BidStatus.DRAFT, _("A bid"))
    if call.one_bid_per_person and eligibility._other_live_bids(call, locked.principal, locked).exists():
        raise ValidationError({"__all__": [_("You already lead or joined another bid of this call.")]})
    locked.status = BidStatus.DRAFT
    locked.version += 1
    locked.save()
    _event("status", actor, bid=locked, from_value=BidStatus.WITHDRAWN, to_value=BidStatus.DRAFT)
    audit.record("topic.bid.reopen", actor=actor, obj=locked)
    return locked


# --- screening, review and award (department administrator) -----------------------------------------------

@atomic_service
def screen_bid(actor, bid: Bid, passed: bool, reason: str = "") -> Bid:
    """Eligibility screening after the deadline: pass, or fail with a reason the bidder sees."""
    require_perm(actor, "topics.manage_bid", bid)
    call = _close_if_due(actor, _lock_call(bid.call))
    if call.status != CallStatus.CLOSED or call.review_round_id:
        raise InvalidTransition(_("Screening happens after the deadline and before the bids go to review."))
    locked = _lock_bid(bid)
    to = BidStatus.SCREENED_PASS if passed else BidStatus.SCREENED_FAIL
    _check_transition(ALLOWED_BID_TRANSITIONS, BidStatus, locked.status, to, _("A bid"))
    if not passed and not reason.strip():
        raise ValidationError({"reason": [_("Give the reason why the bid fails screening.")]})
    frm = locked.status
    locked.status, locked.screening_reason = to, reason.strip()
    locked.version += 1
    locked.save()
    _event("status", actor, bid=locked, from_value=frm, to_value=to, reason=reason)
    audit.record("topic.bid.screen", actor=actor, obj=locked, details={"result": to, "reason": reason})
    from tupo.topics import notify

    notify.screened(locked)
    return locked


@atomic_service
def send_to_review(actor, call: Call, **kwargs):
    """Every submitted bid screened: the passing ones go to one expert review round in ``reviews``."""
    require_perm(actor, "topics.manage_call", call)
    locked = _close_if_due(actor, _lock_call(call))
    if locked.status != CallStatus.CLOSED or locked.review_round_id:
        raise InvalidTransition(_("This call's bids cannot be sent to review now."))
    if locked.bids.filter(status=BidStatus.SUBMITTED).exists():
        raise ValidationError({"__all__": [_("Screen every submitted bid first.")]})
    if not locked.bids.filter(status=BidStatus.SCREENED_PASS).exists():
        raise ValidationError({"__all__": [_("No bid passed screening.")]})
    from tupo.topics import review_link

    rnd = review_link.send_to_review(actor, locked, **kwargs)
    locked.review_round_id = rnd.pk
    locked.version += 1
    locked.save(update_fields=["review_round_id", "version"])
    _event("review", actor, call=locked, to_value=str(rnd.pk), reason=rnd.title)
    audit.record("topic.call.review", actor=actor, obj=locked, details={"round": rnd.pk})
    return rnd


@atomic_service
def award_bid(actor, bid: Bid, reason: str):
    """中标: the bid wins its topic and becomes a project's task book. Two admins at once: the second is told.

    The call row is locked first (one award decision at a time per call), then the count of awarded bids for the
    topic is checked; the conditional unique constraint backs this up in the database.
    """
    require_perm(actor, "topics.manage_bid", bid)
    if not (reason or "").strip():
        raise ValidationError({"reason": [_("Give the reason for the award.")]})
    call = _close_if_due(actor, _lock_call(bid.call))
    if call.status != CallStatus.CLOSED:
        raise InvalidTransition(_("Awards are made after the deadline, before the call is finished."))
    locked = _lock_bid(bid)
    _check_transition(ALLOWED_BID_TRANSITIONS, BidStatus, locked.status, BidStatus.AWARDED, _("A bid"))
    taken = Bid.objects.filter(call=call, topic_id=locked.topic_id, status=BidStatus.AWARDED).count()
    if taken >= call.awards_per_topic:
        raise InvalidTransition(_("This topic has already been awarded (%(n)s of %(n)s places taken).")
                                % {"n": call.awards_per_topic})
    locked.status, locked.award_reason = BidStatus.AWARDED, reason.strip()
    locked.version += 1
    try:
        with transaction.atomic():
            locked.save()
    except IntegrityError:
        raise InvalidTransition(_("This topic has already been awarded.")) from None
    _event("status", actor, bid=locked, from_value=BidStatus.SCREENED_PASS, to_value=BidStatus.AWARDED, reason=reason)
    audit.record("topic.bid.award", actor=actor, obj=locked, details={"reason": reason})
    from tupo.projects import services as project_services

    project = project_services.create_from_bid(actor, locked)
    from tupo.topics import notify

    notify.award_result(locked)
    return project


@atomic_service
def finish_call(actor, call: Call, reason: str = "") -> Call:
    """Close the award decision: every passing bid not awarded is told so; the call is 'awarded'."""
    require_perm(actor, "topics.manage_call", call)
    locked = _close_if_due(actor, _lock_call(call))
    _check_transition(ALLOWED_CALL_TRANSITIONS, CallStatus, locked.status, CallStatus.AWARDED, _("A call"))
    if locked.bids.filter(status=BidStatus.SUBMITTED).exists():
        raise ValidationError({"__all__": [_("Screen every submitted bid first.")]})
    if not locked.bids.filter(status=BidStatus.AWARDED).exists():
        raise ValidationError({"__all__": [_("Award at least one bid first.")]})
    from tupo.topics import notify

    for bid in locked.bids.filter(status=BidStatus.SCREENED_PASS).select_for_update():
        bid.status = BidStatus.NOT_AWARDED
        bid.version += 1
        bid.save(update_fields=["status", "version", "updated_at"])
        _event("status", actor, bid=bid, from_value=BidStatus.SCREENED_PASS, to_value=BidStatus.NOT_AWARDED,
               reason=reason)
        notify.award_result(bid)
    locked.status = CallStatus.AWARDED
    locked.version += 1
    locked.save(update_fields=["status", "version"])
    _event("status", actor, call=locked, from_value=CallStatus.CLOSED, to_value=CallStatus.AWARDED, reason=reason)
    audit.record("topic.call.finish", actor=actor, obj=locked, details={"reason": reason})
    return locked


@atomic_service
def add_call_attachment(actor, call: Call, upload):
    """The department attaches a file to its call (before or after publishing; the call's readers see it)."""
    from tupo.cases import uploads
    from tupo.topics.models import CallAttachment

    require_perm(actor, "topics.manage_call", call)
    if call.attachments.count() >= MAX_ATTACHMENTS:
        raise ValidationError({"file": [_("At most %(n)s attachments.") % {"n": MAX_ATTACHMENTS}]})
    att = uploads.store_upload(CallAttachment(call=call), upload, images_only=False)
    audit.record("topic.call.attach", actor=actor, obj=call, details={"type": att.content_type, "bytes": att.size})
    return att
