"""PostgreSQL only: byte-order (COLLATE "C") indexes on Person.name and Organization.name for prefix searches.

Under a natural-language collation (zh-Hans ICU, en_US, even C.UTF-8) PostgreSQL cannot use a plain B-tree
for ``name LIKE 'x%'``. A ``varchar_pattern_ops`` twin serves the LIKE but not ``ORDER BY name``, so for a common
first character ("王") the planner walked ``person_name_idx`` in name order from the start instead and filtered
(9,760 rows read for 10 results at county scale; linear in the number of people). An index on
``name COLLATE "C"`` serves both the LIKE range *and* the order when the query sorts in "C"
(``meetings.queries.name_order``): 10 rows read. Measured in docs/decisions/001 (addendum).

The indexes are not in the model state on purpose: SQLite has no "C" collation (it compares names byte-wise
already, BINARY), and its name indexes (``person_name_idx``, ``org_name_prefix_idx``) serve the picker there.
"""

from django.db import migrations

INDEXES = [("person_name_c_idx", "orgs_person"), ("org_name_c_idx", "orgs_organization")]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, table in INDEXES:
        schema_editor.execute(f'CREATE INDEX IF NOT EXISTS {index} ON {table} (name COLLATE "C")')


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for index, _table in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {index}")


class Migration(migrations.Migration):
    dependencies = [("orgs", "0004_organization_name_prefix_index")]
    operations = [migrations.RunPython(forwards, backwards)]
