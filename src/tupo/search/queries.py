"""Search as a user sees it: parse, run on the database's backend, keep only what the user may open, highlight."""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.utils.html import escape
from django.utils.safestring import mark_safe

from tupo.accounts.choices import SUBTREE_ROLES, Role
from tupo.methods import textsim
from tupo.search import backends, terms
from tupo.search.backends import Filters, Scope
from tupo.search.indexing import model_for
from tupo.search.models import SearchDoc

SNIPPET_CHARS = 120


@dataclass
class Hit:
    doc: SearchDoc
    score: float
    title_html: str
    snippet_html: str


@dataclass
class Results:
    query: str
    tokens: list[str]
    hits: list[Hit]
    relaxed: bool = False
    total: int = 0
    capped: bool = False  # more than ``total`` documents matched; only ``total`` were ranked
    message: str = ""


def query_tokens(q: str) -> list[str]:
    q = unicodedata.normalize("NFKC", q or "")[: backends.MAX_QUERY_CHARS]
    seen, out = set(), []
    for t in textsim.tokenize(q, terms.user_words()):
        if t not in seen and not backends.is_tag_like(t):
            seen.add(t)
            out.append(t)
    return out[: backends.MAX_TOKENS]


def scope_for(user) -> Scope:
    if not getattr(user, "is_authenticated", False):
        return Scope(all_rows=False, paths=[])
    if user.roles & {Role.AUDIT_ADMIN, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN} and not (user.roles - {
            Role.AUDIT_ADMIN, Role.SECURITY_ADMIN, Role.SYSTEM_ADMIN}):
        return Scope(all_rows=False, paths=[])  # separated administrators: public rows only
    paths = [g.org.path for g in user.grants if g.org_id and g.role in SUBTREE_ROLES]
    paths += [g.org.path for g in user.grants if g.org_id and g.role not in SUBTREE_ROLES]
    if user.person_id and user.person:
        paths.append(user.person.org_path)
    from tupo.orgs.tree import collapse

    return Scope(all_rows=False, owner_id=user.pk, paths=collapse(paths))


def _pattern(tokens: list[str]):
    if not tokens:
        return None
    return re.compile("|".join(re.escape(t) for t in sorted(tokens, key=len, reverse=True)), re.IGNORECASE)


def highlight(text: str, tokens: list[str], *, window: int | None = None) -> str:
    """Escape ``text`` and wrap every query token in <mark>; with ``window``, cut around the first hit."""
    text = text or ""
    pat = _pattern(tokens)
    if window is not None:
        start = 0
        if pat is not None and (m := pat.search(text)):
            start = max(0, m.start() - window // 3)
        piece = text[start : start + window]
        prefix = "…" if start > 0 else ""
        suffix = "…" if start + window < len(text) else ""
        text = piece
    else:
        prefix = suffix = ""
    if pat is None:
        return mark_safe(prefix + escape(text) + suffix)  # noqa: S308 (escaped)
    out, pos = [], 0
    for m in pat.finditer(text):
        out.append(escape(text[pos : m.start()]))
        out.append("<mark>" + escape(m.group(0)) + "</mark>")
        pos = m.end()
    out.append(escape(text[pos:]))
    return mark_safe(prefix + "".join(out) + suffix)  # noqa: S308 (every piece escaped)


def _visible_ids(user, docs: list[SearchDoc]) -> set[tuple[str, int]]:
    """Re-check hits against the models' own visibility rules (the index may lag behind a change)."""
    by_type: dict[str, list[int]] = {}
    for d in docs:
        by_type.setdefault(d.doc_type, []).append(d.doc_id)
    ok = set()
    for doc_type, ids in by_type.items():
        visible = model_for(doc_type).objects.visible_to(user).filter(pk__in=ids).values_list("pk", flat=True)
        ok.update((doc_type, pk) for pk in visible)
    return ok


def search(user, q: str, filters: Filters | None = None, *, limit: int = 20, offset: int = 0) -> Results:
    from django.utils.translation import gettext as _

    filters = filters or Filters()
    limit = max(1, min(limit, 100))
    tokens = query_tokens(q)
    if not (q or "").strip():
        return Results(q or "", [], [], message=_("Type a few words to search."))
    if not tokens:
        return Results(q, [], [], message=_("The query has no searchable words."))
    scope = scope_for(user)
    relaxed = False
    ranked = backends.ranked(tokens, scope, filters)
    if not ranked.hits and len(tokens) > 1:
        ranked = backends.ranked(tokens, scope, filters, op="OR")
        relaxed = bool(ranked.hits)
    page = ranked.hits[offset : offset + limit]
    hits = page_hits(user, page, tokens)
    return Results(q, tokens, hits, relaxed=relaxed, total=ranked.total if hits else 0,
                   capped=ranked.capped)


def page_hits(user, page: list[tuple[int, float]], tokens: list[str], *, recheck: bool = True) -> list[Hit]:
    """Load one page of index rows, keep what ``user`` may open, highlight title and snippet (page only)."""
    docs = {d.pk: d for d in SearchDoc.objects.filter(pk__in=[i for i, _s in page]).defer("title_seg", "body_seg")}
    ordered = [(docs[i], s) for i, s in page if i in docs]
    visible = _visible_ids(user, [d for d, _s in ordered]) if recheck else {(d.doc_type, d.doc_id) for d, _s in ordered}
    return [
        Hit(d, s, highlight(d.title, tokens), highlight(d.body, tokens, window=SNIPPET_CHARS))
        for d, s in ordered if (d.doc_type, d.doc_id) in visible
    ]


def suggest(user, q: str, limit: int = 8) -> list[Hit]:
    if len((q or "").strip()) < 1:
        return []
    return search(user, q, limit=limit).hits
