"""API of the award: cycles and own nominations, the members' online vote, objection handling (token); the
public notice, receipt lookup and results after close (no login). Every write calls the same service as the page."""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tupo.awards import queries, services
from tupo.awards.choices import CycleStatus
from tupo.awards.models import AwardCycle, Nomination, Objection
from tupo.core.access import get_visible_or_404

router = Router(tags=["awards"])


class CycleOut(Schema):
    id: int
    name: str
    year: int
    approval_ref: str
    approving_body: str
    org_id: int
    status: str
    categories: list[str]
    grades: list[dict]
    apply_start: dt.date
    apply_end: dt.date
    notice_workdays: int
    max_per_org: int


class NominationOut(Schema):
    id: int
    cycle_id: int
    category: str
    org_id: int
    title: str
    abstract: str
    status: str
    reason: str
    grade: str


class NoticeOut(Schema):
    cycle: str
    version: int
    title: str
    body: str
    issuing_body: str
    issue_date: dt.date
    period_start: dt.date
    period_end: dt.date
    objection_contact: str
    entries: list[dict]


class ReceiptOut(Schema):
    receipt: str
    received_on: dt.date
    late: bool
    status: str
    outcome: str
    reply_on: dt.date | None
    findings: str


@router.get("/awards/cycles", response=list[CycleOut])
def cycles(request):
    return list(AwardCycle.objects.visible_to(request.auth).order_by("-year", "-id")[:200])


@router.get("/awards/cycles/{cycle_id}", response=CycleOut)
def cycle(request, cycle_id: int):
    return get_visible_or_404(AwardCycle, request.auth, pk=cycle_id)


@router.get("/awards/nominations", response=list[NominationOut])
def nominations(request):
    return list(Nomination.objects.visible_to(request.auth).order_by("-id")[:500])


@router.get("/awards/nominations/{nomination_id}", response=NominationOut)
def nomination(request, nomination_id: int):
    return get_visible_or_404(Nomination, request.auth, pk=nomination_id)


@router.get("/awards/public/{cycle_id}/notice", response=NoticeOut, auth=None)
def public_notice(request, cycle_id: int):
    """The current published notice: only what it holds (entries frozen at publication)."""
    cycle_ = AwardCycle.objects.filter(pk=cycle_id).first()
    notice = services.latest_published_notice(cycle_) if cycle_ else None
    if notice is None:
        raise Http404
    return {"cycle": cycle_.name, **{k: getattr(notice, k) for k in (
        "version", "title", "body", "issuing_body", "issue_date", "period_start", "period_end",
        "objection_contact")}, "entries": [{k: e[k] for k in ("org", "title", "abstract", "category", "grade_name")}
                                           for e in notice.entries]}


@router.get("/awards/public/objections/{receipt}", response=ReceiptOut, auth=None)
def receipt(request, receipt: str):
    obj = services.lookup_receipt(receipt)
    if obj is None:
        raise Http404
    return {"receipt": obj.receipt, "received_on": obj.received_on, "late": obj.late, "status": obj.status,
            "outcome": obj.outcome, "reply_on": obj.reply_on,
            "findings": obj.findings if obj.status == "closed" else ""}


# --- the members' online vote (first round) ------------------------------------------------------------------

class VoteEntryOut(Schema):
    id: int
    org: str
    title: str
    abstract: str


class VoteCategoryOut(Schema):
    category: str
    voted: bool
    entries: list[VoteEntryOut]


class VoteCycleOut(Schema):
    id: int
    name: str
    vote_start: dt.date | None
    vote_end: dt.date | None
    max_choices: int
    is_open: bool
    categories: list[VoteCategoryOut]


class BallotIn(Schema):
    category: str
    nominations: list[int]


class BallotOut(Schema):
    id: int
    cycle_id: int
    category: str
    nominations: list[int]


def _vote_cycle(cycle, user) -> dict:
    voted = set(cycle.ballots.filter(voter=user).values_list("category", flat=True))
    return {"id": cycle.pk, "name": cycle.name, "vote_start": cycle.vote_start, "vote_end": cycle.vote_end,
            "max_choices": cycle.vote_max_choices, "is_open": services.vote_open(cycle),
            "categories": [{"category": c, "voted": c in voted, "entries": [
                {"id": n.pk, "org": n.org.name, "title": n.title, "abstract": n.abstract}
                for n in services.vote_entries(cycle, c)]} for c in cycle.categories]}


@router.get("/awards/votes", response=list[VoteCycleOut])
def votes(request):
    """The member's ballots: cycles in scope whose vote is on during the first round, per category the entries
    and whether the member has voted there already."""
    return [_vote_cycle(c, request.auth) for c in queries.vote_cycles_for(request.auth)]


@router.get("/awards/votes/{cycle_id}", response=VoteCycleOut)
def vote(request, cycle_id: int):
    return _vote_cycle(queries.vote_cycle_or_404(request.auth, cycle_id), request.auth)


@router.post("/awards/votes/{cycle_id}/ballots", response={201: BallotOut})
def cast_ballot(request, cycle_id: int, payload: BallotIn):
    """One ballot per member and category (422 for a second one or a wrong choice; 409 outside the window)."""
    cycle = queries.vote_cycle_or_404(request.auth, cycle_id)
    ballot = services.cast_vote(request.auth, cycle, payload.category, payload.nominations)
    return Status(201, {"id": ballot.pk, "cycle_id": cycle.pk, "category": ballot.category,
                        "nominations": sorted(ballot.nominations.values_list("pk", flat=True))})


# --- objections: handlers, findings and outcome --------------------------------------------------------------

class ObjectionListOut(Schema):
    id: int
    cycle_id: int
    cycle: str
    receipt: str
    channel: str
    entry: str
    received_on: dt.date
    late: bool
    reply_due: dt.date | None
    overdue: bool
    handler: str
    status: str
    outcome: str


class ObjectionOut(ObjectionListOut):
    nomination_id: int | None
    anonymous: bool
    name: str
    contact: str
    content: str
    postmark_on: dt.date | None
    findings: str
    reply_on: dt.date | None


class HandlerIn(Schema):
    handler_id: int


class AnswerIn(Schema):
    outcome: str
    findings: str
    reply_on: dt.date | None = None
    withdraw: bool = False
    promote_id: int | None = None


def _objection(o: Objection, *, detail: bool = False) -> dict:
    out = {"id": o.pk, "cycle_id": o.cycle_id, "cycle": o.cycle.name, "receipt": o.receipt, "channel": o.channel,
           "entry": f"{o.nomination.org.name}《{o.nomination.title}》" if o.nomination_id else "",
           "received_on": o.received_on, "late": o.late, "reply_due": o.reply_due,
           "overdue": services.reply_overdue(o), "handler": o.handler.get_username() if o.handler_id else "",
           "status": o.status, "outcome": o.outcome}
    if detail:  # what the objection's page shows to the administrator and the handler
        out.update({"nomination_id": o.nomination_id, "anonymous": o.anonymous, "name": o.name,
                    "contact": o.contact, "content": o.content, "postmark_on": o.postmark_on,
                    "findings": o.findings, "reply_on": o.reply_on})
    return out


def _objections():
    return Objection.objects.select_related("cycle__org", "nomination__org", "handler")


def _visible_objection(user, pk: int) -> Objection:
    """404 unless the user runs the cycle or handles the objection (as on the objection's page)."""
    obj = _objections().visible_to(user).filter(pk=pk).first()
    if obj is None:
        raise Http404
    return obj


@router.get("/awards/objections/mine", response=list[ObjectionListOut])
def objections_mine(request):
    """Objections assigned to me as handler, open ones first, by reply date."""
    return [_objection(o) for o in _objections().filter(handler=request.auth).order_by("status", "reply_due", "id")]


@router.get("/awards/cycles/{cycle_id}/objections", response=list[ObjectionListOut])
def cycle_objections(request, cycle_id: int):
    cycle = get_visible_or_404(AwardCycle, request.auth, pk=cycle_id)
    return [_objection(o) for o in _objections().visible_to(request.auth).filter(cycle=cycle).order_by("id")]


@router.get("/awards/objections/{objection_id}", response=ObjectionOut)
def objection(request, objection_id: int):
    return _objection(_visible_objection(request.auth, objection_id), detail=True)


@router.post("/awards/objections/{objection_id}/handler", response=ObjectionOut)
def assign_handler(request, objection_id: int, payload: HandlerIn):
    """The administrator of the cycle assigns one of the department's staff (403 for the handler)."""
    from tupo.accounts.models import User

    obj = _visible_objection(request.auth, objection_id)
    handler = User.objects.filter(pk=payload.handler_id).first()
    services.assign_handler(request.auth, obj, handler)
    return _objection(_objections().get(pk=obj.pk), detail=True)


@router.post("/awards/objections/{objection_id}/answer", response=ObjectionOut)
def answer(request, objection_id: int, payload: AnswerIn):
    """Findings, outcome and reply date (handler or administrator); withdrawing the entry and promoting the next
    one stay with the administrator of the cycle (403 for the handler)."""
    obj = _visible_objection(request.auth, objection_id)
    promote = None
    if payload.promote_id is not None:
        promote = obj.cycle.nominations.filter(pk=payload.promote_id).first()
        if promote is None:
            raise ValidationError({"promote_id": [_("Choose an entry of this cycle.")]})
    services.resolve_objection(request.auth, obj, outcome=payload.outcome, findings=payload.findings,
                               reply_on=payload.reply_on, withdraw=payload.withdraw, promote=promote)
    return _objection(_objections().get(pk=obj.pk), detail=True)


# --- public results after close (no login) ---------------------------------------------------------------------

class ResultEntryOut(Schema):
    org: str
    title: str
    abstract: str


class ResultCategoryOut(Schema):
    category: str
    entries: list[ResultEntryOut]


class ResultGradeOut(Schema):
    code: str
    name: str
    count: int
    categories: list[ResultCategoryOut]


class ResultsOut(Schema):
    cycle: str
    year: int
    approval_ref: str
    approving_body: str
    issuing_body: str
    closed_on: dt.date
    grades: list[ResultGradeOut]


@router.get("/awards/public/{cycle_id}/results", response=ResultsOut, auth=None)
def public_results(request, cycle_id: int):
    """The final list after close, as on the public results page (404 before): nothing beyond it."""
    cycle_ = AwardCycle.objects.filter(pk=cycle_id, status=CycleStatus.CLOSED).first()
    if cycle_ is None:
        raise Http404
    return {"cycle": cycle_.name, "year": cycle_.year, "approval_ref": cycle_.approval_ref,
            "approving_body": cycle_.approving_body, "issuing_body": cycle_.issuing_body,
            "closed_on": services.closed_on(cycle_),
            "grades": [{"code": g["grade"]["code"], "name": g["grade"]["name"], "count": g["count"],
                        "categories": [{"category": c["category"], "entries": [
                            {"org": e.org.name, "title": e.title, "abstract": e.abstract} for e in c["entries"]]}
                            for c in g["categories"]]} for g in services.winners_by_grade(cycle_)]}
