"""Applying a batch on a node: the one path for the network and for USB bundles.

1. Files first: every file a new record needs is assembled from chunks (held locally, staged, or fetched
   from the source), verified by SHA-256 and stored under its digest before anything is written to the
   database. A record whose files are not complete is therefore never applied: it is held back with its
   whole batch, and the cursor does not move (we chose this over showing an item without its file, since
   a leaflet without its PDF is not the leaflet).
2. Then one transaction, set-based (bulk upserts, bulk deletes): records newer than what the node holds
   are written into the ordinary content tables with the hub's uids, tombstones remove items, the cursor
   moves, and `content.changes.notify` tells the search index, which drops the changed items at once.
3. After the commit, the caller runs `content.changes.catch_up()`: the search index takes the items back
   (queued in the database, so a crash in between only delays it). Re-applying a batch changes nothing.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
import hashlib
import os
import sys
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Protocol

from django.conf import settings
from django.db import connection, transaction
from django.db.models import (
    AutoField,
    BooleanField,
    CharField,
    DateTimeField,
    Field,
    ForeignKey,
    IntegerField,
    Model,
    TextField,
)
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import Agency
from ttdn.content import changes
from ttdn.content.files import blobs as files  # the blob store only: no PDF or media libraries on a node
from ttdn.content.models import Asset, Attachment, Item, Topic, Variant
from ttdn.core.errors import ServiceError
from ttdn.places.models import AdminUnit
from ttdn.sync.models import ChunkLocation, GoneItem, NodeState
from ttdn.sync.transport.keys import sync_dir


def test_pause(where: str) -> None:
    """Test hook: with TTDN_SYNC_TEST_STEPS set, the node announces each step on stderr and waits there for a line
    on stdin, so that a test's SIGKILL lands mid-transfer or mid-apply (inside the transaction) at the step its
    schedule chooses, while every other step goes on as soon as the test answers."""
    if os.environ.get("TTDN_SYNC_TEST_STEPS"):
        print(f"ttdn-sync-step {where}", file=sys.stderr, flush=True)
        sys.stdin.readline()


def staging_limit() -> int:
    return int(getattr(settings, "SYNC_STAGING_MB", 2048)) * 1024 * 1024


# -------------------------------------------------------------------------------------- node-wide lock


@contextlib.contextmanager
def node_lock() -> Iterator[None]:
    """One sync or bundle import at a time on a node (a second one waits)."""
    path = sync_dir() / "node.lock"
    with path.open("a") as fh:
        fcntl.flock(fh.fileno(), fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


# ---------------------------------------------------------------------------------------- chunk store


class ChunkStore:
    """Chunks fetched but not yet part of a stored file. Bounded; emptied after use and after failures."""

    def __init__(self) -> None:
        self.root = sync_dir() / "staging"
        self.root.mkdir(parents=True, exist_ok=True)

    def path(self, sha: str) -> Path:
        files.check_sha256(sha)  # validates the name: 64 hex digits only
        return self.root / sha

    def part_path(self, sha: str) -> Path:
        return self.root / f"{sha}.part"

    def has(self, sha: str) -> bool:
        return self.path(sha).exists()

    def put(self, sha: str, data: bytes) -> None:
        if hashlib.sha256(data).hexdigest() != sha:
            raise ValueError(f"chunk {sha} does not match its digest")
        target = self.path(sha)
        tmp = self.root / f".{sha}.{os.getpid()}.tmp"
        with tmp.open("wb") as fh:
            fh.write(data)
            fh.flush()
            os.fsync(fh.fileno())
        os.replace(tmp, target)

    def read(self, sha: str) -> bytes | None:
        try:
            data = self.path(sha).read_bytes()
        except FileNotFoundError:
            return None
        if hashlib.sha256(data).hexdigest() != sha:
            self.path(sha).unlink(missing_ok=True)  # damaged on disk: fetch it again
            return None
        return data

    def used_bytes(self) -> int:
        return sum(p.stat().st_size for p in self.root.iterdir() if p.is_file())

    def discard(self, shas: set[str]) -> None:
        for sha in shas:
            self.path(sha).unlink(missing_ok=True)
            self.part_path(sha).unlink(missing_ok=True)

    def clean(self, keep: set[str] | None = None) -> None:
        """Remove temporary files, and chunks no longer wanted."""
        for p in self.root.iterdir():
            name = p.name.removesuffix(".part")
            if p.name.startswith(".") or keep is None or name not in keep:
                p.unlink(missing_ok=True)


class ChunkSource(Protocol):
    """Where missing chunks come from: the hub over HTTP, or a bundle on a USB stick."""

    def fetch(self, shas: list[str], store: ChunkStore) -> None:
        """Put each of these chunks into the store (verified), or raise."""


@dataclass
class ApplyStats:
    records: int = 0
    tombstones: int = 0
    skipped: int = 0
    files_written: int = 0
    chunks_fetched: int = 0
    chunks_reused: int = 0
    cursor: int = 0
    changed_item_ids: list[int] = field(default_factory=list)


def _local_chunk(sha: str) -> bytes | None:
    """A chunk read from a file this node already holds (a previous version of a revised file)."""
    for loc in ChunkLocation.objects.filter(chunk_sha256=sha)[:4]:
        try:
            with files.open_blob(loc.file_sha256) as fh:
                fh.seek(loc.offset)
                data = fh.read(loc.length)
        except FileNotFoundError:
            continue
        if hashlib.sha256(data).hexdigest() == sha:
            return data
    return None


def _have_blob(sha: str, size: int) -> bool:
    try:
        return files.blob_size(sha) == size
    except FileNotFoundError:
        return False


def _write_blob(sha: str, pieces: Iterator[bytes]) -> None:
    files.store_pieces(sha, pieces)


def ensure_files(wanted: dict[str, dict[str, Any]], source: ChunkSource, stats: ApplyStats) -> None:
    """Store every wanted file that is missing, fetching only chunks held nowhere on this node."""
    store = ChunkStore()
    missing = [(sha, spec) for sha, spec in sorted(wanted.items()) if not _have_blob(sha, int(spec["size"]))]
    if not missing:
        return
    all_chunks = {str(c[0]) for _sha, spec in missing for c in spec["chunks"]}
    store.clean(keep=all_chunks)  # leftovers of an earlier failure that are no longer needed go
    limit = staging_limit()
    group: list[tuple[str, dict[str, Any]]] = []
    group_bytes = 0

    def flush() -> None:
        nonlocal group_bytes
        _assemble_group(group, source, store, stats)
        group.clear()
        group_bytes = 0

    for sha, spec in missing:
        size = int(spec["size"])
        if size > limit:
            raise ServiceError(
                "staging_too_small",
                _("A file of %(size)d MB does not fit in the staging space of %(limit)d MB (TTDN_SYNC_STAGING_MB).")
                % {"size": size // (1024 * 1024), "limit": limit // (1024 * 1024)},
            )
        if group and group_bytes + size > limit:
            flush()
        group.append((sha, spec))
        group_bytes += size
    if group:
        flush()


def _assemble_group(group: list[tuple[str, dict[str, Any]]], source: ChunkSource, store: ChunkStore,
                    stats: ApplyStats) -> None:
    to_fetch: list[str] = []
    local: dict[str, bytes] = {}
    seen: set[str] = set()
    for _sha, spec in group:
        for chunk_sha, _length in spec["chunks"]:
            if chunk_sha in seen:
                continue
            seen.add(chunk_sha)
            if store.has(chunk_sha):
                stats.chunks_reused += 1
                continue
            data = _local_chunk(chunk_sha)
            if data is not None:
                local[chunk_sha] = data
                stats.chunks_reused += 1
            else:
                to_fetch.append(chunk_sha)
    if to_fetch:
        source.fetch(to_fetch, store)
        stats.chunks_fetched += len(to_fetch)
    for sha, spec in group:
        if _have_blob(sha, int(spec["size"])):
            continue

        def pieces(spec: dict[str, Any] = spec) -> Iterator[bytes]:
            for chunk_sha, _length in spec["chunks"]:
                data = local.get(chunk_sha) or store.read(chunk_sha)
                if data is None:
                    raise ValueError(f"chunk {chunk_sha} is missing")
                yield data

        _write_blob(sha, pieces())
        stats.files_written += 1
        offset = 0
        locations = []
        for chunk_sha, length in spec["chunks"]:
            locations.append(ChunkLocation(chunk_sha256=chunk_sha, file_sha256=sha, offset=offset, length=length))
            offset += int(length)
        ChunkLocation.objects.bulk_create(locations, ignore_conflicts=True)
    store.discard(seen)


# --------------------------------------------------------------------------------------------- records


def _dt(value: str | None) -> dt.datetime | None:
    return dt.datetime.fromisoformat(value) if value else None


def _when(value: str | None) -> dt.datetime:
    """A timestamp that is always set on the hub (created, updated, state changed)."""
    return dt.datetime.fromisoformat(value) if value else timezone.now()


def _is_newer(record: dict[str, Any], held: dict[str, int], gone: dict[str, GoneItem], epoch: int,
              refresh: bool = False) -> bool:
    uid, version = record["uid"], int(record["v"])
    if uid in held:
        # A refresh (records asked for after a targeting change) rewrites the same version in other languages.
        return version > held[uid] or (refresh and version == held[uid])
    was = gone.get(uid)
    if was is None:
        return True
    if version > was.version:
        return True
    # Not meant for this node at this version: it may come back with a targeting change (a refresh, or a
    # bundle made under newer targeting), never from an older bundle.
    return version == was.version and was.untargeted and (refresh or epoch > was.epoch)


def _held(uids: list[str]) -> tuple[dict[str, int], dict[str, GoneItem]]:
    as_uuid = [uuid.UUID(u) for u in uids]
    held = {str(u): v for u, v in Item.objects.filter(uid__in=as_uuid).values_list("uid", "version")}
    gone = {str(g.uid): g for g in GoneItem.objects.filter(uid__in=as_uuid)}
    return held, gone


def state() -> NodeState:
    found = NodeState.objects.first()
    if found is None:
        raise ServiceError("not_enrolled", _("This box is not enrolled with a hub yet: run “ttdn edge enroll”."))
    return found


# Receivers of the parts other apps add to batches (`sync.hub.feed.batch_part`), called in the batch's transaction after
# the records are written, so what they refer to is there.
_batch_receivers: list[Callable[[dict[str, Any]], None]] = []


def on_batch(receiver: Callable[[dict[str, Any]], None]) -> None:
    if receiver not in _batch_receivers:
        _batch_receivers.append(receiver)


def apply_batch(batch: dict[str, Any], source: ChunkSource, *, stats: ApplyStats | None = None) -> ApplyStats:
    """Apply one verified batch (kinds: feed, records, reconcile, bundle). Idempotent and atomic."""
    stats = stats or ApplyStats()
    node = state()
    if batch.get("node") != str(node.node_uid):
        raise ServiceError("wrong_node", _("This batch was made for another node."))
    epoch = int(batch.get("epoch", 0))
    records: list[dict[str, Any]] = batch.get("records", [])
    uids = [r["uid"] for r in records] + [t["uid"] for t in batch.get("tombstones", [])]
    # Records asked for after a targeting change, or a bundle made under newer targeting, rewrite equal versions.
    refresh = batch.get("kind") == "records" or (
        batch.get("kind") == "bundle" and "targeted" in batch and epoch > node.epoch
    )
    held, gone = _held(uids)
    fresh = [r for r in records if _is_newer(r, held, gone, epoch, refresh)]
    wanted_assets = {a["sha"] for r in fresh for v in r["variants"] for a in v["attachments"]}
    assets = batch.get("assets", {})
    wanted_files = set(wanted_assets) | {
        assets[s]["thumbnail_sha256"] for s in wanted_assets if assets[s].get("thumbnail_sha256")
    }
    ensure_files({s: batch["files"][s] for s in wanted_files}, source, stats)

    removed_blobs: set[str] = set()
    with transaction.atomic():
        node = NodeState.objects.select_for_update().get(pk=node.pk)
        held, gone = _held(uids)  # again, under the lock: another writer may have come first
        fresh = [r for r in records if _is_newer(r, held, gone, epoch, refresh)]
        stats.skipped += len(records) - len(fresh)
        changed: list[int] = []
        if batch.get("kind") in {"reconcile", "bundle"} and "targeted" in batch:
            changed += _drop_untargeted(set(batch["targeted"]), epoch, removed_blobs)
        if fresh:
            changed += _upsert(fresh, assets)
            GoneItem.objects.filter(uid__in=[uuid.UUID(r["uid"]) for r in fresh]).delete()
            stats.records += len(fresh)
        tombs = [t for t in batch.get("tombstones", []) if t["uid"] not in held or int(t["v"]) >= held[t["uid"]]]
        if tombs:
            changed += _remove(tombs, removed_blobs, epoch)
            stats.tombstones += sum(1 for t in tombs if t["uid"] in held)
        for receiver in _batch_receivers:
            receiver(batch)
        if batch.get("kind") in {"feed", "bundle"} and "to" in batch and int(batch["from"]) <= node.applied_seq:
            node.applied_seq = max(node.applied_seq, int(batch["to"]))
        if (batch.get("kind") == "bundle" and "targeted" in batch) or (
            batch.get("kind") == "feed" and int(batch.get("from", -1)) == 0
        ):
            node.epoch = max(node.epoch, epoch)
        node.save(update_fields=["applied_seq", "epoch"])
        stats.cursor = node.applied_seq
        if changed:
            # The transaction stays short: listeners drop what changed now (a withdrawn or changed item
            # leaves search at once) and rebuild the derived data (the search index) after the commit, when
            # the caller runs changes.catch_up().
            with changes.deferring():
                changes.notify(changed)
        test_pause("apply")
        stats.changed_item_ids += changed
    _forget_blobs(removed_blobs)
    return stats


_PLAIN_FIELDS = (CharField, TextField, IntegerField, BooleanField)


def _preparer(field: Field[Any, Any]) -> Any:
    """How one column's values become parameters: Django's per-value preparation (time-zone checks, lookups of
    the connection's adapters) dominates applying when done per value, so plain types go straight through."""
    if isinstance(field, DateTimeField):
        adapt = connection.ops.adapt_datetimefield_value
        return lambda value: None if value is None else adapt(value)
    if isinstance(field, _PLAIN_FIELDS) or (
            isinstance(field, ForeignKey) and isinstance(field.target_field, AutoField)):
        return lambda value: value
    return lambda value: field.get_db_prep_save(value, connection)


def _upsert_rows(model: type[Model], conflict: list[str], rows: list[dict[str, Any]], update: bool = True) -> None:
    """INSERT … ON CONFLICT DO UPDATE (or DO NOTHING) with executemany (SQLite and PostgreSQL): Django's
    bulk_create spends most of its time compiling SQL for each row, which would cap applying far below
    2,000 records/s."""
    if not rows:
        return
    meta = model._meta
    names = list(rows[0])
    fields: list[Field[Any, Any]] = [meta.get_field(name) for name in names]  # type: ignore[misc]
    qn = connection.ops.quote_name
    columns = [qn(str(f.column)) for f in fields]
    targets = {qn(str(meta.get_field(name).column)) for name in conflict}  # type: ignore[union-attr]
    # Only model metadata (quoted table and column names) is formatted in; every value is a parameter.
    sql = (
        f"INSERT INTO {qn(meta.db_table)} ({', '.join(columns)}) VALUES ({', '.join(['%s'] * len(columns))}) "  # noqa: S608
        f"ON CONFLICT ({', '.join(sorted(targets))}) "
        + ("DO UPDATE SET " + ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in targets)
           if update else "DO NOTHING")
    )
    prepare = [_preparer(f) for f in fields]
    params = [[prep(row[name]) for prep, name in zip(prepare, names, strict=True)] for row in rows]
    with connection.cursor() as cursor:
        cursor.executemany(sql, params)


def _upsert(records: list[dict[str, Any]], assets: dict[str, dict[str, Any]]) -> list[int]:
    agencies = {r["agency"]["code"]: r["agency"] for r in records}
    Agency.objects.bulk_create(
        [Agency(code=a["code"], name=a["name"], name_en=a["name_en"], abbreviation=a["abbreviation"], kind=a["kind"],
                is_central=a["is_central"]) for a in agencies.values()],
        update_conflicts=True, unique_fields=["code"], update_fields=["name", "name_en", "abbreviation", "kind"],
    )
    agency_ids = dict(Agency.objects.filter(code__in=list(agencies)).values_list("code", "pk"))
    topics = {t["code"]: t for r in records for t in r["topics"]}
    if topics:
        Topic.objects.bulk_create(
            [Topic(code=t["code"], name=t["name"], name_en=t["name_en"]) for t in topics.values()],
            update_conflicts=True, unique_fields=["code"], update_fields=["name", "name_en"],
        )
    topic_ids = dict(Topic.objects.filter(code__in=list(topics)).values_list("code", "pk"))
    province_keys = {k for r in records for k in r["provinces"]}
    unit_ids = dict(AdminUnit.objects.filter(key__in=list(province_keys)).values_list("key", "pk"))

    _upsert_rows(Item, ["uid"], [
        {"uid": uuid.UUID(r["uid"]), "kind": r["kind"], "source_language": r["source_language"],
         "agency_id": agency_ids[r["agency"]["code"]], "audience": r["audience"], "classification": r["classification"],
         "target_countries": r["countries"], "valid_from": _dt(r["valid_from"]), "valid_until": _dt(r["valid_until"]),
         "state": r["state"], "state_changed_at": _when(r["state_changed_at"]), "created_at": _when(r["created_at"]),
         "updated_at": _when(r["updated_at"]), "published_at": _dt(r["published_at"]), "version": int(r["v"])}
        for r in records
    ])
    item_ids = {str(u): pk for u, pk in Item.objects.filter(
        uid__in=[uuid.UUID(r["uid"]) for r in records]).values_list("uid", "pk")}
    ids = list(item_ids.values())

    topic_through = Item.topics.through
    topic_through.objects.filter(item_id__in=ids).delete()
    _upsert_rows(topic_through, ["item", "topic"], [
        {"item_id": item_ids[r["uid"]], "topic_id": topic_ids[t["code"]]} for r in records for t in r["topics"]
    ], update=False)
    province_through = Item.target_provinces.through
    province_through.objects.filter(item_id__in=ids).delete()
    _upsert_rows(province_through, ["item", "adminunit"], [
        {"item_id": item_ids[r["uid"]], "adminunit_id": unit_ids[k]}
        for r in records for k in r["provinces"] if k in unit_ids
    ], update=False)

    # Variants: drop languages no longer shipped, then upsert sources before translations (they point at them).
    keep = {(item_ids[r["uid"]], v["language"]) for r in records for v in r["variants"]}
    obsolete = [pk for pk, item_id, lang in Variant.objects.filter(item_id__in=ids).values_list(
        "pk", "item_id", "language") if (item_id, lang) not in keep]
    Attachment.objects.filter(variant__item_id__in=ids).delete()
    if obsolete:
        Variant.objects.filter(pk__in=obsolete).delete()
    def variant(item_id: int, v: dict[str, Any], source_id: int | None) -> dict[str, Any]:
        return {"item_id": item_id, "language": v["language"], "title": v["title"], "summary": v["summary"],
                "body": v["body"], "revision": v["revision"], "translation_state": v["translation_state"],
                "source_variant_id": source_id, "source_revision": v["source_revision"],
                "created_at": _when(v["created_at"]), "updated_at": _when(v["updated_at"])}

    _upsert_rows(Variant, ["item_id", "language"],
                 [variant(item_ids[r["uid"]], v, None) for r in records for v in r["variants"] if v["source"]])
    variant_ids = {(item_id, lang): pk for pk, item_id, lang in Variant.objects.filter(item_id__in=ids).values_list(
        "pk", "item_id", "language")}
    source_lang = {r["uid"]: r["source_language"] for r in records}
    translations = [
        variant(item_ids[r["uid"]], v, variant_ids.get((item_ids[r["uid"]], source_lang[r["uid"]])))
        for r in records for v in r["variants"] if not v["source"]
    ]
    if translations:
        _upsert_rows(Variant, ["item_id", "language"], translations)
        variant_ids = {(item_id, lang): pk for pk, item_id, lang in Variant.objects.filter(
            item_id__in=ids).values_list("pk", "item_id", "language")}

    shas = {a["sha"] for r in records for v in r["variants"] for a in v["attachments"]}
    if shas:
        Asset.objects.bulk_create(
            [Asset(sha256=s, size=assets[s]["size"], mime_type=assets[s]["mime_type"],
                   file_kind=assets[s]["file_kind"], extracted_text=assets[s]["extracted_text"],
                   page_count=assets[s]["page_count"], width=assets[s]["width"], height=assets[s]["height"],
                   duration_seconds=assets[s]["duration_seconds"], thumbnail_sha256=assets[s]["thumbnail_sha256"],
                   created_at=_dt(assets[s]["created_at"]) or timezone.now()) for s in shas],
            ignore_conflicts=True,
        )
        asset_ids = dict(Asset.objects.filter(sha256__in=list(shas)).values_list("sha256", "pk"))
        now = timezone.now()
        _upsert_rows(Attachment, ["variant", "asset"], [
            {"variant_id": variant_ids[(item_ids[r["uid"]], v["language"])], "asset_id": asset_ids[a["sha"]],
             "filename": a["name"], "position": a["pos"], "added_at": now}
            for r in records for v in r["variants"] for a in v["attachments"]
        ], update=False)
    return ids


def _remove(tombstones: list[dict[str, Any]], removed_blobs: set[str], epoch: int) -> list[int]:
    """Delete these items; remember each at its version, and whether it went because it is not meant for this
    node (it may come back after a targeting change) or because it was withdrawn, expired or archived."""
    uids = [uuid.UUID(t["uid"]) for t in tombstones]
    ids = list(Item.objects.filter(uid__in=uids).values_list("pk", flat=True))
    asset_shas = set(Attachment.objects.filter(variant__item_id__in=ids).values_list("asset__sha256", flat=True))
    Item.objects.filter(pk__in=ids).delete()
    versions = {t["uid"]: int(t["v"]) for t in tombstones}
    existing = {str(g.uid): g for g in GoneItem.objects.filter(uid__in=uids)}
    now = timezone.now()
    untargeted = {t["uid"] for t in tombstones if t.get("reason") == "untargeted"}
    rows = [
        GoneItem(uid=uuid.UUID(u), version=version, untargeted=u in untargeted, epoch=epoch, at=now)
        for u, version in versions.items() if u not in existing or existing[u].version <= version
    ]
    GoneItem.objects.bulk_create(rows, update_conflicts=True, unique_fields=["uid"],
                                 update_fields=["version", "untargeted", "epoch", "at"])
    _drop_orphan_assets(asset_shas, removed_blobs)
    return ids


def _drop_untargeted(targeted: set[str], epoch: int, removed_blobs: set[str]) -> list[int]:
    extra = [(str(u), v) for u, v in Item.objects.values_list("uid", "version") if str(u) not in targeted]
    if not extra:
        return []
    return _remove([{"uid": u, "v": v, "reason": "untargeted"} for u, v in extra], removed_blobs, epoch)


def _drop_orphan_assets(shas: set[str], removed_blobs: set[str]) -> None:
    if not shas:
        return
    used = set(Attachment.objects.filter(asset__sha256__in=list(shas)).values_list("asset__sha256", flat=True))
    orphans = shas - used
    if not orphans:
        return
    thumbs = set(Asset.objects.filter(sha256__in=list(orphans)).values_list("thumbnail_sha256", flat=True))
    Asset.objects.filter(sha256__in=list(orphans)).delete()
    removed_blobs.update(orphans)
    removed_blobs.update(t for t in thumbs if t)


def _forget_blobs(shas: set[str]) -> None:
    """After commit: files no asset uses any more leave the disk (and the chunk index)."""
    for sha in shas:
        if Asset.objects.filter(sha256=sha).exists() or Asset.objects.filter(thumbnail_sha256=sha).exists():
            continue
        ChunkLocation.objects.filter(file_sha256=sha).delete()
        files.delete_blob(sha)


def collect_unreferenced_blobs() -> int:
    """Remove stored files that no asset refers to (left by an interrupted run). Node only, when caught up."""
    names = set(files.list_blobs())
    if not names:
        return 0
    kept = set(Asset.objects.values_list("sha256", flat=True)) | set(
        Asset.objects.values_list("thumbnail_sha256", flat=True))
    removed = 0
    for name in names - kept:
        files.delete_blob(name)
        ChunkLocation.objects.filter(file_sha256=name).delete()
        removed += 1
    root = Path(settings.BLOB_DIR)
    for tmp in root.glob("??/??/.tmp-*"):  # left by an interrupted write to a directory store
        tmp.unlink(missing_ok=True)
    return removed
