"""To-do lines of cases and party-building brands (see ``tupo.core.todo``).

Adoptions are not on the list: the model records no date by which an adopting organization owes a results
report, so nothing can be "due" (see docs/cases.md)."""

from django.db.models import Count, Q
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext_lazy as _

from tupo.accounts.choices import Role
from tupo.core.todo import Todo
from tupo.orgs import tree


def items(user) -> list[Todo]:
    if Role.DEPT_ADMIN not in user.roles:
        return []
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
