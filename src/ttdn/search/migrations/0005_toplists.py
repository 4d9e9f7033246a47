"""The index's own facts (format versions, the statistics the champion lists were built with) on both
backends, and PostgreSQL's champion lists: for each frequent lexeme, the documents where it weighs most."""

from typing import Any

from django.db import migrations, models

TOPLISTS = [
    # floor: every document holding the lexeme with a term weight above it is in the list.
    "CREATE TABLE search_toplexeme (lexeme text PRIMARY KEY, df integer NOT NULL, floor double precision NOT NULL)",
    "CREATE TABLE search_toplist (lexeme text NOT NULL, w double precision NOT NULL, variant_id bigint NOT NULL, "
    "item_id bigint NOT NULL)",
    "CREATE INDEX search_toplist_rank ON search_toplist (lexeme, w DESC) INCLUDE (variant_id, item_id)",
    "CREATE INDEX search_toplist_item ON search_toplist (item_id)",
]


def create_toplists(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        for statement in TOPLISTS:
            schema_editor.execute(statement)


def drop_toplists(apps: Any, schema_editor: Any) -> None:
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute("DROP TABLE IF EXISTS search_toplist")
        schema_editor.execute("DROP TABLE IF EXISTS search_toplexeme")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0004_pending_index"),
    ]

    operations = [
        migrations.CreateModel(
            name="IndexInfo",
            fields=[
                ("key", models.CharField(max_length=64, primary_key=True, serialize=False)),
                ("value", models.TextField()),
            ],
        ),
        migrations.RunPython(create_toplists, drop_toplists),
    ]
