"""The queue of items a deferring writer (a node's apply) dropped from the index, rebuilt after its commit.

On SQLite, a trigger removes a document's words with the document, however it goes (an item deleted with its
documents by the database cascade left its words behind before), and words already left so are removed."""

from django.db import migrations, models

TRIGGER = (
    "CREATE TRIGGER search_doc_words_go AFTER DELETE ON search_searchdocument "
    "BEGIN DELETE FROM search_fts WHERE rowid = old.variant_id; END"
)


def add_trigger(apps, schema_editor):
    if schema_editor.connection.vendor != "sqlite":
        return
    schema_editor.execute(TRIGGER)
    schema_editor.execute(
        "DELETE FROM search_fts WHERE rowid NOT IN (SELECT variant_id FROM search_searchdocument)"
    )


def drop_trigger(apps, schema_editor):
    if schema_editor.connection.vendor == "sqlite":
        schema_editor.execute("DROP TRIGGER IF EXISTS search_doc_words_go")


class Migration(migrations.Migration):

    dependencies = [
        ("search", "0003_fts_prefix"),
    ]

    operations = [
        migrations.CreateModel(
            name="PendingIndex",
            fields=[
                ("item_id", models.BigIntegerField(primary_key=True, serialize=False)),
            ],
        ),
        migrations.RunPython(add_trigger, drop_trigger),
    ]
