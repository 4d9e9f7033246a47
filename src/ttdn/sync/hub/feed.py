"""The change feed on the hub: one FeedEntry per item change, and batches rendered for one node.

A batch is JSON compressed with zstd and signed with the hub's Ed25519 key (`transport.wire`). It holds, for the items
changed after the node's cursor, either the item as that node may see it (a record) or a tombstone
(withdrawn, expired, archived, or no longer meant for that node). Records are whole snapshots of the
item at its current version, so applying them is idempotent and order does not matter.
"""

from __future__ import annotations

import datetime as dt
import threading
import time
import uuid
from collections import OrderedDict
from collections.abc import Callable, Hashable, Iterable
from dataclasses import dataclass
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Prefetch, Q
from django.utils import timezone
from django.utils.translation import gettext as _

from ttdn.content import permissions as perms
from ttdn.content import visibility
from ttdn.content.models import Attachment, Item, Variant
from ttdn.core.errors import ServiceError
from ttdn.places.models import SiteKind
from ttdn.sync.hub import chunking
from ttdn.sync.models import ChunkLocation, EdgeNode, FeedEntry, NodeAudience
from ttdn.sync.transport import wire

# Any number; the advisory lock that lets a reader see a feed without holes (PostgreSQL only).
_FEED_LOCK = 7_301_004
# Seconds a reader waits for the writers in flight to commit before it calls the feed busy.
FEED_BUSY_WAIT = 5.0
# Sites where officials work: officials-only material may go there (never to a commune's public kiosk).
OFFICIAL_SITE_KINDS = frozenset({
    SiteKind.BORDER_POST, SiteKind.GATE_INTERNATIONAL, SiteKind.GATE_MAIN, SiteKind.GATE_SECONDARY, SiteKind.AIRPORT,
})
GONE_VERSION = 2**31 - 1  # the version of a tombstone for an item that no longer exists at all


# ------------------------------------------------------------------------------------- the feed itself


def record_changes(item_ids: list[int]) -> None:
    """The content listener: one feed entry per changed item, inside the writing transaction."""
    if settings.ROLE != "hub" or not item_ids:
        return
    if connection.vendor == "postgresql":
        # Held until commit; a reader takes the exclusive form to know no lower seq is still in flight.
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock_shared(%s)", [_FEED_LOCK])
    uids = dict(Item.objects.filter(pk__in=item_ids).values_list("pk", "uid"))
    now = timezone.now()
    FeedEntry.objects.bulk_create(
        [FeedEntry(item_id=pk, item_uid=uids[pk], at=now) for pk in item_ids if pk in uids]
    )


def high_water_mark() -> int:
    """The highest seq below which every entry is committed: a node's cursor never jumps over a hole.

    SQLite commits writers one at a time, in seq order. On PostgreSQL a writer holds a shared advisory
    lock until it commits; the reader only tries the exclusive lock (it never queues, so it cannot
    deadlock with writers) and, if writers are busy, retries briefly, else answers -1 (busy).
    """
    return _head()[0]


def _head() -> tuple[int, str]:
    """(the high-water mark, when that entry was written): the pair names the feed's state, even on SQLite where a
    rolled-back entry's seq can be given again (to another entry, written at another instant). (-1, "") if busy."""
    if connection.vendor != "postgresql":
        row = FeedEntry.objects.order_by("-seq").values_list("seq", "at").first()
        return (int(row[0]), row[1].isoformat()) if row else (0, "")
    deadline = time.monotonic() + FEED_BUSY_WAIT
    while True:
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT pg_try_advisory_xact_lock(%s)", [_FEED_LOCK])
            if cursor.fetchone()[0]:
                cursor.execute("SELECT seq, at FROM sync_feedentry ORDER BY seq DESC LIMIT 1")
                found = cursor.fetchone()
                return (int(found[0]), found[1].isoformat()) if found else (0, "")
        if time.monotonic() > deadline:
            return -1, ""
        time.sleep(0.02)


# ------------------------------------------------------------------------------------------- targeting


@dataclass(frozen=True)
class Target:
    provinces: frozenset[int]
    country: str
    languages: frozenset[str]
    officials: bool

    @property
    def viewer(self) -> visibility.Viewer:
        """The node as the visibility rules see it."""
        return visibility.Viewer.of_node(self.provinces, self.country, self.officials)


def target_of(node: EdgeNode) -> Target:
    site = node.site
    provinces = {site.province_id}
    # A site recorded under a province that has since merged also receives what targets its successor.
    provinces.update(unit.pk for unit in site.province.current_successors())
    officials = node.audience == NodeAudience.OFFICIALS and site.kind in OFFICIAL_SITE_KINDS
    return Target(frozenset(provinces), site.neighbour_country or "", frozenset({"vi", *node.languages}), officials)


def wants(target: Target, item: Item, now: dt.datetime | None = None) -> bool:
    """Whether this item, as it stands, belongs on the node (targets prefetched): the visibility rules."""
    return visibility.can_see(target.viewer, item, now)


def wanted_q(target: Target, now: dt.datetime | None = None) -> Q:
    """The queryset form of `wants`."""
    return visibility.items_q(target.viewer, now)


def _items(ids: Iterable[int]) -> list[Item]:
    variants = Variant.objects.prefetch_related(
        Prefetch("attachments", queryset=Attachment.objects.select_related("asset"))
    )
    return list(
        Item.objects.filter(pk__in=list(ids)).select_related("agency")
        .prefetch_related("topics", "target_provinces", Prefetch("variants", queryset=variants))
    )


def targeted_versions(node: EdgeNode) -> dict[str, list[Any]]:
    """uid → [version, languages shipped] of every item the node should hold now: a node holding another
    version, or other languages (its language targeting changed), asks for the record again."""
    target = target_of(node)
    now = timezone.now()
    variants = Variant.objects.only("item_id", "language", "source_variant_id", "translation_state", "revision",
                                    "source_revision")
    live = Item.objects.filter(wanted_q(target, now)).prefetch_related("target_provinces",
                                                                      Prefetch("variants", variants))
    out: dict[str, list[Any]] = {}
    for item in live:
        if wants(target, item, now):  # the same rule: the query only spares loading the rest
            wanted = target.languages | {item.source_language}
            shown = perms.shown_variants(None, item, list(item.variants.all()))
            out[str(item.uid)] = [item.version, sorted(v.language for v in shown if v.language in wanted)]
    return out


def files_for_node(node: EdgeNode, file_shas: Iterable[str]) -> set[str]:
    """Of these stored files, those the node receives: attached (or the thumbnail of a file attached) to a
    language version it is sent of an item it is sent — the same rule as the records it gets."""
    wanted_files = set(file_shas)
    if not wanted_files:
        return set()
    item_ids = set(Attachment.objects.filter(
        Q(asset__sha256__in=wanted_files) | Q(asset__thumbnail_sha256__in=wanted_files)
    ).values_list("variant__item_id", flat=True))
    target = target_of(node)
    now = timezone.now()
    allowed: set[str] = set()
    for item in _items(item_ids):
        if not wants(target, item, now):
            continue
        languages = target.languages | {item.source_language}
        for variant in perms.shown_variants(None, item, list(item.variants.all())):
            if variant.language in languages:
                for attachment in variant.attachments.all():
                    allowed.update({attachment.asset.sha256, attachment.asset.thumbnail_sha256})
    return allowed & wanted_files


def chunks_for_node(node: EdgeNode, chunk_shas: Iterable[str]) -> set[str]:
    """Of these chunks, those the node may fetch: a chunk is served only as a piece of a file the node
    receives (a chunk hash can be the hash of a whole small file, and that is in every file link)."""
    locations = list(ChunkLocation.objects.filter(chunk_sha256__in=set(chunk_shas))
                     .values_list("chunk_sha256", "file_sha256").distinct())
    allowed_files = files_for_node(node, {file_sha for _chunk, file_sha in locations})
    return {chunk for chunk, file_sha in locations if file_sha in allowed_files}


# --------------------------------------------------------------------------------------------- records


def _iso(value: dt.datetime | None) -> str | None:
    return value.isoformat() if value else None


def _render(item: Item, target: Target, assets: dict[str, dict[str, Any]]) -> dict[str, Any]:
    variants = list(item.variants.all())
    shown = perms.shown_variants(None, item, variants)
    wanted_languages = target.languages | {item.source_language}
    out_variants = []
    for v in shown:
        if v.language not in wanted_languages:
            continue
        attachments = []
        for a in v.attachments.all():
            asset = a.asset
            attachments.append({"sha": asset.sha256, "name": a.filename, "pos": a.position})
            if asset.sha256 not in assets:
                assets[asset.sha256] = {
                    "sha256": asset.sha256, "size": asset.size, "mime_type": asset.mime_type,
                    "file_kind": asset.file_kind, "extracted_text": asset.extracted_text,
                    "page_count": asset.page_count, "width": asset.width, "height": asset.height,
                    "duration_seconds": asset.duration_seconds, "thumbnail_sha256": asset.thumbnail_sha256,
                    "created_at": _iso(asset.created_at),
                }
        out_variants.append({
            "language": v.language, "title": v.title, "summary": v.summary, "body": v.body,
            "revision": v.revision, "translation_state": v.translation_state,
            "source": v.source_variant_id is None, "source_revision": v.source_revision,
            "created_at": _iso(v.created_at), "updated_at": _iso(v.updated_at), "attachments": attachments,
        })
    agency = item.agency
    return {
        "uid": str(item.uid), "v": item.version, "kind": item.kind, "source_language": item.source_language,
        "agency": {"code": agency.code, "name": agency.name, "name_en": agency.name_en,
                   "abbreviation": agency.abbreviation, "kind": agency.kind, "is_central": agency.is_central},
        "audience": item.audience, "classification": item.classification,
        "provinces": sorted(p.key for p in item.target_provinces.all()),
        "countries": list(item.target_countries or []),
        "valid_from": _iso(item.valid_from), "valid_until": _iso(item.valid_until),
        "state": item.state, "state_changed_at": _iso(item.state_changed_at), "created_at": _iso(item.created_at),
        "updated_at": _iso(item.updated_at), "published_at": _iso(item.published_at),
        "topics": [{"code": t.code, "name": t.name, "name_en": t.name_en} for t in item.topics.all()],
        "variants": out_variants,
    }


def _files_for(assets: dict[str, dict[str, Any]]) -> dict[str, dict[str, Any]]:
    wanted = set(assets) | {a["thumbnail_sha256"] for a in assets.values() if a["thumbnail_sha256"]}
    out: dict[str, dict[str, Any]] = {}
    for sha in sorted(wanted):
        chunks = chunking.chunks_of(sha)
        out[sha] = {"size": chunks.size, "chunks": chunks.chunks}
    return out


def _render_some(target: Target, now: dt.datetime, item_ids: Iterable[int],
                 uids: dict[int, str] | None, assets: dict[str, dict[str, Any]]) -> tuple[list[Any], list[Any]]:
    ids = list(dict.fromkeys(item_ids))
    # Decide first on what targeting needs, then load whole only the items this node receives: most of a
    # feed batch is often meant for other sites, and the node waits for the batch with its link idle.
    light = Item.objects.filter(pk__in=ids).prefetch_related("target_provinces")
    wanted = {item.pk for item in light if wants(target, item, now)}
    items = {item.pk: item for item in light}
    items.update((item.pk, item) for item in _items(wanted))
    records: list[dict[str, Any]] = []
    tombstones: list[dict[str, Any]] = []
    for pk in ids:
        item = items.get(pk)
        if item is None:
            if uids and pk in uids:
                tombstones.append({"uid": uids[pk], "v": GONE_VERSION, "reason": "deleted"})
            continue
        if pk in wanted:
            records.append(_render(item, target, assets))
        else:
            reason = item.state if item.state in perms.GONE_STATES else "untargeted"
            tombstones.append({"uid": str(item.uid), "v": item.version, "reason": reason})
    return records, tombstones


def render_for(node: EdgeNode, item_ids: Iterable[int], uids: dict[int, str] | None = None) -> dict[str, Any]:
    """Records and tombstones for these items as `node` may see them, with their assets and file chunk lists."""
    assets: dict[str, dict[str, Any]] = {}
    records, tombstones = _render_some(target_of(node), timezone.now(), item_ids, uids, assets)
    return {"records": records, "tombstones": tombstones, "assets": assets, "files": _files_for(assets)}


# A tombstone is about 25 bytes compressed, a record several kilobytes: a batch holds up to `limit` records,
# or this many times as many tombstones (a node whose material comes late in the feed gets the entries of
# other sites in a few batches, not one round trip per `limit` entries, while a batch cut by a dropped
# connection still resends little: 5,000 tombstones are about 120 KB).
TOMBSTONES_PER_RECORD = 5
# Feed entries scanned for one batch at most, in multiples of `limit` (the hub's work per request).
MAX_PAGES = 10


def _busy() -> ServiceError:
    # Writers kept the feed busy: refused, not answered "nothing new" (a node would end its sync "ok" without
    # what was published, a USB bundle would travel empty). The node retries a 503; a bundle is made again.
    return ServiceError("feed_busy", _("Material is being published right now; try again in a moment."), status=503)


def feed_batch(node: EdgeNode, after: int, limit: int = 1000) -> dict[str, Any]:
    """The next batch after `after` for this node: feed entries read `limit` at a time until the batch holds
    `limit` records (tombstones counting 1/TOMBSTONES_PER_RECORD each), or MAX_PAGES pages were read."""
    hwm = high_water_mark()
    if hwm < 0:
        raise _busy()
    return _envelope(node, _feed_page(target_of(node), after, limit, hwm))


def feed_batch_json(node: EdgeNode, after: int, limit: int = 1000) -> bytes:
    """`feed_batch` as the JSON the wire carries (byte for byte `wire.dumps(feed_batch(…))`), its page — the records,
    tombstones, files and cursors, all but the node's own envelope — taken from the page cache when a node with
    the same targeting asked the same page of the same feed state (`PAGES`)."""
    hwm, written_at = _head()
    if hwm < 0:
        raise _busy()
    target = target_of(node)
    key = (target, after, limit, hwm, written_at, wire.FORMAT)
    page = PAGES.get(key)
    if page is None:
        page = wire.dumps(_feed_page(target, after, limit, hwm))
        PAGES.put(key, page)
    envelope = wire.dumps(_envelope(node, {}))
    # Two JSON objects joined into one: the page's keys, then the envelope's (the order `_envelope` gives).
    return page[:-1] + b"," + envelope[1:]


def _feed_page(target: Target, after: int, limit: int, hwm: int) -> dict[str, Any]:
    """The batch's content for this targeting (nothing in it depends on the node beyond its `Target`)."""
    if after >= hwm:
        # Nothing new (the usual answer to a node in service): no entry to read, nothing to render.
        return {"records": [], "tombstones": [], "assets": {}, "files": {}, "kind": "feed", "from": after,
                "to": after, "hwm": hwm, "more": False}
    now = timezone.now()
    assets: dict[str, dict[str, Any]] = {}
    records: list[dict[str, Any]] = []
    tombstones: list[dict[str, Any]] = []
    seen: set[int] = set()
    to_seq = after
    for _page in range(MAX_PAGES):
        entries = list(
            FeedEntry.objects.filter(seq__gt=to_seq, seq__lte=hwm).order_by("seq")
            .values_list("seq", "item_id", "item_uid")[:limit]
        )
        uids = {item_id: str(uid) for _seq, item_id, uid in entries}
        # An item changed several times is rendered once (its current state), as within a page.
        page_ids = [item_id for _seq, item_id, _uid in entries if item_id not in seen]
        seen.update(page_ids)
        page_records, page_tombstones = _render_some(target, now, page_ids, uids, assets)
        records += page_records
        tombstones += page_tombstones
        if len(entries) < limit:
            to_seq = max(hwm, after)
            break
        to_seq = entries[-1][0]
        if len(records) + len(tombstones) / TOMBSTONES_PER_RECORD >= limit:
            break
    return {"records": records, "tombstones": tombstones, "assets": assets, "files": _files_for(assets),
            "kind": "feed", "from": after, "to": to_seq, "hwm": hwm, "more": to_seq < hwm}


# ------------------------------------------------------------------------------------------ page cache


class PageCache:
    """Built feed pages (JSON), least recently used dropped first once they hold more than `max_bytes`.

    The nodes of one targeting (the same sites' provinces, neighbour country, languages and audience) ask the
    same pages: after a publish every node in service asks from the same cursor, and a node restored after a disk
    loss asks the pages from 0 that its neighbours asked before. The key holds what the page is a function of:
    the targeting, the cursor, the limit, and the feed's state (the high-water mark and when that entry was
    written), so a publish, an edit or a withdrawal — each a new feed entry — is a new key and an older page is
    never served for it. Pages also age out after `max_age` seconds, so that what changes with time alone (an
    item reaching its end of validity, an agency renamed) is at most that late, as if the node had asked then.
    Per process, thread-safe."""

    def __init__(self, max_bytes: int, max_age: float) -> None:
        self.max_bytes, self.max_age = max_bytes, max_age
        self._pages: OrderedDict[Hashable, tuple[float, bytes]] = OrderedDict()
        self._lock = threading.Lock()
        self.size = self.hits = self.misses = 0

    def get(self, key: Hashable) -> bytes | None:
        with self._lock:
            found = self._pages.get(key)
            if found is None or time.monotonic() - found[0] > self.max_age:
                if found is not None:
                    self._drop(key)
                self.misses += 1
                return None
            self._pages.move_to_end(key)
            self.hits += 1
            return found[1]

    def put(self, key: Hashable, page: bytes) -> None:
        if len(page) > self.max_bytes // 4:
            return  # one page would push out most others: built again when asked
        with self._lock:
            if key in self._pages:
                self._drop(key)
            self._pages[key] = (time.monotonic(), page)
            self.size += len(page)
            while self.size > self.max_bytes:
                self._drop(next(iter(self._pages)))

    def _drop(self, key: Hashable) -> None:
        _at, page = self._pages.pop(key)
        self.size -= len(page)

    def clear(self) -> None:
        with self._lock:
            self._pages.clear()
            self.size = 0

    def __len__(self) -> int:
        return len(self._pages)


PAGES = PageCache(settings.SYNC_FEED_CACHE_MB * 1024 * 1024, max_age=60.0)


def reconcile_batch(node: EdgeNode) -> dict[str, Any]:
    """What the node should hold after a targeting change: it drops the rest and asks for what it lacks."""
    return _envelope(node, {"kind": "reconcile", "targeted": targeted_versions(node), "records": [],
                            "tombstones": [], "assets": {}, "files": {}})


def records_batch(node: EdgeNode, item_uids: list[str]) -> dict[str, Any]:
    valid = []
    for raw in item_uids:
        try:
            valid.append(uuid.UUID(str(raw)))
        except ValueError:
            continue
    ids = dict(Item.objects.filter(uid__in=valid).values_list("pk", "uid"))
    body = render_for(node, list(ids), {pk: str(uid) for pk, uid in ids.items()})
    found = {str(u) for u in ids.values()}
    body["tombstones"].extend({"uid": str(u), "v": GONE_VERSION, "reason": "deleted"}
                              for u in valid if str(u) not in found)
    body["kind"] = "records"
    return _envelope(node, body)


# Parts other apps add to every batch, network and bundle alike (points: the hub's bulletin classes), so that
# sync does not import them; each is a function of the node, its value a small JSON-able snapshot.
_batch_parts: dict[str, Callable[[EdgeNode], Any]] = {}


def batch_part(name: str, part: Callable[[EdgeNode], Any]) -> None:
    _batch_parts[name] = part


def _envelope(node: EdgeNode, body: dict[str, Any]) -> dict[str, Any]:
    body.update({"format": wire.FORMAT, "node": str(node.uid), "epoch": node.targeting_epoch})
    for name, part in _batch_parts.items():
        body[name] = part(node)
    return body
