"""The search index: one document per language variant, with the columns search filters and checks
permissions on, so a query is one SQL statement. The words themselves live in the backend's own
structure: an FTS5 table (SQLite) or the `vec` tsvector column with a GIN index (PostgreSQL)."""

from __future__ import annotations

from typing import Any

from django.db import models


class TsVectorField(models.TextField):
    """A tsvector on PostgreSQL, filled from a tsvector literal; unused (NULL) text on SQLite."""

    def db_type(self, connection: Any) -> str:
        return "tsvector" if connection.vendor == "postgresql" else "text"

    def get_placeholder(self, value: Any, compiler: Any, connection: Any) -> str:
        return "%s::tsvector" if connection.vendor == "postgresql" else "%s"


class SearchDocument(models.Model):
    # The variant's id is the document's id (and the FTS5 rowid). No foreign key constraint: a deleted
    # variant's document is removed by the index update in the same transaction.
    variant = models.OneToOneField(
        "content.Variant", primary_key=True, on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    item = models.ForeignKey("content.Item", on_delete=models.CASCADE, related_name="+")
    language = models.CharField(max_length=16)
    kind = models.CharField(max_length=32)
    state = models.CharField(max_length=16)
    agency_id = models.BigIntegerField()
    audience = models.CharField(max_length=16)
    classification = models.CharField(max_length=16)
    # The source itself, or a reviewed translation of the source's current revision (permissions.is_ready).
    ready = models.BooleanField()
    valid_from = models.DateTimeField(null=True)
    valid_until = models.DateTimeField(null=True)
    # published_at, or updated_at before publication: what the date filter and the browse order use.
    date = models.DateTimeField()
    # " code code " / " key key ": matched with LIKE '% x %' on the candidate rows.
    topics = models.TextField(blank=True)
    provinces = models.TextField(blank=True)
    vec = TsVectorField(null=True)
    # Tokens indexed over all fields: the document length of BM25 (PostgreSQL computes BM25 itself).
    length = models.PositiveIntegerField(default=0)

    class Meta:
        indexes = [
            models.Index(fields=["state", "audience", "date"], name="search_doc_state"),
        ]

    def __str__(self) -> str:
        return f"{self.item_id}/{self.language}"


class PendingIndex(models.Model):
    """An item whose index entries were dropped by a deferring writer (a node's apply) and are rebuilt by
    `index_pending` after its commit. Kept in the database so a crash in between loses nothing."""

    item_id = models.BigIntegerField(primary_key=True)

    def __str__(self) -> str:
        return str(self.item_id)


class IndexInfo(models.Model):
    """Facts about the index as built: its format versions (a corpus indexed by older code is rebuilt) and,
    on PostgreSQL, the average document length the champion lists were weighed with."""

    key = models.CharField(max_length=64, primary_key=True)
    value = models.TextField()

    def __str__(self) -> str:
        return f"{self.key}={self.value}"
