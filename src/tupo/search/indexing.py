"""Keeping the index in step: which models are indexed, how a row is built, and the on-commit task."""

from __future__ import annotations

from django.apps import apps
from django.db import transaction
from django_tasks import task

from tupo.methods import textsim
from tupo.search import backends, terms
from tupo.search.models import SearchDoc

# doc_type → "app_label.Model". Each model has ``search_document() -> dict | None`` (None = not indexed)
# with keys title, body, org_path, is_public, owner_id, year, field, url; and a manager with visible_to(user).
DOC_TYPES = {
    "case": "cases.Case",
    "brand": "cases.Brand",
    "meeting": "meetings.Meeting",
}
MAX_BODY_CHARS = 20_000


def model_for(doc_type: str):
    return apps.get_model(DOC_TYPES[doc_type])


def segment(text: str, user_words=None) -> str:
    """Space-joined tokens of a document. A user-dictionary term is kept whole *and* followed by its own
    jieba parts, so both "优秀年轻干部" and "年轻干部" (年轻 + 干部) find it."""
    words = tuple(terms.user_words() if user_words is None else user_words)
    protected = set(words)
    out = []
    for tok in textsim.tokenize(text or "", words):
        if backends.is_tag_like(tok):
            continue  # reserved for the visibility/filter index terms
        out.append(tok)
        if tok in protected and len(tok) > 2:
            out.extend(p for p in _parts(tok, words) if p != tok)
    return " ".join(out)


_parts_cache: dict[tuple[str, int], tuple[str, ...]] = {}


def _parts(term: str, words: tuple[str, ...]) -> tuple[str, ...]:
    """The term cut with every *other* dictionary word (as a query containing part of it would be)."""
    key = (term, hash(words))
    if key not in _parts_cache:
        if len(_parts_cache) > 20_000:
            _parts_cache.clear()
        _parts_cache[key] = tuple(textsim.tokenize(term, [w for w in words if w != term]))
    return _parts_cache[key]


def build_row(doc_type: str, obj, user_words=None) -> SearchDoc | None:
    doc = obj.search_document()
    if doc is None:
        return None
    body = (doc.get("body") or "")[:MAX_BODY_CHARS]
    row = SearchDoc(
        doc_type=doc_type, doc_id=obj.pk, org_path=doc["org_path"], is_public=bool(doc.get("is_public")),
        owner_id=doc.get("owner_id"), title=doc["title"][:300], body=body,
        title_seg=segment(doc["title"], user_words), body_seg=segment(body, user_words),
        year=doc.get("year"), field=doc.get("field") or "", url=doc.get("url") or "",
    )
    set_tags(row)
    return row


def set_tags(row: SearchDoc) -> SearchDoc:
    """Fill ``row.tags`` from its visibility and filter fields (call after changing any of them)."""
    row.tags = backends.doc_tags(org_path=row.org_path, is_public=row.is_public, owner_id=row.owner_id,
                                 doc_type=row.doc_type, year=row.year, field=row.field)
    return row


def update_document(doc_type: str, doc_id: int) -> str:
    """Insert, replace or delete one index row from the object's current state. Returns what happened."""
    obj = model_for(doc_type).objects.filter(pk=doc_id).first()
    row = build_row(doc_type, obj) if obj is not None else None
    with transaction.atomic():
        if row is None:
            SearchDoc.objects.filter(doc_type=doc_type, doc_id=doc_id).delete()
            backends.clear_stats()
            return "deleted"
        existing = SearchDoc.objects.filter(doc_type=doc_type, doc_id=doc_id).first()
        if existing is not None:
            row.pk = existing.pk
        row.save()
    return "indexed"


@task()
def index_document(doc_type: str, doc_id: int) -> str:
    return update_document(doc_type, doc_id)


def schedule(doc_type: str, doc_id: int) -> None:
    """Call from a service inside its transaction: the task is enqueued only once the write commits."""
    transaction.on_commit(lambda: index_document.enqueue(doc_type, int(doc_id)))


def reindex(doc_types=None, *, batch: int = 500, stdout=None) -> dict[str, int]:
    """Rebuild the index for the given types (all by default) from the database."""
    terms.clear_cache()
    words = terms.user_words()
    counts = {}
    for doc_type in doc_types or DOC_TYPES:
        model = model_for(doc_type)
        n = 0
        with transaction.atomic():
            SearchDoc.objects.filter(doc_type=doc_type).delete()
            rows = []
            for obj in model.objects.order_by("pk").iterator(chunk_size=batch):
                row = build_row(doc_type, obj, words)
                if row is not None:
                    rows.append(row)
                if len(rows) >= batch:
                    SearchDoc.objects.bulk_create(rows)
                    n += len(rows)
                    rows = []
            if rows:
                SearchDoc.objects.bulk_create(rows)
                n += len(rows)
        counts[doc_type] = n
        if stdout is not None:
            stdout.write(f"{doc_type}: {n}\n")
    backends.after_bulk_load()
    return counts
