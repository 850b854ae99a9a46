"""Full-text search over ``SearchDoc`` with one interface and two database backends.

* SQLite: FTS5 table ``search_fts`` over the segmented columns, ranked by ``bm25()`` (title weighted 4:1).
* PostgreSQL: generated ``tsv`` column (to_tsvector('simple', …), title weight A, body B), GIN index, ``ts_rank``.

Query tokens come from the same jieba segmentation as the documents and are AND-ed; when the AND finds
nothing the query is retried with OR (reported as ``relaxed``), so a long natural-language query still finds
its best matches. Visibility is applied inside the SQL (public rows, rows owned by the user, rows whose
org_path lies under one of the given scope prefixes); callers re-check the top hits against the models.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import connection

from tupo.orgs.tree import UPPER

MAX_QUERY_CHARS = 200
MAX_TOKENS = 12


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


def _where(scope: Scope, filters: Filters, alias: str = "d") -> tuple[str, list]:
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


def _fts5_query(tokens: list[str], op: str) -> str:
    # Every token is a quoted FTS5 string (a double quote inside is doubled), so no token is syntax.
    return f" {op} ".join('"' + t.replace('"', '""') + '"' for t in tokens)


def _pg_query(tokens: list[str], op: str) -> str:
    # Each token becomes a quoted lexeme; backslashes and quotes escaped for to_tsquery.
    def lex(t):
        return "'" + t.replace("\\", "\\\\").replace("'", "''") + "'"

    return f" {'&' if op == 'AND' else '|'} ".join(lex(t) for t in tokens)


def raw_search(tokens: list[str], scope: Scope, filters: Filters, *, limit: int, offset: int = 0,
               op: str = "AND") -> list[tuple[int, float]]:
    """(SearchDoc id, score) best first; higher score is better on both backends."""
    if not tokens:
        return []
    where, params = _where(scope, filters)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            # ``where`` is built from fixed fragments; every value is a parameter.
            sql = (
                "SELECT d.id, ts_rank(d.tsv, q) AS score FROM search_searchdoc d, to_tsquery('simple', %s) q "  # noqa: S608
                f"WHERE d.tsv @@ q AND {where} ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
            )
            cur.execute(sql, [_pg_query(tokens, op), *params, limit, offset])
        else:
            sql = (
                "SELECT d.id, -bm25(search_fts, 4.0, 1.0) AS score FROM search_fts "  # noqa: S608
                "JOIN search_searchdoc d ON d.id = search_fts.rowid "
                f"WHERE search_fts MATCH %s AND {where} ORDER BY score DESC, d.id LIMIT %s OFFSET %s"
            )
            cur.execute(sql, [_fts5_query(tokens, op), *params, limit, offset])
        return [(int(r[0]), float(r[1])) for r in cur.fetchall()]


def count(tokens: list[str], scope: Scope, filters: Filters, *, op: str = "AND", cap: int = 1000) -> int:
    if not tokens:
        return 0
    where, params = _where(scope, filters)
    with connection.cursor() as cur:
        if connection.vendor == "postgresql":
            cur.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM search_searchdoc d "  # noqa: S608
                f"WHERE d.tsv @@ to_tsquery('simple', %s) AND {where} LIMIT %s) s",
                [_pg_query(tokens, op), *params, cap],
            )
        else:
            cur.execute(
                "SELECT COUNT(*) FROM (SELECT 1 FROM search_fts JOIN search_searchdoc d ON d.id = search_fts.rowid "  # noqa: S608
                f"WHERE search_fts MATCH %s AND {where} LIMIT %s)",
                [_fts5_query(tokens, op), *params, cap],
            )
        return int(cur.fetchone()[0])


# --- schema (used by migration 0002 and the benchmark) ----------------------------------------------------

SQLITE_SCHEMA = [
    "CREATE VIRTUAL TABLE IF NOT EXISTS search_fts USING fts5(title_seg, body_seg, content='search_searchdoc', "
    "content_rowid='id', tokenize=\"unicode61 remove_diacritics 0 tokenchars '-._+'\")",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ai AFTER INSERT ON search_searchdoc BEGIN "
    "INSERT INTO search_fts(rowid, title_seg, body_seg) VALUES (new.id, new.title_seg, new.body_seg); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_ad AFTER DELETE ON search_searchdoc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_seg, body_seg) VALUES ('delete', old.id, old.title_seg, old.body_seg); END",
    "CREATE TRIGGER IF NOT EXISTS search_fts_au AFTER UPDATE ON search_searchdoc BEGIN "
    "INSERT INTO search_fts(search_fts, rowid, title_seg, body_seg) VALUES ('delete', old.id, old.title_seg, old.body_seg); "
    "INSERT INTO search_fts(rowid, title_seg, body_seg) VALUES (new.id, new.title_seg, new.body_seg); END",
]
SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_au", "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai", "DROP TABLE IF EXISTS search_fts",
]
POSTGRES_SCHEMA = [
    "ALTER TABLE search_searchdoc ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title_seg, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_seg, '')), 'B')) STORED",
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


def rebuild_fts() -> None:
    """SQLite only: rebuild the FTS5 index from the content table (after bulk loads)."""
    if connection.vendor == "sqlite":
        with connection.cursor() as cur:
            cur.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")
