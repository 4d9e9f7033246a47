"""The search index follows the material: each language variant becomes a document row (its item's
columns the filters read, and its words, cut by `search.normalize`) in the current backend's word index.

`index_items` keeps the index current: it is registered with `content.changes` and runs inside the
transaction of every content write; a deferring writer (a node's apply) has it drop the items at once and
queue them for `index_pending`, run after the commit. `do_reindex_all` rebuilds everything (`ttdn reindex`).
"""

from __future__ import annotations

import functools
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from django.db import connection, transaction

from ttdn.content import changes, visibility
from ttdn.content.models import Attachment, Item, Variant
from ttdn.core import audit, languages
from ttdn.core.text import html_to_text
from ttdn.search import backends
from ttdn.search import query as q
from ttdn.search.backends import base
from ttdn.search.backends.base import DOC
from ttdn.search.models import IndexInfo, PendingIndex, SearchDocument
from ttdn.search.normalize import index_tokens

# Tokens kept per field. PostgreSQL positions stop at 16383; the caps keep both backends on the same text.
FIELD_CAPS = {"title": 1000, "summary": 3000, "body": 50_000, "files": 50_000, "meta": 500}
BATCH = 500
# What do_reindex_all writes (the documents: the text pipeline of normalize, and the fields). An index of
# another format is rebuilt at migrate (apps.py); a benchmark corpus indexed by code with other versions is
# rebuilt by the benchmark instead of reused.
INDEX_FORMAT = "2"


def _meta_text(kind: str, language: str, topics: list[tuple[str, str, str]], kind_labels: dict[str, str]) -> str:
    """Kind, language and topics, in Vietnamese and English, so `tờ gấp` or `tiếng Lào` find material."""
    words = [kind.replace("_", " "), kind_labels.get(kind, ""), language]
    lang = languages.get(language)
    if lang is not None:
        words += [lang.name_vi, lang.name_en]
    for code, name, name_en in topics:
        words += [code.replace("-", " "), name, name_en]
    return " ".join(words)


_KIND_LABELS: dict[str, str] = {}


def _kind_labels() -> dict[str, str]:
    if _KIND_LABELS:
        return _KIND_LABELS  # the labels are constants: computed once per process
    from django.utils import translation

    from ttdn.content.models import ItemKind

    labels = {}
    for kind in ItemKind:
        with translation.override("vi"):
            vi = str(kind.label)
        labels[kind.value] = f"{vi} {kind.label}"
    _KIND_LABELS.update(labels)
    return labels


def _tokens(text: str, cap: int) -> list[str]:
    if not text:
        return []
    tokens = index_tokens(text)
    if tokens and max(map(len, tokens)) > q.MAX_TOKEN_LENGTH:
        tokens = [t for t in tokens if len(t) <= q.MAX_TOKEN_LENGTH]
    return tokens[:cap]


@functools.lru_cache(maxsize=4096)
def _meta_tokens(text: str) -> tuple[str, ...]:
    # The same few kind/language/topic texts recur on every variant: tokenised once.
    return tuple(_tokens(text, FIELD_CAPS["meta"]))


def _fields(texts: dict[str, str]) -> dict[str, list[str]]:
    return {
        name: list(_meta_tokens(text)) if name == "meta" else _tokens(text, FIELD_CAPS[name])
        for name, text in texts.items()
    }


@dataclass
class _Rows:
    """One batch's content, read with one query per table (rows, not model instances)."""

    items: list[dict[str, Any]]
    variants: dict[int, list[dict[str, Any]]]  # by item id, in Variant's order
    files: dict[int, list[str]]  # variant id -> "filename extracted text", in Attachment's order
    topics: dict[int, list[tuple[str, str, str]]]  # item id -> (code, name, name_en), in Topic's order
    provinces: dict[int, list[str]]  # item id -> AdminUnit keys, in AdminUnit's order


def _rows_for_index(item_ids: Sequence[int]) -> _Rows:
    items: list[dict[str, Any]] = [dict(row) for row in Item.objects.filter(pk__in=item_ids).order_by("pk").values(
        "id", "kind", "state", "agency_id", "audience", "classification", "valid_from", "valid_until",
        "published_at", "updated_at",
    )]
    variants: dict[int, list[dict[str, Any]]] = {}
    for row in Variant.objects.filter(item_id__in=item_ids).values(
        "id", "item_id", "language", "title", "summary", "body", "revision", "source_variant_id", "source_revision",
        "translation_state",
    ):
        variants.setdefault(row["item_id"], []).append(dict(row))
    files: dict[int, list[str]] = {}
    for vid, filename, text in Attachment.objects.filter(variant__item_id__in=item_ids).values_list(
        "variant_id", "filename", "asset__extracted_text"
    ):
        files.setdefault(vid, []).append(f"{filename} {text}")
    topics: dict[int, list[tuple[str, str, str]]] = {}
    # In Topic's and AdminUnit's own orders, as item.topics.all() would give them.
    topic_links = Item.topics.through.objects.filter(item_id__in=item_ids).order_by("topic__name", "topic_id")
    for iid, code, name, name_en in topic_links.values_list("item_id", "topic__code", "topic__name", "topic__name_en"):
        topics.setdefault(iid, []).append((code, name, name_en))
    provinces: dict[int, list[str]] = {}
    province_links = Item.target_provinces.through.objects.filter(item_id__in=item_ids).order_by(
        "adminunit__level", "adminunit__name", "adminunit_id")
    for iid, key in province_links.values_list("item_id", "adminunit__key"):
        provinces.setdefault(iid, []).append(key)
    return _Rows(items, variants, files, topics, provinces)


def _is_ready(variant: dict[str, Any], source_revision: int | None) -> bool:
    """`permissions.is_ready` over a variant row."""
    return visibility.version_ready(variant["source_variant_id"] is None, variant["translation_state"],
                                    variant["source_revision"], source_revision)


_DOC_COLUMNS = ("variant_id", "item_id", "language", "kind", "state", "agency_id", "audience", "classification",
                "ready", "valid_from", "valid_until", "date", "topics", "provinces", "vec", "length")


def _drop_documents(cursor: Any, id_list: str) -> None:
    """Remove these items' documents from the index (and from what the backend keeps beside it)."""
    cursor.execute(f"DELETE FROM {DOC} WHERE item_id IN ({id_list})")  # noqa: S608
    backends.current().dropped(cursor, id_list)


def _index_batch(item_ids: Sequence[int], kind_labels: dict[str, str], *, fresh: bool = False) -> int:
    backend = backends.current()
    when = connection.ops.adapt_datetimefield_value
    with connection.cursor() as cursor:
        id_list = ",".join(str(int(i)) for i in item_ids)
        if not fresh:
            _drop_documents(cursor, id_list)
        rows = _rows_for_index(item_ids)
        docs: list[tuple[Any, ...]] = []
        words: list[tuple[int, dict[str, list[str]]]] = []
        for item in rows.items:
            iid = item["id"]
            variants = rows.variants.get(iid, [])
            source_revision = next((v["revision"] for v in variants if v["source_variant_id"] is None), None)
            item_topics = rows.topics.get(iid, [])
            topics = " ".join(code for code, _name, _en in item_topics)
            provinces = " ".join(rows.provinces.get(iid, []))
            date = when(item["published_at"] or item["updated_at"])
            valid_from, valid_until = when(item["valid_from"]), when(item["valid_until"])
            for variant in variants:
                fields = _fields({
                    "title": variant["title"],
                    "summary": variant["summary"],
                    "body": html_to_text(variant["body"]),
                    "files": " ".join(rows.files.get(variant["id"], [])),
                    "meta": _meta_text(item["kind"], variant["language"], item_topics, kind_labels),
                })
                docs.append((
                    variant["id"], iid, variant["language"], item["kind"], item["state"], item["agency_id"],
                    item["audience"], item["classification"], _is_ready(variant, source_revision), valid_from,
                    valid_until, date, f" {topics} " if topics else "", f" {provinces} " if provinces else "",
                    backend.vector(fields), sum(len(tokens) for tokens in fields.values()),
                ))
                words.append((variant["id"], fields))
        if docs:
            marks = ", ".join(backend.VECTOR_MARK if c == "vec" else "%s" for c in _DOC_COLUMNS)
            cursor.executemany(
                f"INSERT INTO {DOC} ({', '.join(_DOC_COLUMNS)}) VALUES ({marks})", docs  # noqa: S608
            )
        backend.write_words(cursor, words)
        if docs and not fresh:
            backend.added(cursor, id_list)
    return len(docs)


def index_items(item_ids: Iterable[int]) -> None:
    """(Re)index these items' variants and drop what no longer exists. Runs in the caller's transaction."""
    ids = sorted({int(i) for i in item_ids})
    if not ids:
        return
    labels = _kind_labels()
    with transaction.atomic():
        for start in range(0, len(ids), BATCH):
            _index_batch(ids[start:start + BATCH], labels)


def do_reindex_all(progress: Callable[[int, int], None] | None = None) -> int:
    """Rebuild the whole index in one transaction (searches see the old index until it commits).

    `progress(done, total)` counts variants. Returns how many were indexed.
    """
    backend = backends.current()
    labels = _kind_labels()
    total = Variant.objects.count()
    done = 0
    with transaction.atomic(), connection.cursor() as cursor:
        backend.rebuild_started(cursor)  # first: SQLite's documents trigger then finds no words
        SearchDocument.objects.all().delete()
        PendingIndex.objects.all().delete()  # everything is indexed below
        if progress:
            progress(0, total)
        item_ids = list(Item.objects.order_by("pk").values_list("pk", flat=True))
        for start in range(0, len(item_ids), BATCH):
            done += _index_batch(item_ids[start:start + BATCH], labels, fresh=True)
            if progress:
                progress(done, total)
        backend.rebuild_finished(cursor)
        base.set_info("format", INDEX_FORMAT)
        audit.record(None, "search.index.rebuild", None, variants=done, backend=backend.NAME)
    return done


def index_format() -> dict[str, str]:
    """The index's stamps: `format` (the documents) and, on PostgreSQL, `toplists` (the champion lists)."""
    return dict(IndexInfo.objects.values_list("key", "value"))


def on_items_changed(item_ids: list[int]) -> None:
    """The content.changes listener: the index follows inside the writer's transaction, or, when the writer
    defers (a node applying a batch), the items leave the index at once — nothing stale or no longer
    permitted is ever found — and come back by `index_pending` after the commit."""
    if not changes.is_deferring():
        index_items(item_ids)
        return
    ids = sorted({int(i) for i in item_ids})
    with transaction.atomic(), connection.cursor() as cursor:
        for start in range(0, len(ids), BATCH):
            _drop_documents(cursor, ",".join(map(str, ids[start:start + BATCH])))
        PendingIndex.objects.bulk_create([PendingIndex(item_id=i) for i in ids], ignore_conflicts=True)


def index_pending(batch: int = BATCH) -> int:
    """Index the queued items, a batch per transaction (a crash loses at most the batch under way, which
    stays queued). Returns how many items were indexed."""
    done = 0
    while True:
        with transaction.atomic():
            ids = list(PendingIndex.objects.order_by("item_id").values_list("item_id", flat=True)[:batch])
            if not ids:
                return done
            index_items(ids)
            PendingIndex.objects.filter(item_id__in=ids).delete()
        done += len(ids)

