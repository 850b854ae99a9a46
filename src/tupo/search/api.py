"""Search API: the same backend and visibility as the search page."""

from __future__ import annotations

from ninja import Router, Schema

from tupo.core.access import get_visible_or_404
from tupo.orgs.models import Organization
from tupo.search import queries
from tupo.search.backends import Filters

router = Router(tags=["search"])


class HitOut(Schema):
    doc_type: str
    doc_id: int
    title: str
    url: str
    year: int | None
    score: float
    snippet_html: str


class SearchOut(Schema):
    query: str
    tokens: list[str]
    total: int
    relaxed: bool
    hits: list[HitOut]


@router.get("/search", response=SearchOut)
def search(request, q: str = "", type: str = "", org: int | None = None, field: str = "", year: int | None = None,
           offset: int = 0, limit: int = 20):
    org_path = get_visible_or_404(Organization, request.auth, pk=org).path if org else ""
    res = queries.search(request.auth, q[:2000], Filters(doc_type=type, org_path=org_path, field=field, year=year),
                         limit=limit, offset=max(0, offset))
    return {"query": res.query, "tokens": res.tokens, "total": res.total, "relaxed": res.relaxed,
            "hits": [{"doc_type": h.doc.doc_type, "doc_id": h.doc.doc_id, "title": h.doc.title, "url": h.doc.url,
                      "year": h.doc.year, "score": h.score, "snippet_html": str(h.snippet_html)} for h in res.hits]}
