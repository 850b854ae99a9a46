"""Meetings: calendar by month, detail with sign-in (QR + manual), follow-up actions, .ics and .xlsx exports."""

from __future__ import annotations

import calendar
import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.safestring import mark_safe
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.cases import uploads
from tupo.cases.choices import CaseStatus
from tupo.cases.models import Case
from tupo.cases.queries import is_business_user
from tupo.cases.views import managed_orgs
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.htmx import render_partial_or_page
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.core.xlsx import xlsx_response
from tupo.meetings import queries, services
from tupo.meetings.choices import ActionStatus
from tupo.meetings.forms import (
    ActionForm,
    InviteeSearchForm,
    InviteForm,
    ManualSignInForm,
    MaterialForm,
    MeetingEditForm,
    MeetingForm,
    MinutesVersionForm,
)
from tupo.meetings.models import FollowUpAction, Meeting, MeetingFile
from tupo.orgs.models import Organization, Person


def _month(request) -> dt.date:
    raw = request.GET.get("month") or ""
    try:
        y, m = (int(x) for x in raw.split("-"))
        return dt.date(y, m, 1)
    except (ValueError, TypeError):
        today = timezone.localdate()
        return today.replace(day=1)


def _month_qs(user, first: dt.date):
    last = dt.date(first.year, first.month, calendar.monthrange(first.year, first.month)[1])
    tz = timezone.get_current_timezone()
    start = dt.datetime.combine(first, dt.time.min, tzinfo=tz)
    end = dt.datetime.combine(last + dt.timedelta(days=1), dt.time.min, tzinfo=tz)
    return Meeting.objects.visible_to(user).filter(starts_at__gte=start, starts_at__lt=end).select_related("host_org")


@login_required
def meeting_list(request):
    if not is_business_user(request.user):
        raise Http404
    first = _month(request)
    meetings = list(_month_qs(request.user, first).order_by("starts_at"))
    prev_m = (first - dt.timedelta(days=1)).replace(day=1)
    next_m = (first + dt.timedelta(days=32)).replace(day=1)
    weeks = calendar.Calendar(firstweekday=0).monthdatescalendar(first.year, first.month)
    by_day: dict = {}
    for m in meetings:
        by_day.setdefault(timezone.localtime(m.starts_at).date(), []).append(m)
    grid = [[(d, by_day.get(d, []), d.month == first.month) for d in week] for week in weeks]
    return render(request, "meetings/list.html", {
        "first": first, "meetings": meetings, "grid": grid, "prev": prev_m, "next": next_m,
        "can_create": managed_orgs(request.user).exists(), "today": timezone.localdate(),
    })


@login_required
def meeting_create(request):
    orgs = list(managed_orgs(request.user)[:500])
    if not orgs:
        raise PermissionDenied
    cases = Case.objects.visible_to(request.user).filter(status=CaseStatus.PUBLISHED)[:300]
    invitable = Organization.objects.visible_to(request.user).order_by("path")[:500]
    form = MeetingForm(request.POST or None, orgs=orgs, cases=cases, invitable=invitable)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        host = next(o for o in orgs if o.pk == cd["host_org"])
        try:
            meeting = services.create_meeting(request.user, host, {k: cd[k] for k in services.MEETING_FIELDS if k in cd},
                                              cases=cd["cases"],
                                              invited_orgs=Organization.objects.filter(pk__in=cd["invited_orgs"]))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Meeting created."))
            return redirect("meetings:detail", pk=meeting.pk)
    return render(request, "meetings/form.html", {"form": form, "title": _("New meeting")})


def _scope_people(meeting):
    return Person.objects.in_subtree(meeting.org_path).select_related("org").order_by("org_path", "id")[:500]


@login_required
def meeting_detail(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    user = request.user
    can_manage = user.has_perm("meetings.change_meeting", meeting)
    sign_url = request.build_absolute_uri(reverse("meetings:sign_in", args=[meeting.pk, meeting.sign_in_token]))
    today = timezone.localdate()
    actions = list(meeting.actions.select_related("owner").prefetch_related("events"))
    for a in actions:
        a.overdue = a.is_overdue(today)
        a.can_change = user.has_perm("meetings.change_action", a)
    people = _scope_people(meeting) if can_manage else []
    return render(request, "meetings/detail.html", {
        "meeting": meeting, "can_manage": can_manage, "attendance": meeting.attendance.all(),
        "actions": actions, "labels": dict(ActionStatus.choices), "cases": meeting.cases.visible_to(user), "invited_orgs": meeting.invited_orgs.all(),
        "qr_svg": mark_safe(services.sign_in_qr_svg(sign_url)) if can_manage else "",  # noqa: S308 (segno output)
        "sign_url": sign_url, "today": today,
        "minutes_form": MinutesVersionForm(initial={"minutes": meeting.minutes, "version": meeting.version})
        if can_manage else None,
        "materials": meeting.materials.all(), "material_form": MaterialForm() if can_manage else None,
        "invited_people": meeting.invited_people.select_related("org").order_by("name", "id"),
        "search_form": InviteeSearchForm() if can_manage else None,
        "sign_form": ManualSignInForm(people=people) if can_manage else None,
        "action_form": ActionForm(people=people) if can_manage else None,
    })


@login_required
def sign_in(request, pk: int, token: str):
    meeting = Meeting.objects.filter(pk=pk).first()
    if meeting is None or token != meeting.sign_in_token:
        raise Http404
    if request.method == "POST":
        try:
            _att, created = services.sign_in_self(request.user, meeting, token)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if created:
                messages.success(request, _("You are signed in. Welcome!"))
            else:
                messages.info(request, _("You had already signed in; nothing changed."))
        return redirect("meetings:sign_in", pk=pk, token=token)
    return render(request, "meetings/sign_in.html", {"meeting": meeting})


@login_required
@require_POST
def sign_in_manual(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    form = ManualSignInForm(request.POST, people=_scope_people(meeting))
    if form.is_valid():
        cd = form.cleaned_data
        person = Person.objects.filter(pk=cd["person"]).select_related("org").first() if cd.get("person") else None
        try:
            att, created = services.sign_in_manual(request.user, meeting, person=person, name=cd["name"],
                                                   org_name=cd["org_name"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            if created:
                messages.success(request, _("%(name)s signed in.") % {"name": att.name})
            else:
                messages.info(request, _("%(name)s had already signed in; nothing changed.") % {"name": att.name})
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def minutes(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    if not request.user.has_perm("meetings.change_meeting", meeting):
        raise PermissionDenied
    form = MinutesVersionForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The minutes form was incomplete; reload the page and try again."))
        return redirect("meetings:detail", pk=pk)
    try:
        services.save_minutes(request.user, meeting, form.cleaned_data["minutes"],
                              expected_version=form.cleaned_data["version"])
    except ConcurrentEditError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Minutes saved."))
    return redirect("meetings:detail", pk=pk)


@login_required
def meeting_edit(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    if not request.user.has_perm("meetings.change_meeting", meeting):
        raise PermissionDenied
    orgs = list(managed_orgs(request.user)[:500])
    if meeting.host_org not in orgs:
        orgs.insert(0, meeting.host_org)
    cases = list(Case.objects.visible_to(request.user).filter(status=CaseStatus.PUBLISHED)[:300])
    presented = list(meeting.cases.all())
    cases += [c for c in presented if c not in cases]
    tz = timezone.get_current_timezone()
    initial = {k: getattr(meeting, k) for k in ("kind", "title", "place", "agenda")}
    initial.update(host_org=meeting.host_org_id, version=meeting.version, cases=[c.pk for c in presented],
                   starts_at=timezone.localtime(meeting.starts_at, tz).strftime("%Y-%m-%dT%H:%M"),
                   ends_at=timezone.localtime(meeting.ends_at, tz).strftime("%Y-%m-%dT%H:%M") if meeting.ends_at else None)
    form = MeetingEditForm(request.POST or None, orgs=orgs, cases=cases, initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        host = next(o for o in orgs if o.pk == cd["host_org"])
        data = {k: cd[k] for k in ("kind", "title", "starts_at", "ends_at", "place", "agenda")}
        try:
            services.update_meeting(request.user, meeting, data, expected_version=cd["version"], host_org=host,
                                    cases=[c for c in cases if c.pk in set(cd["cases"])])
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Meeting saved."))
            return redirect("meetings:detail", pk=pk)
    return render(request, "meetings/form.html", {"form": form, "title": _("Edit meeting"), "meeting": meeting})


# --- materials -----------------------------------------------------------------------------------------

@login_required
@require_POST
def material_upload(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    if not request.user.has_perm("meetings.upload_material", meeting):
        raise PermissionDenied
    form = MaterialForm(request.POST, request.FILES)
    if not form.is_valid():
        messages.error(request, _("Choose a file."))
        return redirect("meetings:detail", pk=pk)
    try:
        material = services.add_material(request.user, meeting, form.cleaned_data["file"])
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(name)s uploaded.") % {"name": material.original_name})
    return redirect("meetings:detail", pk=pk)


def _material(request, pk: int, file_id: int) -> MeetingFile:
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    material = MeetingFile.objects.filter(meeting=meeting, pk=file_id).select_related("meeting").first()
    if material is None:
        raise Http404
    return material


@login_required
def material_download(request, pk: int, file_id: int):
    material = _material(request, pk, file_id)
    return uploads.serve_file(material.file, material.content_type, material.original_name)


@login_required
@require_POST
def material_remove(request, pk: int, file_id: int):
    material = _material(request, pk, file_id)
    services.remove_material(request.user, material)
    messages.success(request, _("%(name)s removed.") % {"name": material.original_name})
    return redirect("meetings:detail", pk=pk)


# --- invitations ---------------------------------------------------------------------------------------

def _manageable(request, pk: int) -> Meeting:
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    if not request.user.has_perm("meetings.change_meeting", meeting):
        raise PermissionDenied
    return meeting


@login_required
def invitee_search(request, pk: int):
    """Search-as-you-type for the invitee picker (htmx partial; a plain page without JavaScript)."""
    meeting = _manageable(request, pk)
    form = InviteeSearchForm(request.GET)
    q = form.cleaned_data["q"] if form.is_valid() else ""
    context = {"meeting": meeting, "form": form, **queries.invitee_candidates(request.user, meeting, q)}
    return render_partial_or_page(request, "meetings/invite_search.html", "meetings/partials/_invite_results.html",
                                  context)


@login_required
@require_POST
def invite(request, pk: int):
    meeting = _manageable(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise Http404
    org_id, person_id = form.cleaned_data.get("org"), form.cleaned_data.get("person")
    orgs = list(Organization.objects.visible_to(request.user).filter(pk=org_id)) if org_id else []
    people = list(Person.objects.visible_to(request.user).filter(pk=person_id).select_related("org")) if person_id else []
    if (org_id and not orgs) or (person_id and not people):
        raise Http404
    try:
        n_orgs, n_people = services.invite(request.user, meeting, orgs=orgs, people=people)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        name = (orgs or people)[0].name
        if n_orgs or n_people:
            messages.success(request, _("%(name)s invited.") % {"name": name})
        else:
            messages.info(request, _("%(name)s was already invited; nothing changed.") % {"name": name})
    return redirect(reverse("meetings:detail", args=[pk]) + "#invitees")


@login_required
@require_POST
def uninvite(request, pk: int):
    meeting = _manageable(request, pk)
    form = InviteForm(request.POST)
    if not form.is_valid():
        raise Http404
    org = meeting.invited_orgs.filter(pk=form.cleaned_data.get("org") or 0).first()
    person = meeting.invited_people.filter(pk=form.cleaned_data.get("person") or 0).first()
    if org is None and person is None:
        raise Http404
    services.uninvite(request.user, meeting, org=org, person=person)
    messages.success(request, _("Invitation withdrawn."))
    return redirect(reverse("meetings:detail", args=[pk]) + "#invitees")


@login_required
@require_POST
def action_add(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    form = ActionForm(request.POST, people=Person.objects.visible_to(request.user).select_related("org")[:0])
    form.fields["owner"].choices = [(request.POST.get("owner"), "")]  # the service checks the scope
    if form.is_valid():
        cd = form.cleaned_data
        owner = Person.objects.visible_to(request.user).filter(pk=cd["owner"]).first()  # hidden: never named
        try:
            if owner is None:
                raise ValidationError({"owner": [_("No person with this id among those you can see.")]})
            services.add_action(request.user, meeting, title=cd["title"], owner=owner, deadline=cd["deadline"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("Follow-up action added."))
    else:
        messages.error(request, _("Check the action: title, owner and deadline are required."))
    return redirect("meetings:detail", pk=pk)


@login_required
@require_POST
def action_status(request, pk: int, action_id: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    action = FollowUpAction.objects.filter(meeting=meeting, pk=action_id).first()
    if action is None:
        raise Http404
    to = request.POST.get("to_status") or ""
    if to not in ActionStatus.values:
        raise Http404
    try:
        services.set_action_status(request.user, action, to, request.POST.get("note", ""))
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Action updated."))
    return redirect("meetings:detail", pk=pk)


@login_required
def ics_export(request, pk: int | None = None):
    if pk is not None:
        meetings = [get_visible_or_404(Meeting, request.user, pk=pk)]
        name = f"meeting-{pk}.ics"
    else:
        first = _month(request)
        meetings = list(_month_qs(request.user, first).order_by("starts_at"))
        name = f"meetings-{first:%Y-%m}.ics"
    response = HttpResponse(services.ics(meetings, request.get_host().split(":")[0]), content_type="text/calendar; charset=utf-8")
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def attendance_export(request, pk: int):
    meeting = get_visible_or_404(Meeting, request.user, pk=pk)
    if not request.user.has_perm("meetings.record_attendance", meeting):
        raise PermissionDenied
    rows = ((a.name, a.org_name, a.get_method_display(), timezone.localtime(a.signed_at).strftime("%Y-%m-%d %H:%M"))
            for a in meeting.attendance.all())
    return xlsx_response(f"attendance-{meeting.pk}.xlsx", [_("Name"), _("Organization"), _("Method"), _("Signed in at")],
                         rows, title=_("Attendance"))
