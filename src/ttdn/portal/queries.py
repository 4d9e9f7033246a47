"""What the public sees: anonymous visibility from content.permissions, narrowed by the portal's filters."""

from __future__ import annotations

import datetime as dt
import hashlib
import unicodedata
from dataclasses import dataclass

from django.contrib.auth.models import AnonymousUser
from django.db.models import Count, Max, QuerySet, Sum
from django.utils.text import slugify

from ttdn.content import permissions as perms
from ttdn.content.models import Item, ItemKind, Variant

ANONYMOUS = AnonymousUser()
FEED_SIZE = 50


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


def valid_kind(kind: str) -> bool:
    return kind == "" or kind in ItemKind.values


def public_items(filters: Filters) -> QuerySet[Item]:
    """Public, live items with a finished version in the language, as an anonymous visitor may see them."""
    qs = perms.visible_items(ANONYMOUS).filter(
        variants__in=Variant.objects.filter(perms.ready_variants_q(), language=filters.language)
    )
    if filters.topic:
        qs = qs.filter(topics__code=filters.topic)
    if filters.province:
        qs = qs.filter(target_provinces__gso_code=filters.province, target_provinces__level="province")
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    return qs.distinct()


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


def freshness(filters: Filters) -> Freshness:
    """One aggregate query: any publication, withdrawal, expiry or change (items' versions) changes the tag."""
    agg = public_items(filters).aggregate(
        n=Count("id", distinct=True), u=Max("updated_at"), s=Max("state_changed_at"),
        v=Max("variants__updated_at"), p=Max("published_at"), version=Sum("version"),
    )
    stamps = [t for t in (agg["u"], agg["s"], agg["v"], agg["p"]) if t is not None]
    raw = f"{filters.key()}|{agg['n']}|{agg['version']}|" + "|".join(t.isoformat() for t in stamps)
    return Freshness(hashlib.sha256(raw.encode()).hexdigest()[:32], max(stamps) if stamps else None)
