"""API of the bidding: calls (those the user may see), own bids, the same services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.shortcuts import get_object_or_404
from ninja import Field, Router, Schema, Status

from tupo.core.access import get_visible_or_404
from tupo.topics import eligibility, services
from tupo.topics.choices import CallStatus
from tupo.topics.models import Bid, Call

router = Router(tags=["topics"])


class TopicOut(Schema):
    id: int
    title: str
    tier: str
    funding: Decimal
    output_form: str
    duration_months: int


class CallOut(Schema):
    id: int
    title: str
    org_id: int
    status: str
    starts_at: dt.datetime | None
    ends_at: dt.datetime | None
    max_principal_age: int | None
    min_service_years: int | None
    team_min: int
    team_max: int
    one_bid_per_person: bool
    max_bids_per_org: int | None
    block_unfinished: bool
    criteria: list
    topics: list[TopicOut]

    @staticmethod
    def resolve_topics(obj):
        return list(obj.topics.all())


class LineIn(Schema):
    item: str
    amount: Decimal


class MilestoneIn(Schema):
    title: str
    due_on: dt.date
    deliverable: str = ""


class BidIn(Schema):
    topic_id: int
    title: str = Field(..., min_length=1, max_length=200)
    angle: str = ""
    outline: str = ""
    method: str = ""
    expected_outputs: str = ""
    total_budget: Decimal = Decimal("0")
    service_years: int | None = None
    budget_lines: list[LineIn] = []
    milestones: list[MilestoneIn] = []


class BidPatch(Schema):
    version: int
    title: str | None = None
    angle: str | None = None
    outline: str | None = None
    method: str | None = None
    expected_outputs: str | None = None
    total_budget: Decimal | None = None
    budget_lines: list[LineIn] | None = None
    milestones: list[MilestoneIn] | None = None


class BidOut(Schema):
    id: int
    call_id: int
    topic_id: int
    principal_id: int
    org_id: int
    title: str
    status: str
    total_budget: Decimal
    screening_reason: str
    award_reason: str
    submitted_at: dt.datetime | None
    version: int


class ReasonIn(Schema):
    reason: str = ""


def _calls(user):
    qs = Call.objects.visible_to(user)
    if not user.has_perm("topics.use_admin"):
        qs = qs.exclude(status=CallStatus.DRAFT)
    return qs


@router.get("/topics/calls", response=list[CallOut])
def list_calls(request):
    return list(_calls(request.auth).prefetch_related("topics").order_by("-created_at", "-id")[:200])


@router.get("/topics/calls/{call_id}", response=CallOut)
def get_call(request, call_id: int):
    return get_object_or_404(_calls(request.auth), pk=call_id)


@router.get("/topics/calls/{call_id}/eligibility")
def call_eligibility(request, call_id: int):
    call = get_object_or_404(_calls(request.auth), pk=call_id)
    person = request.auth.person if request.auth.person_id else None
    reasons = eligibility.check_principal(call, person)
    return {"eligible": not reasons, "open": call.is_open(), "reasons": [{"rule": r.rule, "message": r.message}
                                                                         for r in reasons]}


@router.get("/topics/bids", response=list[BidOut])
def list_bids(request, call: int | None = None):
    qs = Bid.objects.visible_to(request.auth)
    if call:
        qs = qs.filter(call_id=call)
    return list(qs.order_by("-created_at", "-id")[:500])


@router.get("/topics/bids/{bid_id}", response=BidOut)
def get_bid(request, bid_id: int):
    return get_visible_or_404(Bid, request.auth, pk=bid_id)


@router.post("/topics/calls/{call_id}/bids", response={201: BidOut})
def create_bid(request, call_id: int, payload: BidIn):
    call = get_object_or_404(_calls(request.auth), pk=call_id)
    topic = get_object_or_404(call.topics, pk=payload.topic_id)
    data = payload.dict()
    bid = services.create_bid(request.auth, call, topic, data, budget_lines=data.pop("budget_lines"),
                              milestones=data.pop("milestones"))
    return Status(201, bid)


@router.patch("/topics/bids/{bid_id}", response=BidOut)
def patch_bid(request, bid_id: int, payload: BidPatch):
    bid = get_visible_or_404(Bid, request.auth, pk=bid_id)
    data = payload.dict(exclude_unset=True)
    version = data.pop("version")
    lines, plan = data.pop("budget_lines", None), data.pop("milestones", None)
    return services.update_bid(request.auth, bid, data, budget_lines=lines, milestones=plan, expected_version=version)


@router.post("/topics/bids/{bid_id}/submit", response=BidOut)
def submit_bid(request, bid_id: int):
    return services.submit_bid(request.auth, get_visible_or_404(Bid, request.auth, pk=bid_id))


@router.post("/topics/bids/{bid_id}/withdraw", response=BidOut)
def withdraw_bid(request, bid_id: int, payload: ReasonIn):
    return services.withdraw_bid(request.auth, get_visible_or_404(Bid, request.auth, pk=bid_id), payload.reason)
