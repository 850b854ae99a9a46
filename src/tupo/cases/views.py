"""Case library, brands, adoption and the cases dashboard. Views stay thin: services write, queries read."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.accounts.choices import MANAGING_ROLES
from tupo.cases import deadlines, queries, services, uploads
from tupo.cases.choices import (
    BRAND_STATUS_COLOURS,
    BRAND_TRANSITIONS,
    CASE_STATUS_COLOURS,
    CASE_TRANSITIONS,
    CaseStatus,
)
from tupo.cases.forms import (
    AdoptForm,
    BrandForm,
    CaseFilterForm,
    CaseForm,
    FileForm,
    ReportForm,
    TransitionForm,
)
from tupo.cases.models import Brand, Case, CaseFile
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.paging import BoundedPaginator
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.orgs import tree
from tupo.orgs.models import Organization

PAGE = settings.TUPO_PAGE_SIZE


def managed_orgs(user):
    paths = [g.org.path for g in user.grants if g.role in MANAGING_ROLES and g.org_id]
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(tree.subtrees_q(paths)).order_by("path")




def _business_only(user):
    if not queries.is_business_user(user):
        raise Http404


# --- cases ---------------------------------------------------------------------------------------------

@login_required
def case_list(request):
    _business_only(request.user)
    form = CaseFilterForm(request.GET or None)
    qs = Case.objects.visible_to(request.user).select_related("org")
    if form.is_valid():
        cd = form.cleaned_data
        if cd.get("q"):
            qs = qs.filter(title__contains=cd["q"].strip())
        for f in ("field", "level", "status", "year"):
            if cd.get(f):
                qs = qs.filter(**{f: cd[f]})
    page = BoundedPaginator(qs.order_by("-year", "-id"), PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/list.html", {
        "form": form, "page": page, "colours": CASE_STATUS_COLOURS,
        "can_create": managed_orgs(request.user).exists(), "statuses": CaseStatus.choices,
    })


@login_required
def case_create(request):
    orgs = list(managed_orgs(request.user)[:500])
    if not orgs:
        raise PermissionDenied
    form = CaseForm(request.POST or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        org = next(o for o in orgs if o.pk == cd["org"])
        try:
            case = services.create_case(request.user, org, {k: cd[k] for k in services.CASE_FIELDS},
                                        metrics=form.metrics())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Case saved as a draft."))
            return redirect("cases:detail", pk=case.pk)
    return render(request, "cases/case_form.html", {"form": form, "title": _("New case")})


@login_required
def case_edit(request, pk: int):
    case = get_visible_or_404(Case, request.user, pk=pk)
    if not request.user.has_perm("cases.change_case", case):
        raise PermissionDenied
    initial = {k: getattr(case, k) for k in services.CASE_FIELDS}
    initial.update(org=case.org_id, version=case.version)
    form = CaseForm(request.POST or None, orgs=[case.org], initial=initial)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        try:
            services.update_case(request.user, case, {k: cd[k] for k in services.CASE_FIELDS},
                                 expected_version=cd.get("version") or 0, metrics=form.metrics())
        except ConcurrentEditError as exc:
            form.add_error(None, str(exc))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Case saved."))
            return redirect("cases:detail", pk=pk)
    return render(request, "cases/case_form.html", {"form": form, "title": _("Edit case"), "case": case})


@login_required
def case_detail(request, pk: int):
    user = request.user
    case = get_visible_or_404(Case, user, pk=pk)
    transitions = [(to, perm) for to, perm in CASE_TRANSITIONS.get(case.status, {}).items() if user.has_perm(perm, case)]
    adopt_orgs = [o for o in managed_orgs(user).exclude(pk=case.org_id)[:200]] if case.status == CaseStatus.PUBLISHED else []
    adopted_ids = set(case.adoptions.values_list("org_id", flat=True))
    report_orgs = [o for o in managed_orgs(user).filter(pk__in=adopted_ids)]
    return render(request, "cases/detail.html", {
        "case": case, "colours": CASE_STATUS_COLOURS,
        "transitions": [(to, CaseStatus(to).label) for to, _p in transitions],
        "history": case.transitions.all(), "metrics": case.metrics.all(), "files": case.files.all(),
        "can_change": user.has_perm("cases.change_case", case),
        "can_upload": user.has_perm("cases.upload_case_file", case),
        "file_form": FileForm(), "spread": queries.spread(case), "similar": queries.similar_cases(user, case),
        "adopt_form": AdoptForm(orgs=[o for o in adopt_orgs if o.pk not in adopted_ids]) if adopt_orgs else None,
        "report_form": ReportForm(orgs=report_orgs) if report_orgs else None,
        "brands": case.brands.visible_to(user),
    })



def _transition(request, move, obj, detail_url: str):
    """Move a case or a brand to the posted status through its service; the reason of a refusal as a message."""
    form = TransitionForm(request.POST)
    if not form.is_valid():
        raise Http404
    try:
        move(request.user, obj, form.cleaned_data["to_status"], form.cleaned_data["reason"])
    except (InvalidTransition, ValidationError) as exc:
        messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))
    else:
        messages.success(request, _("Status changed."))
    return redirect(detail_url, pk=obj.pk)

@login_required
@require_POST
def case_transition(request, pk: int):
    case = get_visible_or_404(Case, request.user, pk=pk)
    return _transition(request, services.transition_case, case, "cases:detail")


@login_required
@require_POST
def case_upload(request, pk: int):
    case = get_visible_or_404(Case, request.user, pk=pk)
    form = FileForm(request.POST, request.FILES)
    if form.is_valid():
        try:
            services.add_case_file(request.user, case, form.cleaned_data["file"], form.cleaned_data["kind"])
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
        else:
            messages.success(request, _("File added."))
    else:
        messages.error(request, _("Choose a file."))
    return redirect("cases:detail", pk=pk)


@login_required
def case_file(request, pk: int, file_id: int):
    case = get_visible_or_404(Case, request.user, pk=pk)
    cf = CaseFile.objects.filter(case=case, pk=file_id).first()
    if cf is None:
        raise Http404
    return uploads.serve_file(cf.file, cf.content_type, cf.original_name)


@login_required
@require_POST
def case_adopt(request, pk: int):
    case = get_visible_or_404(Case, request.user, pk=pk)
    orgs = list(managed_orgs(request.user)[:500])
    form = AdoptForm(request.POST, orgs=orgs)
    if not form.is_valid():
        messages.error(request, _("Check the adoption form: every field is required."))
        return redirect("cases:detail", pk=pk)
    cd = form.cleaned_data
    org = next(o for o in orgs if o.pk == cd["org"])
    try:
        services.adopt_case(request.user, case, org, cd)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Adoption recorded."))
    return redirect("cases:detail", pk=pk)


@login_required
@require_POST
def case_report(request, pk: int):
    case = get_visible_or_404(Case, request.user, pk=pk)
    orgs = list(managed_orgs(request.user)[:500])
    form = ReportForm(request.POST, orgs=orgs)
    if not form.is_valid():
        messages.error(request, _("Check the report form."))
        return redirect("cases:detail", pk=pk)
    cd = form.cleaned_data
    org = next(o for o in orgs if o.pk == cd["org"])
    metrics = [{"name": cd["metric_name"], "unit": cd["metric_unit"], "before": cd["metric_before"],
                "after": cd["metric_after"]}] if cd.get("metric_name") else None
    try:
        services.report_adoption(request.user, case, org, cd, metrics=metrics)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Results reported."))
    return redirect("cases:detail", pk=pk)


@login_required
def adoption_list(request):
    """The adopting organizations' view: adoptions by organizations in the user's subtrees, with the day each
    results report is due and whether it is overdue; ``?open=1`` only those still without a report."""
    _business_only(request.user)
    only_open = request.GET.get("open") == "1"
    page = BoundedPaginator(queries.scope_adoptions(request.user, only_open=only_open), PAGE).get_page(
        request.GET.get("page"))
    today = timezone.localdate()
    for a in page.object_list:
        a.state = a.report_state(today, reported=a.reported)
    return render(request, "cases/adoptions.html", {
        "page": page, "only_open": only_open, "has_scope": bool(queries.scope_paths(request.user)),
        "workdays": deadlines.report_workdays(),
    })


# --- brands --------------------------------------------------------------------------------------------

@login_required
def brand_list(request):
    _business_only(request.user)
    qs = Brand.objects.visible_to(request.user).select_related("org")
    page = BoundedPaginator(qs, PAGE).get_page(request.GET.get("page"))
    return render(request, "cases/brands.html", {"page": page, "colours": BRAND_STATUS_COLOURS,
                                                 "can_create": managed_orgs(request.user).exists()})


@login_required
def brand_create(request):
    orgs = list(managed_orgs(request.user)[:500])
    if not orgs:
        raise PermissionDenied
    form = BrandForm(request.POST or None, request.FILES or None, orgs=orgs)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        org = next(o for o in orgs if o.pk == cd["org"])
        try:
            brand = services.apply_brand(request.user, org, {k: cd[k] for k in services.BRAND_FIELDS}, logo=cd.get("logo"))
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Brand application saved."))
            return redirect("cases:brand", pk=brand.pk)
    return render(request, "cases/brand_form.html", {"form": form, "title": _("Apply for a Party-building brand")})


@login_required
def brand_detail(request, pk: int):
    brand = get_visible_or_404(Brand, request.user, pk=pk)
    can_screen = request.user.has_perm("cases.screen_brand", brand)
    nexts = [(s, s.label) for s in BRAND_TRANSITIONS.get(brand.status, set())] if can_screen else []
    return render(request, "cases/brand_detail.html", {
        "brand": brand, "colours": BRAND_STATUS_COLOURS, "transitions": sorted(nexts), "history": brand.transitions.all(),
        "cases": brand.cases.visible_to(request.user),
        **_link_context(request.user, brand),
    })


LINKABLE_LIMIT = 300


def _link_context(user, brand) -> dict:
    """For the brand's managers: the published cases they see that are not linked yet (newest first)."""
    if not user.has_perm("cases.link_brand_case", brand):
        return {"can_link": False}
    linkable = (Case.objects.visible_to(user).filter(status=CaseStatus.PUBLISHED).exclude(brands=brand)
                .select_related("org").order_by("-year", "-id")[:LINKABLE_LIMIT])
    return {"can_link": True, "linkable": linkable}


@login_required
@require_POST
def brand_link_case(request, pk: int):
    brand = get_visible_or_404(Brand, request.user, pk=pk)
    case = get_visible_or_404(Case, request.user, pk=_int(request.POST.get("case")))
    try:
        changed = services.link_brand_case(request.user, brand, case)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        if changed:
            messages.success(request, _("“%(title)s” linked to the brand.") % {"title": case.title})
        else:
            messages.info(request, _("This case was already linked; nothing changed."))
    return redirect("cases:brand", pk=pk)


@login_required
@require_POST
def brand_unlink_case(request, pk: int, case_id: int):
    brand = get_visible_or_404(Brand, request.user, pk=pk)
    case = get_visible_or_404(Case, request.user, pk=case_id)
    if services.unlink_brand_case(request.user, brand, case):
        messages.success(request, _("“%(title)s” unlinked from the brand.") % {"title": case.title})
    else:
        messages.info(request, _("This case was not linked; nothing changed."))
    return redirect("cases:brand", pk=pk)


def _int(raw) -> int:
    try:
        return int(raw)
    except (TypeError, ValueError):
        raise Http404 from None


@login_required
@require_POST
def brand_transition(request, pk: int):
    brand = get_visible_or_404(Brand, request.user, pk=pk)
    return _transition(request, services.transition_brand, brand, "cases:brand")


@login_required
def brand_logo(request, pk: int):
    brand = get_visible_or_404(Brand, request.user, pk=pk)
    if not brand.logo:
        raise Http404
    return uploads.serve_file(brand.logo, brand.logo_type, f"logo{uploads.IMAGE_TYPES.get(brand.logo_type, '')}")


# --- dashboard -----------------------------------------------------------------------------------------

@login_required
def dashboard(request):
    if not request.user.has_perm("cases.view_dashboard"):
        raise PermissionDenied
    return render(request, "cases/dashboard.html", queries.dashboard(request.user))
