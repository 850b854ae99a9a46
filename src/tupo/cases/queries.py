"""Reads: who sees which cases, brands and adoptions; where a case spread; similar cases; dashboard figures."""

from __future__ import annotations

from collections import Counter, defaultdict

from django.db.models import Count, Q

from tupo.accounts.choices import SUBTREE_ROLES, Role
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


def dashboard(user) -> dict:
    """Figures for the cases dashboard, over what the user can see."""
    from django.utils import timezone
    from django.utils.translation import gettext as _

    from tupo.cases.choices import CaseField, CaseLevel
    from tupo.cases.models import Adoption, Brand, Case
    from tupo.meetings.models import FollowUpAction, Meeting

    cases = Case.objects.visible_to(user)
    brands = Brand.objects.visible_to(user)
    fields, levels = dict(CaseField.choices), dict(CaseLevel.choices)

    def rows(qs, key, labels=None):
        data = qs.values(key).annotate(n=Count("id")).order_by(key)
        return [(str(labels.get(d[key], d[key])) if labels else str(d[key]), d["n"]) for d in data]

    published = cases.filter(status__in=PUBLIC_CASE_STATUSES)
    adoptions = Adoption.objects.visible_to(user)
    top_adopted = list(published.annotate(n=Count("adoptions")).filter(n__gt=0).order_by("-n", "id")[:10])
    meetings = Meeting.objects.visible_to(user)
    today = timezone.localdate()
    overdue = list(FollowUpAction.objects.filter(meeting__in=meetings.values("pk"), status="open",
                                                 deadline__lt=today).select_related("meeting", "owner")
                   .order_by("deadline")[:50])
    status_counts = Counter(dict(cases.values_list("status").annotate(n=Count("id"))))
    charts = [
        {"key": "cases_field", "title": _("Published cases by field"), "kind": "pie", "rows": rows(published, "field", fields)},
        {"key": "cases_level", "title": _("Published cases by level"), "kind": "bar", "rows": rows(published, "level", levels)},
        {"key": "cases_year", "title": _("Published cases by year"), "kind": "bar", "rows": rows(published, "year")},
        {"key": "brands_field", "title": _("Brands by field"), "kind": "pie", "rows": rows(brands, "field", fields)},
        {"key": "meetings_year", "title": _("Meetings held by kind"), "kind": "bar",
         "rows": [(str(label), n) for label, n in _meeting_kinds(meetings)]},
    ]
    for c in charts:
        c["data"] = {"kind": c["kind"], "rows": c["rows"]}
    return {
        "charts": charts,
        "published_total": published.count(),
        "pipeline": [(str(label), status_counts.get(value, 0)) for value, label in CaseStatus.choices],
        "brand_total": brands.count(),
        "adoption_total": adoptions.count(),
        "top_adopted": top_adopted,
        "meetings_total": meetings.filter(starts_at__date__lte=today).count(),
        "overdue": overdue,
        "today": today,
    }


def _meeting_kinds(meetings):
    from tupo.meetings.choices import MeetingKind

    labels = dict(MeetingKind.choices)
    data = dict(meetings.values_list("kind").annotate(n=Count("id")))
    return [(labels[k], data.get(k, 0)) for k in labels]
