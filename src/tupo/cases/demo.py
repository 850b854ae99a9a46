"""Demo cases: the fixed corpus (also the search-quality test set), published across the demo tree,
with a few adoptions by other organizations. Written through the services like any user's work."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from tupo.cases import services
from tupo.cases.choices import CaseStatus
from tupo.cases.demo_corpus import CASES
from tupo.core.services import SYSTEM
from tupo.orgs import tree
from tupo.orgs.models import Organization


@transaction.atomic
def load(root_org: Organization) -> dict:
    units = list(Organization.objects.filter(tree.subtree_q(root_org.path), depth__in=[root_org.depth + 1, root_org.depth + 2])
                 .order_by("path")[:40])
    if len(units) < 3:
        return {"cases": 0}
    year = timezone.localdate().year
    made = []
    for i, (_key, field, title, abstract) in enumerate(CASES):
        org = units[(i * 7) % len(units)]
        case = services.create_case(SYSTEM, org, {"title": title, "abstract": abstract, "field": field,
                                                  "year": year - 1 - i % 4})
        for status in (CaseStatus.SUBMITTED, CaseStatus.REVIEWED, CaseStatus.PUBLISHED):
            case = services.transition_case(SYSTEM, case, status)
        made.append(case)
    adoptions = 0
    for i, case in enumerate(made[:8]):
        adopter = units[(i * 7 + 3) % len(units)]
        if adopter.pk == case.org_id:
            continue
        services.adopt_case(SYSTEM, case, adopter, {"adapted": "结合本地实际调整实施范围", "started_on": timezone.localdate() - dt.timedelta(days=120),
                                                    "contact": "组织委员"})
        adoptions += 1
    return {"cases": len(made), "adoptions": adoptions}
