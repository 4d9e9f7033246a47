"""Anonymous portal pages and feeds. No session, no cookies: everyone sees the same public material."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django.conf import settings
from django.core.cache import cache
from django.http import Http404, HttpRequest, HttpResponse, HttpResponseBadRequest, HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import http_date, quote_etag
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.clickjacking import xframe_options_exempt
from django.views.decorators.http import require_safe

from ttdn.content import permissions as perms
from ttdn.content.models import Item, Variant
from ttdn.core import languages

from . import feeds, ninjs
from . import services as alert_services
from .queries import (
    ANONYMOUS,
    FRESHNESS_SECONDS,
    GENERATION_KEY,
    Filters,
    entries,
    filters_from_segments,
    freshness,
    gone,
    public_items,
    shown,
    slug,
    valid_kind,
)


def _filters(request: HttpRequest, language: str) -> Filters | None:
    if languages.get(language) is None or not valid_kind(request.GET.get("kind", "")):
        return None
    return Filters(language=language, topic=request.GET.get("topic", "")[:64],
                   province=request.GET.get("province", "")[:8], kind=request.GET.get("kind", ""))


def _item_url(request: HttpRequest, item: Item, variant: Variant) -> str:
    return request.build_absolute_uri(reverse("portal:item", args=[variant.language, item.uid, slug(variant.title)]))


def _public(response: HttpResponse) -> HttpResponse:
    response["Cache-Control"] = "public, max-age=60"
    return response


def _file_url(request: HttpRequest, sha256: str) -> str:
    return request.build_absolute_uri(reverse("content:file", args=[sha256]))


def _not_modified(request: HttpRequest, etag: str, last_modified: Any) -> bool:
    inm = request.headers.get("If-None-Match")
    if inm is not None:
        return quote_etag(etag) in [t.strip() for t in inm.split(",")] or inm.strip() == "*"
    ims = request.headers.get("If-Modified-Since")
    return bool(ims and last_modified and ims == http_date(last_modified.timestamp()))


def feed_url(filters: Filters, fmt: str) -> str:
    """The feed's own address: filters as path segments (aggregators that drop query strings keep them)."""
    if not filters.segments():
        return reverse(f"portal:feed_{fmt}", args=[filters.language])
    return reverse(f"portal:feed_{fmt}_path", args=[filters.language, filters.segments()])


def _feed(request: HttpRequest, language: str, fmt: str, segments: str | None = None) -> HttpResponseBase:
    if segments is None:
        filters = _filters(request, language)
    else:
        filters = filters_from_segments(language, segments) if languages.get(language) else None
    if filters is None:
        return HttpResponseBadRequest(_("Unknown language or kind of material, or a malformed feed address "
                                        "(…/topic/<code>/province/<code>/kind/<kind>)."))
    fresh = freshness(filters)
    if _not_modified(request, fresh.etag, fresh.last_modified):
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        # The body is cached under its tag: a new tag (any change) never meets an old body.
        key = f"portal:feed:{fmt}:{request.get_host()}:{fresh.etag}"
        cached = cache.get(key)
        if cached is None:
            rows = entries(filters)
            title = _("Foreign information") + f" ({languages.name(language, language)})"
            self_url = request.build_absolute_uri(feed_url(filters, fmt))
            home = request.build_absolute_uri(reverse("portal:home"))
            if fmt == "atom":
                body = feeds.atom(filters, rows, self_url, lambda i, v: _item_url(request, i, v), title,
                                  fresh.last_modified, lambda sha: _file_url(request, sha), gone(filters))
            else:
                doc = feeds.json_feed(filters, rows, self_url, home, lambda i, v: _item_url(request, i, v), title,
                                      lambda sha: _file_url(request, sha))
                body = json.dumps(doc, ensure_ascii=False).encode()
            cache.set(key, body, 3600)
            cached = body
        ctype = "application/atom+xml; charset=utf-8" if fmt == "atom" else "application/feed+json; charset=utf-8"
        response = HttpResponse(cached, content_type=ctype)
    response["ETag"] = quote_etag(fresh.etag)
    if fresh.last_modified:
        response["Last-Modified"] = http_date(fresh.last_modified.timestamp())
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def feed_atom(request: HttpRequest, language: str) -> HttpResponseBase:
    return _feed(request, language, "atom")


@require_safe
def feed_json(request: HttpRequest, language: str) -> HttpResponseBase:
    return _feed(request, language, "json")


@require_safe
def feed_atom_path(request: HttpRequest, language: str, segments: str) -> HttpResponseBase:
    return _feed(request, language, "atom", segments)


@require_safe
def feed_json_path(request: HttpRequest, language: str, segments: str) -> HttpResponseBase:
    return _feed(request, language, "json", segments)


@require_safe
def home(request: HttpRequest) -> HttpResponse:
    language = request.GET.get("lang", "vi")
    filters = _filters(request, language) or Filters(language="vi")
    # Cached under the feed's tag: a publication, withdrawal or expiry makes a new key.
    key = f"portal:home:{get_language()}:{request.get_host()}:{freshness(filters).etag}"
    body = cache.get(key)
    if body is None:
        rows = [(item, variant, _item_url(request, item, variant)) for item, variant, _v in entries(filters, 30)]
        context = {"filters": filters, "rows": rows, "language_name": languages.name(filters.language, "vi"),
                   "page_language": filters.language, "feed_atom": feed_url(filters, "atom"),
                   "feed_json": feed_url(filters, "json")}
        body = render(request, "portal/home.html", context).content
        cache.set(key, body, 3600)
    return _public(HttpResponse(body))


@require_safe
def item_page(request: HttpRequest, language: str, uid: str, slug_text: str = "") -> HttpResponse:
    # The visibility decision and the rendering are kept within the feeds' generation (every change to an item
    # makes a new one) for at most FRESHNESS_SECONDS: a withdrawal shows at once, a validity ending within that.
    key = (f"portal:itempage:{cache.get(GENERATION_KEY, 0)}:{uid}:{language}:{get_language()}:"
           f"{request.get_host()}")
    kept = cache.get(key)
    if kept is None:
        kept = _item_page(request, language, uid)
        cache.set(key, kept, FRESHNESS_SECONDS)
    if kept[0] is None:
        raise Http404
    if slug_text != kept[0]:
        return redirect("portal:item", language, uid, kept[0], permanent=True)  # type: ignore[return-value]
    return _public(HttpResponse(kept[1]))


def _item_page(request: HttpRequest, language: str, uid: str) -> tuple[str | None, bytes]:
    """(the page's slug, its body), or (None, b"") when the public may not see it in that language."""
    item = public_items(Filters(language=language)).filter(uid=uid).select_related("agency").first()
    variants = shown(item) if item else []
    variant = next((v for v in variants if v.language == language), None)
    if item is None or variant is None:
        return None, b""
    alternates = [(v.language, languages.name(v.language, v.language), _item_url(request, item, v))
                  for v in variants]
    attachments = list(variant.attachments.select_related("asset").order_by("position"))
    og_media = [(f"og:{a.asset.file_kind}", _file_url(request, a.asset.sha256), a.asset.mime_type)
                for a in attachments if a.asset.file_kind in {"image", "audio", "video"}]
    context = {"item": item, "variant": variant, "alternates": alternates, "attachments": attachments,
               "og_media": og_media, "canonical": _item_url(request, item, variant), "page_language": language}
    return slug(variant.title), render(request, "portal/item.html", context).content


@require_safe
def robots(request: HttpRequest) -> HttpResponse:
    sitemap = request.build_absolute_uri(reverse("sitemap"))
    text = "User-agent: *\nAllow: /portal/\nDisallow: /\n" + f"Sitemap: {sitemap}\n"
    return HttpResponse(text, content_type="text/plain; charset=utf-8")


@require_safe
def sitemap(request: HttpRequest) -> HttpResponse:
    seen: list[str] = []
    for item in perms.visible_items(ANONYMOUS).prefetch_related("variants").order_by("-published_at")[:5000]:
        for v in shown(item):
            seen.append(_item_url(request, item, v))
    body = ['<?xml version="1.0" encoding="UTF-8"?>',
            '<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9">']
    body += [f"<url><loc>{u}</loc></url>" for u in seen]
    body.append("</urlset>")
    return HttpResponse("\n".join(body), content_type="application/xml; charset=utf-8")


@xframe_options_exempt
@require_safe
def widget(request: HttpRequest, language: str) -> HttpResponseBase:
    """The latest items of a feed for agency portals to frame: a plain list, no cookies, no script needed."""
    filters = _filters(request, language)
    if filters is None:
        return HttpResponseBadRequest(_("Unknown language or kind of material."))
    try:
        limit = max(1, min(int(request.GET.get("limit", "10")), 30))
    except ValueError:
        limit = 10
    rows = [(item, variant, _item_url(request, item, variant)) for item, variant, _v in entries(filters, limit)]
    response = render(request, "portal/widget.html", {"filters": filters, "rows": rows,
                                                       "title": _("Foreign information")})
    # Framing is allowed for this page only; every other page keeps X-Frame-Options DENY.
    policy = {**settings.CONTENT_SECURITY_POLICY, "frame-ancestors": "*"}
    response["Content-Security-Policy"] = "; ".join(f"{name} {value}" for name, value in policy.items())
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def ninjs_item(request: HttpRequest, language: str, uid: str) -> HttpResponseBase:
    item = public_items(Filters(language=language)).filter(uid=uid).select_related("agency").first()
    variant = next((v for v in shown(item) if v.language == language), None) if item else None
    if item is None or variant is None:
        raise Http404
    doc = ninjs.document(item, variant, _item_url(request, item, variant),
                         lambda sha: _file_url(request, sha))
    response = HttpResponse(json.dumps(doc, ensure_ascii=False), content_type="application/json; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def search_page(request: HttpRequest) -> HttpResponse:
    """The search app's engine, as the anonymous public; each hit is checked again by the one visibility rule."""
    from ttdn.search.services import SearchQuery, search

    language = request.GET.get("lang", "vi")
    if languages.get(language) is None:
        language = "vi"
    text = request.GET.get("q", "")[:200]
    rows: list[tuple[Item, Variant, str]] = []
    if text.strip():
        results = search(None, SearchQuery(text=text, languages=[language], live_only=True, limit=30))
        uids = [hit.item_uid for hit in results.hits]
        items = {str(i.uid): i for i in public_items(Filters(language=language)).filter(uid__in=uids)
                 .prefetch_related("variants")}
        for uid in uids:
            item = items.get(str(uid))
            variant = next((v for v in shown(item) if v.language == language), None) if item else None
            if item is not None and variant is not None:
                rows.append((item, variant, _item_url(request, item, variant)))
    context = {"rows": rows, "text": text, "language": language,
               "language_name": languages.name(language, "vi")}
    return render(request, "portal/search.html", context)


# ------------------------------------------------------------------------------------------ CAP alerts


@require_safe
def cap_message(request: HttpRequest, identifier: str) -> HttpResponseBase:
    """One signed CAP 1.2 message, as it was sent; a live item's alert, or a Cancel (which carries no text)."""
    message = alert_services.public_message(identifier[:128])
    if message is None:
        raise Http404
    response = HttpResponse(bytes(message.document), content_type="application/cap+xml; charset=utf-8")
    response["Cache-Control"] = "public, max-age=60"
    return response


@require_safe
def cap_index(request: HttpRequest) -> HttpResponseBase:
    """The Atom index of active alerts (OASIS CAP feeds): the latest message of each, linking its document."""
    language = request.GET.get("lang", "vi")
    if languages.get(language) is None:
        return HttpResponseBadRequest(_("Unknown language or kind of material."))
    messages = alert_services.active_messages()
    etag = hashlib.sha256(("|".join(m.identifier for m in messages) + language).encode()).hexdigest()[:32]
    last = max((m.sent for m in messages), default=None)
    if _not_modified(request, etag, last):
        response: HttpResponseBase = HttpResponse(status=304)
    else:
        entries_ = []
        for message in messages:
            item = message.alert.item
            variants = shown(item) if message.msg_type != "Cancel" else []
            variant = next((v for v in variants if v.language == language), variants[0] if variants else None)
            title = variant.title if variant else _("Alert cancelled") + f" ({message.identifier})"
            entries_.append((message, title, variant.language if variant else language,
                             request.build_absolute_uri(reverse("portal:cap_message", args=[message.identifier]))))
        body = feeds.cap_index(entries_, request.build_absolute_uri(), _("Alerts") + " — TTĐN", last, language)
        response = HttpResponse(body, content_type="application/atom+xml; charset=utf-8")
    response["ETag"] = quote_etag(etag)
    if last:
        response["Last-Modified"] = http_date(last.timestamp())
    response["Cache-Control"] = "public, max-age=30"
    return response
