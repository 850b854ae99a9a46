"""Pages of the bidding: calls, topics and proposals (admin), open calls and bids (cadres). Views stay thin."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.core import audit
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.paging import BoundedPaginator
from tupo.core.services import ConcurrentEditError, InvalidTransition
from tupo.core.xlsx import xlsx_response
from tupo.orgs.models import Organization, Person
from tupo.topics import eligibility, queries, review_link, services
from tupo.topics.choices import (
    BID_COLOURS,
    CALL_COLOURS,
    PROPOSAL_COLOURS,
    BidStatus,
    CallStatus,
    ProposalStatus,
)
from tupo.topics.forms import (
    BUDGET_ROWS,
    MILESTONE_ROWS,
    BidForm,
    CallForm,
    InviteForm,
    ProposalForm,
    TopicForm,
    rows_from_post,
)
from tupo.topics.models import Bid, BidTeamMember, Call, Topic, TopicProposal

PAGE = settings.TUPO_PAGE_SIZE
COLOURS = {"call_colours": CALL_COLOURS, "bid_colours": BID_COLOURS, "proposal_colours": PROPOSAL_COLOURS}


def _errors(request, exc) -> None:
    if isinstance(exc, ValidationError):
        for msg in exc.messages:
            messages.error(request, msg)
    else:
        messages.error(request, str(exc))




def _admin_org(user) -> Organization:
    """The topmost organization where the user is a department administrator."""
    orgs = [g.org for g in user.grants if g.role == "dept_admin" and g.org_id]
    if not orgs:
        raise PermissionDenied
    return min(orgs, key=lambda o: o.depth)


def countdown(call, now=None) -> str:
    now = now or timezone.now()
    if call.ends_at is None:
        return ""
    if call.status == CallStatus.DRAFT:
        return _("not published")
    if now >= call.ends_at:
        return _("deadline passed")
    left = call.ends_at - now
    if left.days >= 1:
        return _("%(d)s day(s) %(h)s hour(s) left") % {"d": left.days, "h": left.seconds // 3600}
    return _("%(h)s hour(s) %(m)s minute(s) left") % {"h": left.seconds // 3600, "m": (left.seconds % 3600) // 60}


# --- calls ---------------------------------------------------------------------------------------------------

@login_required
def call_list(request):
    user = request.user
    qs = Call.objects.visible_to(user).select_related("org").order_by("-created_at", "-id")
    is_admin = user.has_perm("topics.use_admin")
    if not is_admin:
        qs = qs.exclude(status=CallStatus.DRAFT)
    page = BoundedPaginator(qs, PAGE).get_page(request.GET.get("page"))
    now = timezone.now()
    person = user.person if user.person_id else None
    for call in page.object_list:
        call.countdown = countdown(call, now)
        call.open_now = call.is_open(now)
        if person is not None and not is_admin and call.open_now:
            call.why_not = eligibility.check_principal(call, person)
    return render(request, "topics/call_list.html", {"page": page, "is_admin": is_admin, **COLOURS})


@login_required
def call_create(request):
    org = _admin_org(request.user)
    topics = Topic.objects.visible_to(request.user).filter(org__path__startswith=org.path).distinct()
    form = CallForm(request.POST or None, topics=topics)
    if request.method == "POST" and form.is_valid():
        cd = form.cleaned_data
        data = {k: cd[k] for k in ("title", "description", "deadline_workdays", "max_principal_age",
                                   "min_service_years", "team_min", "team_max", "one_bid_per_person",
                                   "max_bids_per_org", "block_unfinished", "awards_per_topic")}
        if cd.get("deadline") and not cd.get("deadline_workdays"):
            data["ends_at"] = services._end_of_day(cd["deadline"])
        try:
            call = services.create_call(request.user, org, data, cd["topics"], criteria=form.criteria_list())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Call saved as a draft."))
            return redirect("topics:call", pk=call.pk)
    return render(request, "topics/form.html", {"form": form, "title": _("New call for bids")})


@login_required
def call_detail(request, pk: int):
    call = get_visible_or_404(Call, request.user, pk=pk)
    user = request.user
    can_manage = user.has_perm("topics.manage_call", call)
    if call.status == CallStatus.DRAFT and not can_manage:
        raise Http404
    context = {"call": call, "can_manage": can_manage, "countdown": countdown(call), "open_now": call.is_open(),
               "topics": call.topics.all(), "timeline": queries.timeline(call=call), "labels": queries.timeline_labels(),
               **COLOURS}
    if user.person_id and call.is_open():
        context["why_not"] = eligibility.check_principal(call, user.person)
        context["my_bids"] = queries.my_bids(user).filter(call=call)
    if can_manage:
        context["stats"] = queries.call_stats(call)
        context["status_labels"] = dict(BidStatus.choices)
    return render(request, "topics/call_detail.html", context)


def _managed_call(request, pk) -> Call:
    call = get_visible_or_404(Call, request.user, pk=pk)
    if not request.user.has_perm("topics.manage_call", call):
        raise PermissionDenied
    return call


@login_required
@require_POST
def call_publish(request, pk: int):
    call = _managed_call(request, pk)
    try:
        services.publish_call(request.user, call)
    except (ValidationError, InvalidTransition, ConcurrentEditError) as exc:
        _errors(request, exc)
    else:
        messages.success(request, _("Call published."))
    return redirect("topics:call", pk=pk)


@login_required
def screening(request, pk: int):
    call = _managed_call(request, pk)
    if request.method == "POST":
        bid = get_object_or_404(Bid, pk=request.POST.get("bid"), call=call)
        try:
            services.screen_bid(request.user, bid, request.POST.get("result") == "pass", request.POST.get("reason", ""))
        except (ValidationError, InvalidTransition) as exc:
            _errors(request, exc)
        else:
            messages.success(request, _("Screening recorded."))
        return redirect(request.get_full_path())  # back to the same page of the list
    # 50 bids a page (a big call has thousands); the rule checks still count over the whole call.
    from django.core.paginator import Paginator

    qs = queries.bids_for_screening(call)
    if request.GET.get("todo"):
        qs = qs.filter(status=BidStatus.SUBMITTED)
    page = Paginator(qs, 50).get_page(request.GET.get("page"))
    bids = list(page.object_list)
    queries.screening_reasons(call, bids)  # eligibility of the page's submitted bids, in a fixed number of queries
    return render(request, "topics/screening.html", {"call": call, "bids": bids, "page": page,
                                                     "todo": bool(request.GET.get("todo")),
                                                     "deadline_passed": call.deadline_passed(), **COLOURS})


@login_required
def ranking(request, pk: int):
    call = _managed_call(request, pk)
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "review":
                services.send_to_review(request.user, call)
                messages.success(request, _("The passing bids were sent to expert review."))
            elif action == "award":
                bid = get_object_or_404(Bid, pk=request.POST.get("bid"), call=call)
                services.award_bid(request.user, bid, request.POST.get("reason", ""))
                messages.success(request, _("Bid awarded: its project and task book were created."))
            elif action == "finish":
                services.finish_call(request.user, call, request.POST.get("reason", ""))
                messages.success(request, _("Award decision closed; every bidder has been told."))
        except (ValidationError, InvalidTransition, ConcurrentEditError) as exc:
            _errors(request, exc)
        return redirect("topics:ranking", pk=pk)
    rank = {r["bid_id"]: r for r in review_link.ranking(call)}
    bids = list(Bid.objects.filter(call=call, status__in=[BidStatus.SCREENED_PASS, BidStatus.AWARDED,
                                                          BidStatus.NOT_AWARDED])
                .select_related("topic", "principal", "org"))
    for bid in bids:
        bid.rank = rank.get(bid.pk)
    bids.sort(key=lambda b: (b.topic_id, b.rank["position"] if b.rank else 10**6, b.pk))
    return render(request, "topics/ranking.html", {"call": call, "bids": bids, "round": review_link.review_round(call),
                                                   **COLOURS})


@login_required
def call_export(request, pk: int):
    call = _managed_call(request, pk)
    audit.record("topic.call.export", actor=request.user, obj=call)
    qs = Bid.objects.visible_to(request.user).filter(call=call).select_related("topic", "principal", "org")
    rows = ((b.pk, b.topic.title, b.title, b.principal.name, b.org.name, b.get_status_display(), b.total_budget,
             b.submitted_at.strftime("%Y-%m-%d %H:%M") if b.submitted_at else "", b.screening_reason, b.award_reason)
            for b in qs.order_by("topic_id", "id"))
    headers = [_("Bid"), _("Topic"), _("Title"), _("Principal"), _("Organization"), _("Status"), _("Total budget"),
               _("Submitted at"), _("Screening reason"), _("Award reason")]
    return xlsx_response(f"bids-{call.pk}.xlsx", headers, rows, title=_("Bids"))


# --- topics and proposals ------------------------------------------------------------------------------------

@login_required
def topic_list(request):
    user = request.user
    if not user.has_perm("topics.use_admin") and not user.roles & {"org_admin"}:
        raise Http404
    topics = Topic.objects.visible_to(user).distinct().order_by("-created_at")[:200] if user.has_perm(
        "topics.use_admin") else []
    proposals = TopicProposal.objects.visible_to(user).select_related("org")[:200]
    return render(request, "topics/topic_list.html", {"topics": topics, "proposals": proposals,
                                                      "is_admin": user.has_perm("topics.use_admin"), **COLOURS})


@login_required
def topic_create(request):
    org = _admin_org(request.user)
    proposal = None
    if request.GET.get("proposal"):
        proposal = get_visible_or_404(TopicProposal, request.user, pk=request.GET["proposal"])
    initial = {"title": proposal.title, "background": proposal.bottleneck, "goals": proposal.expected_result} if proposal else {}
    form = TopicForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.create_topic(request.user, org, form.cleaned_data, proposal=proposal)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Topic saved."))
            return redirect("topics:topics")
    return render(request, "topics/form.html", {"form": form, "title": _("New topic")})


@login_required
def proposal_create(request):
    orgs = [g.org for g in request.user.grants if g.role in ("dept_admin", "org_admin") and g.org_id]
    if not orgs:
        raise PermissionDenied
    form = ProposalForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.submit_proposal(request.user, min(orgs, key=lambda o: -o.depth), form.cleaned_data)
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Proposal submitted."))
            return redirect("topics:topics")
    return render(request, "topics/form.html", {"form": form, "title": _("Propose a topic")})


@login_required
@require_POST
def proposal_decide(request, pk: int):
    proposal = get_visible_or_404(TopicProposal, request.user, pk=pk)
    to = ProposalStatus.SHORTLISTED if request.POST.get("decision") == "shortlist" else ProposalStatus.DECLINED
    try:
        services.decide_proposal(request.user, proposal, to, request.POST.get("reason", ""))
    except (ValidationError, InvalidTransition) as exc:
        _errors(request, exc)
    return redirect("topics:topics")


# --- bids ----------------------------------------------------------------------------------------------------

@login_required
def my_bids(request):
    record = queries.track_record(request.user.person) if request.user.person_id else {"projects": []}
    return render(request, "topics/my_bids.html", {"bids": queries.my_bids(request.user)[:200],
                                                   "invitations": queries.my_invitations(request.user),
                                                   "projects": record["projects"], **COLOURS})


def _rows(request):
    return (rows_from_post(request.POST, "ms", ("title", "due_on", "deliverable"), MILESTONE_ROWS),
            rows_from_post(request.POST, "bl", ("item", "amount"), BUDGET_ROWS))


def _padded(rows, n, fields):
    rows = list(rows)[:n]
    return rows + [dict.fromkeys(fields, "") for _i in range(n - len(rows))]


def _bid_form_page(request, form, call, topic, bid, milestones, lines):
    period = services.planned_period(call, topic)
    return render(request, "topics/bid_form.html", {
        "form": form, "call": call, "topic": topic, "bid": bid, "period": period,
        "milestones": _padded(milestones, MILESTONE_ROWS, ("title", "due_on", "deliverable")),
        "lines": _padded(lines, BUDGET_ROWS, ("item", "amount"))})


@login_required
def bid_create(request, pk: int, topic_id: int):
    call = get_visible_or_404(Call, request.user, pk=pk)
    topic = get_object_or_404(call.topics, pk=topic_id)
    if not request.user.has_perm("topics.add_bid", call):
        raise PermissionDenied
    form = BidForm(request.POST or None)
    milestones, lines = _rows(request) if request.method == "POST" else ([], [])
    if request.method == "POST" and form.is_valid():
        try:
            bid = services.create_bid(request.user, call, topic, form.cleaned_data, budget_lines=lines,
                                      milestones=milestones)
        except ValidationError as exc:
            _form_errors(form, exc)
        except InvalidTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Draft saved. Invite your team, then submit before the deadline."))
            return redirect("topics:bid", pk=bid.pk)
    return _bid_form_page(request, form, call, topic, None, milestones, lines)


@login_required
def bid_edit(request, pk: int):
    bid = get_visible_or_404(Bid, request.user, pk=pk)
    if not request.user.has_perm("topics.change_bid", bid):
        raise PermissionDenied
    initial = {f: getattr(bid, f) for f in services.BID_FIELDS} | {"version": bid.version}
    form = BidForm(request.POST or None, initial=initial)
    if request.method == "POST":
        milestones, lines = _rows(request)
    else:
        milestones = [{"title": m.title, "due_on": m.due_on.isoformat(), "deliverable": m.deliverable}
                      for m in bid.milestones.all()]
        lines = [{"item": x.item, "amount": x.amount} for x in bid.budget_lines.all()]
    if request.method == "POST" and form.is_valid():
        try:
            services.update_bid(request.user, bid, form.cleaned_data, budget_lines=lines, milestones=milestones,
                                expected_version=form.cleaned_data.get("version"))
        except ValidationError as exc:
            _form_errors(form, exc)
        except (InvalidTransition, ConcurrentEditError) as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Bid saved."))
            return redirect("topics:bid", pk=bid.pk)
    return _bid_form_page(request, form, bid.call, bid.topic, bid, milestones, lines)


@login_required
def bid_detail(request, pk: int):
    bid = get_visible_or_404(Bid, request.user, pk=pk)
    user = request.user
    is_principal = user.has_perm("topics.change_bid", bid)
    my_invitation = bid.team.filter(person_id=user.person_id, invitation="invited").first() if user.person_id else None
    context = {
        "bid": bid, "call": bid.call, "is_principal": is_principal, "open_now": bid.call.is_open(),
        "can_manage": user.has_perm("topics.manage_bid", bid), "team": bid.team.select_related("person", "person__org"),
        "timeline": queries.timeline(bid=bid), "labels": queries.timeline_labels(), "invite_form": InviteForm(),
        "my_invitation": my_invitation,
        "budget_sum": sum(x.amount for x in bid.budget_lines.all()), "project": getattr(bid, "project", None)
        if bid.status == BidStatus.AWARDED else None, **COLOURS,
    }
    return render(request, "topics/bid_detail.html", context)


@login_required
@require_POST
def bid_action(request, pk: int, action: str):
    """Submit, withdraw, reopen, invite, remove or answer: every one re-checked by the service (window included)."""
    bid = get_visible_or_404(Bid, request.user, pk=pk)
    user = request.user
    try:
        if action == "submit":
            services.submit_bid(user, bid)
            messages.success(request, _("Bid submitted."))
        elif action == "withdraw":
            services.withdraw_bid(user, bid, request.POST.get("reason", ""))
            messages.success(request, _("Bid withdrawn."))
        elif action == "reopen":
            services.reopen_bid(user, bid)
        elif action == "invite":
            form = InviteForm(request.POST)
            person = Person.objects.filter(id_number=(request.POST.get("id_number") or "").strip().upper()).first() \
                if form.is_valid() else None
            if person is None:
                raise ValidationError(_("No person with this ID number is on the register."))
            services.invite_member(user, bid, person)
            messages.success(request, _("%(name)s has been invited.") % {"name": person.name})
        elif action == "attach":
            upload = request.FILES.get("file")
            if upload is None:
                raise ValidationError(_("Choose a file."))
            services.add_attachment(user, bid, upload)
            messages.success(request, _("File attached."))
        elif action == "remove":
            services.remove_member(user, get_object_or_404(BidTeamMember, pk=request.POST.get("member"), bid=bid))
        elif action in ("accept", "decline"):
            member = get_object_or_404(BidTeamMember, bid=bid, person_id=user.person_id)
            services.respond_invitation(user, member, action == "accept")
            if action == "decline":
                return redirect("topics:my_bids")
        else:
            raise Http404
    except (ValidationError, InvalidTransition, ConcurrentEditError) as exc:
        _errors(request, exc)
    return redirect("topics:bid", pk=pk)




@login_required
def attachment(request, pk: int, att_id: int):
    """Download an attachment: only whoever may see the bid (404 otherwise)."""
    from tupo.cases.uploads import serve_file

    bid = get_visible_or_404(Bid, request.user, pk=pk)
    att = get_object_or_404(bid.attachments, pk=att_id)
    return serve_file(att.file, att.content_type, att.original_name)


@login_required
def call_attachment(request, pk: int, att_id: int):
    """Download a call's attachment: whoever may read the call (404 otherwise; drafts only for its managers)."""
    from tupo.cases.uploads import serve_file

    call = get_visible_or_404(Call, request.user, pk=pk)
    if call.status == CallStatus.DRAFT and not request.user.has_perm("topics.manage_call", call):
        raise Http404
    att = get_object_or_404(call.attachments, pk=att_id)
    return serve_file(att.file, att.content_type, att.original_name)


@login_required
@require_POST
def call_attach(request, pk: int):
    call = _managed_call(request, pk)
    upload = request.FILES.get("file")
    if upload is None:
        messages.error(request, _("Choose a file."))
    else:
        try:
            services.add_call_attachment(request.user, call, upload)
            messages.success(request, _("File attached."))
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
    return redirect("topics:call", pk=call.pk)
