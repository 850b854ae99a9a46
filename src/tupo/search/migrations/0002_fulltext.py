"""Database-specific full-text structures: SQLite FTS5 table + triggers, or PostgreSQL tsvector + GIN."""

from django.db import migrations


def forwards(apps, schema_editor):
    from tupo.search.backends import create_schema

    create_schema(schema_editor)


def backwards(apps, schema_editor):
    from tupo.search.backends import drop_schema

    drop_schema(schema_editor)


class Migration(migrations.Migration):
    dependencies = [("search", "0001_initial")]
    operations = [migrations.RunPython(forwards, backwards)]
