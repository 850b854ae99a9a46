"""API for cases and adoptions: same visibility rules, same services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from ninja import Field, Router, Schema, Status

from tupo.cases import services
from tupo.cases.choices import CaseField, CaseLevel
from tupo.cases.models import Case
from tupo.core.access import get_visible_or_404
from tupo.orgs.models import Organization

router = Router(tags=["cases"])


class MetricIO(Schema):
    name: str = Field(..., min_length=1, max_length=100)
    unit: str = ""
    before: Decimal | None = None
    after: Decimal | None = None


class CaseOut(Schema):
    id: int
    title: str
    org_id: int
    level: str
    field: str
    tags: str
    year: int
    status: str
    abstract: str
    authors: str
    source_type: str
    source_id: int | None
    version: int


class CaseDetailOut(CaseOut):
    background: str
    practice: str
    results: str
    discussion: str
    appendix: str
    metrics: list[MetricIO]


class CaseIn(Schema):
    org: int
    title: str = Field(..., min_length=1, max_length=200)
    level: CaseLevel = CaseLevel.COUNTY
    field: CaseField = CaseField.PARTY_BUILDING
    year: int | None = None
    tags: str = ""
    authors: str = ""
    abstract: str = Field(..., min_length=1)
    background: str = ""
    practice: str = ""
    results: str = ""
    discussion: str = ""
    appendix: str = ""
    metrics: list[MetricIO] = []


class TransitionIn(Schema):
    to_status: str
    reason: str = ""


class AdoptIn(Schema):
    org: int
    adapted: str = Field(..., min_length=1)
    started_on: dt.date
    contact: str = Field(..., min_length=1, max_length=100)


class ReportIn(Schema):
    org: int
    summary: str = Field(..., min_length=1)
    rating: int = Field(..., ge=1, le=5)
    reported_on: dt.date | None = None
    metrics: list[MetricIO] = []


class AdoptionOut(Schema):
    id: int
    case_id: int
    org_id: int
    adapted: str
    started_on: dt.date
    contact: str
    rating: int | None


@router.get("/cases", response=list[CaseOut])
def list_cases(request, status: str = "", field: str = "", year: int | None = None, offset: int = 0, limit: int = 50):
    limit = max(1, min(limit, 200))
    qs = Case.objects.visible_to(request.auth).order_by("-year", "-id")
    if status:
        qs = qs.filter(status=status)
    if field:
        qs = qs.filter(field=field)
    if year:
        qs = qs.filter(year=year)
    return list(qs[offset : offset + limit])


@router.get("/cases/{case_id}", response=CaseDetailOut)
def get_case(request, case_id: int):
    case = get_visible_or_404(Case, request.auth, pk=case_id)
    out = CaseOut.from_orm(case).dict()
    out.update({f: getattr(case, f) for f in Case.RICH_FIELDS})
    out["metrics"] = [MetricIO.from_orm(m).dict() for m in case.metrics.all()]
    return out


@router.post("/cases", response={201: CaseOut})
def create_case(request, payload: CaseIn):
    org = get_visible_or_404(Organization, request.auth, pk=payload.org)
    data = payload.dict(exclude={"org", "metrics"})
    data = {k: (v.value if hasattr(v, "value") else v) for k, v in data.items() if v is not None}
    case = services.create_case(request.auth, org, data, metrics=[m.dict() for m in payload.metrics])
    return Status(201, case)


@router.post("/cases/{case_id}/transition", response=CaseOut)
def transition(request, case_id: int, payload: TransitionIn):
    case = get_visible_or_404(Case, request.auth, pk=case_id)
    return services.transition_case(request.auth, case, payload.to_status, payload.reason)


@router.get("/cases/{case_id}/adoptions", response=list[AdoptionOut])
def list_adoptions(request, case_id: int):
    case = get_visible_or_404(Case, request.auth, pk=case_id)
    return list(case.adoptions.visible_to(request.auth).order_by("started_on", "id"))


@router.post("/cases/{case_id}/adoptions", response={201: AdoptionOut})
def adopt(request, case_id: int, payload: AdoptIn):
    case = get_visible_or_404(Case, request.auth, pk=case_id)
    org = get_visible_or_404(Organization, request.auth, pk=payload.org)
    return Status(201, services.adopt_case(request.auth, case, org, payload.dict()))


@router.post("/cases/{case_id}/reports", response={201: dict})
def report(request, case_id: int, payload: ReportIn):
    case = get_visible_or_404(Case, request.auth, pk=case_id)
    org = get_visible_or_404(Organization, request.auth, pk=payload.org)
    r = services.report_adoption(request.auth, case, org, payload.dict(exclude={"metrics"}),
                                 metrics=[m.dict() for m in payload.metrics])
    return Status(201, {"id": r.pk, "adoption_id": r.adoption_id, "rating": r.rating})
