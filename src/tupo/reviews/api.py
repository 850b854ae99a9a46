"""API of the expert review: rounds for administrators, assignments and scorecards for experts; same services."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Field, Router, Schema

from tupo.core.access import get_visible_or_404
from tupo.core.services import require_perm
from tupo.reviews import queries, services
from tupo.reviews.models import Assignment, ReviewRound

router = Router(tags=["reviews"])


class CriterionOut(Schema):
    id: int
    name: str
    weight: int
    anchors: str


class RoundOut(Schema):
    id: int
    title: str
    org_id: int
    status: str
    blind: bool
    scale_max: int
    reviews_per_item: int
    deadline: dt.date
    aggregation: str


class RoundDetailOut(RoundOut):
    criteria: list[CriterionOut]
    items: list[dict]


class AssignmentOut(Schema):
    id: int
    round_id: int
    item_id: int
    item_title: str
    item_text: str
    status: str
    deadline: dt.date
    criteria: list[CriterionOut]


class ScorecardIn(Schema):
    scores: dict[int, float]
    comments: dict[int, str] = {}
    opinion: str = ""
    confidence: int | None = Field(None, ge=1, le=5)
    submit: bool = True


def _assignment_out(a: Assignment) -> dict:
    return {"id": a.pk, "round_id": a.round_id, "item_id": a.item_id, "item_title": a.item.title,
            "item_text": a.item.text, "status": a.status, "deadline": a.round.deadline,
            "criteria": list(a.round.criteria.all())}


@router.get("/reviews/rounds", response=list[RoundOut])
def list_rounds(request):
    require_perm(request.auth, "reviews.use_admin")
    return list(ReviewRound.objects.visible_to(request.auth).order_by("-created_at", "-id")[:200])


@router.get("/reviews/rounds/{pk}", response=RoundDetailOut)
def round_detail(request, pk: int):
    r = get_visible_or_404(ReviewRound, request.auth, pk=pk)
    require_perm(request.auth, "reviews.manage_round", r)
    r.items_list = [{"id": it.pk, "title": it.title, "org_id": it.org_id, "subject_type": it.subject_type,
                     "subject_id": it.subject_id} for it in r.items.all()]
    out = RoundOut.from_orm(r).dict()
    return {**out, "criteria": list(r.criteria.all()), "items": r.items_list}


@router.get("/reviews/assignments/mine", response=list[AssignmentOut])
def my_assignments(request):
    return [_assignment_out(a) for a in queries.my_assignments(request.auth).prefetch_related("round__criteria")]


def _mine_or_404(request, pk):
    a = get_visible_or_404(Assignment, request.auth, pk=pk)
    if a.expert_id != request.auth.pk:
        raise Http404
    return a


@router.get("/reviews/assignments/{pk}", response=AssignmentOut)
def assignment_detail(request, pk: int):
    return _assignment_out(_mine_or_404(request, pk))


@router.post("/reviews/assignments/{pk}/scorecard", response=AssignmentOut)
def post_scorecard(request, pk: int, payload: ScorecardIn):
    a = _mine_or_404(request, pk)
    service = services.submit_scorecard if payload.submit else services.save_scorecard
    service(request.auth, a, payload.scores, payload.opinion, payload.confidence, payload.comments)
    a.refresh_from_db()
    return _assignment_out(a)


class BiddingRoundOut(Schema):
    id: int
    title: str
    org_id: int
    blind: bool
    open: bool
    items: list[dict]


class BidsIn(Schema):
    bids: dict[int, str]


def _bidding_round(request, pk: int) -> ReviewRound:
    r = ReviewRound.objects.select_related("org").filter(pk=pk).first()
    if r is None or not r.bidding or not request.auth.has_perm("reviews.bid", r):
        raise Http404
    return r


@router.get("/reviews/rounds/{pk}/bids", response=BiddingRoundOut)
def my_bids(request, pk: int):
    """The items an expert of the pool may bid on (not conflicted), with the expert's current bid."""
    from tupo.reviews.models import InterestBid

    r = _bidding_round(request, pk)
    items = services.biddable_items(request.auth, r)
    mine = dict(InterestBid.objects.filter(expert=request.auth, round=r).values_list("item_id", "level"))
    return {"id": r.pk, "title": r.title, "org_id": r.org_id, "blind": r.blind, "open": services.bidding_open(r),
            "items": [{"id": it.pk, "title": it.title, "text": it.text, "bid": mine.get(it.pk, "")} for it in items]}


@router.post("/reviews/rounds/{pk}/bids", response=dict[str, int])
def post_bids(request, pk: int, payload: BidsIn):
    """Set bids {item id: "interested" | "willing" | "not_interested" | ""}; all or nothing."""
    return services.save_bids(request.auth, _bidding_round(request, pk), payload.bids)
