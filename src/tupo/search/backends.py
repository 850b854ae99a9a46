"""Full-text search over ``SearchDoc`` with one interface and two database backends.

A query runs in two steps (see docs/search.md for the measurements behind this):

1. **Candidates**: at most ``CANDIDATES + 1`` documents that match every query token (or, relaxed, any of
   them) and the asker's visibility and the chosen filters, read without ranking so the work stays bounded
   however common the words are.
   * SQLite: visibility and filters are index terms ("tags", see :func:`doc_tags`) AND-ed inside the FTS5
     expression, and FTS5 walks the matches newest first (rowid descending), so the candidates are the
     newest matches.
   * PostgreSQL: the filter tags are AND-ed into the tsquery (GIN), visibility is checked on the heap rows,
     and the bitmap scan stops after ``CANDIDATES + 1`` rows, so the candidates are the first ones in table
     order (about the oldest). Visibility is not put in the GIN query: that would make every query read the
     "public" posting list (most rows) in the index; checking at most 1,001 heap rows is cheaper.
   The SQL visibility predicate is applied to the rows read on both, and callers re-check the returned page
   against the models.
2. **Ranking** of those candidates only:
   * SQLite: BM25 (k1 1.2, b 0.75, title weighted 4:1 as before) computed in Python over the candidates'
     segmented text, with document frequencies cached per token. FTS5's own ``bm25()`` re-reads the whole
     posting list of every query term on every query to get its IDF, which was the largest single cost at
     200,000 documents (over 80 ms p95 for frequent terms) and cannot be cached from SQL.
   * PostgreSQL: ``ts_rank`` (title weight A, body B) inside the database over the candidate rows.

When more than ``CANDIDATES`` documents match, only ``CANDIDATES`` of them are ranked and the total is
shown as "more than 1,000". The index: SQLite FTS5 ``search_fts(title_seg, body_seg, tags)`` with
``detail=column`` and ``columnsize=0`` (no positions, no per-row sizes: neither is used); PostgreSQL a stored
``tsv`` column (title A, body B, tags D) with a GIN index.
"""

from __future__ import annotations

import math
import re
import threading
import time
from dataclasses import dataclass, field

from django.db import OperationalError, connection, transaction

from tupo.orgs.tree import SEP, UPPER

MAX_QUERY_CHARS = 200
MAX_TOKENS = 12
CANDIDATES = 1000  # ranked per query; also the cap of the shown total (50 pages of 20)
TAG = "zzt"  # prefix of the visibility/filter index terms; text tokens starting with it are dropped
TITLE_WEIGHT, BODY_WEIGHT, K1, B = 4.0, 1.0, 1.2, 0.75
STATS_TTL_SECONDS = 600.0


@dataclass
class Filters:
    doc_type: str = ""
    org_path: str = ""
    field: str = ""
    year: int | None = None


@dataclass
class Scope:
    """Who is asking: ``all_rows`` for unrestricted actors, else public + owner + path prefixes."""

    all_rows: bool = False
    owner_id: int | None = None
    paths: list[str] = field(default_factory=list)


@dataclass
class Ranked:
    """One query's ranked candidates: (SearchDoc id, score) best first; ``capped`` when more matched."""

    hits: list[tuple[int, float]]
    capped: bool = False

    @property
    def total(self) -> int:
        return len(self.hits)


# --- tags: visibility and filters as index terms ---------------------------------------------------------

def _org_tag(path: str) -> str:
    """The tag of the organization at the end of ``path`` (a path segment is the node's own id)."""
    segs = [s for s in path.split(SEP) if s]
    return f"{TAG}o{segs[-1]}" if segs else ""


def doc_tags(*, org_path: str, is_public: bool, owner_id: int | None, doc_type: str, year: int | None,
             field: str) -> str:
    """Index terms of one row: every ancestor organization, public, owner, type, year, field."""
    tags = [f"{TAG}o{s}" for s in (org_path or "").split(SEP) if s]
    if is_public:
        tags.append(f"{TAG}pub")
    if owner_id:
        tags.append(f"{TAG}u{int(owner_id)}")
    if doc_type:
        tags.append(f"{TAG}t{doc_type.encode().hex()}")
    if year:
        tags.append(f"{TAG}y{int(year)}")
    if field:
        tags.append(f"{TAG}f{field.encode().hex()}")
    return " ".join(tags)


def is_tag_like(token: str) -> bool:
    """Text tokens that could be mistaken for tags (dropped from documents and queries)."""
    return token.startswith(TAG)


def _scope_tags(scope: Scope) -> list[str] | None:
    """Tags of which a row needs one to be visible; None = every row."""
    if scope.all_rows:
        return None
    tags = [f"{TAG}pub"]
    if scope.owner_id:
        tags.append(f"{TAG}u{int(scope.owner_id)}")
    tags += [t for p in scope.paths if (t := _org_tag(p))]
    return tags


def _filter_tags(filters: Filters) -> list[str]:
    tags = []
    if filters.doc_type:
        tags.append(f"{TAG}t{filters.doc_type.encode().hex()}")
    if filters.org_path:
        tags.append(_org_tag(filters.org_path) or f"{TAG}none")
    if filters.field:
        tags.append(f"{TAG}f{filters.field.encode().hex()}")
    if filters.year:
        tags.append(f"{TAG}y{int(filters.year)}")
    return tags


def _where(scope: Scope, filters: Filters, alias: str = "d") -> tuple[str, list]:
    """The same visibility and filters as SQL on the rows read (a second check after the tags)."""
    clauses, params = [], []
    if not scope.all_rows:
        ors = [f"{alias}.is_public = %s"]
        params.append(True)
        if scope.owner_id:
            ors.append(f"{alias}.owner_id = %s")
            params.append(scope.owner_id)
        for p in scope.paths:
            ors.append(f"({alias}.org_path >= %s AND {alias}.org_path < %s)")
            params += [p, p + UPPER]
        clauses.append("(" + " OR ".join(ors) + ")")
    if filters.doc_type:
        clauses.append(f"{alias}.doc_type = %s")
        params.append(filters.doc_type)
    if filters.org_path:
        clauses.append(f"{alias}.org_path >= %s AND {alias}.org_path < %s")
        params += [filters.org_path, filters.org_path + UPPER]
    if filters.field:
        clauses.append(f"{alias}.field = %s")
        params.append(filters.field)
    if filters.year:
        clauses.append(f"{alias}.year = %s")
        params.append(int(filters.year))
    return (" AND ".join(clauses) or "1=1"), params


# --- query expressions ------------------------------------------------------------------------------------

_FTS_PIECE = re.compile(r"[\w.+\-]+")  # what FTS5's unicode61 tokenizer (tokenchars '-._+') keeps together


def _fts5_term(token: str) -> str:
    # Every piece is a quoted FTS5 string, so no token is syntax. With detail=column there are no phrase
    # queries, so a token the FTS tokenizer would split becomes the AND of its pieces.
    pieces = ['"' + p.replace('"', '""') + '"' for p in _FTS_PIECE.findall(token)]
    return pieces[0] if len(pieces) == 1 else "(" + " AND ".join(pieces) + ")" if pieces else ""


def _fts5_query(tokens: list[str], op: str, scope: Scope | None = None, filters: Filters | None = None) -> str:
    terms = [t for t in (_fts5_term(tok) for tok in tokens) if t]
    if not terms:
        return ""
    expr = "{title_seg body_seg} : (" + f" {op} ".join(terms) + ")"
    if scope is not None and (tags := _scope_tags(scope)) is not None:
        expr += " AND {tags} : (" + " OR ".join(f'"{t}"' for t in tags) + ")"
    for t in _filter_tags(filters or Filters()):
        expr += f' AND {{tags}} : "{t}"'
    return expr


def _pg_lexeme(t: str) -> str:
    return "'" + t.replace("\\", "\\\\").replace("'", "''") + "'"


def _pg_query(tokens: list[str], op: str) -> str:
    # Each token becomes a quoted lexeme; backslashes and quotes escaped for to_tsquery.
    return f" {'&' if op == 'AND' else '|'} ".join(_pg_lexeme(t) for t in tokens)


def _pg_tag_query(scope: Scope, filters: Filters) -> str:
    parts = []
    if (tags := _scope_tags(scope)) is not None:
        parts.append("(" + " | ".join(_pg_lexeme(t) for t in tags) + ")")
    parts += [_pg_lexeme(t) for t in _filter_tags(filters)]
    return " & ".join(parts)


# --- corpus statistics for SQLite ranking (document frequencies, cached) -----------------------------------

_stats_lock = threading.Lock()
_stats: dict[tuple[str, str], tuple[float, int]] = {}


def clear_stats() -> None:
    """Forget cached document frequencies (after index writes in this process; others expire by TTL)."""
    with _stats_lock:
        _stats.clear()


def _cached(key: tuple[str, str], compute) -> int:
    now = time.monotonic()
    hit = _stats.get(key)
    if hit is not None and now - hit[0] < STATS_TTL_SECONDS:
        return hit[1]
    value = compute()
    with _stats_lock:
        if len(_stats) > 50_000:
            _stats.clear()
        _stats[key] = (now, value)
    return value


def _sqlite_df(cur, token: str) -> int:
    def compute():
        term = _fts5_term(token)
        if not term:
            return 0
        cur.execute("SELECT count(*) FROM search_fts WHERE search_fts MATCH %s",
                    ["{title_seg body_seg} : " + term])
        return int(cur.fetchone()[0])

    return _cached((connection.settings_dict["NAME"], "df:" + token), compute)


def _sqlite_docs(cur) -> int:
    def compute():
        cur.execute("SELECT count(*) FROM search_searchdoc")
        return int(cur.fetchone()[0])

    return _cached((connection.settings_dict["NAME"], "docs"), compute)


def bm25(tokens: list[str], rows: list[tuple[int, str, str]], df: dict[str, int], n_docs: int
         ) -> list[tuple[int, float]]:
    """BM25 of candidate rows (id, " title_seg ", " body_seg ": space-padded), FTS5's formula: per token the
    column-weighted term frequency, length-normalised by the whole document's length against the candidates'
    mean length. Best first, ties by id."""
    if not rows:
        return []
    lengths = [t.count(" ") + b.count(" ") - 2 for _i, t, b in rows]
    avg = max(1.0, sum(lengths) / len(lengths))
    weights = []
    for tok in tokens:
        d = df.get(tok, 0)
        weights.append((f" {tok} ", max(1e-6, math.log((n_docs - d + 0.5) / (d + 0.5)))))
    k1b, k1_1, tw, bw = K1 * B / avg, K1 + 1, TITLE_WEIGHT, BODY_WEIGHT
    base = K1 * (1 - B)
    out = []
    for (pk, title, body), length in zip(rows, lengths, strict=True):
        norm = base + k1b * length
        score = 0.0
        for needle, idf in weights:
            tf = tw * title.count(needle) + bw * body.count(needle)
            if tf:
                score += idf * tf * k1_1 / (tf + norm)
        out.append((pk, score))
    out.sort(key=lambda r: (-r[1], r[0]))
    return out


# --- the search ---------------------------------------------------------------------------------------------

def ranked(tokens: list[str], scope: Scope, filters: Filters, *, op: str = "AND") -> Ranked:
    """The ranked candidates of a query (at most ``CANDIDATES``; higher score is better on both backends)."""
    if not tokens:
        return Ranked([])
    where, params = _where(scope, filters)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            return _pg_ranked(cur, tokens, scope, filters, op, where, params)
        expr = _fts5_query(tokens, op, scope, filters)
        if not expr:
            return Ranked([])
        try:
            cur.execute(
                "SELECT d.id, ' ' || d.title_seg || ' ', ' ' || d.body_seg || ' ' FROM search_searchdoc d WHERE d.id IN ("  # noqa: S608
                "SELECT rowid FROM search_fts WHERE search_fts MATCH %s ORDER BY rowid DESC LIMIT %s) "
                f"AND {where} ORDER BY d.id DESC",
                [expr, CANDIDATES + 1, *params],
            )
            rows = cur.fetchall()
            capped = len(rows) > CANDIDATES
            rows = rows[:CANDIDATES]
            df = {t: _sqlite_df(cur, t) for t in tokens} if rows else {}
            n_docs = _sqlite_docs(cur) if rows else 0
        except OperationalError:  # an FTS5 expression the tokenizer still rejects: no match rather than a 500
            return Ranked([])
    return Ranked(bm25(tokens, rows, df, n_docs), capped)


def _pg_ranked(cur, tokens, scope, filters, op, where, params) -> Ranked:
    """GIN bitmap scan for the text (and filter tags), visibility on the heap rows, stop after
    ``CANDIDATES + 1`` rows, ``ts_rank`` on those. The planner is kept on the bitmap plan: with a LIMIT it
    would otherwise pick a sequential or primary-key scan filtering row by row, which is fast when the
    words are common and takes seconds when they are rare (measured; see docs/search.md)."""
    text = _pg_query(tokens, op)
    tags = " & ".join(_pg_lexeme(t) for t in _filter_tags(filters))
    match = "d.tsv @@ (to_tsquery('simple', %s) && to_tsquery('simple', %s))" if tags else \
        "d.tsv @@ to_tsquery('simple', %s)"
    # ``where`` is built from fixed fragments; every value is a parameter.
    sql = (
        "SELECT c.id, ts_rank(c.tsv, to_tsquery('simple', %s)) AS score FROM ("  # noqa: S608
        f"SELECT d.id, d.tsv FROM search_searchdoc d WHERE {match} AND {where} LIMIT %s) c "
        "ORDER BY score DESC, c.id"
    )
    with transaction.atomic():  # set_config(..., true) lasts to the end of the transaction: put back after
        cur.execute("SELECT current_setting('enable_seqscan'), current_setting('enable_indexscan'), "
                    "set_config('enable_seqscan', 'off', true), set_config('enable_indexscan', 'off', true)")
        seqscan, indexscan = cur.fetchone()[:2]
        cur.execute(sql, [text, text, *([tags] if tags else []), *params, CANDIDATES + 1])
        rows = [(int(r[0]), float(r[1])) for r in cur.fetchall()]
        cur.execute("SELECT set_config('enable_seqscan', %s, true), set_config('enable_indexscan', %s, true)",
                    [seqscan, indexscan])
    capped = len(rows) > CANDIDATES
    if capped:  # drop the last candidate read, not the worst-ranked one
        last = max(i for i, _s in rows)
        rows = [r for r in rows if r[0] != last]
    return Ranked(rows, capped)


def raw_search(tokens: list[str], scope: Scope, filters: Filters, *, limit: int, offset: int = 0,
               op: str = "AND") -> list[tuple[int, float]]:
    """(SearchDoc id, score) of one page, best first."""
    return ranked(tokens, scope, filters, op=op).hits[offset : offset + limit]


# --- schema (used by the migrations and the benchmark) ----------------------------------------------------

SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title_seg, body_seg, tags, content='search_searchdoc', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '-._+'\", detail=column, "
    "columnsize=0)",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ai AFTER INSERT ON search_searchdoc BEGIN "
    "INSERT INTO search_fts(rowid, title_seg, body_seg, tags) VALUES (new.id, new.title_seg, new.body_seg, new.tags); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON search_searchdoc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_seg, body_seg, tags) "
    "VALUES ('delete', old.id, old.title_seg, old.body_seg, old.tags); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_au AFTER UPDATE ON search_searchdoc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_seg, body_seg, tags) "
    "VALUES ('delete', old.id, old.title_seg, old.body_seg, old.tags); "
    "INSERT INTO search_fts(rowid, title_seg, body_seg, tags) VALUES (new.id, new.title_seg, new.body_seg, new.tags); END",
    "INSERT INTO search_fts(search_fts) VALUES ('rebuild')",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_au", "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai", "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_SCHEMA = [
    "ALTER TABLE search_searchdoc ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title_seg, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_seg, '')), 'B') || "
    "setweight(to_tsvector('simple', coalesce(tags, '')), 'D')) STORED",
    "CREATE INDEX IF NOT EXISTS search_doc_tsv_gin ON search_searchdoc USING GIN (tsv)",
]
POSTGRES_DROP = ["DROP INDEX IF EXISTS search_doc_tsv_gin", "ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS tsv"]


def create_schema(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = SQLITE_SCHEMA if vendor == "sqlite" else POSTGRES_SCHEMA if vendor == "postgresql" else []
    for sql in statements:
        schema_editor.execute(sql)


def drop_schema(schema_editor) -> None:
    vendor = schema_editor.connection.vendor
    statements = SQLITE_DROP if vendor == "sqlite" else POSTGRES_DROP if vendor == "postgresql" else []
    for sql in statements:
        schema_editor.execute(sql)


def after_bulk_load() -> None:
    """After a bulk (re)index: merge the FTS5 segments into one b-tree (SQLite), refresh planner statistics
    (PostgreSQL), forget cached document frequencies."""
    clear_stats()
    with connection.cursor() as cur:
        if connection.vendor == "sqlite":
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('optimize')")
        elif connection.vendor == "postgresql":
            cur.execute("ANALYZE search_searchdoc")


def rebuild_fts() -> None:
    """SQLite only: rebuild the FTS5 index from the content table (after loads that bypassed the triggers)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
    after_bulk_load()
