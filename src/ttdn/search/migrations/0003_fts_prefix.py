"""Prefix indexes on SQLite's word index, so a short prefix (`Lệ Th*`, `d*`, a single Lao or Chinese cluster)
reads one list instead of merging the lists of every word it could start.

FTS5 counts prefix lengths in characters (code points), not bytes: `prefix='1 2 3'` covers the folded
Vietnamese prefixes people type (`d*`, `th*`, `ngu*`) and a one-cluster query in Lao, Khmer or Chinese
(one to three code points, always a prefix query, see ttdn.search.query). Longer prefixes start few enough
words to be cheap without. Each prefix length costs about one more copy of the word index's lists.

The table is rebuilt with its content (the stored token texts), so no reindex is needed; PostgreSQL has
nothing to change here.
"""

from django.db import migrations

TOKENIZE = "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* M* Co'\""
COLUMNS = "title, summary, body, files, meta"


def _rebuild(schema_editor, options: str) -> None:
    if schema_editor.connection.vendor != "sqlite":
        return
    execute = schema_editor.execute
    execute("DROP TABLE IF EXISTS search_fts_new")
    execute(f"CREATE VIRTUAL TABLE search_fts_new USING fts5({COLUMNS}, {TOKENIZE}{options})")
    execute(f"INSERT INTO search_fts_new (rowid, {COLUMNS}) SELECT rowid, {COLUMNS} FROM search_fts")  # noqa: S608
    execute("DROP TABLE search_fts")
    execute("ALTER TABLE search_fts_new RENAME TO search_fts")
    execute("INSERT INTO search_fts (search_fts) VALUES ('optimize')")


def add_prefix_indexes(apps, schema_editor):
    _rebuild(schema_editor, ", prefix='1 2 3'")


def drop_prefix_indexes(apps, schema_editor):
    _rebuild(schema_editor, "")


class Migration(migrations.Migration):

    dependencies = [
        ('search', '0002_document_length'),
    ]

    operations = [
        migrations.RunPython(add_prefix_indexes, drop_prefix_indexes),
    ]
