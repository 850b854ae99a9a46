"""Reads: who sees which cases, brands and adoptions; where a case spread; similar cases; dashboard figures."""

from __future__ import annotations

import datetime as dt
from collections import Counter, defaultdict

from django.db.models import Count, Q

from tupo.accounts.choices import MANAGING_ROLES, SUBTREE_ROLES, Role
from tupo.cases.choices import PUBLIC_BRAND_STATUSES, PUBLIC_CASE_STATUSES, CaseStatus
from tupo.orgs import tree

NOTHING = Q(pk__in=[])
SEPARATED = {Role.SYSTEM_ADMIN, Role.SECURITY_ADMIN, Role.AUDIT_ADMIN}


def is_business_user(user) -> bool:
    return getattr(user, "is_authenticated", False) and bool(user.roles - SEPARATED)


def scope_paths(user) -> list[str]:
    return [g.org.path for g in user.grants if g.role in SUBTREE_ROLES and g.org_id]


def _visible_q(user, public_statuses) -> Q:
    """Published items: every business user. Unpublished: the subtrees of their scoped roles, and the author."""
    if not is_business_user(user):
        return NOTHING
    return Q(status__in=public_statuses) | tree.subtrees_q(scope_paths(user), "org_path") | Q(created_by=user.pk)


def visible_case_q(user) -> Q:
    return _visible_q(user, PUBLIC_CASE_STATUSES)


def visible_brand_q(user) -> Q:
    return _visible_q(user, PUBLIC_BRAND_STATUSES)


def visible_adoption_q(user) -> Q:
    if not is_business_user(user):
        return NOTHING
    from tupo.cases.models import Case

    return Q(case__in=Case.objects.visible_to(user).values("pk")) | tree.subtrees_q(scope_paths(user), "org_path")


# An adoption whose results report falls due within this many days shows on the to-do list before it is late.
REPORT_DUE_SOON = dt.timedelta(days=14)


def managed_paths(user) -> list[str]:
    """Subtrees where the user may file results reports (``cases.report_adoption``: a managing role)."""
    return [g.org.path for g in user.grants if g.role in MANAGING_ROLES and g.org_id]


def reported_adoption_q() -> Q:
    from django.db.models import Exists, OuterRef

    from tupo.cases.models import AdoptionReport

    return Q(Exists(AdoptionReport.objects.filter(adoption_id=OuterRef("pk"))))


def report_due_q(today: dt.date) -> Q:
    """No results report yet and due by ``today + REPORT_DUE_SOON`` (or overdue)."""
    return ~reported_adoption_q() & Q(report_due_on__lte=today + REPORT_DUE_SOON)


def scope_adoptions(user, *, only_open: bool = False):
    """Adoptions by the organizations in the user's subtrees (the adopting organizations' own view), annotated
    with ``reported``; ``only_open``: those still without a results report. Soonest due first, undated last."""
    from django.db.models import Exists, F, OuterRef

    from tupo.cases.models import Adoption, AdoptionReport

    paths = scope_paths(user)
    if not paths:
        return Adoption.objects.none()
    qs = (Adoption.objects.visible_to(user).filter(tree.subtrees_q(paths, "org_path"))
          .annotate(reported=Exists(AdoptionReport.objects.filter(adoption_id=OuterRef("pk"))))
          .select_related("case", "org"))
    if only_open:
        qs = qs.filter(reported=False)
    return qs.order_by("reported", F("report_due_on").asc(nulls_last=True), "org_path", "id")


def spread(case) -> dict:
    """Where a case went: adopting organizations grouped under their top-level ancestors, and a timeline."""
    from tupo.orgs.models import Organization

    adoptions = list(case.adoptions.select_related("org").prefetch_related("reports").order_by("started_on", "id"))
    ancestor_ids = {i for a in adoptions for i in tree.ancestor_ids(a.org_path)[:-1]}
    names = dict(Organization.objects.filter(pk__in=ancestor_ids).values_list("pk", "name"))
    groups: dict[str, list] = defaultdict(list)
    for a in adoptions:
        chain = [names.get(i, "?") for i in tree.ancestor_ids(a.org_path)[:-1]]
        a.chain = " › ".join(chain[-2:])  # the two nearest ancestors are enough to place it
        groups[a.chain].append(a)
    from django.utils import timezone

    published_on = timezone.localtime(case.published_at).date() if case.published_at else None
    timeline = [(published_on, "published", case.org.name, None)]
    for a in adoptions:
        timeline.append((a.started_on, "adopted", a.org.name, a))
        for r in a.reports.all():
            timeline.append((r.reported_on, "reported", a.org.name, r))
    timeline.sort(key=lambda t: (t[0] is None, t[0] or 0))
    today = timezone.localdate()
    for a in adoptions:
        a.state = a.report_state(today, reported=bool(a.reports.all()))
    ratings = [r.rating for a in adoptions for r in a.reports.all()]
    return {
        "adoptions": adoptions, "groups": sorted(groups.items()), "timeline": timeline,
        "mean_rating": round(sum(ratings) / len(ratings), 1) if ratings else None,
    }


def similar_cases(user, case, k: int = 5, pool: int = 400) -> list[tuple]:
    """Most similar published cases (TF-IDF cosine over jieba words, tupo.methods.textsim)."""
    from tupo.cases.models import Case
    from tupo.methods import textsim
    from tupo.search.terms import user_words

    others = list(
        Case.objects.visible_to(user).filter(status__in=PUBLIC_CASE_STATUSES).exclude(pk=case.pk)
        .order_by("-published_at", "-id")[:pool]
    )
    if not others:
        return []
    texts = [f"{case.title} {case.title} {case.abstract} {case.tags}"] + [
        f"{c.title} {c.title} {c.abstract} {c.tags}" for c in others
    ]
    index = textsim.TfidfIndex(texts, user_words=user_words())
    return [(others[j - 1], round(s, 2)) for j, s in textsim.top_k_similar(index, 0, k, min_similarity=0.05)]


def _series_chart(key, title, categories, series, *, stack=False) -> dict:
    """A chart with several series over the same categories (grouped or stacked bars), also shown as a table."""
    table = [(label, [s["data"][i] for s in series]) for i, label in enumerate(categories)]
    return {"key": key, "title": title, "categories": categories, "series": series, "table": table,
            "data": {"kind": "stacked" if stack else "bar", "categories": categories, "series": series}}


def _by(qs, key) -> dict:
    return dict(qs.order_by().values_list(key).annotate(n=Count("id")))


def _months_back(today, n: int) -> list:
    first = today.replace(day=1)
    months = []
    for _i in range(n):
        months.append(first)
        first = (first - dt.timedelta(days=1)).replace(day=1)
    return months[::-1]


def dashboard(user) -> dict:
    """Figures for the cases dashboard, over what the user can see. A fixed number of queries (about 15),
    whatever the number of rows: every figure is one GROUP BY."""
    from django.db.models import Avg
    from django.db.models.functions import ExtractYear, TruncMonth
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from tupo.cases.choices import CaseField, CaseLevel
    from tupo.cases.models import Adoption, AdoptionReport, Brand, Case
    from tupo.meetings.choices import MeetingKind
    from tupo.meetings.models import FollowUpAction, Meeting

    cases = Case.objects.visible_to(user)
    published = cases.filter(status__in=PUBLIC_CASE_STATUSES)
    brands = Brand.objects.visible_to(user).filter(status__in=PUBLIC_BRAND_STATUSES)
    fields, levels = dict(CaseField.choices), dict(CaseLevel.choices)
    cases_label, brands_label = _("Published cases"), _("Recognized brands")

    charts = []
    for key, title, labels in (("field", _("Cases and brands by field"), fields),
                               ("level", _("Cases and brands by level"), levels)):
        c, b = _by(published, key), _by(brands, key)
        keys = [k for k in labels if c.get(k) or b.get(k)]
        charts.append(_series_chart(f"cb_{key}", title, [str(labels[k]) for k in keys], [
            {"name": str(cases_label), "data": [c.get(k, 0) for k in keys]},
            {"name": str(brands_label), "data": [b.get(k, 0) for k in keys]}]))
    c, b = _by(published, "year"), _by(brands, "year")
    years = sorted(set(c) | set(b))
    charts.append(_series_chart("cb_year", _("Cases and brands by year"), [str(y) for y in years], [
        {"name": str(cases_label), "data": [c.get(y, 0) for y in years]},
        {"name": str(brands_label), "data": [b.get(y, 0) for y in years]}]))

    # Adoption: how many took a practice up, how many reported results, and how useful they found it.
    adoptions = Adoption.objects.visible_to(user)
    reports = AdoptionReport.objects.filter(adoption__in=adoptions.values("pk"))
    a_year = dict(adoptions.order_by().annotate(y=ExtractYear("started_on")).values_list("y").annotate(n=Count("id")))
    r_year = dict(reports.order_by().annotate(y=ExtractYear("reported_on")).values_list("y").annotate(n=Count("id")))
    years = sorted(set(a_year) | set(r_year))
    charts.append(_series_chart("adoption_year", _("Adoptions and results reports by year"), [str(y) for y in years], [
        {"name": str(_("Adoptions started")), "data": [a_year.get(y, 0) for y in years]},
        {"name": str(_("Results reports")), "data": [r_year.get(y, 0) for y in years]}]))
    a_field = _by(adoptions, "case__field")
    reported_field = dict(adoptions.filter(reports__isnull=False).order_by().values_list("case__field")
                          .annotate(n=Count("id", distinct=True)))
    rating_field = dict(reports.order_by().values_list("adoption__case__field").annotate(r=Avg("rating")))
    keys = [k for k in fields if a_field.get(k)]
    adoption_rows = [(str(fields[k]), a_field[k], reported_field.get(k, 0), a_field[k] - reported_field.get(k, 0),
                      round(rating_field[k], 1) if rating_field.get(k) is not None else None) for k in keys]
    charts.append(_series_chart("adoption_field", _("Adoptions by field: reported or still silent"),
                                [r[0] for r in adoption_rows], [
        {"name": str(_("With a results report")), "data": [r[2] for r in adoption_rows]},
        {"name": str(_("No report yet")), "data": [r[3] for r in adoption_rows]}], stack=True))

    # Meetings held in the last twelve months, by kind; follow-up actions by state.
    meetings = Meeting.objects.visible_to(user)
    today = timezone.localdate()
    months = _months_back(today, 12)
    tz = timezone.get_current_timezone()
    since = dt.datetime.combine(months[0], dt.time.min, tzinfo=tz)
    now = timezone.now()
    per_month = (Meeting.objects.filter(pk__in=meetings.values("pk"), starts_at__gte=since, starts_at__lte=now)
                 .annotate(m=TruncMonth("starts_at", tzinfo=tz)).values_list("m", "kind").annotate(n=Count("id")))
    counts = {(timezone.localtime(m, tz).date().replace(day=1) if isinstance(m, dt.datetime) else m, k): n
              for m, k, n in per_month}
    charts.append(_series_chart("meetings_month", _("Meetings held in the last 12 months"),
                                [f"{m:%Y-%m}" for m in months], [
        {"name": str(label), "data": [counts.get((m, kind), 0) for m in months]}
        for kind, label in MeetingKind.choices], stack=True))
    actions = FollowUpAction.objects.filter(meeting__in=meetings.values("pk"))
    action_counts = actions.aggregate(
        done=Count("id", filter=Q(status="done")),
        on_time=Count("id", filter=Q(status="open", deadline__gte=today)),
        overdue=Count("id", filter=Q(status="open", deadline__lt=today)))
    charts.append({"key": "actions_state", "title": _("Follow-up actions"), "kind": "pie", "rows": [
        (str(_("Done")), action_counts["done"]), (str(_("Open, on time")), action_counts["on_time"]),
        (str(_("Open, overdue")), action_counts["overdue"])],
        "colors": ["#3a7d44", "#d4a017", "#b22222"]})  # done green, on time amber, overdue red
    for c in charts:
        if "rows" in c:
            c["data"] = {"kind": c["kind"], "rows": c["rows"], **({"colors": c["colors"]} if "colors" in c else {})}

    overdue = list(actions.filter(status="open", deadline__lt=today).select_related("meeting", "owner")
                   .order_by("deadline", "id")[:50])
    status_counts = Counter(dict(cases.order_by().values_list("status").annotate(n=Count("id"))))
    top_adopted = list(published.annotate(n=Count("adoptions")).filter(n__gt=0).order_by("-n", "id")[:10])
    mean_rating = reports.aggregate(r=Avg("rating"))["r"]
    return {
        "charts": charts,
        "published_total": published.count(),
        "pipeline": [(str(label), status_counts.get(value, 0)) for value, label in CaseStatus.choices],
        "brand_total": brands.count(),
        "adoption_total": sum(a_field.values()),
        "report_total": sum(r_year.values()),
        "mean_rating": round(mean_rating, 1) if mean_rating is not None else None,
        "adoption_rows": adoption_rows,
        "top_adopted": top_adopted,
        "meetings_total": meetings.filter(starts_at__lte=now).count(),
        "overdue_total": action_counts["overdue"],
        "overdue": overdue,
        "today": today,
    }
