"""Every write to meetings, attendance and follow-up actions goes through here."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from tupo.cases import uploads
from tupo.core import audit
from tupo.core.notifications import notify
from tupo.core.services import ConcurrentEditError, InvalidTransition, atomic_service, require_perm
from tupo.meetings.choices import ACTION_TRANSITIONS, ActionStatus, MeetingKind, SignInMethod
from tupo.meetings.models import Attendance, FollowUpAction, FollowUpEvent, Meeting, MeetingFile
from tupo.orgs import tree
from tupo.orgs.models import Organization, Person
from tupo.search.indexing import schedule

MEETING_FIELDS = ("kind", "title", "starts_at", "ends_at", "place", "agenda", "minutes")


def _actor(actor):
    return actor if getattr(actor, "pk", None) else None


def _validate(data: dict) -> dict:
    clean = {k: data[k].strip() if isinstance(data[k], str) else data[k] for k in MEETING_FIELDS if k in data}
    errors = {}
    for f in ("kind", "title", "starts_at", "place"):
        if not clean.get(f):
            errors[f] = [_("This field is required.")]
    if clean.get("kind") and clean["kind"] not in MeetingKind.values:
        errors["kind"] = [_("Choose one of the listed values.")]
    if clean.get("ends_at") and clean.get("starts_at") and clean["ends_at"] < clean["starts_at"]:
        errors["ends_at"] = [_("A meeting cannot end before it starts.")]
    if errors:
        raise ValidationError(errors)
    return clean


def _invitation_errors(actor, scope_paths, orgs, people) -> dict:
    """Invited organizations must be ones the actor can see; invited people ones the actor can see *and* inside
    the meeting's scope (the host's subtree or an invited organization's subtree)."""
    errors: dict[str, list[str]] = {}
    orgs, people = list(orgs), list(people)
    if orgs:
        visible = set(Organization.objects.visible_to(actor).filter(pk__in=[o.pk for o in orgs]).values_list("pk", flat=True))
        hidden = [o.name for o in orgs if o.pk not in visible]
        if hidden:
            errors["invited_orgs"] = [_("You cannot invite %(names)s: outside the organizations you can see.")
                                      % {"names": "、".join(hidden)}]
    if people:
        visible = set(Person.objects.visible_to(actor).filter(pk__in=[p.pk for p in people]).values_list("pk", flat=True))
        hidden = [p for p in people if p.pk not in visible]  # never name a person the actor may not see
        outside = [p.name for p in people
                   if p.pk in visible and not any(tree.is_within(p.org_path, path) for path in scope_paths)]
        messages = []
        if hidden:
            messages.append(_("%(n)s of the chosen people are not records you can see.") % {"n": len(hidden)})
        if outside:
            messages.append(_("You cannot invite %(names)s: only people within the host organization or an invited "
                              "organization.") % {"names": "、".join(outside)})
        if messages:
            errors["invited_people"] = messages
    return errors


@atomic_service
def create_meeting(actor, host_org, data: dict, *, cases=(), invited_orgs=(), invited_people=()) -> Meeting:
    require_perm(actor, "meetings.add_meeting", host_org)
    clean = _validate(data)
    invited_orgs, invited_people = list(invited_orgs), list(invited_people)
    errors = _invitation_errors(actor, [host_org.path] + [o.path for o in invited_orgs], invited_orgs, invited_people)
    if errors:
        raise ValidationError(errors)
    meeting = Meeting.objects.create(host_org=host_org, org_path=host_org.path, created_by=_actor(actor), **clean)
    meeting.cases.set(cases)
    meeting.invited_orgs.set(invited_orgs)
    meeting.invited_people.set(invited_people)
    audit.record("meeting.create", actor=actor, obj=meeting, details={"host": host_org.pk})
    _notify_invited(meeting, invited_people)
    schedule("meeting", meeting.pk)
    return meeting


def _lock(meeting: Meeting, expected_version: int | None) -> Meeting:
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    if expected_version is not None and locked.version != expected_version:
        raise ConcurrentEditError(locked)
    return locked


@atomic_service
def update_meeting(actor, meeting: Meeting, data: dict, *, expected_version: int | None, host_org=None,
                   cases=None) -> Meeting:
    """Edit title, kind, date, place, agenda, minutes, host and presented cases. ``expected_version`` is the
    version the form was opened with: a stale edit raises ConcurrentEditError and nothing is written."""
    require_perm(actor, "meetings.change_meeting", meeting)
    locked = _lock(meeting, expected_version)
    clean = _validate({**{k: getattr(locked, k) for k in MEETING_FIELDS}, **data})
    changed = sorted(k for k, v in clean.items() if getattr(locked, k) != v)
    if host_org is not None and host_org.pk != locked.host_org_id:
        require_perm(actor, "meetings.add_meeting", host_org)
        outside = [a.owner.name for a in locked.actions.select_related("owner")
                   if not tree.is_within(a.owner.org_path, host_org.path)]
        if outside:
            raise ValidationError({"host_org": [_("Follow-up actions owned by %(names)s would fall outside the new "
                                                  "host's scope; change their owners first.") % {"names": "、".join(outside)}]})
        locked.host_org, locked.org_path = host_org, host_org.path
        changed.append("host_org")
    for k, v in clean.items():
        setattr(locked, k, v)
    locked.version += 1
    locked.save()
    if cases is not None:
        locked.cases.set(cases)
        changed.append("cases")
    audit.record("meeting.update", actor=actor, obj=locked, details={"fields": changed})
    schedule("meeting", locked.pk)
    return locked


@atomic_service
def save_minutes(actor, meeting: Meeting, minutes: str, *, expected_version: int | None) -> Meeting:
    return update_meeting(actor, meeting, {"minutes": (minutes or "").strip()}, expected_version=expected_version)


def _notify_invited(meeting: Meeting, people) -> None:
    from tupo.accounts.models import User

    ids = [p.pk for p in people]
    if not ids:
        return
    when = timezone.localtime(meeting.starts_at).strftime("%Y-%m-%d %H:%M")
    notify(User.objects.filter(person_id__in=ids, is_active=True),
           _("You are invited to %(title)s") % {"title": meeting.title},
           f"{when} · {meeting.place}", meeting.get_absolute_url())


@atomic_service
def invite(actor, meeting: Meeting, *, orgs=(), people=()) -> tuple[int, int]:
    """Add invited organizations and people (the picker). Returns how many were newly invited of each."""
    require_perm(actor, "meetings.change_meeting", meeting)
    orgs, people = list(orgs), list(people)
    if not orgs and not people:
        raise ValidationError(_("Choose an organization or a person to invite."))
    current_orgs = list(meeting.invited_orgs.all())
    scope = [meeting.org_path] + [o.path for o in current_orgs + orgs]
    errors = _invitation_errors(actor, scope, orgs, people)
    if errors:
        raise ValidationError(errors)
    new_orgs = [o for o in orgs if o.pk not in {c.pk for c in current_orgs}]
    have_people = set(meeting.invited_people.values_list("pk", flat=True))
    new_people = [p for p in people if p.pk not in have_people]
    meeting.invited_orgs.add(*new_orgs)
    meeting.invited_people.add(*new_people)
    if new_orgs or new_people:
        audit.record("meeting.invite", actor=actor, obj=meeting,
                     details={"orgs": [o.pk for o in new_orgs], "people": [p.pk for p in new_people]})
        _notify_invited(meeting, new_people)
    return len(new_orgs), len(new_people)


@atomic_service
def uninvite(actor, meeting: Meeting, *, org=None, person=None) -> None:
    require_perm(actor, "meetings.change_meeting", meeting)
    if org is not None:
        meeting.invited_orgs.remove(org)
    if person is not None:
        meeting.invited_people.remove(person)
    audit.record("meeting.uninvite", actor=actor, obj=meeting,
                 details={"org": getattr(org, "pk", None), "person": getattr(person, "pk", None)})


@atomic_service
def add_material(actor, meeting: Meeting, upload) -> MeetingFile:
    """A material (PDF, Office file or image), checked from its content and size by ``cases.uploads``."""
    require_perm(actor, "meetings.upload_material", meeting)
    if upload is None:
        raise ValidationError({"file": [_("Choose a file.")]})
    material = uploads.store_upload(MeetingFile(meeting=meeting, uploaded_by=_actor(actor)), upload, images_only=False)
    audit.record("meeting.material_add", actor=actor, obj=meeting,
                 details={"file": material.pk, "name": material.original_name, "type": material.content_type})
    return material


@atomic_service
def remove_material(actor, material: MeetingFile) -> None:
    require_perm(actor, "meetings.upload_material", material.meeting)
    audit.record("meeting.material_remove", actor=actor, obj=material.meeting,
                 details={"file": material.pk, "name": material.original_name})
    stored = material.file.name
    storage = material.file.storage
    material.delete()
    transaction.on_commit(lambda: storage.delete(stored))


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


def in_meeting_scope(meeting: Meeting, person) -> bool:
    """A person belongs to the meeting: invited by name, or inside the host's or an invited organization's subtree."""
    paths = [meeting.org_path] + list(meeting.invited_orgs.values_list("path", flat=True))
    return (any(tree.is_within(person.org_path, p) for p in paths)
            or meeting.invited_people.filter(pk=person.pk).exists())


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
        if not in_meeting_scope(meeting, person):
            raise ValidationError({"person": [_("%(name)s is neither invited nor within the host organization or an "
                                                "invited organization; sign them in as a guest by name.")
                                              % {"name": person.name}]})
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
