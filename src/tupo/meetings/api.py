"""API for meetings: the same services and the same visibility and permission rules as the pages.

Hidden meetings, organizations, people and cases are 404; a meeting the caller sees but may not manage is 403;
bad input is 422 with the field errors and writes nothing; a stale ``version`` on an edit is 409.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.utils.translation import gettext as _
from ninja import Field, File, Router, Schema, Status, UploadedFile

from tupo.cases import uploads
from tupo.cases.choices import CaseStatus
from tupo.cases.models import Case
from tupo.core.access import get_visible_or_404
from tupo.meetings import services
from tupo.meetings.choices import ActionStatus, MeetingKind
from tupo.meetings.models import FollowUpAction, Meeting, MeetingFile
from tupo.orgs.models import Organization, Person

router = Router(tags=["meetings"])
NO_FILE = File(None)


class ActionOut(Schema):
    id: int
    title: str
    owner_id: int
    deadline: dt.date
    status: str


class MeetingOut(Schema):
    id: int
    kind: str
    title: str
    starts_at: dt.datetime
    ends_at: dt.datetime | None
    place: str
    host_org_id: int
    agenda: str
    version: int


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendance_count: int
    actions: list[ActionOut]
    case_ids: list[int]
    invited_org_ids: list[int]
    invited_person_ids: list[int]


class MeetingIn(Schema):
    host_org: int
    kind: MeetingKind
    title: str = Field(..., min_length=1, max_length=200)
    starts_at: dt.datetime
    ends_at: dt.datetime | None = None
    place: str = Field(..., min_length=1, max_length=200)
    agenda: str = ""
    cases: list[int] = []
    invited_orgs: list[int] = []
    invited_people: list[int] = []


class MeetingPatch(Schema):
    """Only the fields sent are changed; ``version`` is the one the caller read (stale → 409)."""

    version: int
    host_org: int | None = None
    kind: MeetingKind | None = None
    title: str | None = Field(None, min_length=1, max_length=200)
    starts_at: dt.datetime | None = None
    ends_at: dt.datetime | None = None
    place: str | None = Field(None, min_length=1, max_length=200)
    agenda: str | None = None
    minutes: str | None = None
    cases: list[int] | None = None


class InviteIn(Schema):
    orgs: list[int] = []
    people: list[int] = []


class InviteOut(Schema):
    new_orgs: int
    new_people: int
    invited_org_ids: list[int]
    invited_person_ids: list[int]


class MaterialOut(Schema):
    id: int
    original_name: str
    content_type: str
    size: int
    uploaded_at: dt.datetime


class SignInIn(Schema):
    """Staff sign in a person (``person``) or a guest by name; QR sign-in of oneself sends the ``token``."""

    person: int | None = None
    name: str = Field("", max_length=60)
    org_name: str = Field("", max_length=120)


class SelfSignInIn(Schema):
    token: str = Field(..., min_length=1, max_length=40)


class AttendanceOut(Schema):
    id: int
    person_id: int | None
    name: str
    org_name: str
    method: str
    signed_at: dt.datetime
    created: bool = True
    detail: str = ""


class ActionIn(Schema):
    title: str = Field(..., min_length=1, max_length=200)
    owner: int
    deadline: dt.date


class ActionStatusIn(Schema):
    to_status: ActionStatus
    note: str = Field("", max_length=500)


def _manageable(request, meeting_id: int) -> Meeting:
    """Seen (else 404) and managed (else 403): the rule of the pages' invitation and material views."""
    meeting = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    if not request.auth.has_perm("meetings.change_meeting", meeting):
        raise PermissionDenied(_("You may view this but not change it."))
    return meeting


def _visible(model, user, ids) -> list:
    """Rows of ``model`` with these ids that the user may see; any other id is a 404 (never named)."""
    ids = list(dict.fromkeys(ids))
    if not ids:
        return []
    qs = model.objects.visible_to(user).filter(pk__in=ids)
    if model is Person:
        qs = qs.select_related("org")
    rows = {r.pk: r for r in qs}
    if len(rows) != len(ids):
        raise Http404
    return [rows[i] for i in ids]


def _presentable_cases(user, ids, already=frozenset()) -> list[Case]:
    """Published cases the caller sees (as the page offers), or ones the meeting already presents."""
    cases = _visible(Case, user, ids)
    unpublished = [c.title for c in cases if c.status != CaseStatus.PUBLISHED and c.pk not in already]
    if unpublished:
        raise ValidationError({"cases": [_("Only published cases can be presented: %(titles)s is not published.")
                                         % {"titles": "、".join(unpublished)}]})
    return cases


def _detail(m: Meeting) -> dict:
    out = MeetingOut.from_orm(m).dict()
    out["minutes"] = m.minutes
    out["attendance_count"] = m.attendance.count()
    out["actions"] = [ActionOut.from_orm(a).dict() for a in m.actions.all()]
    out["case_ids"] = sorted(m.cases.values_list("pk", flat=True))
    out["invited_org_ids"] = sorted(m.invited_orgs.values_list("pk", flat=True))
    out["invited_person_ids"] = sorted(m.invited_people.values_list("pk", flat=True))
    return out


# --- meetings --------------------------------------------------------------------------------------------

@router.get("/meetings", response=list[MeetingOut])
def list_meetings(request, year: int | None = None, month: int | None = None, offset: int = 0, limit: int = 50):
    limit = max(1, min(limit, 200))
    qs = Meeting.objects.visible_to(request.auth).order_by("-starts_at", "-id")
    if year:
        qs = qs.filter(starts_at__year=year)
    if month:
        qs = qs.filter(starts_at__month=month)
    return list(qs[max(0, offset) : max(0, offset) + limit])


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request, meeting_id: int):
    return _detail(get_visible_or_404(Meeting, request.auth, pk=meeting_id))


@router.post("/meetings", response={201: MeetingDetailOut})
def create_meeting(request, payload: MeetingIn):
    """A managing role over ``host_org`` creates a meeting; invited organizations and people as on the page."""
    user = request.auth
    host = get_visible_or_404(Organization, user, pk=payload.host_org)
    data = payload.dict(include={"title", "starts_at", "ends_at", "place", "agenda"})
    data["kind"] = payload.kind.value
    meeting = services.create_meeting(user, host, data, cases=_presentable_cases(user, payload.cases),
                                      invited_orgs=_visible(Organization, user, payload.invited_orgs),
                                      invited_people=_visible(Person, user, payload.invited_people))
    return Status(201, _detail(meeting))


@router.patch("/meetings/{meeting_id}", response=MeetingDetailOut)
def update_meeting(request, meeting_id: int, payload: MeetingPatch):
    """Edit a meeting (minutes too). A ``version`` other than the current one is 409 and nothing is written."""
    user = request.auth
    meeting = get_visible_or_404(Meeting, user, pk=meeting_id)
    sent = payload.dict(exclude_unset=True)
    data = {k: (v.value if hasattr(v, "value") else v) for k, v in sent.items()
            if k in services.MEETING_FIELDS}
    for required in ("kind", "title", "starts_at", "place"):
        if required in data and data[required] is None:
            raise ValidationError({required: [_("This field is required.")]})
    host = get_visible_or_404(Organization, user, pk=payload.host_org) if payload.host_org is not None else None
    presented = set(meeting.cases.values_list("pk", flat=True))
    cases = _presentable_cases(user, payload.cases, presented) if payload.cases is not None else None
    if cases is not None:  # presented cases the caller cannot see stay presented
        cases += [c for c in meeting.cases.exclude(pk__in=Case.objects.visible_to(user).values("pk"))]
    updated = services.update_meeting(user, meeting, data, expected_version=payload.version, host_org=host, cases=cases)
    return _detail(updated)


# --- invitations -------------------------------------------------------------------------------------------

def _invite_out(meeting: Meeting, n_orgs: int, n_people: int) -> dict:
    return {"new_orgs": n_orgs, "new_people": n_people,
            "invited_org_ids": sorted(meeting.invited_orgs.values_list("pk", flat=True)),
            "invited_person_ids": sorted(meeting.invited_people.values_list("pk", flat=True))}


@router.post("/meetings/{meeting_id}/invitations", response=InviteOut)
def invite(request, meeting_id: int, payload: InviteIn):
    """Invite organizations (visible to the caller) and people (visible and inside the meeting's scope).
    Already invited ones are counted as not new; nothing is written when any of them is refused."""
    meeting = _manageable(request, meeting_id)
    orgs = _visible(Organization, request.auth, payload.orgs)
    people = _visible(Person, request.auth, payload.people)
    n_orgs, n_people = services.invite(request.auth, meeting, orgs=orgs, people=people)
    return _invite_out(meeting, n_orgs, n_people)


@router.delete("/meetings/{meeting_id}/invitations/orgs/{org_id}", response=InviteOut)
def withdraw_org(request, meeting_id: int, org_id: int):
    meeting = _manageable(request, meeting_id)
    org = meeting.invited_orgs.filter(pk=org_id).first()
    if org is None:
        raise Http404
    services.uninvite(request.auth, meeting, org=org)
    return _invite_out(meeting, 0, 0)


@router.delete("/meetings/{meeting_id}/invitations/people/{person_id}", response=InviteOut)
def withdraw_person(request, meeting_id: int, person_id: int):
    meeting = _manageable(request, meeting_id)
    person = meeting.invited_people.filter(pk=person_id).first()
    if person is None:
        raise Http404
    services.uninvite(request.auth, meeting, person=person)
    return _invite_out(meeting, 0, 0)


# --- materials ---------------------------------------------------------------------------------------------

@router.get("/meetings/{meeting_id}/materials", response=list[MaterialOut])
def list_materials(request, meeting_id: int):
    return list(get_visible_or_404(Meeting, request.auth, pk=meeting_id).materials.all())


@router.post("/meetings/{meeting_id}/materials", response={201: MaterialOut})
def upload_material(request, meeting_id: int, file: UploadedFile = NO_FILE):
    """multipart/form-data with ``file``: PDF, Office or an image, checked from its content (20 MB at most)."""
    meeting = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    return Status(201, services.add_material(request.auth, meeting, file))


def _material(request, meeting_id: int, file_id: int) -> MeetingFile:
    meeting = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    material = MeetingFile.objects.filter(meeting=meeting, pk=file_id).select_related("meeting").first()
    if material is None:
        raise Http404
    return material


@router.get("/meetings/{meeting_id}/materials/{file_id}")
def download_material(request, meeting_id: int, file_id: int):
    """The stored file, as an attachment with ``nosniff`` and a sandbox CSP (as on the page)."""
    material = _material(request, meeting_id, file_id)
    return uploads.serve_file(material.file, material.content_type, material.original_name)


@router.delete("/meetings/{meeting_id}/materials/{file_id}", response={204: None})
def remove_material(request, meeting_id: int, file_id: int):
    services.remove_material(request.auth, _material(request, meeting_id, file_id))
    return Status(204, None)


# --- attendance --------------------------------------------------------------------------------------------

def _attendance_out(att, created: bool) -> dict:
    out = AttendanceOut.from_orm(att).dict()
    out["created"] = created
    out["detail"] = (_("%(name)s signed in.") if created else
                     _("%(name)s had already signed in; nothing changed.")) % {"name": att.name}
    return out


@router.get("/meetings/{meeting_id}/attendance", response=list[AttendanceOut])
def list_attendance(request, meeting_id: int):
    return list(get_visible_or_404(Meeting, request.auth, pk=meeting_id).attendance.all())


@router.post("/meetings/{meeting_id}/attendance", response={200: AttendanceOut, 201: AttendanceOut})
def sign_in(request, meeting_id: int, payload: SignInIn):
    """Staff sign in a person of the meeting's scope or a guest by name: 201 the first time, 200 and
    "already signed in" the second (one row either way)."""
    meeting = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    person = _visible(Person, request.auth, [payload.person])[0] if payload.person is not None else None
    att, created = services.sign_in_manual(request.auth, meeting, person=person, name=payload.name,
                                           org_name=payload.org_name)
    return Status(201 if created else 200, _attendance_out(att, created))


@router.post("/meetings/{meeting_id}/sign-in", response={200: AttendanceOut, 201: AttendanceOut})
def sign_in_self(request, meeting_id: int, payload: SelfSignInIn):
    """The caller signs in with the token of the meeting's QR code (a wrong token is a 404, as on the page)."""
    meeting = Meeting.objects.filter(pk=meeting_id).first()
    if meeting is None or payload.token != meeting.sign_in_token:
        raise Http404
    att, created = services.sign_in_self(request.auth, meeting, payload.token)
    out = _attendance_out(att, created)
    if not created:
        out["detail"] = _("You had already signed in; nothing changed.")
    return Status(201 if created else 200, out)


# --- follow-up actions -------------------------------------------------------------------------------------

@router.post("/meetings/{meeting_id}/actions", response={201: ActionOut})
def add_action(request, meeting_id: int, payload: ActionIn):
    """A follow-up action whose owner is a person inside the host organization's subtree (else 422)."""
    meeting = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    if not request.auth.has_perm("meetings.add_action", meeting):
        raise PermissionDenied(_("You may view this but not change it."))
    owner = Person.objects.visible_to(request.auth).select_related("org").filter(pk=payload.owner).first()
    if owner is None:
        raise ValidationError({"owner": [_("No person with this id among those you can see.")]})
    return Status(201, services.add_action(request.auth, meeting, title=payload.title, owner=owner,
                                           deadline=payload.deadline))


@router.post("/meetings/{meeting_id}/actions/{action_id}/status", response=ActionOut)
def set_action_status(request, meeting_id: int, action_id: int, payload: ActionStatusIn):
    """Mark an action done (or reopen it): the meeting's managers or the action's owner; twice is 409."""
    meeting = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    action = FollowUpAction.objects.filter(meeting=meeting, pk=action_id).first()
    if action is None:
        raise Http404
    return services.set_action_status(request.auth, action, payload.to_status.value, payload.note)
