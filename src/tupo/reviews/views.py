"""Expert review pages: rounds and assignment for department administrators, scorecards for experts. Thin views."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from tupo.core import audit
from tupo.core.access import get_visible_or_404
from tupo.core.forms import add_service_errors as _form_errors
from tupo.core.htmx import is_htmx
from tupo.core.paging import BoundedPaginator
from tupo.core.services import InvalidTransition
from tupo.core.xlsx import XLSX_TYPE
from tupo.orgs import tree
from tupo.orgs.models import Organization
from tupo.reviews import queries, services
from tupo.reviews.choices import (
    ALLOWED_TRANSITIONS,
    ASSIGNMENT_COLOURS,
    BID_COLOURS,
    DECISION_COLOURS,
    ROUND_COLOURS,
    AssignmentStatus,
    BidLevel,
    RoundStatus,
)
from tupo.reviews.forms import (
    ChairForm,
    DecisionForm,
    ItemForm,
    ProfileForm,
    ReasonForm,
    ReassignForm,
    RoundForm,
    ScorecardForm,
    TieFilterForm,
    TieForm,
)
from tupo.reviews.models import (
    Assignment,
    Conflict,
    ExpertProfile,
    ExpertTie,
    InterestBid,
    ReviewEvent,
    ReviewItem,
    ReviewRound,
)

PAGE = settings.TUPO_PAGE_SIZE




def _admin_orgs(user):
    paths = [g.org.path for g in user.grants if g.role == "dept_admin" and g.org_id]
    return Organization.objects.filter(tree.subtrees_q(paths)) if paths else Organization.objects.none()


def _round_for_admin(request, pk):
    review_round = get_visible_or_404(ReviewRound, request.user, pk=pk)
    if not request.user.has_perm("reviews.manage_round", review_round):
        raise PermissionDenied
    return review_round


def _page(request, qs, name="page"):
    return BoundedPaginator(qs, PAGE).get_page(request.GET.get(name))


# --- administrators ----------------------------------------------------------------------------------------------

@login_required
def index(request):
    if not request.user.has_perm("reviews.use_admin"):
        return redirect("reviews:mine")
    rounds = ReviewRound.objects.visible_to(request.user).select_related("org").order_by("-created_at", "-id")
    page = _page(request, rounds)
    for r in page.object_list:  # a round the user only chairs opens on its ranking page
        r.managed = request.user.has_perm("reviews.manage_round", r)
    return render(request, "reviews/round_list.html", {"page": page, "colours": ROUND_COLOURS})


@login_required
def quality(request):
    """The experts' quality record across the rounds the administrator sees; nobody else (not the expert) sees it."""
    if not request.user.has_perm("reviews.use_admin"):
        raise Http404
    from django.core.paginator import Paginator

    rows = queries.quality_record(request.user)
    return render(request, "reviews/quality.html", {"page": Paginator(rows, PAGE).get_page(request.GET.get("page")),
                                                    "min_items": queries.MIN_AGREEMENT_ITEMS})


@login_required
def ties(request):
    """Every declared (and withdrawn) tie of the experts in the administrator's pool; 404 for everyone else."""
    from tupo.accounts.models import User

    if not request.user.has_perm("reviews.use_admin"):
        raise Http404
    qs = queries.pool_ties(request.user)
    experts = User.objects.filter(pk__in=qs.values("profile__user_id")).order_by("display_name", "id")
    form = TieFilterForm(request.GET or None, experts=experts)
    if form.is_valid():
        if form.cleaned_data["expert"]:
            qs = qs.filter(profile__user_id=form.cleaned_data["expert"])
        if form.cleaned_data["kind"]:
            qs = qs.filter(kind=form.cleaned_data["kind"])
        if form.cleaned_data["state"]:
            qs = qs.filter(withdrawn_at__isnull=form.cleaned_data["state"] == "active")
    page = _page(request, qs.select_related("profile__user", "person", "org", "withdrawn_by")
                 .order_by("withdrawn_at", "profile__user__display_name", "-declared_at", "-id"))
    _label_ties(request.user, page.object_list)
    return render(request, "reviews/ties.html", {"page": page, "form": form})


@login_required
def round_create(request):
    if not request.user.has_perm("reviews.use_admin"):
        raise PermissionDenied
    form = RoundForm(request.POST or None, orgs=_admin_orgs(request.user))
    if request.method == "POST" and form.is_valid():
        data = {k: form.cleaned_data[k] for k in services.ROUND_FIELDS}
        try:
            review_round = services.create_round(request.user, org=form.cleaned_data["org"], data=data,
                                                 criteria=form.criteria_list())
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Round created: add the items, then assign experts."))
            return redirect("reviews:round", pk=review_round.pk)
    return render(request, "reviews/round_form.html", {"form": form})


@login_required
def round_detail(request, pk: int):
    review_round = _round_for_admin(request, pk)
    experts, items = queries.progress(review_round)
    expert_page, item_page = _page(request, experts, "epage"), _page(request, items, "ipage")
    for row in list(expert_page.object_list) + list(item_page.object_list):
        row.state = queries.state_of(row)
    editable = review_round.status in (RoundStatus.DRAFT, RoundStatus.OPEN)
    item_form = ItemForm(orgs=Organization.objects.subtree(review_round.org)) if editable else None
    return render(request, "reviews/round_detail.html", {
        "round": review_round, "criteria": list(review_round.criteria.all()), "expert_page": expert_page,
        "item_page": item_page, "item_form": item_form, "colours": ROUND_COLOURS,
        "next_statuses": [RoundStatus(s) for s in sorted(ALLOWED_TRANSITIONS[review_round.status])],
        "decision_colours": DECISION_COLOURS, "chair": review_round.chair,
    })


@login_required
def chair(request, pk: int):
    """The department administrator names the panel chair (or none) while the round is not decided."""
    from tupo.accounts.models import User

    review_round = _round_for_admin(request, pk)
    candidates = services.chair_candidates(review_round)
    form = ChairForm(request.POST or None, initial={"chair": review_round.chair_id}, candidates=candidates)
    if request.method == "POST" and form.is_valid():
        chosen = form.cleaned_data["chair"]
        try:
            services.set_chair(request.user, review_round, User.objects.get(pk=chosen) if chosen else None,
                               form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        except InvalidTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Panel chair saved."))
            return redirect("reviews:round", pk=pk)
    return render(request, "reviews/chair.html", {"round": review_round, "form": form,
                                                  "decided": review_round.status == RoundStatus.DECIDED})


@login_required
@require_POST
def round_status(request, pk: int):
    review_round = _round_for_admin(request, pk)
    try:
        services.change_status(request.user, review_round, request.POST.get("to", ""), request.POST.get("reason", ""))
    except (ValidationError, InvalidTransition) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        messages.success(request, _("Status changed."))
    return redirect("reviews:round", pk=pk)


@login_required
@require_POST
def remind(request, pk: int):
    review_round = _round_for_admin(request, pk)
    try:
        n = services.remind(request.user, review_round)
    except InvalidTransition as exc:
        messages.error(request, str(exc))
    else:
        messages.success(request, _("Reminder sent to %(n)s expert(s).") % {"n": n})
    return redirect("reviews:round", pk=pk)


@login_required
@require_POST
def item_add(request, pk: int):
    review_round = _round_for_admin(request, pk)
    form = ItemForm(request.POST, orgs=Organization.objects.subtree(review_round.org))
    if form.is_valid():
        try:
            services.add_item(request.user, review_round, {**form.cleaned_data, "submitted_by": None})
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Item added."))
    else:
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
    return redirect("reviews:round", pk=pk)


@login_required
def conflicts(request, pk: int):
    review_round = _round_for_admin(request, pk)
    if request.method == "POST":
        n = services.compute_conflicts(request.user, review_round)
        messages.success(request, _("Conflicts recomputed: %(n)s from the tree and declared ties.") % {"n": n})
        return redirect("reviews:conflicts", pk=pk)
    qs = Conflict.objects.filter(round=review_round).select_related("expert", "item").order_by("item_id", "expert_id")
    tie_experts = Conflict.objects.filter(round=review_round, source="tie").values("expert_id")
    ties = list(ExpertTie.objects.active().filter(profile__user__in=tie_experts)
                .select_related("profile__user", "person", "org").order_by("profile__user_id", "id")[:50])
    return render(request, "reviews/conflicts.html", {"round": review_round, "page": _page(request, qs),
                                                      "withdrawn": _pending_withdrawals(review_round), "ties": ties,
                                                      "reason_form": ReasonForm()})


def _pending_withdrawals(review_round):
    """Ties withdrawn after the round's conflicts were last recomputed: the administrator decides what follows."""
    from tupo.accounts.models import User

    last = ReviewEvent.objects.filter(round=review_round, kind__in=("conflicts", "assign")).order_by("-at", "-id") \
        .values_list("at", flat=True).first()
    events = ReviewEvent.objects.filter(round=review_round, kind="tie_withdrawn").order_by("at", "id")
    if last is not None:
        events = events.filter(at__gt=last)
    events = list(events[:50])
    experts = {u.pk: u for u in User.objects.filter(pk__in=[int(e.from_value) for e in events if e.from_value])}
    for e in events:
        e.expert = experts.get(int(e.from_value)) if e.from_value else None
    return events


@login_required
def assignment(request, pk: int):
    review_round = _round_for_admin(request, pk)
    reasons: list[str] = []
    if request.method == "POST":
        action = request.POST.get("action")
        try:
            if action == "random":
                seed = request.POST.get("seed") or None
                services.draw_random(request.user, review_round, int(seed) if seed else None)
            elif action == "declined":
                n = services.reassign_declined(request.user, review_round)
                messages.success(request, _("%(n)s review(s) reassigned.") % {"n": n})
            else:
                services.assign_optimal(request.user, review_round, fair=action == "fair")
        except ValidationError as exc:
            reasons = exc.messages
        except (InvalidTransition, ValueError) as exc:
            reasons = [str(exc)]
        else:
            if action != "declined":
                messages.success(request, _("Experts assigned."))
            return redirect("reviews:assignment", pk=pk)
    qs = (Assignment.objects.filter(round=review_round).select_related("expert", "item").order_by("item_id", "id"))
    page = _page(request, qs)
    if review_round.bidding:
        rows = list(page.object_list)
        levels = {(e, i): lv for e, i, lv in InterestBid.objects.filter(
            round=review_round, item_id__in={a.item_id for a in rows}, expert_id__in={a.expert_id for a in rows})
            .values_list("expert_id", "item_id", "level")}
        for a in rows:
            lv = levels.get((a.expert_id, a.item_id))
            a.bid = BidLevel(lv) if lv else None
    return render(request, "reviews/assignment.html", {
        "round": review_round, "report": review_round.assignment_report, "reasons": reasons,
        "page": page, "colours": ASSIGNMENT_COLOURS, "bid_colours": BID_COLOURS,
        "bids": services.bid_summary(review_round) if review_round.bidding else None,
        "pool": services.expert_pool(review_round),
        "editable": review_round.status in (RoundStatus.DRAFT, RoundStatus.OPEN),
    })


@login_required
@require_POST
def reassign(request, pk: int):
    a = get_visible_or_404(Assignment, request.user, pk=pk)
    if not request.user.has_perm("reviews.manage_assignment", a):
        raise Http404
    pool = services.expert_pool(a.round)
    form = ReassignForm(request.POST, experts=pool)
    if form.is_valid():
        try:
            services.reassign(request.user, a, next(u for u in pool if u.pk == form.cleaned_data["expert"]),
                              form.cleaned_data["reason"])
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Review reassigned."))
    return redirect("reviews:assignment", pk=a.round_id)


def _int_or_none(value):
    try:
        return int(value) if value not in (None, "") else None
    except ValueError:
        return None


@login_required
def ranking(request, pk: int):
    """The ranking: for the round's administrators, and for its panel chair (read and decide, nothing else)."""
    review_round = get_visible_or_404(ReviewRound, request.user, pk=pk)
    if not request.user.has_perm("reviews.view_ranking", review_round):
        raise PermissionDenied
    manages = request.user.has_perm("reviews.manage_round", review_round)
    k = _int_or_none(request.GET.get("k"))
    result = services.aggregate(review_round, k=k)
    if not manages:  # the chair: items they are conflicted with are marked, without a "Decide" button (one query;
        # the decision page says why)
        conflicted = set(review_round.items.filter(queries.conflicted_items_q(request.user, review_round))
                         .values_list("pk", flat=True))
        for row in result.rows:
            row.chair_conflict = row.item.pk in conflicted
    return render(request, "reviews/ranking.html", {"round": review_round, "ranking": result, "manages": manages,
                                                    "decision_colours": DECISION_COLOURS})


@login_required
def decide(request, pk: int):
    item = get_visible_or_404(ReviewItem, request.user, pk=pk)
    if not request.user.has_perm("reviews.decide_item", item):
        raise PermissionDenied
    refused = None
    if not request.user.has_perm("reviews.manage_item", item):  # the chair: refused on conflicted items
        refused = services.chair_conflicts(request.user, item.round, [item]).get(item.pk)
    current = getattr(item, "decision", None)
    form = DecisionForm(request.POST or None, initial={"decision": current.decision, "reason": current.reason}
                        if current else None)
    if request.method == "POST" and refused:
        messages.error(request, _("You have a conflict of interest with this item (%(reason)s): a department "
                                  "administrator records its decision.") % {"reason": refused})
        return redirect("reviews:ranking", pk=item.round_id)
    if request.method == "POST" and form.is_valid():
        try:
            services.decide(request.user, item, form.cleaned_data["decision"], form.cleaned_data["reason"])
        except ValidationError as exc:
            _form_errors(form, exc)
        except InvalidTransition as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(request, _("Decision recorded."))
            return redirect("reviews:ranking", pk=item.round_id)
    return render(request, "reviews/decide.html", {"item": item, "form": form, "round": item.round,
                                                   "refused": refused})


@login_required
def export_scores(request, pk: int):
    review_round = _round_for_admin(request, pk)
    codes = services.expert_codes(review_round)
    criteria = list(review_round.criteria.all())
    assignments = (Assignment.objects.filter(round=review_round, status=AssignmentStatus.SUBMITTED)
                   .select_related("item", "expert", "scorecard").prefetch_related("scores").order_by("item_id", "id"))
    headers = [_("Item"), _("Submitting organization") if not review_round.blind else _("Item number"), _("Expert")]
    headers += [f"{c.name} ({c.weight}%)" for c in criteria] + [_("Weighted total"), _("Confidence"), _("Opinion")]
    rows = []
    org_names = dict(Organization.objects.filter(review_items__round=review_round).values_list("pk", "name"))
    for a in assignments:
        by_crit = {s.criterion_id: float(s.value) for s in a.scores.all()}
        total = sum(by_crit.get(c.pk, 0) * c.weight / 100 for c in criteria)
        who = codes[a.expert_id] if review_round.blind else str(a.expert)
        second = a.item_id if review_round.blind else org_names.get(a.item.org_id, "")
        card = getattr(a, "scorecard", None)
        rows.append([a.item.title, second, who, *[by_crit.get(c.pk) for c in criteria], round(total, 2),
                     card.confidence if card else None, card.opinion if card else ""])
    item_headers, item_rows = _item_sheet(review_round, criteria, assignments, _int_or_none(request.GET.get("k")))
    audit.record("review.export", actor=request.user, obj=review_round,
                 details={"format": "xlsx", "rows": len(rows), "items": len(item_rows)})
    return _anonymous_xlsx(f"scores-{review_round.pk}.xlsx",
                           [(_("Reviews"), headers, rows), (_("Items"), item_headers, item_rows)])


def _item_sheet(review_round, criteria, assignments, k):
    """One row per item: reviews, per-criterion means, the four aggregates, rank interval, P(awarded), decision."""
    ranking = services.aggregate(review_round, k=k)
    per: dict[tuple[int, int], list[float]] = {}
    for a in assignments:
        for sc in a.scores.all():
            per.setdefault((a.item_id, sc.criterion_id), []).append(float(sc.value))
    headers = [_("Rank"), _("Item"), _("Item number") if review_round.blind else _("Submitting organization"),
               _("Reviews")]
    headers += [_("Mean of %(criterion)s") % {"criterion": c.name} for c in criteria]
    headers += [_("Weighted mean"), _("Trimmed mean"), _("Median"), _("Calibrated score"), _("Rank interval"),
                _("P(awarded)"), _("Decision")]
    rows = []

    def num(v):
        return None if v is None else round(v, 2)

    for n, r in enumerate(ranking.rows, start=1):
        means = [per.get((r.item.pk, c.pk)) for c in criteria]
        decision = getattr(r.item, "decision", None)
        rows.append([n, r.item.title, r.item.pk if review_round.blind else r.item.org.name, r.n_reviews,
                     *[round(sum(m) / len(m), 2) if m else None for m in means],
                     num(r.mean), num(r.trimmed_mean), num(r.median), num(r.calibrated),
                     f"{r.rank_low}–{r.rank_high}" if r.rank else None,
                     round(r.p_funded, 3) if r.p_funded is not None else None,
                     decision.get_decision_display() if decision else None])
    return headers, rows


@login_required
def export_report(request, pk: int, fmt: str = "docx"):
    from urllib.parse import quote

    from tupo.reviews.report import DOCX_TYPE, PDF_TYPE, review_report, review_report_pdf

    review_round = _round_for_admin(request, pk)
    ranking = services.aggregate(review_round, k=_int_or_none(request.GET.get("k")))
    audit.record("review.export", actor=request.user, obj=review_round,
                 details={"format": fmt, "rows": len(ranking.rows)})
    if fmt == "pdf":
        response = HttpResponse(review_report_pdf(review_round, ranking), content_type=PDF_TYPE)
    else:
        response = HttpResponse(review_report(review_round, ranking), content_type=DOCX_TYPE)
    name = f"review-report-{review_round.pk}.{fmt}"
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(name)}"
    return response


def _anonymous_xlsx(filename, sheets):
    """Like core.xlsx.xlsx_response with several sheets, and metadata naming no person (creator and last
    modified by "Tupo")."""
    import io
    from urllib.parse import quote

    from openpyxl import Workbook

    wb = Workbook()
    wb.remove(wb.active)
    for title, headers, rows in sheets:
        ws = wb.create_sheet(str(title)[:31])
        ws.append([str(h) for h in headers])
        for row in rows:
            ws.append(["" if v is None else v for v in row])
        ws.freeze_panes = "A2"
    wb.properties.creator = "Tupo"
    wb.properties.lastModifiedBy = "Tupo"
    wb.properties.title = ""
    buf = io.BytesIO()
    wb.save(buf)
    response = HttpResponse(buf.getvalue(), content_type=XLSX_TYPE)
    response["Content-Disposition"] = f"attachment; filename*=UTF-8''{quote(filename)}"
    return response


# --- experts --------------------------------------------------------------------------------------------------

@login_required
def mine(request):
    qs = queries.my_assignments(request.user)
    return render(request, "reviews/mine.html", {"page": _page(request, qs), "colours": ASSIGNMENT_COLOURS,
                                                 "profile": ExpertProfile.objects.filter(user=request.user).first(),
                                                 "bidding_rounds": queries.rounds_open_for_bids(request.user),
                                                 "chaired": queries.chaired_rounds(request.user)})


def _round_for_bidder(request, pk):
    """A bidding round whose pool the expert is in, or that the department administrator manages (404 otherwise:
    experts do not learn of other rounds)."""
    review_round = ReviewRound.objects.select_related("org").filter(pk=pk).first()
    if review_round is None or not review_round.bidding:
        raise Http404
    if request.user.has_perm("reviews.manage_round", review_round):
        return review_round, True
    if not request.user.has_perm("reviews.bid", review_round):
        raise Http404
    return review_round, False


@login_required
def bids(request, pk: int):
    """An expert marks items of a draft round: interested / willing / not interested (before assignment). A
    department administrator of the round picks an expert of the pool and enters bids on their behalf."""
    review_round, as_admin = _round_for_bidder(request, pk)
    open_ = services.bidding_open(review_round)
    pool, expert = [], request.user
    if as_admin:  # the pool as (id, label) pairs in one query: a county pool may hold a thousand experts
        from tupo.accounts.models import User

        in_pool = User.objects.filter(queries.expert_pool_q(review_round))
        pool = [(pk, name or username) for pk, name, username in
                in_pool.order_by("display_name", "id").values_list("pk", "display_name", "username")]
        chosen = _int_or_none(request.GET.get("expert"))
        expert = in_pool.filter(pk=chosen).first() if chosen is not None else None
        if chosen is not None and expert is None:
            raise Http404
    if request.method == "POST" and expert is not None:
        data = {key[len("bid_"):]: value for key, value in request.POST.items() if key.startswith("bid_")}
        try:
            counts = services.save_bids(request.user, review_round, data, expert=expert)
        except (ValidationError, InvalidTransition) as exc:
            messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        else:
            messages.success(request, _("Bids saved: %(saved)s changed, %(removed)s removed.") % counts)
        who = f"expert={expert.pk}&" if as_admin else ""
        return redirect(f"{request.path}?{who}page={_int_or_none(request.GET.get('page')) or 1}")
    page = None
    if expert is not None:
        from django.core.paginator import Paginator

        page = Paginator(services.biddable_items(expert, review_round), PAGE).get_page(request.GET.get("page"))
        mine = {b.item_id: b for b in InterestBid.objects.filter(expert=expert, item__in=[it.pk for it in page.object_list])
                .select_related("entered_by")}
        for it in page.object_list:
            bid = mine.get(it.pk)
            it.bid = bid.level if bid else ""
            it.entered_by = bid.entered_by if bid else None
    return render(request, "reviews/bids.html", {"round": review_round, "page": page, "open": open_,
                                                 "levels": BidLevel.choices, "as_admin": as_admin, "pool": pool,
                                                 "expert": expert})


@login_required
def scorecard(request, pk: int):
    a = get_visible_or_404(Assignment, request.user, pk=pk)
    if a.expert_id != request.user.pk:
        raise Http404  # administrators read scores on the round pages, not the expert's form
    review_round = a.round
    criteria = list(review_round.criteria.all())
    card = getattr(a, "scorecard", None) if hasattr(a, "scorecard") else None
    initial = {f"score_{s.criterion_id}": s.value for s in a.scores.all()}
    initial.update({f"comment_{s.criterion_id}": s.comment for s in a.scores.all()})
    if card:
        initial.update({"opinion": card.opinion, "confidence": card.confidence})
    form = ScorecardForm(request.POST or None, initial=initial, criteria=criteria, scale_max=review_round.scale_max)
    saved = False
    if request.method == "POST" and form.is_valid():
        p = form.payload()
        submit = request.POST.get("action") == "submit"
        try:
            (services.submit_scorecard if submit else services.save_scorecard)(
                request.user, a, p["scores"], p["opinion"], p["confidence"], p["comments"])
        except ValidationError as exc:
            _form_errors(form, exc)
        except InvalidTransition as exc:
            form.add_error(None, str(exc))
        else:
            if submit:
                messages.success(request, _("Scorecard submitted. Thank you."))
                return redirect("reviews:mine")
            saved = True
            if not is_htmx(request):
                messages.success(request, _("Draft saved."))
                return redirect("reviews:scorecard", pk=pk)
    context = {"a": a, "round": review_round, "item": a.item, "form": form, "saved": saved,
               "editable": a.status == AssignmentStatus.ASSIGNED and review_round.status == RoundStatus.OPEN,
               "reason_form": ReasonForm()}
    if is_htmx(request):
        return render(request, "reviews/partials/_scorecard_form.html", context)
    return render(request, "reviews/scorecard.html", context)


@login_required
@require_POST
def decline_or_recuse(request, pk: int, action: str):
    a = get_visible_or_404(Assignment, request.user, pk=pk)
    if a.expert_id != request.user.pk:
        raise Http404
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give a reason."))
        (services.recuse if action == "recuse" else services.decline)(request.user, a, form.cleaned_data["reason"])
    except (ValidationError, InvalidTransition) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
        return redirect("reviews:scorecard", pk=pk)
    messages.success(request, _("Recorded. The department will reassign this review."))
    return redirect("reviews:mine")


@login_required
def profile(request):
    if not request.user.has_perm("reviews.edit_own_profile"):
        raise PermissionDenied
    instance = ExpertProfile.objects.filter(user=request.user).first() or ExpertProfile(user=request.user)
    form = ProfileForm(request.POST or None, instance=instance)
    if request.method == "POST" and form.is_valid():
        try:
            services.save_profile(request.user, request.user, {k: form.cleaned_data[k] for k in services.PROFILE_FIELDS})
        except ValidationError as exc:
            _form_errors(form, exc)
        else:
            messages.success(request, _("Profile saved."))
            return redirect("reviews:mine")
    ties = _ties(request.user)
    return render(request, "reviews/profile.html", {
        "form": form, "tie_form": TieForm(), "ties": [t for t in ties if t.withdrawn_at is None],
        "withdrawn_ties": [t for t in ties if t.withdrawn_at is not None], "reason_form": ReasonForm()})


def _ties(user):
    """The expert's declared ties; a person outside what the expert may see is shown by ID number only (the
    number the expert typed)."""
    ties = list(ExpertTie.objects.filter(profile__user=user).select_related("person", "org", "withdrawn_by")
                .order_by("id"))
    _label_ties(user, ties, hidden=lambda t: _("Person with ID number %(n)s") % {"n": t.person.id_number})
    return ties


def _label_ties(user, ties, hidden=None):
    """``t.label`` for each tie: the organization with its code, or the person's name when ``user`` may see the
    person; otherwise ``hidden(t)`` (default: no name, no number). One query."""
    from tupo.orgs.models import Person

    visible = set(Person.objects.visible_to(user).filter(pk__in=[t.person_id for t in ties if t.person_id])
                  .values_list("pk", flat=True))
    for t in ties:
        if t.org_id:
            t.label = f"{t.org.name} ({t.org.code})"
        elif t.person_id in visible:
            t.label = t.person.name
        else:
            t.label = hidden(t) if hidden else _("A person outside your organizations")


@login_required
@require_POST
def tie_add(request):
    """Declare a tie. People are looked up by exact ID number; nothing about them is shown beyond found/not found."""
    from tupo.orgs.models import Person

    if not request.user.has_perm("reviews.edit_own_profile"):
        raise PermissionDenied
    form = TieForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError([e for errs in form.errors.values() for e in errs])
        data = form.cleaned_data
        person = org = None
        if data["id_number"].strip():
            person = Person.objects.filter(id_number=data["id_number"].strip().upper()).first()
            if person is None:
                raise ValidationError(_("Not found: no person with this ID number."))
        else:
            org = Organization.objects.filter(code=data["org_code"].strip()).first()
            if org is None:
                raise ValidationError(_("Not found: no organization with this code."))
        services.declare_tie(request.user, request.user, kind=data["kind"], person=person, org=org,
                             note=data["note"].strip())
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("Tie declared: you will not be assigned items it concerns."))
    return redirect("reviews:profile")


@login_required
@require_POST
def tie_withdraw(request, pk: int):
    """Withdraw a declared tie (with a reason). The expert's own ties; a department administrator's, anyone's."""
    tie = ExpertTie.objects.select_related("profile__user").filter(pk=pk).first()
    if tie is None or not request.user.has_perm("reviews.withdraw_tie", tie):
        raise Http404
    form = ReasonForm(request.POST)
    try:
        if not form.is_valid():
            raise ValidationError(_("Give a reason."))
        done = services.withdraw_tie(request.user, tie, form.cleaned_data["reason"])
    except (ValidationError, InvalidTransition) as exc:
        messages.error(request, " ".join(getattr(exc, "messages", [str(exc)])))
    else:
        msg = _("Tie withdrawn. Rounds not yet assigned take it into account now.")
        if done.rounds_flagged:
            msg += " " + _("In %(n)s round(s) already assigned, the administrator decides whether to recompute "
                           "conflicts.") % {"n": len(done.rounds_flagged)}
        messages.success(request, msg)
    if tie.profile.user_id != request.user.pk:
        from django.utils.http import url_has_allowed_host_and_scheme

        nxt = request.POST.get("next", "")
        ok = url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure())
        return redirect(nxt if ok else "reviews:index")
    return redirect("reviews:profile")


# --- owners ---------------------------------------------------------------------------------------------------

@login_required
def feedback(request, pk: int):
    item = ReviewItem.objects.select_related("round", "org").filter(pk=pk).first()
    if item is None or not request.user.has_perm("reviews.view_feedback", item):
        raise Http404
    return render(request, "reviews/feedback.html", services.feedback(item))
