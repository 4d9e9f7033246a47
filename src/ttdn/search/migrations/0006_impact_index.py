"""PostgreSQL's impact index (search.impact): every lexeme's documents and weighted counts as packed arrays,
the documents' items, lengths and dates, each filter value's documents, and the items changed since the
index was built."""

from typing import Any

from django.db import migrations

IMPACT = [
    # ids: the documents' variant ids, fs: the lexeme's weighted count in each (int4 and float4), counts: how
    # many positions it has in each (int2), positions: those positions, document after document (int2); all
    # big-endian.
    "CREATE TABLE search_posting (segment integer NOT NULL, lexeme text NOT NULL, df integer NOT NULL, "
    "ids bytea NOT NULL, fs bytea NOT NULL, counts bytea NOT NULL, positions bytea NOT NULL, "
    "PRIMARY KEY (segment, lexeme))",
    # Stored uncompressed: read whole at every load, compressed arrays of ids gain little.
    "ALTER TABLE search_posting ALTER COLUMN ids SET STORAGE EXTERNAL, ALTER COLUMN fs SET STORAGE EXTERNAL, "
    "ALTER COLUMN counts SET STORAGE EXTERNAL, ALTER COLUMN positions SET STORAGE EXTERNAL",
    # vids, items, lengths (int4) and dates (float8, epoch seconds) per document, in the order of vids.
    "CREATE TABLE search_segment (segment integer PRIMARY KEY, documents integer NOT NULL, "
    "avg_length double precision NOT NULL, vids bytea NOT NULL, items bytea NOT NULL, lengths bytea NOT NULL, "
    "dates bytea NOT NULL)",
    # The documents (variant ids, int4) of each value of a filter on the documents' own columns.
    "CREATE TABLE search_filterset (segment integer NOT NULL, name text NOT NULL, value text NOT NULL, "
    "ids bytea NOT NULL, PRIMARY KEY (segment, name, value))",
    "ALTER TABLE search_filterset ALTER COLUMN ids SET STORAGE EXTERNAL",
    "CREATE TABLE search_delta (id bigserial PRIMARY KEY, item_id bigint NOT NULL)",
]


def create_impact(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in IMPACT:
            schema_editor.execute(statement)


def drop_impact(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for table in ("search_posting", "search_segment", "search_filterset", "search_delta"):
            schema_editor.execute(f"DROP TABLE IF EXISTS {table}")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0005_toplists"),
    ]

    operations = [
        migrations.RunPython(create_impact, drop_impact),
    ]
