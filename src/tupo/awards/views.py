"""Pages of the award: the administrator's cycle, the nominee's entries, the panel's phone page, public pages.

Views stay thin: services write, ``get_visible_or_404`` hides (404), PermissionDenied refuses (403).
Public pages (no login) show only what a published notice holds.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.accounts.choices import MANAGING_ROLES
from tupo.awards import documents, queries, services
from tupo.awards.choices import (
    ALLOWED_TRANSITIONS,
    CYCLE_COLOURS,
    NOMINATION_COLOURS,
    CycleStatus,
    NominationStatus,
)
from tupo.awards.forms import (
    AttachmentForm,
    BallotForm,
    CaseTextForm,
    CycleForm,
    DecideForm,
    HandlerForm,
    InspectionForm,
    NominateForm,
    NoticeForm,
    PublicObjectionForm,
    RecordObjectionForm,
    ResolveForm,
    ScoreForm,
    ScreenForm,
    SlotForm,
    VoteSettingsForm,
)
from tupo.awards.models import AwardCycle, Certificate, Nomination, Notice, Objection, PresentationSlot
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.middleware import client_ip
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.orgs import tree
from tupo.orgs.models import Organization


def _flash(request, exc) -> None:
    messages.error(request, " ".join(exc.messages) if isinstance(exc, ValidationError) else str(exc))


# --- administrator ------------------------------------------------------------------------------------------

@login_required
def index(request):
    cycles = AwardCycle.objects.visible_to(request.user).select_related("org")
    can_add = request.user.has_perm("awards.use_admin")
    return render(request, "awards/index.html", {"cycles": cycles, "can_add": can_add, "colours": CYCLE_COLOURS})


@login_required
def cycle_new(request):
    orgs = [g.org for g in request.user.grants if g.org_id and request.user.has_perm("awards.add_cycle", g.org)]
    if not orgs:
        raise PermissionDenied
    form = CycleForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            cycle = services.create_cycle(request.user, org=orgs[0], data=form.to_data())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("The cycle was created."))
            return redirect("awards:cycle", pk=cycle.pk)
    return render(request, "awards/cycle_form.html", {"form": form, "org": orgs[0]})


def _candidates(cycle):
    return cycle.nominations.filter(status=NominationStatus.NOT_AWARDED, events__kind="shortlist",
                                    events__to_value=NominationStatus.SHORTLISTED).distinct()


@login_required
def cycle_detail(request, pk: int):
    cycle = get_visible_or_404(AwardCycle, request.user, pk=pk)
    user = request.user
    manage = user.has_perm("awards.manage_cycle", cycle)
    if not manage:
        return redirect("awards:mine")
    noms = list(cycle.nominations.exclude(status=NominationStatus.DRAFT).select_related("org")
                .prefetch_related("inspections"))
    slots = {s.nomination_id: s for s in PresentationSlot.objects.filter(cycle=cycle).prefetch_related("panel")}
    users = queries.panel_candidates()
    for n in noms:
        n.slot_obj = slots.get(n.pk)
        n.result = services.slot_result(n.slot_obj) if n.slot_obj else None
        if n.slot_obj and not n.result["n"]:
            n.slot_edit_form = SlotForm(users=users, auto_id=f"id_slot{n.pk}_%s", initial={
                "starts_at": timezone.localtime(n.slot_obj.starts_at).strftime("%Y-%m-%dT%H:%M"),
                "panel": [u.pk for u in n.slot_obj.panel.all()]})
    objections = list(cycle.objections.select_related("nomination", "handler"))
    for o in objections:
        o.overdue = services.reply_overdue(o)
    ctx = {
        "cycle": cycle, "nominations": noms, "colours": CYCLE_COLOURS, "ncolours": NOMINATION_COLOURS,
        "next_statuses": [CycleStatus(s) for s in ALLOWED_TRANSITIONS[cycle.status] if s != CycleStatus.NOTICE],
        "events": cycle.events.select_related("nomination", "actor").order_by("-at")[:50],
        "labels": queries.timeline_labels(),
        "notices": cycle.notices.order_by("-version"),
        "objections": objections,
        "screen_form": ScreenForm(), "inspection_form": InspectionForm(),
        "decide_form": DecideForm(grades=cycle.grades),
        "slot_form": SlotForm(users=users),
        "notice_form": NoticeForm(initial={"issuing_body": cycle.issuing_body}),
        "objection_form": RecordObjectionForm(entries=getattr(services.latest_published_notice(cycle), "entries", [])),
        "draft_notice": cycle.notices.filter(published_at__isnull=True).first(),
    }
    if cycle.status == CycleStatus.REVIEW:
        ctx["first_rounds"] = services.first_round_ranking(cycle)
        ctx["combined"] = services.combined_ranking(cycle, ctx["first_rounds"])
    if cycle.status in services.VOTE_SETTINGS_STATUSES and not cycle.ballots.exists():
        ctx["vote_form"] = VoteSettingsForm(initial={
            "vote_enabled": cycle.vote_enabled, "vote_weight": cycle.vote_weight, "vote_start": cycle.vote_start,
            "vote_end": cycle.vote_end, "vote_max_choices": cycle.vote_max_choices})
    if cycle.vote_enabled:
        ctx["vote_results"] = services.vote_results(cycle)
    return render(request, "awards/cycle_detail.html", ctx)


def _managed_cycle(request, pk):
    cycle = get_visible_or_404(AwardCycle, request.user, pk=pk)
    if not request.user.has_perm("awards.manage_cycle", cycle):
        raise PermissionDenied
    return cycle


def _act(request, cycle, fn, ok: str):
    try:
        fn()
    except (ValidationError, InvalidTransition, ConcurrentEditError) as exc:
        _flash(request, exc)
    else:
        messages.success(request, ok)
    return redirect("awards:cycle", pk=cycle.pk)


@login_required
@require_POST
def cycle_status(request, pk: int):
    cycle = _managed_cycle(request, pk)
    to = request.POST.get("to", "")
    if to == CycleStatus.REVIEW:
        return _act(request, cycle, lambda: services.start_first_round(request.user, cycle),
                    _("The first round by category was created in the expert review."))
    return _act(request, cycle, lambda: services.change_status(request.user, cycle, to, request.POST.get("reason", "")),
                _("The status was changed."))


@login_required
@require_POST
def shortlist(request, pk: int):
    cycle = _managed_cycle(request, pk)
    ids = [i for i in request.POST.getlist("nomination") if i.isdigit()]
    return _act(request, cycle, lambda: services.shortlist(request.user, cycle, ids),
                _("The shortlist moved to the presentation round."))


def _managed_nomination(request, pk):
    nom = get_visible_or_404(Nomination, request.user, pk=pk)
    if not request.user.has_perm("awards.manage_nomination", nom):
        raise PermissionDenied
    return nom


@login_required
@require_POST
def nomination_action(request, pk: int, action: str):
    nom = _managed_nomination(request, pk)
    user, post = request.user, request.POST
    if action == "screen":
        form = ScreenForm(post)
        if not form.is_valid():
            raise Http404
        fn = lambda: services.screen(user, nom, form.cleaned_data["passed"], form.cleaned_data["reason"])  # noqa: E731
    elif action == "slot":
        form = SlotForm(post, users=queries.panel_candidates())
        if not form.is_valid():
            messages.error(request, _("Give the time and the panel."))
            return redirect("awards:cycle", pk=nom.cycle_id)
        slot = PresentationSlot.objects.filter(nomination=nom).first()
        if slot is not None:
            fn = lambda: services.update_slot(user, slot, form.cleaned_data["starts_at"], form.cleaned_data["panel"])  # noqa: E731
        else:
            fn = lambda: services.schedule_slot(user, nom, form.cleaned_data["starts_at"], form.cleaned_data["panel"])  # noqa: E731
    elif action == "inspection":
        form = InspectionForm(post)
        if not form.is_valid():
            messages.error(request, _("Give the date, the inspectors and the findings."))
            return redirect("awards:cycle", pk=nom.cycle_id)
        fn = lambda: services.record_inspection(user, nom, form.cleaned_data)  # noqa: E731
    elif action == "decide":
        form = DecideForm(post, grades=nom.cycle.grades)
        if not form.is_valid():
            raise Http404
        fn = lambda: services.decide(user, nom, form.cleaned_data["grade"])  # noqa: E731
    else:
        raise Http404
    return _act(request, nom.cycle, fn, _("Saved."))


@login_required
def notice_save(request, pk: int):
    cycle = _managed_cycle(request, pk)
    form = NoticeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        draft = cycle.notices.filter(published_at__isnull=True).first()
        try:
            if draft:
                services.update_notice(request.user, draft, form.cleaned_data)
            else:
                services.draft_notice(request.user, cycle, form.cleaned_data)
        except (ValidationError, InvalidTransition) as exc:
            _flash(request, exc)
        else:
            messages.success(request, _("The draft notice was saved."))
    elif request.method == "POST":
        messages.error(request, _("Fill in the title, body, issuing body, issue date and how to object."))
    return redirect("awards:cycle", pk=cycle.pk)


@login_required
@require_POST
def notice_publish(request, pk: int):
    notice = get_object_or_404(Notice, pk=pk, cycle__in=AwardCycle.objects.visible_to(request.user))
    if not request.user.has_perm("awards.manage_cycle", notice.cycle):
        raise PermissionDenied
    return _act(request, notice.cycle, lambda: services.publish_notice(request.user, notice),
                _("The notice was published."))


@login_required
@require_POST
def objection_record(request, pk: int):
    cycle = _managed_cycle(request, pk)
    notice = services.latest_published_notice(cycle)
    form = RecordObjectionForm(request.POST, entries=getattr(notice, "entries", []))
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("awards:cycle", pk=cycle.pk)
    return _act(request, cycle, lambda: services.record_objection(request.user, cycle, form.cleaned_data),
                _("The objection was recorded."))


@login_required
@require_POST
def objection_resolve(request, pk: int):
    obj = get_visible_or_404(Objection, request.user, pk=pk)
    if not request.user.has_perm("awards.handle_objection", obj):
        raise PermissionDenied
    form = ResolveForm(request.POST, candidates=_candidates(obj.cycle))
    back = redirect("awards:objection", pk=obj.pk)
    if not form.is_valid():
        messages.error(request, _("Give the outcome and the findings."))
        return back
    d = form.cleaned_data
    try:
        services.resolve_objection(request.user, obj, outcome=d["outcome"], findings=d["findings"],
                                   reply_on=d["reply_on"], withdraw=d["withdraw"], promote=d["promote"])
    except (ValidationError, InvalidTransition) as exc:
        _flash(request, exc)
    else:
        messages.success(request, _("The objection was answered."))
    return back


@login_required
def objection_detail(request, pk: int):
    """One objection: the administrator assigns a handler; the handler (or the administrator) answers it."""
    obj = get_visible_or_404(Objection, request.user, pk=pk)
    user = request.user
    manage = user.has_perm("awards.assign_objection", obj)
    handler_form = HandlerForm(request.POST if "assign" in request.POST else None,
                               staff=queries.department_staff(obj.cycle), initial={"handler": obj.handler_id})
    if request.method == "POST" and "assign" in request.POST:
        if not manage:
            raise PermissionDenied
        if handler_form.is_valid():
            try:
                services.assign_handler(user, obj, handler_form.cleaned_data["handler"])
            except (ValidationError, InvalidTransition) as exc:
                _flash(request, exc)
            else:
                messages.success(request, _("The handler was assigned."))
                return redirect("awards:objection", pk=obj.pk)
    resolve_form = ResolveForm(candidates=_candidates(obj.cycle))
    if not manage:
        del resolve_form.fields["withdraw"], resolve_form.fields["promote"]
    return render(request, "awards/objection.html", {
        "o": obj, "manage": manage, "can_answer": user.has_perm("awards.handle_objection", obj),
        "handler_form": handler_form, "resolve_form": resolve_form, "overdue": services.reply_overdue(obj),
        "events": obj.cycle.events.filter(from_value=obj.receipt).select_related("actor").order_by("at"),
        "labels": queries.timeline_labels()})


@login_required
def objections_mine(request):
    objs = list(Objection.objects.filter(handler=request.user).select_related("cycle", "nomination")
                .order_by("status", "reply_due", "id"))
    for o in objs:
        o.overdue = services.reply_overdue(o)
    return render(request, "awards/objections_mine.html", {"objections": objs})


@login_required
def certificate(request, pk: int):
    nom = _managed_nomination(request, pk)
    try:
        cert = services.issue_certificate(request.user, nom)
    except (ValidationError, InvalidTransition) as exc:
        _flash(request, exc)
        return redirect("awards:cycle", pk=nom.cycle_id)
    url = request.build_absolute_uri(reverse("awards:verify") + f"?code={cert.code}")
    response = HttpResponse(documents.certificate_pdf(cert, url), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="certificate-{cert.serial}.pdf"'
    return response


@login_required
def commendation(request, pk: int, fmt: str):
    cycle = _managed_cycle(request, pk)
    if fmt not in ("docx", "pdf"):
        raise Http404
    try:
        services.record_commendation(request.user, cycle, fmt)
    except InvalidTransition as exc:
        _flash(request, exc)
        return redirect("awards:cycle", pk=cycle.pk)
    return documents.commendation_response(cycle, fmt)


@login_required
@require_POST
def vote_settings(request, pk: int):
    cycle = _managed_cycle(request, pk)
    form = VoteSettingsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("awards:cycle", pk=cycle.pk)
    d = form.cleaned_data
    return _act(request, cycle, lambda: services.configure_vote(
        request.user, cycle, enabled=d["vote_enabled"], weight=d["vote_weight"], start=d["vote_start"],
        end=d["vote_end"], max_choices=d["vote_max_choices"]), _("The online vote settings were saved."))


@login_required
def votes(request):
    cycles = list(queries.vote_cycles_for(request.user))
    for c in cycles:
        c.is_open = services.vote_open(c)
    return render(request, "awards/votes.html", {"cycles": cycles})


@login_required
def vote(request, pk: int):
    """The member's ballot page: one ballot per category; 404 for anyone outside the scope or without a vote."""
    cycle = queries.vote_cycle_or_404(request.user, pk)
    voted = set(cycle.ballots.filter(voter=request.user).values_list("category", flat=True))
    posted = request.POST.get("category") if request.method == "POST" else None
    sections = []
    for category in cycle.categories:
        entries = list(services.vote_entries(cycle, category))
        form = BallotForm(request.POST if posted == category else None, entries=entries,
                          initial={"category": category}, auto_id=f"id_{len(sections)}_%s")
        if posted == category and form.is_valid():
            try:
                services.cast_vote(request.user, cycle, category, form.cleaned_data["nominations"])
            except (ValidationError, InvalidTransition) as exc:
                _form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
            else:
                messages.success(request, _("Your vote was recorded."))
                return redirect("awards:vote", pk=cycle.pk)
        sections.append({"category": category, "entries": entries, "form": form, "voted": category in voted})
    return render(request, "awards/vote.html", {"cycle": cycle, "sections": sections,
                                                "is_open": services.vote_open(cycle)})


@login_required
@require_POST
def to_cases(request, pk: int):
    cycle = _managed_cycle(request, pk)
    return _act(request, cycle, lambda: services.send_winners_to_cases(request.user, cycle),
                _("The winning entries were sent to the case library."))


# --- nominee -------------------------------------------------------------------------------------------------

def _nominating_orgs(user, cycle):
    paths = [g.org.path for g in user.grants if g.role in MANAGING_ROLES and g.org_id]
    if not paths:
        return Organization.objects.none()
    return Organization.objects.filter(tree.subtrees_q(paths)).filter(tree.subtree_q(cycle.org.path)).order_by("path")


@login_required
def mine(request):
    user = request.user
    cycles = list(queries.open_cycles_for(user))
    noms = Nomination.objects.visible_to(user).select_related("cycle", "org").order_by("-id")
    return render(request, "awards/mine.html", {"cycles": cycles, "nominations": noms, "ncolours": NOMINATION_COLOURS})


@login_required
def nominate(request, pk: int):
    cycle = get_visible_or_404(AwardCycle, request.user, pk=pk)
    orgs = _nominating_orgs(request.user, cycle)
    form = NominateForm(request.POST or None, orgs=orgs, categories=cycle.categories)
    if request.method == "POST" and form.is_valid():
        try:
            nom = services.create_nomination(request.user, cycle, org=form.cleaned_data["org"],
                                             category=form.cleaned_data["category"],
                                             data={"title": form.cleaned_data["title"]})
        except (ValidationError, InvalidTransition) as exc:
            _form_errors(form, exc if isinstance(exc, ValidationError) else ValidationError(str(exc)))
        else:
            return redirect("awards:nomination", pk=nom.pk)
    return render(request, "awards/nominate.html", {"cycle": cycle, "form": form})


@login_required
def nomination_detail(request, pk: int):
    nom = get_visible_or_404(Nomination, request.user, pk=pk)
    user = request.user
    can_edit = user.has_perm("awards.edit_nomination", nom) and nom.status == NominationStatus.DRAFT
    form = CaseTextForm(request.POST if request.method == "POST" and "save" in request.POST else None,
                        instance=nom, initial={"version": nom.version})
    att_form = AttachmentForm()
    if request.method == "POST":
        if not user.has_perm("awards.edit_nomination", nom):
            raise PermissionDenied
        try:
            if "save" in request.POST and form.is_valid():
                data = {k: form.cleaned_data[k] for k in services.CASE_TEXT_FIELDS}
                services.update_nomination(user, nom, data, expected_version=form.cleaned_data["version"])
                messages.success(request, _("Saved."))
                return redirect("awards:nomination", pk=pk)
            if "upload" in request.POST:
                att_form = AttachmentForm(request.POST, request.FILES)
                if att_form.is_valid():
                    services.add_attachment(user, nom, att_form.cleaned_data["file"], att_form.cleaned_data["kind"])
                    messages.success(request, _("The file was attached."))
                    return redirect("awards:nomination", pk=pk)
            if "submit" in request.POST:
                services.submit_nomination(user, nom)
                messages.success(request, _("The nomination was submitted."))
                return redirect("awards:nomination", pk=pk)
        except ValidationError as exc:
            target = att_form if "upload" in request.POST else form
            _form_errors(target, exc)
            if "submit" in request.POST:
                _flash(request, exc)
        except (InvalidTransition, ConcurrentEditError) as exc:
            _flash(request, exc)
    return render(request, "awards/nomination.html", {
        "nom": nom, "form": form, "att_form": att_form, "can_edit": can_edit, "ncolours": NOMINATION_COLOURS,
        "events": nom.events.order_by("at"), "attachments": nom.attachments.all(),
        "labels": queries.timeline_labels()})


# --- panel: phone-friendly live scoring ---------------------------------------------------------------------

@login_required
def panel(request):
    slots = PresentationSlot.objects.filter(panel=request.user).select_related("nomination", "cycle")
    return render(request, "awards/panel.html", {"slots": slots})


@login_required
def score(request, pk: int):
    slot = PresentationSlot.objects.filter(pk=pk, panel=request.user).select_related("nomination", "cycle").first()
    if slot is None:
        raise Http404
    form = ScoreForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.score_slot(request.user, slot, form.cleaned_data["value"])
        except (ValidationError, InvalidTransition) as exc:
            _flash(request, exc)
        return redirect("awards:score", pk=pk)
    mine_ = slot.scores.filter(member=request.user).first()
    return render(request, "awards/score.html", {"slot": slot, "form": form, "mine": mine_,
                                                 "result": services.slot_result(slot)})


# --- public pages (no login): only what a published notice holds --------------------------------------------

def _public_cycle(pk):
    cycle = get_object_or_404(AwardCycle, pk=pk)
    notices = list(cycle.notices.filter(published_at__isnull=False).order_by("-version"))
    if not notices:
        raise Http404
    return cycle, notices


def public_notice(request, pk: int, version: int | None = None):
    cycle, notices = _public_cycle(pk)
    notice = notices[0] if version is None else next((n for n in notices if n.version == version), None)
    if notice is None:
        raise Http404
    return render(request, "awards/public_notice.html", {
        "cycle": cycle, "notice": notice, "history": notices, "latest": notices[0],
        "paragraphs": [p for p in notice.body.splitlines() if p.strip()],
        "objections_open": cycle.status == CycleStatus.NOTICE})


def public_notice_file(request, pk: int, version: int, fmt: str):
    cycle, notices = _public_cycle(pk)
    notice = next((n for n in notices if n.version == version), None)
    if notice is None or fmt not in ("docx", "pdf"):
        raise Http404
    if fmt == "docx":
        data, ctype = documents.notice_docx(notice), \
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document"
    else:
        data, ctype = documents.notice_pdf(notice), "application/pdf"
    response = HttpResponse(data, content_type=ctype)
    response["Content-Disposition"] = f'attachment; filename="notice-{cycle.pk}-v{version}.{fmt}"'
    return response


def public_objection(request, pk: int):
    cycle, notices = _public_cycle(pk)
    form = PublicObjectionForm(request.POST or None, entries=notices[0].entries)
    status = 200
    if request.method == "POST" and form.is_valid():
        try:
            obj = services.submit_online_objection(cycle, form.cleaned_data, ip=client_ip(request))
        except services.TooManyObjections as exc:
            form.add_error(None, exc.messages)
            status = 429
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            return render(request, "awards/public_receipt.html", {"cycle": cycle, "objection": obj, "new": True,
                                                                  "receipt": obj.receipt})
    return render(request, "awards/public_objection.html", {"cycle": cycle, "form": form, "notice": notices[0]},
                  status=status)


def public_receipt(request):
    receipt = request.GET.get("receipt", "")
    obj = services.lookup_receipt(receipt) if receipt else None
    return render(request, "awards/public_receipt.html", {"objection": obj, "receipt": receipt,
                                                          "cycle": obj.cycle if obj else None})


def public_results(request, pk: int):
    """After close: the final list by grade and category with summaries; nothing else."""
    cycle = get_object_or_404(AwardCycle, pk=pk, status=CycleStatus.CLOSED)
    return render(request, "awards/public_results.html", {
        "cycle": cycle, "groups": services.winners_by_grade(cycle), "closed_on": services.closed_on(cycle)})


def verify(request):
    code = (request.GET.get("code") or "").strip().upper()
    cert = Certificate.objects.filter(code=code).select_related("nomination__org", "nomination__cycle").first() \
        if code else None
    return render(request, "awards/verify.html", {"cert": cert, "code": code})

