"""Every write to meetings, attendance and follow-up actions goes through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from tupo.core import audit
from tupo.core.services import InvalidTransition, atomic_service, require_perm
from tupo.meetings.choices import ACTION_TRANSITIONS, ActionStatus, SignInMethod
from tupo.meetings.models import Attendance, FollowUpAction, FollowUpEvent, Meeting
from tupo.orgs import tree
from tupo.search.indexing import schedule

MEETING_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "agenda", "minutes")


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _validate(data: dict) -> dict:
    clean = {k: data[k] for k in MEETING_FIELDS if k in data}
    errors = {}
    for f in ("kind", "title", "starts_at", "place"):
        if not clean.get(f):
            errors[f] = [_("This field is required.")]
    if clean.get("ends_at") and clean.get("starts_at") and clean["ends_at"] < clean["starts_at"]:
        errors["ends_at"] = [_("A meeting cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    return clean


@atomic_service
def create_meeting(actor, host_org, data: dict, *, cases=(), invited_orgs=(), invited_people=()) -> Meeting:
    require_perm(actor, "meetings.add_meeting", host_org)
    meeting = Meeting.objects.create(host_org=host_org, org_path=host_org.path, created_by=_actor(actor), **_validate(data))
    meeting.cases.set(cases)
    meeting.invited_orgs.set(invited_orgs)
    meeting.invited_people.set(invited_people)
    audit.record("meeting.create", actor=actor, obj=meeting, details={"host": host_org.pk})
    schedule("meeting", meeting.pk)
    return meeting


@atomic_service
def update_meeting(actor, meeting: Meeting, data: dict) -> Meeting:
    require_perm(actor, "meetings.change_meeting", meeting)
    clean = _validate({**{k: getattr(meeting, k) for k in MEETING_FIELDS}, **data})
    for k, v in clean.items():
        setattr(meeting, k, v)
    meeting.save()
    audit.record("meeting.update", actor=actor, obj=meeting, details={"fields": sorted(data)})
    schedule("meeting", meeting.pk)
    return meeting


def _sign(meeting, person, name, org_name, method, actor) -> tuple[Attendance, bool]:
    lookup = {"person": person} if person is not None else {"person__isnull": True, "name": name}
    existing = Attendance.objects.filter(meeting=meeting, **lookup).first()
    if existing is not None:
        return existing, False
    try:
        with transaction.atomic():
            att = Attendance.objects.create(meeting=meeting, person=person, name=name, org_name=org_name,
                                            method=method, recorded_by=_actor(actor))
    except IntegrityError:  # a simultaneous second sign-in: the first one stands
        return Attendance.objects.get(meeting=meeting, **lookup), False
    audit.record("meeting.sign_in", actor=actor, obj=meeting, details={"method": method, "name": name})
    return att, True


@atomic_service
def sign_in_self(actor, meeting: Meeting, token: str) -> tuple[Attendance, bool]:
    """QR sign-in: the logged-in user's person record signs in. Returns (row, created); twice is harmless."""
    if token != meeting.sign_in_token:
        raise PermissionDenied(_("This sign-in link is not valid."))
    person = getattr(actor, "person", None) if getattr(actor, "person_id", None) else None
    if person is None:
        raise ValidationError(_("Your account is not linked to a person record; ask the staff to sign you in."))
    return _sign(meeting, person, person.name, person.org.name, SignInMethod.QR, actor)


@atomic_service
def sign_in_manual(actor, meeting: Meeting, *, person=None, name: str = "", org_name: str = "") -> tuple[Attendance, bool]:
    require_perm(actor, "meetings.record_attendance", meeting)
    if person is not None:
        name, org_name = person.name, person.org.name
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": [_("The name is required.")]})
    return _sign(meeting, person, name, org_name.strip(), SignInMethod.MANUAL, actor)


@atomic_service
def add_action(actor, meeting: Meeting, *, title: str, owner, deadline) -> FollowUpAction:
    require_perm(actor, "meetings.add_action", meeting)
    errors = {}
    if not (title or "").strip():
        errors["title"] = [_("Describe the action.")]
    if owner is None:
        errors["owner"] = [_("The owner is required.")]
    elif not tree.is_within(owner.org_path, meeting.org_path):
        errors["owner"] = [_("%(name)s is outside the host organization %(org)s and its subordinates; "
                             "the owner must be within the meeting's scope.") % {"name": owner.name, "org": meeting.host_org.name}]
    if not deadline:
        errors["deadline"] = [_("The deadline is required.")]
    if errors:
        raise ValidationError(errors)
    action = FollowUpAction.objects.create(meeting=meeting, title=title.strip(), owner=owner, deadline=deadline)
    FollowUpEvent.objects.create(action=action, to_status=ActionStatus.OPEN, actor=_actor(actor),
                                 actor_name=str(actor), note=_("Created"))
    audit.record("meeting.action_add", actor=actor, obj=meeting, details={"owner": owner.pk, "deadline": str(deadline)})
    return action


@atomic_service
def set_action_status(actor, action: FollowUpAction, to_status: str, note: str = "") -> FollowUpAction:
    require_perm(actor, "meetings.change_action", action)
    locked = FollowUpAction.objects.select_for_update().get(pk=action.pk)
    if to_status not in ACTION_TRANSITIONS.get(locked.status, set()):
        raise InvalidTransition(_("This action is already %(s)s.") % {"s": locked.get_status_display()})
    from_status = locked.status
    locked.status = to_status
    locked.save(update_fields=["status"])
    FollowUpEvent.objects.create(action=locked, from_status=from_status, to_status=to_status, actor=_actor(actor),
                                 actor_name=str(actor), note=(note or "")[:500])
    audit.record("meeting.action_status", actor=actor, obj=locked.meeting, details={"action": locked.pk, "to": to_status})
    return locked


# --- exports -------------------------------------------------------------------------------------------

def _ics_escape(text: str) -> str:
    return (text or "").replace("\\", "\\\\").replace(";", "\\;").replace(",", "\\,").replace("\r\n", "\\n").replace("\n", "\\n")


def _fold(line: str) -> str:
    """RFC 5545: lines longer than 75 octets are folded with CRLF + space, never inside a UTF-8 character."""
    out, current = [], b""
    for ch in line:
        b = ch.encode("utf-8")
        if len(current) + len(b) > (75 if not out else 74):
            out.append(current.decode("utf-8"))
            current = b""
        current += b
    out.append(current.decode("utf-8"))
    return "\r\n ".join(out)


def ics(meetings, host: str = "tupo.local") -> str:
    import datetime as dt

    now = dt.datetime.now(dt.UTC).strftime("%Y%m%dT%H%M%SZ")
    lines = ["BEGIN:VCALENDAR", "VERSION:2.0", "PRODID:-//Tupo//Meetings//ZH", "CALSCALE:GREGORIAN", "METHOD:PUBLISH"]
    for m in meetings:
        start = m.starts_at.astimezone(dt.UTC)
        end = (m.ends_at or m.starts_at + dt.timedelta(hours=2)).astimezone(dt.UTC)
        lines += [
            "BEGIN:VEVENT",
            f"UID:meeting-{m.pk}@{host}",
            f"DTSTAMP:{now}",
            f"DTSTART:{start:%Y%m%dT%H%M%SZ}",
            f"DTEND:{end:%Y%m%dT%H%M%SZ}",
            f"SUMMARY:{_ics_escape(m.title)}",
            f"LOCATION:{_ics_escape(m.place)}",
            f"DESCRIPTION:{_ics_escape(m.get_kind_display() + ' · ' + m.host_org.name + chr(10) + m.agenda)}",
            "END:VEVENT",
        ]
    lines.append("END:VCALENDAR")
    return "".join(_fold(line) + "\r\n" for line in lines)


def sign_in_qr_svg(url: str) -> str:
    import segno

    return segno.make(url, error="m").svg_inline(scale=4)
