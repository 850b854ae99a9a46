"""API of the award: cycles and own nominations, the members' online vote, objection handling (token); the
public notice, receipt lookup and results after close (no login). Every write calls the same service as the page."""

from __future__ import annotations

import datetime as dt
import math

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.utils.translation import gettext as _
from ninja import Router, Schema, Status

from tupo.awards import documents, queries, services
from tupo.awards.choices import CycleStatus
from tupo.awards.models import AwardCycle, Nomination, Objection
from tupo.core.access import get_visible_or_404
from tupo.core.services import InvalidTransition

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


# --- the administrator: vote settings, vote results and the combined ranking ---------------------------------------

def _managed_cycle(user, cycle_id: int) -> AwardCycle:
    """As the cycle page: 404 unless the user sees the cycle, 403 unless they run it."""
    cycle = get_visible_or_404(AwardCycle, user, pk=cycle_id)
    if not user.has_perm("awards.manage_cycle", cycle):
        raise PermissionDenied
    return cycle


def _form_or_422(form) -> dict:
    """The page's form decides what is valid input; its messages per field become the 422 body."""
    if not form.is_valid():
        raise ValidationError({field: [str(e) for e in errors] for field, errors in form.errors.items()})
    return form.cleaned_data


def _num(v) -> float | None:
    return None if v is None or (isinstance(v, float) and math.isnan(v)) else round(float(v), 4)


class VoteSettingsIn(Schema):
    """As the page's form (checked by it: 422 with its messages per field)."""

    vote_enabled: bool = False
    vote_weight: int | str | None = 0
    vote_start: str | None = None
    vote_end: str | None = None
    vote_max_choices: int | str | None = 1


class VoteSettingsOut(Schema):
    cycle_id: int
    status: str
    vote_enabled: bool
    vote_weight: int
    vote_start: dt.date | None
    vote_end: dt.date | None
    vote_max_choices: int
    changeable: bool
    ballots: int


def _vote_settings(cycle: AwardCycle) -> dict:
    ballots = cycle.ballots.count()
    return {"cycle_id": cycle.pk, "status": cycle.status, "vote_enabled": cycle.vote_enabled,
            "vote_weight": cycle.vote_weight, "vote_start": cycle.vote_start, "vote_end": cycle.vote_end,
            "vote_max_choices": cycle.vote_max_choices, "ballots": ballots,
            "changeable": cycle.status in services.VOTE_SETTINGS_STATUSES and not ballots}


@router.get("/awards/cycles/{cycle_id}/vote", response=VoteSettingsOut)
def vote_settings(request, cycle_id: int):
    """The online vote's settings and whether they can still change (until the first ballot, in the first round)."""
    return _vote_settings(_managed_cycle(request.auth, cycle_id))


@router.put("/awards/cycles/{cycle_id}/vote", response=VoteSettingsOut)
def configure_vote(request, cycle_id: int, payload: VoteSettingsIn):
    """Switch the members' vote on (weight 0–100 %, window, entries per ballot) or off: ``configure_vote`` as on
    the cycle page. Bad settings → 422 per field; after the first round or once a ballot is cast → 409."""
    from tupo.awards.forms import VoteSettingsForm

    cycle = _managed_cycle(request.auth, cycle_id)
    d = _form_or_422(VoteSettingsForm({k: v for k, v in payload.dict().items() if v is not None}))
    services.configure_vote(request.auth, cycle, enabled=d["vote_enabled"], weight=d["vote_weight"],
                            start=d["vote_start"], end=d["vote_end"], max_choices=d["vote_max_choices"])
    return _vote_settings(AwardCycle.objects.get(pk=cycle.pk))


class VoteRowOut(Schema):
    nomination_id: int
    org: str
    title: str
    votes: int
    share: float


class VoteResultsOut(Schema):
    category: str
    ballots: int
    rows: list[VoteRowOut]


class VoteResultsCycleOut(Schema):
    cycle_id: int
    vote_enabled: bool
    vote_weight: int
    vote_start: dt.date | None
    vote_end: dt.date | None
    categories: list[VoteResultsOut]


@router.get("/awards/cycles/{cycle_id}/vote/results", response=VoteResultsCycleOut)
def vote_results(request, cycle_id: int):
    """Per category: ballots and, per entry, votes and vote share (ballots naming it ÷ ballots, in %), as on the
    cycle page, apart from the expert ranking. No categories while the vote is off."""
    cycle = _managed_cycle(request.auth, cycle_id)
    cats = services.vote_results(cycle) if cycle.vote_enabled else []
    return {"cycle_id": cycle.pk, "vote_enabled": cycle.vote_enabled, "vote_weight": cycle.vote_weight,
            "vote_start": cycle.vote_start, "vote_end": cycle.vote_end,
            "categories": [{"category": c["category"], "ballots": c["ballots"], "rows": [
                {"nomination_id": r["nomination"].pk, "org": r["nomination"].org.name,
                 "title": r["nomination"].title, "votes": r["votes"], "share": r["share"]} for r in c["rows"]]}
                for c in cats]}


class ExpertRowOut(Schema):
    nomination_id: int | None
    title: str
    n_reviews: int
    rank: int | None
    trimmed_mean: float | None
    calibrated: float | None


class ExpertCategoryOut(Schema):
    category: str
    review_round_id: int
    round_status: str
    aggregation: str
    scale_max: float
    rows: list[ExpertRowOut]


class CombinedRowOut(Schema):
    nomination_id: int
    org: str
    title: str
    expert: float | None
    share: float
    combined: float | None


class CombinedCategoryOut(Schema):
    category: str
    rows: list[CombinedRowOut]


class RankingOut(Schema):
    cycle_id: int
    vote_weight: int
    formula: str
    expert: list[ExpertCategoryOut]
    combined: list[CombinedCategoryOut]


@router.get("/awards/cycles/{cycle_id}/ranking", response=RankingOut)
def ranking(request, cycle_id: int):
    """During the first round, as on the cycle page: the review engine's ranking per category (never changed by
    the vote) and, only when the vote is on with a weight above 0, the combined table and its formula
    (``combined_ranking``). 409 outside the first round."""
    cycle = _managed_cycle(request.auth, cycle_id)
    if cycle.status != CycleStatus.REVIEW:
        raise InvalidTransition(_("The first-round ranking is shown during the first round."))
    first_rounds = services.first_round_ranking(cycle)
    combined = services.combined_ranking(cycle, first_rounds)
    formula = (_("Combined score = expert score (0–100) × (1 − %(w)s%%) + vote share (%%) × %(w)s%%")
               % {"w": cycle.vote_weight}) if combined else ""
    return {"cycle_id": cycle.pk, "vote_weight": cycle.vote_weight if cycle.vote_enabled else 0, "formula": formula,
            "expert": [{"category": fr["category"], "review_round_id": fr["round"].pk,
                        "round_status": fr["round"].status, "aggregation": fr["round"].aggregation,
                        "scale_max": float(fr["round"].scale_max or 10), "rows": [
                            {"nomination_id": nom.pk if nom else None, "title": row.item.title,
                             "n_reviews": row.n_reviews, "rank": row.rank, "trimmed_mean": _num(row.trimmed_mean),
                             "calibrated": _num(row.calibrated)} for row, nom in fr["rows"]]}
                       for fr in first_rounds],
            "combined": [{"category": c["category"], "rows": [
                {"nomination_id": r["nomination"].pk, "org": r["nomination"].org.name, "title": r["nomination"].title,
                 "expert": r["expert"], "share": r["share"], "combined": r["combined"]} for r in c["rows"]]}
                for c in combined]}


# --- the administrator records an objection received by letter, phone or in person ---------------------------------

class RecordObjectionIn(Schema):
    """As the cycle page's form (checked by it: 422 with its messages per field). Dates as YYYY-MM-DD."""

    channel: str = ""
    nomination: int | str | None = None
    name: str = ""
    contact: str = ""
    content: str = ""
    anonymous: bool = False
    received_on: str | None = None
    postmark_on: str | None = None


@router.post("/awards/cycles/{cycle_id}/objections", response={201: ObjectionOut})
def record_objection(request, cycle_id: int, payload: RecordObjectionIn):
    """``record_objection`` as on the cycle page: real name and contact unless recorded as anonymous; a letter
    needs its postmark date and counts by it for lateness; late ones are kept and marked late. No published
    notice, an entry not in the notice, a missing field → 422, nothing recorded."""
    from tupo.awards.forms import RecordObjectionForm

    cycle = _managed_cycle(request.auth, cycle_id)
    notice = services.latest_published_notice(cycle)
    data = {k: v for k, v in payload.dict().items() if v is not None}
    d = _form_or_422(RecordObjectionForm(data, entries=getattr(notice, "entries", [])))
    obj = services.record_objection(request.auth, cycle, d)
    return Status(201, _objection(_objections().get(pk=obj.pk), detail=True))


# --- documents: certificates and the commendation document ----------------------------------------------------------

@router.get("/awards/nominations/{nomination_id}/certificate.pdf")
def certificate(request, nomination_id: int):
    """The certificate PDF of a winning entry after close (issued on first download, audited then), as the page:
    404 unless the user sees the entry, 403 unless they run its cycle, 409 for an entry that did not win or
    before the cycle closed."""
    from django.urls import reverse

    nom = get_visible_or_404(Nomination, request.auth, pk=nomination_id)
    if not request.auth.has_perm("awards.manage_nomination", nom):
        raise PermissionDenied
    try:
        cert = services.issue_certificate(request.auth, nom)
    except ValidationError as exc:  # not a winner: a state of the entry, not bad input
        raise InvalidTransition(" ".join(exc.messages)) from None
    url = request.build_absolute_uri(reverse("awards:verify") + f"?code={cert.code}")
    response = HttpResponse(documents.certificate_pdf(cert, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.serial}.pdf"'
    return response


@router.get("/awards/cycles/{cycle_id}/commendation.{fmt}")
def commendation(request, cycle_id: int, fmt: str):
    """The commendation document (表彰决定) as .docx or .pdf after close, each download audited
    (``record_commendation``); 409 before close, 404 for another format."""
    cycle = _managed_cycle(request.auth, cycle_id)
    if fmt not in ("docx", "pdf"):
        raise Http404
    services.record_commendation(request.auth, cycle, fmt)
    return documents.commendation_response(cycle, fmt)
