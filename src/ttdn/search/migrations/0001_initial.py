"""The search index table, and the backend's own word index: an FTS5 table on SQLite, a GIN index over the
tsvector column on PostgreSQL (each created only on its own database)."""

import django.db.models.deletion
from django.db import migrations, models

import ttdn.search.models

# Tokens are computed in Python (ttdn.search.normalize) and stored space-separated; the tokenizer only splits
# on spaces: letters, digits and marks (Lao and Khmer vowel signs) stay inside a token, nothing is folded again.
FTS5_TABLE = (
    "CREATE VIRTUAL TABLE search_fts USING fts5(title, summary, body, files, meta, "
    "tokenize=\"unicode61 remove_diacritics 0 categories 'L* N* M* Co'\")"
)


def create_word_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute(FTS5_TABLE)
    elif vendor == "postgresql":
        schema_editor.execute("CREATE INDEX search_doc_vec ON search_searchdocument USING gin (vec)")


def drop_word_index(apps, schema_editor):
    vendor = schema_editor.connection.vendor
    if vendor == "sqlite":
        schema_editor.execute("DROP TABLE IF EXISTS search_fts")
    elif vendor == "postgresql":
        schema_editor.execute("DROP INDEX IF EXISTS search_doc_vec")


class Migration(migrations.Migration):

    initial = True

    dependencies = [
        ('content', '0001_initial'),
    ]

    operations = [
        migrations.CreateModel(
            name='SearchDocument',
            fields=[
                ('variant', models.OneToOneField(db_constraint=False, on_delete=django.db.models.deletion.DO_NOTHING, primary_key=True, related_name='+', serialize=False, to='content.variant')),
                ('language', models.CharField(max_length=16)),
                ('kind', models.CharField(max_length=32)),
                ('state', models.CharField(max_length=16)),
                ('agency_id', models.BigIntegerField()),
                ('audience', models.CharField(max_length=16)),
                ('classification', models.CharField(max_length=16)),
                ('ready', models.BooleanField()),
                ('valid_from', models.DateTimeField(null=True)),
                ('valid_until', models.DateTimeField(null=True)),
                ('date', models.DateTimeField()),
                ('topics', models.TextField(blank=True)),
                ('provinces', models.TextField(blank=True)),
                ('vec', ttdn.search.models.TsVectorField(null=True)),
                ('item', models.ForeignKey(on_delete=django.db.models.deletion.CASCADE, related_name='+', to='content.item')),
            ],
            options={
                'indexes': [models.Index(fields=['state', 'audience', 'date'], name='search_doc_state')],
            },
        ),
        migrations.RunPython(create_word_index, drop_word_index),
    ]
