"""Helpers for case tests (used by tests/cases, tests/meetings, tests/search)."""

from __future__ import annotations

from tupo.cases import services
from tupo.cases.choices import CaseStatus


def make_case(actor, org, title="网格化管理激活基层治理末梢", abstract="党员担任网格员，矛盾纠纷就地化解。", **kw):
    data = {"title": title, "abstract": abstract, "year": kw.pop("year", 2025), "field": kw.pop("field", "grassroots_governance"),
            **kw}
    return services.create_case(actor, org, data)


def publish(case, author, reviewer):
    """draft → submitted (author's side) → reviewed → published (department)."""
    case = services.transition_case(author, case, CaseStatus.SUBMITTED)
    case = services.transition_case(reviewer, case, CaseStatus.REVIEWED)
    return services.transition_case(reviewer, case, CaseStatus.PUBLISHED)
