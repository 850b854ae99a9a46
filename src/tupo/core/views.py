import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.db import connection
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from tupo.accounts.choices import PEOPLE_VIEWING_ROLES, Role
from tupo.core import calendar as workcal
from tupo.core import services as core_services
from tupo.core.forms import AuditSearchForm, CalendarDayForm, CalendarYearForm
from tupo.core.models import AuditEvent, WorkCalendarDay, WorkCalendarYear
from tupo.core.xlsx import xlsx_response


@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception:  # the point of a health check is to report, not to crash
        return JsonResponse({"status": "error", "database": "unreachable"}, status=503)
    return JsonResponse({"status": "ok", "database": connection.vendor})


@login_required
def home(request):
    from tupo.core.todo import collect
    from tupo.orgs.queries import dashboard, home_orgs

    user = request.user
    roles = user.roles
    context = {"roles": roles}
    if user.separated_admin_role is None:  # the three separated administrators have no business work
        context["todos"] = collect(user)
    if roles & PEOPLE_VIEWING_ROLES:
        tops = home_orgs(user)
        context["top_orgs"] = tops
        if tops:
            context["summary"] = dashboard(tops[0])
    if user.person_id:
        context["person"] = user.person
    if Role.SYSTEM_ADMIN in roles:
        from tupo.accounts.models import User

        context["user_count"] = User.objects.count()
        context["calendar_years"] = list(WorkCalendarYear.objects.values_list("year", flat=True))
    if Role.AUDIT_ADMIN in roles:
        context["recent_events"] = AuditEvent.objects.order_by("-id")[:10]
    if Role.SECURITY_ADMIN in roles:
        from axes.models import AccessAttempt

        context["locked"] = AccessAttempt.objects.order_by("-attempt_time")[:10]
    return render(request, "core/home.html", context)


@login_required
def audit_log(request):
    if Role.AUDIT_ADMIN not in request.user.roles:
        raise Http404
    form = AuditSearchForm(request.GET or None)
    events = AuditEvent.objects.all()
    if form.is_valid():
        cd = form.cleaned_data
        tz = timezone.get_current_timezone()
        events = events.search(
            q=cd["q"], event_type=cd["event_type"], result=cd["result"], user=cd["user"],
            since=dt.datetime.combine(cd["since"], dt.time.min, tz) if cd["since"] else None,
            until=dt.datetime.combine(cd["until"] + dt.timedelta(days=1), dt.time.min, tz) if cd["until"] else None,
        )
    if request.GET.get("export") == "xlsx":
        from tupo.core import audit

        audit.record("audit.export", actor=request.user, details={"filters": request.GET.dict()})
        rows = (
            (timezone.localtime(e.created_at).strftime("%Y-%m-%d %H:%M:%S"), e.actor_username, e.source_ip,
             e.event_type, e.object_type, e.object_id, e.object_repr, e.get_result_display(), str(e.details))
            for e in events.order_by("id").iterator(chunk_size=2000)
        )
        headers = [_("time"), _("user"), _("source address"), _("event type"), _("object type"), _("object id"),
                   _("object"), _("result"), _("details")]
        return xlsx_response("audit-log.xlsx", headers, rows, title=_("Audit log"))
    page = Paginator(events.order_by("-id"), 50).get_page(request.GET.get("page"))
    return render(request, "core/audit_log.html", {"form": form, "page": page})


@login_required
def audit_verify(request):
    if Role.AUDIT_ADMIN not in request.user.roles:
        raise Http404
    from tupo.core.audit import verify_chain

    report = verify_chain()
    return render(request, "core/audit_verify.html", {"report": report})


@login_required
def calendar_view(request):
    if Role.SYSTEM_ADMIN not in request.user.roles:
        raise Http404
    today = timezone.localdate()
    cal = workcal.calendar()
    probe = []
    for year in (today.year, today.year + 1):
        day = dt.date(year, 12, 31)
        probe.append((year, cal.knows(day)))
    return render(request, "core/calendar.html", {
        "days": WorkCalendarDay.objects.all()[:500],
        "years": WorkCalendarYear.objects.all(),
        "probe": probe,
        "day_form": CalendarDayForm(),
        "year_form": CalendarYearForm(),
    })


@login_required
@require_POST
def calendar_add_day(request):
    form = CalendarDayForm(request.POST)
    if form.is_valid():
        core_services.save_calendar_day(request.user, form.cleaned_data)
        messages.success(request, _("Calendar date saved."))
    else:
        messages.error(request, _("Please correct the date: %(errors)s") % {"errors": form.errors.as_text()})
    return redirect("core:calendar")


@login_required
def backups(request):
    if Role.SYSTEM_ADMIN not in request.user.roles:
        raise Http404
    from tupo.core.backup import BackupError, list_backups

    if request.method == "POST":
        try:
            path = core_services.create_backup(request.user)
            messages.success(request, _("Backup written: %(name)s") % {"name": path.name})
        except BackupError as exc:
            messages.error(request, str(exc))
        return redirect("core:backups")
    rows = [(name, size, dt.datetime.fromtimestamp(mtime, tz=timezone.get_current_timezone())) for name, size, mtime in list_backups()]
    return render(request, "core/backups.html", {"backups": rows[:100]})


@login_required
@require_POST
def calendar_add_year(request):
    form = CalendarYearForm(request.POST)
    if form.is_valid():
        core_services.enter_calendar_year(request.user, form.cleaned_data)
        messages.success(request, _("Year marked as entered."))
    else:
        messages.error(request, form.errors.as_text())
    return redirect("core:calendar")


@login_required
def notifications(request):
    from tupo.core.models import Notification

    mine = Notification.objects.filter(user=request.user)
    if request.method == "POST":
        # Marking one's own notifications as read is not a domain write: it is not audited.
        mine.filter(read_at__isnull=True).update(read_at=timezone.now())
        return redirect("core:notifications")
    page = Paginator(mine, 30).get_page(request.GET.get("page"))
    return render(request, "core/notifications.html", {"page": page})
