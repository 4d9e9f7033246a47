"""What the public sees: anonymous visibility from content.permissions, narrowed by the portal's filters."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.core.cache import cache
from django.db import transaction
from django.db.models import Count, Max, Q, QuerySet, Sum
from django.utils.text import slugify

from ttdn.content import permissions as perms
from ttdn.content.models import Audience, Item, ItemKind, State, Tombstone, Variant

ANONYMOUS = AnonymousUser()
FEED_SIZE = 50
TOMBSTONE_DAYS = 30  # how long a feed announces what left it


def slug(text: str) -> str:
    """Vietnamese URL slug without diacritics; đ is a letter of its own and becomes d."""
    text = text.replace("đ", "d").replace("Đ", "D")
    text = unicodedata.normalize("NFKD", text)
    return slugify(text)[:80] or "tin"


@dataclass(frozen=True)
class Filters:
    language: str
    topic: str = ""
    province: str = ""  # AdminUnit gso_code
    kind: str = ""

    def key(self) -> str:
        return f"{self.language}|{self.topic}|{self.province}|{self.kind}"

    def segments(self) -> str:
        """The filters as path segments, in one order ("topic/bien-gioi/province/64"): one URL per feed."""
        pairs = (("topic", self.topic), ("province", self.province), ("kind", self.kind))
        return "/".join(f"{name}/{value}" for name, value in pairs if value)


FILTER_NAMES = ("topic", "province", "kind")


def filters_from_segments(language: str, segments: str) -> Filters | None:
    """Filters from "topic/<code>/province/<gso>/kind/<kind>" (any order, each at most once); None if malformed."""
    parts = [p for p in segments.split("/") if p] if segments else []
    if len(parts) % 2 or len(parts) > 2 * len(FILTER_NAMES):
        return None
    values = dict(zip(parts[::2], parts[1::2], strict=True))
    if len(values) != len(parts) // 2 or not set(values) <= set(FILTER_NAMES):
        return None
    if not valid_kind(values.get("kind", "")) or len(values.get("topic", "")) > 64:
        return None
    if len(values.get("province", "")) > 8:
        return None
    return Filters(language=language, topic=values.get("topic", ""), province=values.get("province", ""),
                   kind=values.get("kind", ""))


def valid_kind(kind: str) -> bool:
    return kind == "" or kind in ItemKind.values


def _narrowed(qs: QuerySet[Item], filters: Filters) -> QuerySet[Item]:
    qs = qs.filter(variants__in=Variant.objects.filter(perms.ready_variants_q(), language=filters.language))
    if filters.topic:
        qs = qs.filter(topics__code=filters.topic)
    if filters.province:
        qs = qs.filter(target_provinces__gso_code=filters.province, target_provinces__level="province")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.distinct()


def public_items(filters: Filters) -> QuerySet[Item]:
    """Public, live items with a finished version in the language, as an anonymous visitor may see them."""
    return _narrowed(perms.visible_items(ANONYMOUS), filters)


def _recently_gone_q() -> Q:
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=TOMBSTONE_DAYS)
    return Q(audience=Audience.PUBLIC, state__in=perms.GONE_STATES, state_changed_at__gte=since)


def gone(filters: Filters, limit: int = FEED_SIZE) -> list[tuple[str, dt.datetime]]:
    """Public items of this feed withdrawn, expired or archived in the last 30 days: (uid, when), for Atom's
    deleted entries (RFC 6721). Only material that was public in the feed's language; never officials-only."""
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=TOMBSTONE_DAYS)
    when: dict[str, dt.datetime] = {}
    for stone in Tombstone.objects.filter(at__gte=since).order_by("-at", "-id")[: limit * 4]:
        when.setdefault(str(stone.item_uid), stone.at)
    qs = _narrowed(Item.objects.filter(uid__in=list(when), audience=Audience.PUBLIC)
                   .exclude(state=State.PUBLISHED), filters)
    uids = {str(u) for u in qs.values_list("uid", flat=True)}
    return sorted(((u, when[u]) for u in uids), key=lambda pair: pair[1], reverse=True)[:limit]


def shown(item: Item) -> list[Variant]:
    """The language versions the public sees (finished and not stale), by the one rule."""
    return perms.shown_variants(ANONYMOUS, item, list(item.variants.all()))


def entries(filters: Filters, limit: int = FEED_SIZE) -> list[tuple[Item, Variant, list[Variant]]]:
    """Latest items with their version in the language (stale translations dropped by shown_variants)."""
    rows = []
    qs = public_items(filters).prefetch_related("variants", "variants__attachments__asset", "topics")
    for item in qs.order_by("-published_at", "-id")[: limit * 2]:
        variants = shown(item)
        variant = next((v for v in variants if v.language == filters.language), None)
        if variant is not None:
            rows.append((item, variant, variants))
        if len(rows) >= limit:
            break
    return rows


@dataclass(frozen=True)
class Freshness:
    etag: str
    last_modified: dt.datetime | None


# Every change to an item bumps the generation (content.changes), so a publication or a withdrawal shows at once;
# the freshness of a feed is kept for a few seconds within a generation, so a feed polled hundreds of times a
# second costs one cache read per poll. Time alone also changes what is live (an item's validity starting):
# that shows within FRESHNESS_SECONDS. The cache is per process: another process sees a change within as long.
GENERATION_KEY = "portal:generation"
FRESHNESS_SECONDS = 5


def new_generation() -> None:
    try:
        cache.incr(GENERATION_KEY)
    except ValueError:
        cache.set(GENERATION_KEY, 1, None)


def items_changed(item_ids: list[int]) -> None:
    """Listener (content.changes): bumped now, and again at the commit (a poll that read the generation
    between the two must not keep what it saw before the commit)."""
    new_generation()
    transaction.on_commit(new_generation)


def freshness(filters: Filters) -> Freshness:
    """One aggregate query: any publication, withdrawal, expiry or change (items' versions) changes the tag."""
    key = f"portal:fresh:{cache.get(GENERATION_KEY, 0)}:{filters.key()}"
    kept = cache.get(key)
    if isinstance(kept, Freshness):
        return kept
    # Over the live items and those that left the public lately (their deleted entries are in the feed too).
    shown_or_gone = Item.objects.filter(Q(pk__in=perms.visible_items(ANONYMOUS).values("pk")) | _recently_gone_q())
    agg = _narrowed(shown_or_gone, filters).aggregate(
        n=Count("id", distinct=True), u=Max("updated_at"), s=Max("state_changed_at"),
        v=Max("variants__updated_at"), p=Max("published_at"), version=Sum("version"),
    )
    stamps = [t for t in (agg["u"], agg["s"], agg["v"], agg["p"]) if t is not None]
    raw = f"{filters.key()}|{agg['n']}|{agg['version']}|" + "|".join(t.isoformat() for t in stamps)
    fresh = Freshness(hashlib.sha256(raw.encode()).hexdigest()[:32], max(stamps) if stamps else None)
    cache.set(key, fresh, FRESHNESS_SECONDS)
    return fresh
