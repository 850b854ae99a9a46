"""To-do lines of cases, party-building brands and adoptions (see ``tupo.core.todo``)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import MANAGING_ROLES, Role
from tupo.core.todo import Todo, count_with_overdue
from tupo.orgs import tree


def items(user) -> list[Todo]:
    out = []
    if user.roles & MANAGING_ROLES:
        out.append(_reports_due(user))
    if Role.DEPT_ADMIN in user.roles:
        out += _to_review(user)
    return out


def _reports_due(user) -> Todo:
    """Adoptions by organizations the user manages (who may file the report, ``cases.report_adoption``) with no
    results report yet, due within ``REPORT_DUE_SOON`` or overdue. One COUNT query. Adoptions without a due date
    (the calendar lacked the year) are not counted: nothing can be said to be due."""
    from tupo.cases.models import Adoption
    from tupo.cases.queries import managed_paths, report_due_q

    today = timezone.localdate()
    qs = Adoption.objects.visible_to(user).filter(tree.subtrees_q(managed_paths(user), "org_path"),
                                                  report_due_q(today))
    n = count_with_overdue(qs, Q(report_due_on__lt=today))
    return Todo(_("Adoption results reports due"), n["total"], f"{reverse('cases:adoptions')}?open=1",
                n["overdue"], level="warning", order=40)


def _to_review(user) -> list[Todo]:
    from tupo.cases.choices import BrandStatus, CaseStatus
    from tupo.cases.models import Brand, Case

    # the rules "cases.review_case" / "cases.publish_case" / "cases.screen_brand": a department administrator over
    # the item's organization
    paths = [g.org.path for g in user.grants if g.role == Role.DEPT_ADMIN and g.org_id]
    mine = tree.subtrees_q(paths, "org_path")
    cases = (Case.objects.visible_to(user).filter(mine, status__in=(CaseStatus.SUBMITTED, CaseStatus.REVIEWED))
             .order_by()
             .aggregate(review=Count("pk", filter=Q(status=CaseStatus.SUBMITTED)),
                        publish=Count("pk", filter=Q(status=CaseStatus.REVIEWED))))
    brands = (Brand.objects.visible_to(user).filter(mine, status__in=(BrandStatus.APPLIED, BrandStatus.SCREENED))
              .order_by().count())
    cases_url = reverse("cases:list")
    return [
        Todo(_("Cases to review"), cases["review"], f"{cases_url}?{urlencode({'status': CaseStatus.SUBMITTED})}",
             level="warning", order=10),
        Todo(_("Reviewed cases to publish"), cases["publish"],
             f"{cases_url}?{urlencode({'status': CaseStatus.REVIEWED})}", order=20),
        Todo(_("Brand applications to screen or recognize"), brands, reverse("cases:brands"), level="warning",
             order=15),
    ]
