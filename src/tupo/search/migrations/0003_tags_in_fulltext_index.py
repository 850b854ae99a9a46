"""Visibility and filters as index terms (``tags``), and a leaner full-text index (see docs/search.md).

Drops the 0002 structures, fills ``tags`` for existing rows, then creates the current ones
(``search.backends.create_schema``: FTS5 with a tags column, detail=column, columnsize=0, rebuilt from the
rows; or the PostgreSQL ``tsv`` with the tags at weight D and its GIN index).
"""

from django.db import migrations, models

OLD_SQLITE_DROP = [
    "DROP TRIGGER IF EXISTS search_fts_au", "DROP TRIGGER IF EXISTS search_fts_ad",
    "DROP TRIGGER IF EXISTS search_fts_ai", "DROP TABLE IF EXISTS search_fts",
]
OLD_POSTGRES_DROP = ["DROP INDEX IF EXISTS search_doc_tsv_gin", "ALTER TABLE search_searchdoc DROP COLUMN IF EXISTS tsv"]


def forwards(apps, schema_editor):
    from tupo.search.backends import create_schema, doc_tags

    vendor = schema_editor.connection.vendor
    for sql in OLD_SQLITE_DROP if vendor == "sqlite" else OLD_POSTGRES_DROP if vendor == "postgresql" else []:
        schema_editor.execute(sql)
    SearchDoc = apps.get_model("search", "SearchDoc")
    batch = []
    for row in SearchDoc.objects.order_by("pk").iterator(chunk_size=2000):
        row.tags = doc_tags(org_path=row.org_path, is_public=row.is_public, owner_id=row.owner_id,
                            doc_type=row.doc_type, year=row.year, field=row.field)
        batch.append(row)
        if len(batch) >= 2000:
            SearchDoc.objects.bulk_update(batch, ["tags"])
            batch = []
    if batch:
        SearchDoc.objects.bulk_update(batch, ["tags"])
    create_schema(schema_editor)


def backwards(apps, schema_editor):
    from tupo.search.backends import drop_schema

    drop_schema(schema_editor)
    from importlib import import_module

    import_module("tupo.search.migrations.0002_fulltext").forwards(apps, schema_editor)
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("INSERT INTO search_fts(search_fts) VALUES ('rebuild')")


class Migration(migrations.Migration):
    dependencies = [("search", "0002_fulltext")]
    operations = [
        migrations.AddField(
            model_name="searchdoc",
            name="tags",
            field=models.TextField(blank=True, default=""),
        ),
        migrations.RunPython(forwards, backwards),
    ]
