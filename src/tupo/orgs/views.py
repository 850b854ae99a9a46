"""Organization tree, people, imports, exports and the basic-data dashboard. Views stay thin."""

from __future__ import annotations

import uuid
from pathlib import Path

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import pgettext
from django.views.decorators.http import require_POST

from tupo.core import audit
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.htmx import render_partial_or_page
from tupo.core.masking import mask_id_number, mask_phone
from tupo.core.paging import BoundedPaginator
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.core.xlsx import XLSX_TYPE, xlsx_response
from tupo.orgs import importing, queries, services
from tupo.orgs.choices import STATUS_COLOURS
from tupo.orgs.forms import (
    ImportForm,
    OrganizationForm,
    PeopleFilterForm,
    PersonForm,
    PostForm,
    StatusForm,
    TransferForm,
)
from tupo.orgs.models import LeadershipPost, Organization, Person
from tupo.orgs.stats import figures_for

PAGE = settings.TUPO_PAGE_SIZE




# --- tree and organization pages -------------------------------------------------------------------------

@login_required
def tree_view(request):
    tops = queries.home_orgs(request.user)
    if len(tops) == 1 and not request.GET.get("all"):
        return redirect("orgs:detail", pk=tops[0].pk)
    for org in tops:
        fig = figures_for(org)
        org.subtree_orgs, org.subtree_people = fig.get_count("orgs"), fig.get_count("people")
    return render(request, "orgs/tree.html", {"tops": tops})


@login_required
def children(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    kids = _mark_visible(request.user, queries.children_with_counts(org))
    return render(request, "orgs/partials/_children.html", {"org": org, "children": kids})


def _mark_visible(user, orgs):
    """Names of sub-organizations are shown to everyone who sees the parent; links only where they may go."""
    visible = set(Organization.objects.visible_to(user).filter(pk__in=[o.pk for o in orgs]).values_list("pk", flat=True))
    for o in orgs:
        o.visible = o.pk in visible
    return orgs


def _breadcrumbs(user, org):
    ids = org.ancestor_ids[:-1]
    ancestors = {o.pk: o for o in Organization.objects.filter(pk__in=ids)}
    visible = set(Organization.objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True))
    return [(ancestors[i], i in visible) for i in ids if i in ancestors]


@login_required
def detail(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    user = request.user
    children = _mark_visible(user, queries.children_with_counts(org))
    context = {
        "org": org,
        "breadcrumbs": _breadcrumbs(user, org),
        "children": children,
        "posts": LeadershipPost.objects.filter(org=org, ended_on__isnull=True).select_related("person"),
        "can_change": user.has_perm("orgs.change_organization", org),
        "can_view_members": user.has_perm("orgs.view_members", org),
        "term_warning": org.term_warning(),
        "figures": figures_for(org),
    }
    if context["can_view_members"]:
        context["members"] = list(Person.objects.filter(org=org).order_by("id")[:20])
        context["member_count"] = Person.objects.filter(org=org).count()
    return render(request, "orgs/detail.html", context)


@login_required
def edit(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    if not request.user.has_perm("orgs.change_organization", org):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None, instance=org, initial={"version": org.version})
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.ORG_FIELDS}
        try:
            services.update_organization(request.user, Organization.objects.get(pk=pk), data,
                                         expected_version=form.cleaned_data["version"] or 0)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Organization saved."))
            return redirect("orgs:detail", pk=pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": org, "title": _("Edit organization")})


@login_required
def add_child(request, pk: int):
    parent = get_visible_or_404(Organization, request.user, pk=pk)
    if not request.user.has_perm("orgs.add_child_organization", parent):
        raise PermissionDenied
    form = OrganizationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.ORG_FIELDS}
        try:
            org = services.create_organization(request.user, parent=parent, data=data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Organization created."))
            return redirect("orgs:detail", pk=org.pk)
    return render(request, "orgs/org_form.html", {"form": form, "org": parent, "title": _("New sub-organization")})


@login_required
def export_orgs(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    qs = Organization.objects.subtree(org).visible_to(request.user).select_related("parent", "secretary").order_by("path")
    audit.record("org.export", actor=request.user, obj=org)
    rows = ((o.code, o.name, o.parent.code if o.parent else "", o.get_org_type_display(), o.get_org_category_display(),
             o.host_unit, o.division_code, o.secretary.name if o.secretary else "", o.term_start, o.term_end)
            for o in qs.iterator(chunk_size=2000))
    headers = [_("Organization code"), _("Name"), _("Parent organization code"), _("Organization type"),
               _("Organization category"), _("Host unit"), _("Division code"), _("Secretary"), _("Term start"), _("Term end")]
    return xlsx_response(f"organizations-{org.code}.xlsx", headers, rows, title=_("Organizations"))


# --- people ----------------------------------------------------------------------------------------------

def _people_queryset(request):
    form = PeopleFilterForm(request.GET or None)
    qs = Person.objects.visible_to(request.user).select_related("org")
    scope_org = None
    filtered = False
    if form.is_valid():
        cd = form.cleaned_data
        if cd.get("org"):
            scope_org = get_visible_or_404(Organization, request.user, pk=cd["org"])
            if request.user.has_perm("orgs.view_members", scope_org):
                # The whole subtree is visible: one range on the path index, not the union of scopes
                # (SQLite would walk the widest range first).
                qs = Person.objects.in_subtree(scope_org).select_related("org")
            else:
                qs = qs.in_subtree(scope_org)
        if cd.get("q"):
            qs = qs.filter(name__startswith=cd["q"].strip())
            filtered = True
        if cd.get("status"):
            qs = qs.filter(status=cd["status"])
            filtered = True
    return form, qs.order_by("org_path", "id"), scope_org, filtered


@login_required
def people(request):
    if not request.user.roles & {"dept_admin", "org_admin", "leader", "liaison"}:
        raise Http404
    form, qs, scope_org, filtered = _people_queryset(request)
    known = None
    if not filtered:
        tops = [scope_org] if scope_org else queries.home_orgs(request.user)
        if len(tops) == 1 and tops[0].depth <= 3:
            known = figures_for(tops[0]).get_count("people")
    page = BoundedPaginator(qs, PAGE, known_count=known).get_page(request.GET.get("page"))
    for p in page.object_list:
        p.show_numbers = request.user.has_perm("orgs.view_personal_numbers", p)
    context = {"form": form, "page": page, "scope_org": scope_org, "status_colours": STATUS_COLOURS}
    return render_partial_or_page(request, "orgs/people.html", "orgs/partials/_people_table.html", context)


@login_required
def export_people(request):
    if not request.user.roles & {"dept_admin", "org_admin", "leader", "liaison"}:
        raise Http404
    _form, qs, scope_org, _f = _people_queryset(request)
    audit.record("person.export", actor=request.user, obj=scope_org, details={"filters": request.GET.dict()})
    user = request.user

    def rows():
        for p in qs.iterator(chunk_size=2000):
            clear = user.has_perm("orgs.view_personal_numbers", p)
            yield (p.name, p.get_sex_display(), p.birth_date, p.id_number if clear else mask_id_number(p.id_number),
                   p.org.name, p.org.code, p.get_status_display(), p.get_education_display(), p.get_occupation_display(),
                   p.joined_on, p.full_member_on, p.phone if clear else mask_phone(p.phone))

    headers = [pgettext("person", "Name"), _("Sex"), _("Birth date"), _("ID number"), _("Organization"), _("Organization code"),
               _("Status"), _("Education"), _("Occupation"), _("Joined the Party on"), _("Full membership on"), _("Phone")]
    return xlsx_response("people.xlsx", headers, rows(), title=_("People"))


@login_required
def person_detail(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk=pk)
    show = request.user.has_perm("orgs.view_personal_numbers", person)
    if show and request.user.person_id != person.pk:
        # Viewing unmasked personal numbers is itself recorded.
        audit.record("person.view_numbers", actor=request.user, obj=person)
    return render(request, "orgs/person_detail.html", {
        "person": person,
        "show_numbers": show,
        "can_change": request.user.has_perm("orgs.change_person", person),
        "events": person.events.select_related("actor", "from_org", "to_org")[:50],
        "posts": person.posts.select_related("org"),
        "status_colours": STATUS_COLOURS,
        # Two forms on one page: distinct ids so each label points at its own field.
        "transfer_form": TransferForm(initial={"version": person.version}, auto_id="transfer_%s"),
        "status_form": StatusForm(initial={"version": person.version}, auto_id="status_%s"),
    })


def _person_data(form):
    return {k: form.cleaned_data.get(k) for k in services.PERSON_FIELDS if k in form.cleaned_data}


@login_required
def person_create(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    if not request.user.has_perm("orgs.add_person", org):
        raise PermissionDenied
    form = PersonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            person = services.create_person(request.user, org, _person_data(form))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Person added."))
            return redirect("orgs:person", pk=person.pk)
    return render(request, "orgs/person_form.html", {"form": form, "org": org, "title": _("Add a person")})


@login_required
def person_edit(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk=pk)
    if not request.user.has_perm("orgs.change_person", person):
        raise PermissionDenied
    form = PersonForm(request.POST or None, instance=person, editing=True, initial={"version": person.version})
    if request.method == "POST" and form.is_valid():
        try:
            services.update_person(request.user, Person.objects.get(pk=pk), _person_data(form),
                                   expected_version=form.cleaned_data["version"] or 0)
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Person saved."))
            return redirect("orgs:person", pk=pk)
    return render(request, "orgs/person_form.html", {"form": form, "org": person.org, "person": person,
                                                     "title": _("Edit person")})


@login_required
@require_POST
def person_transfer(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk=pk)
    if not request.user.has_perm("orgs.change_person", person):
        raise PermissionDenied
    form = TransferForm(request.POST)
    if form.is_valid():
        to_org = Organization.objects.visible_to(request.user).filter(code=form.cleaned_data["to_org_code"].strip()).first()
        try:
            if to_org is None:
                raise ValidationError(_("No organization with this code among those you can see."))
            services.transfer_person(request.user, person, to_org, reason=form.cleaned_data["reason"],
                                     expected_version=form.cleaned_data["version"])
        except (ValidationError, ConcurrentEditError) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Transferred to %(org)s.") % {"org": to_org.name})
    else:
        messages.error(request, _("Give the destination code and the reason."))
    return redirect("orgs:person", pk=pk)


@login_required
@require_POST
def person_status(request, pk: int):
    person = get_visible_or_404(Person, request.user, pk=pk)
    if not request.user.has_perm("orgs.change_person", person):
        raise PermissionDenied
    form = StatusForm(request.POST)
    if form.is_valid():
        try:
            services.change_status(request.user, person, form.cleaned_data["status"], reason=form.cleaned_data["reason"],
                                   expected_version=form.cleaned_data["version"])
        except (ValidationError, ConcurrentEditError, InvalidTransition) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Status changed."))
    else:
        messages.error(request, _("Choose the new status and give the reason."))
    return redirect("orgs:person", pk=pk)


@login_required
def post_assign(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    if not request.user.has_perm("orgs.change_organization", org):
        raise PermissionDenied
    form = PostForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        person = Person.objects.visible_to(request.user).filter(id_number=form.cleaned_data["person_id_number"].strip().upper()).first()
        try:
            if person is None:
                raise ValidationError({"person_id_number": [_("No person with this ID number among those you can see.")]})
            services.assign_post(request.user, org, person, form.cleaned_data["post"], started_on=form.cleaned_data["started_on"])
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Post assigned."))
            return redirect("orgs:detail", pk=pk)
    return render(request, "orgs/post_form.html", {"form": form, "org": org})


@login_required
@require_POST
def post_end(request, pk: int):
    seat = get_object_or_404(LeadershipPost.objects.select_related("org"), pk=pk)
    get_visible_or_404(Organization, request.user, pk=seat.org_id)
    try:
        services.end_post(request.user, seat)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    return redirect("orgs:detail", pk=seat.org_id)


# --- import ----------------------------------------------------------------------------------------------

REPORT_DIR = Path(settings.MEDIA_ROOT) / "import-reports"


@login_required
def import_view(request):
    if not request.user.has_perm("orgs.import"):
        raise Http404
    form = ImportForm(request.POST or None, request.FILES or None)
    result = None
    file_error = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        kind = form.cleaned_data["kind"]
        data = upload.read(settings.TUPO_IMPORT_MAX_BYTES + 1)
        try:
            run = importing.import_people if kind == "people" else importing.import_organizations
            result = run(request.user, data, filename=upload.name)
        except importing.ImportFileError as exc:
            file_error = str(exc)
        except ValidationError as exc:  # a race with another import: nothing was written
            file_error = " ".join(exc.messages)
        if result is not None and not result.ok:
            REPORT_DIR.mkdir(parents=True, exist_ok=True)
            token = uuid.uuid4().hex
            (REPORT_DIR / f"{token}.xlsx").write_bytes(result.report_xlsx())
            request.session.setdefault("import_reports", [])
            request.session["import_reports"] = request.session["import_reports"][-9:] + [token]
            result.report_token = token
        if result is not None and result.ok:
            messages.success(request, _("Imported %(n)d records.") % {"n": result.created})
        audit_result = "success" if result is not None and result.ok else "failure"
        if audit_result == "failure":
            audit.record("import.rejected", actor=request.user, object_repr=upload.name[:100], result="failure",
                         details={"kind": kind, "error": file_error or "", "errors": len(result.errors) if result else 0})
    return render(request, "orgs/import.html", {"form": form, "result": result, "file_error": file_error,
                                                "shown_errors": result.errors[:200] if result else []})


@login_required
def import_template(request, kind: str):
    if kind not in ("people", "orgs") or not request.user.has_perm("orgs.import"):
        raise Http404
    response = HttpResponse(importing.template_xlsx(kind), content_type=XLSX_TYPE)
    name = "members-template.xlsx" if kind == "people" else "organizations-template.xlsx"
    response["Content-Disposition"] = f'attachment; filename="{name}"'
    return response


@login_required
def import_report(request, token: str):
    if token not in request.session.get("import_reports", []):
        raise Http404
    path = REPORT_DIR / f"{token}.xlsx"
    if not path.exists():
        raise Http404
    return FileResponse(path.open("rb"), as_attachment=True, filename="import-errors.xlsx", content_type=XLSX_TYPE)


# --- dashboard -------------------------------------------------------------------------------------------

@login_required
def dashboard_home(request):
    tops = queries.home_orgs(request.user)
    tops = [o for o in tops if request.user.has_perm("orgs.view_dashboard", o)]
    if not tops:
        raise Http404
    return redirect("orgs:dashboard", pk=tops[0].pk)


@login_required
def dashboard(request, pk: int):
    org = get_visible_or_404(Organization, request.user, pk=pk)
    if not request.user.has_perm("orgs.view_dashboard", org):
        raise Http404
    data = queries.dashboard(org)
    if request.GET.get("export") == "xlsx":
        from tupo.core.xlsx import workbook_bytes

        audit.record("dashboard.export", actor=request.user, obj=org)
        sheets = [(c.title[:31].replace("/", "-"), [_("Item"), _("Count")], c.rows) for c in data["charts"]]
        response = HttpResponse(workbook_bytes(sheets), content_type=XLSX_TYPE)
        response["Content-Disposition"] = f'attachment; filename="basic-data-{org.code}.xlsx"'
        return response
    data["chart_data"] = [{"key": c.key, "title": c.title, "kind": c.kind, "rows": c.rows} for c in data["charts"]]
    data["breadcrumbs"] = _breadcrumbs(request.user, org)
    data["export_url"] = reverse("orgs:dashboard", args=[org.pk]) + "?export=xlsx"
    return render(request, "orgs/dashboard.html", data)
