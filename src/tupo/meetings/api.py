"""API for meetings (read) and follow-up actions."""

from __future__ import annotations

import datetime as dt

from ninja import Router, Schema

from tupo.core.access import get_visible_or_404
from tupo.meetings.models import Meeting

router = Router(tags=["meetings"])


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


class MeetingDetailOut(MeetingOut):
    minutes: str
    attendance_count: int
    actions: list[ActionOut]


@router.get("/meetings", response=list[MeetingOut])
def list_meetings(request, year: int | None = None, month: int | None = None, offset: int = 0, limit: int = 50):
    limit = max(1, min(limit, 200))
    qs = Meeting.objects.visible_to(request.auth).order_by("-starts_at", "-id")
    if year:
        qs = qs.filter(starts_at__year=year)
    if month:
        qs = qs.filter(starts_at__month=month)
    return list(qs[offset : offset + limit])


@router.get("/meetings/{meeting_id}", response=MeetingDetailOut)
def get_meeting(request, meeting_id: int):
    m = get_visible_or_404(Meeting, request.auth, pk=meeting_id)
    out = MeetingOut.from_orm(m).dict()
    out["minutes"] = m.minutes
    out["attendance_count"] = m.attendance.count()
    out["actions"] = [ActionOut.from_orm(a).dict() for a in m.actions.all()]
    return out
