"""Databases that ran the first form of 0006_impact_index (before it gained the documents' dates and the filter sets)
get them now: that release's impact index is dropped (it is derived, and rebuilt by `ttdn migrate` right after, as
the removed format stamp asks) and the missing column and table are added. Databases created with today's 0006, and
SQLite (which has no impact index), are left as they are."""

from typing import Any

from django.db import migrations


def complete_impact(apps: Any, schema_editor: Any) -> None:
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM information_schema.columns WHERE table_schema = current_schema() "
                       "AND table_name = 'search_segment' AND column_name = 'dates'")
        if cursor.fetchone():
            return
    for statement in (
        "TRUNCATE search_segment, search_posting",
        "ALTER TABLE search_segment ADD COLUMN dates bytea NOT NULL",
        "CREATE TABLE IF NOT EXISTS search_filterset (segment integer NOT NULL, name text NOT NULL, "
        "value text NOT NULL, ids bytea NOT NULL, PRIMARY KEY (segment, name, value))",
        "ALTER TABLE search_filterset ALTER COLUMN ids SET STORAGE EXTERNAL",
        "DELETE FROM search_indexinfo WHERE key = 'format'",
    ):
        schema_editor.execute(statement)


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0006_impact_index"),
    ]

    operations = [
        migrations.RunPython(complete_impact, migrations.RunPython.noop),
    ]
