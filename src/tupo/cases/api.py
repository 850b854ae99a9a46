"""API for cases, adoptions and brands: same visibility rules, same services as the pages."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Form, Router, Schema, Status, UploadedFile

from tupo.cases import services, uploads
from tupo.cases.choices import BrandStatus, CaseField, CaseLevel
from tupo.cases.models import Brand, Case
from tupo.core.access import get_visible_or_404
from tupo.orgs.models import Organization

router = Router(tags=["cases"])
NO_FILE = File(None)  # an optional multipart file parameter


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
    report_due_on: dt.date | None  # None: the working-day calendar has no data for the year it falls in
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


# --- brands ----------------------------------------------------------------------------------------------

class BrandOut(Schema):
    id: int
    org_id: int
    name: str
    level: str
    field: str
    year: int
    status: str
    meaning: str
    vehicle: str
    impact: str
    work_method: str
    has_logo: bool
    case_ids: list[int]

    @staticmethod
    def resolve_has_logo(obj) -> bool:
        return bool(obj.logo)

    @staticmethod
    def resolve_case_ids(obj) -> list[int]:
        return sorted(c.pk for c in obj.cases.all())


class BrandIn(Schema):
    """Multipart form fields of a brand application (the logo travels beside them as a file)."""

    org: int
    name: str = Field(..., min_length=1, max_length=100)
    level: CaseLevel = CaseLevel.COUNTY
    field: CaseField = CaseField.PARTY_BUILDING
    year: int | None = Field(None, ge=1949, le=2100)
    meaning: str = Field(..., min_length=1)
    vehicle: str = Field(..., min_length=1)
    impact: str = ""
    work_method: str = ""


@router.get("/brands", response=list[BrandOut])
def list_brands(request, status: BrandStatus | None = None, field: CaseField | None = None,
                level: CaseLevel | None = None, year: int | None = None, offset: int = 0, limit: int = 50):
    """Brands the caller may see: recognized and recommended ones for every business user, the others inside
    the caller's scope. Newest first, at most 200 a page."""
    limit = max(1, min(limit, 200))
    qs = Brand.objects.visible_to(request.auth).prefetch_related("cases").order_by("-year", "-id")
    for key, value in (("status", status), ("field", field), ("level", level), ("year", year)):
        if value:
            qs = qs.filter(**{key: getattr(value, "value", value)})
    return list(qs[max(0, offset) : max(0, offset) + limit])


@router.get("/brands/{brand_id}", response=BrandOut)
def get_brand(request, brand_id: int):
    return get_visible_or_404(Brand, request.auth, pk=brand_id)


@router.get("/brands/{brand_id}/logo")
def brand_logo(request, brand_id: int):
    brand = get_visible_or_404(Brand, request.auth, pk=brand_id)
    if not brand.logo:
        raise Http404
    return uploads.serve_file(brand.logo, brand.logo_type, f"logo{uploads.IMAGE_TYPES.get(brand.logo_type, '')}")


@router.post("/brands", response={201: BrandOut})
def apply_brand(request, payload: Form[BrandIn], logo: UploadedFile = NO_FILE):
    """An organization administrator applies for a brand (multipart/form-data; ``logo`` optional, an image)."""
    org = get_visible_or_404(Organization, request.auth, pk=payload.org)
    data = {k: (v.value if hasattr(v, "value") else v) for k, v in payload.dict(exclude={"org"}).items() if v is not None}
    return Status(201, services.apply_brand(request.auth, org, data, logo=logo))


@router.post("/brands/{brand_id}/transition", response=BrandOut)
def transition_brand(request, brand_id: int, payload: TransitionIn):
    brand = get_visible_or_404(Brand, request.auth, pk=brand_id)
    return services.transition_brand(request.auth, brand, payload.to_status, payload.reason)


class BrandCaseIn(Schema):
    case: int


class BrandCasesOut(BrandOut):
    changed: bool
    detail: str


def _brand_cases_out(brand: Brand, changed: bool, detail: str) -> Brand:
    brand.changed, brand.detail = changed, detail
    return brand


@router.post("/brands/{brand_id}/cases", response=BrandCasesOut)
def link_case(request, brand_id: int, payload: BrandCaseIn):
    """Link a published case the caller sees to the brand (the brand's organization or department admin).
    A hidden case is 404, an unpublished one 422; linking twice changes nothing (``changed`` false)."""
    brand = get_visible_or_404(Brand, request.auth, pk=brand_id)
    case = get_visible_or_404(Case, request.auth, pk=payload.case)
    changed = services.link_brand_case(request.auth, brand, case)
    return _brand_cases_out(brand, changed, _("Case linked.") if changed else _("This case was already linked; nothing changed."))


@router.delete("/brands/{brand_id}/cases/{case_id}", response=BrandCasesOut)
def unlink_case(request, brand_id: int, case_id: int):
    brand = get_visible_or_404(Brand, request.auth, pk=brand_id)
    case = get_visible_or_404(Case, request.auth, pk=case_id)
    changed = services.unlink_brand_case(request.auth, brand, case)
    return _brand_cases_out(brand, changed, _("Case unlinked.") if changed else _("This case was not linked; nothing changed."))
