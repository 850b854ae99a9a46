"""Database-specific full-text structures: SQLite FTS5 table + triggers, or PostgreSQL tsvector + GIN.

The statements are frozen here as they were when this migration was written; 0003 replaces them with the
current ones from ``search.backends``.
"""

from django.db import migrations

SQLITE = [
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
POSTGRES = [
    "ALTER TABLE search_searchdoc ADD COLUMN IF NOT EXISTS tsv tsvector GENERATED ALWAYS AS ("
    "setweight(to_tsvector('simple', coalesce(title_seg, '')), 'A') || "
    "setweight(to_tsvector('simple', coalesce(body_seg, '')), 'B')) STORED",
    "CREATE INDEX IF NOT EXISTS search_doc_tsv_gin ON search_searchdoc USING GIN (tsv)",
]


def forwards(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    for sql in SQLITE if vendor == "sqlite" else POSTGRES if vendor == "postgresql" else []:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    from tupo.search.backends import drop_schema

    drop_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
