"""API for organizations, people and dashboard figures: same visibility rules, same services."""

from __future__ import annotations

import datetime as dt

from ninja import Field, Router, Schema, Status

from tupo.core.access import get_visible_or_404
from tupo.core.masking import mask_id_number, mask_phone
from tupo.orgs import queries, services
from tupo.orgs.choices import Education, HostRelation, MemberStatus, Occupation, OrgCategory, OrgType
from tupo.orgs.models import Organization, Person

router = Router(tags=["organizations"])


class OrgOut(Schema):
    id: int
    code: str
    name: str
    parent_id: int | None
    org_type: str
    org_category: str
    host_unit: str
    division_code: str
    secretary_id: int | None
    term_start: dt.date | None
    term_end: dt.date | None
    depth: int
    version: int


class OrgIn(Schema):
    name: str = Field(..., min_length=1, max_length=120)
    code: str = Field(..., min_length=1, max_length=32)
    org_type: OrgType
    org_category: OrgCategory
    host_unit: str = ""
    host_relation: HostRelation = HostRelation.LEGAL_ENTITY
    division_code: str = Field("", pattern=r"^(\d{6}|\d{9}|\d{12})?$")
    established_on: dt.date | None = None
    term_start: dt.date | None = None
    term_end: dt.date | None = None


class OrgPatch(Schema):
    version: int
    name: str | None = None
    host_unit: str | None = None
    org_type: OrgType | None = None
    org_category: OrgCategory | None = None
    division_code: str | None = Field(None, pattern=r"^(\d{6}|\d{9}|\d{12})?$")
    term_start: dt.date | None = None
    term_end: dt.date | None = None


class PersonOut(Schema):
    id: int
    name: str
    sex: str
    birth_date: dt.date
    id_number: str
    phone: str
    org_id: int
    status: str
    education: str
    occupation: str
    joined_on: dt.date | None
    full_member_on: dt.date | None
    version: int


class PersonIn(Schema):
    name: str = Field(..., min_length=1, max_length=60)
    id_number: str
    ethnicity: str = "汉族"
    native_place: str = ""
    education: Education | None = None
    occupation: Occupation | None = None
    position: str = ""
    is_cadre: bool = False
    joined_on: dt.date | None = None
    full_member_on: dt.date | None = None
    phone: str = ""
    status: MemberStatus = MemberStatus.FULL
    birth_date: dt.date | None = None
    sex: str | None = None


class PersonPatch(Schema):
    version: int
    name: str | None = None
    phone: str | None = None
    education: Education | None = None
    occupation: Occupation | None = None
    position: str | None = None
    native_place: str | None = None


class TransferIn(Schema):
    to_org: int
    reason: str = Field(..., min_length=1, max_length=300)
    version: int | None = None


class StatusIn(Schema):
    status: MemberStatus
    reason: str = Field(..., min_length=1, max_length=300)
    version: int | None = None


def _person_out(user, p: Person) -> dict:
    clear = user.has_perm("orgs.view_personal_numbers", p)
    out = PersonOut.from_orm(p).dict()
    if not clear:
        out["id_number"] = mask_id_number(p.id_number)
        out["phone"] = mask_phone(p.phone)
    return out


def _clean(schema: Schema) -> dict:
    return {k: (v.value if hasattr(v, "value") else v) for k, v in schema.dict(exclude_unset=True).items()}


@router.get("/orgs", response=list[OrgOut])
def list_orgs(request, parent: int | None = None, q: str = "", offset: int = 0, limit: int = 50):
    limit = max(1, min(limit, 200))
    qs = Organization.objects.visible_to(request.auth).order_by("path")
    if parent is not None:
        get_visible_or_404(Organization, request.auth, pk=parent)
        qs = qs.filter(parent_id=parent)
    if q:
        qs = qs.filter(name__contains=q)
    return list(qs[offset : offset + limit])


@router.get("/orgs/{org_id}", response=OrgOut)
def get_org(request, org_id: int):
    return get_visible_or_404(Organization, request.auth, pk=org_id)


@router.post("/orgs/{org_id}/children", response={201: OrgOut})
def create_child(request, org_id: int, payload: OrgIn):
    parent = get_visible_or_404(Organization, request.auth, pk=org_id)
    return Status(201, services.create_organization(request.auth, parent=parent, data=_clean(payload)))


@router.patch("/orgs/{org_id}", response=OrgOut)
def patch_org(request, org_id: int, payload: OrgPatch):
    org = get_visible_or_404(Organization, request.auth, pk=org_id)
    data = _clean(payload)
    version = data.pop("version")
    return services.update_organization(request.auth, org, data, expected_version=version)


@router.get("/orgs/{org_id}/dashboard")
def org_dashboard(request, org_id: int):
    org = get_visible_or_404(Organization, request.auth, pk=org_id)
    if not request.auth.has_perm("orgs.view_dashboard", org):
        from django.http import Http404

        raise Http404
    data = queries.dashboard(org)
    return {
        "org": org.pk,
        "people_total": data["people_total"],
        "orgs_total": data["orgs_total"],
        "no_secretary_total": data["no_secretary_total"],
        "expiring_total": data["expiring_total"],
        "charts": [{"key": c.key, "title": str(c.title), "rows": [[str(a), n] for a, n in c.rows]} for c in data["charts"]],
    }


@router.get("/people", tags=["people"])
def list_people(request, org: int | None = None, q: str = "", status: MemberStatus | None = None,
                offset: int = 0, limit: int = 50):
    limit = max(1, min(limit, 200))
    qs = Person.objects.visible_to(request.auth)
    if org is not None:
        qs = qs.in_subtree(get_visible_or_404(Organization, request.auth, pk=org))
    if q:
        qs = qs.filter(name__startswith=q)
    if status:
        qs = qs.filter(status=status.value)
    rows = list(qs.order_by("org_path", "id")[offset : offset + limit + 1])
    more = len(rows) > limit
    return {"items": [_person_out(request.auth, p) for p in rows[:limit]],
            "next_offset": offset + limit if more else None}


@router.get("/people/{person_id}", tags=["people"])
def get_person(request, person_id: int):
    return _person_out(request.auth, get_visible_or_404(Person, request.auth, pk=person_id))


@router.post("/orgs/{org_id}/people", tags=["people"], response={201: dict})
def create_person(request, org_id: int, payload: PersonIn):
    org = get_visible_or_404(Organization, request.auth, pk=org_id)
    person = services.create_person(request.auth, org, _clean(payload))
    return Status(201, _person_out(request.auth, person))


@router.patch("/people/{person_id}", tags=["people"])
def patch_person(request, person_id: int, payload: PersonPatch):
    person = get_visible_or_404(Person, request.auth, pk=person_id)
    data = _clean(payload)
    version = data.pop("version")
    return _person_out(request.auth, services.update_person(request.auth, person, data, expected_version=version))


@router.post("/people/{person_id}/transfer", tags=["people"])
def transfer(request, person_id: int, payload: TransferIn):
    person = get_visible_or_404(Person, request.auth, pk=person_id)
    to_org = get_visible_or_404(Organization, request.auth, pk=payload.to_org)
    p = services.transfer_person(request.auth, person, to_org, reason=payload.reason, expected_version=payload.version)
    return _person_out(request.auth, p)


@router.post("/people/{person_id}/status", tags=["people"])
def status(request, person_id: int, payload: StatusIn):
    person = get_visible_or_404(Person, request.auth, pk=person_id)
    p = services.change_status(request.auth, person, payload.status.value, reason=payload.reason,
                               expected_version=payload.version)
    return _person_out(request.auth, p)

