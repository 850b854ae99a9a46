"""API of the award: cycles and own nominations (token), the public notice and receipt lookup (no login)."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from ninja import Router, Schema

from tupo.awards import services
from tupo.awards.models import AwardCycle, Nomination
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
