"""Atom 1.0 and JSON Feed 1.1 documents for a filtered public feed (withdrawn items are simply absent)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from typing import Any
from xml.etree import ElementTree as ET

from django.utils import timezone
from django.utils.html import strip_tags

from ttdn.content.models import Item, Variant

from .queries import Filters

ATOM = "http://www.w3.org/2005/Atom"
TOMBSTONES = "http://purl.org/atompub/tombstones/1.0"


def _iso(value: dt.datetime | None) -> str:
    return (value or timezone.now()).astimezone(dt.UTC).isoformat().replace("+00:00", "Z")


def _updated(item: Item, variant: Variant) -> dt.datetime:
    return max(t for t in (item.updated_at, variant.updated_at, item.published_at) if t is not None)


def atom(filters: Filters, rows: list[tuple[Item, Variant, list[Variant]]], self_url: str,
         alternate: Any, title: str, updated: dt.datetime | None, file_url: Any,
         deleted: Sequence[tuple[str, dt.datetime]] = ()) -> bytes:
    ET.register_namespace("", ATOM)
    ET.register_namespace("at", TOMBSTONES)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": filters.language})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = "urn:ttdn:feed:" + filters.key()
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url, "type": "application/atom+xml"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "TTĐN"
    # Withdrawn material leaves the feed and is announced as deleted (RFC 6721), before
    # the entries (where the schema takes extensions): the id only, never its text.
    for uid, when in deleted:
        ET.SubElement(feed, f"{{{TOMBSTONES}}}deleted-entry", {"ref": f"urn:uuid:{uid}", "when": _iso(when)})
    for item, variant, _variants in rows:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:uuid:{item.uid}"
        ET.SubElement(entry, f"{{{ATOM}}}title").text = variant.title or str(item.uid)
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(_updated(item, variant))
        ET.SubElement(entry, f"{{{ATOM}}}published").text = _iso(item.published_at)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "text/html",
                                                 "hreflang": variant.language, "href": alternate(item, variant)})
        for attachment in variant.attachments.all():
            ET.SubElement(entry, f"{{{ATOM}}}link", {
                "rel": "enclosure", "href": file_url(attachment.asset.sha256), "type": attachment.asset.mime_type,
                "length": str(attachment.asset.size), "title": attachment.filename})
        eauthor = ET.SubElement(entry, f"{{{ATOM}}}author")
        ET.SubElement(eauthor, f"{{{ATOM}}}name").text = item.agency.name
        for topic in item.topics.all():
            ET.SubElement(entry, f"{{{ATOM}}}category", {"term": topic.code, "label": topic.name})
        if variant.summary:
            ET.SubElement(entry, f"{{{ATOM}}}summary").text = variant.summary
        if variant.body:
            ET.SubElement(entry, f"{{{ATOM}}}content", {"type": "html"}).text = variant.body
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)


def json_feed(filters: Filters, rows: list[tuple[Item, Variant, list[Variant]]], self_url: str,
              home_url: str, alternate: Any, title: str, file_url: Any) -> dict[str, Any]:
    items = []
    for item, variant, _variants in rows:
        entry: dict[str, Any] = {
            "id": f"urn:uuid:{item.uid}",
            "url": alternate(item, variant),
            "title": variant.title,
            "date_published": _iso(item.published_at),
            "date_modified": _iso(_updated(item, variant)),
            "language": variant.language,
            "authors": [{"name": item.agency.name}],
            "tags": [t.code for t in item.topics.all()],
        }
        if variant.body:
            entry["content_html"] = variant.body
        else:
            entry["content_text"] = variant.summary or variant.title
        if variant.summary:
            entry["summary"] = strip_tags(variant.summary)
        attachments = []
        for attachment in variant.attachments.all():
            asset = attachment.asset
            one: dict[str, Any] = {"url": file_url(asset.sha256), "mime_type": asset.mime_type,
                                   "title": attachment.filename, "size_in_bytes": asset.size}
            if asset.duration_seconds:
                one["duration_in_seconds"] = round(asset.duration_seconds)
            attachments.append(one)
        if attachments:
            entry["attachments"] = attachments
        items.append(entry)
    return {
        "version": "https://jsonfeed.org/version/1.1",
        "title": title,
        "home_page_url": home_url,
        "feed_url": self_url,
        "language": filters.language,
        "items": items,
    }


def cap_index(entries: list[tuple[Any, str, str, str]], self_url: str, title: str, updated: dt.datetime | None,
              language: str) -> bytes:
    """Atom index of CAP messages: (message, title, its language, document URL) — the CAP feeds convention."""
    ET.register_namespace("", ATOM)
    feed = ET.Element(f"{{{ATOM}}}feed", {"{http://www.w3.org/XML/1998/namespace}lang": language})
    ET.SubElement(feed, f"{{{ATOM}}}id").text = "urn:ttdn:cap:index"
    ET.SubElement(feed, f"{{{ATOM}}}title").text = title
    ET.SubElement(feed, f"{{{ATOM}}}updated").text = _iso(updated)
    ET.SubElement(feed, f"{{{ATOM}}}link", {"rel": "self", "href": self_url, "type": "application/atom+xml"})
    author = ET.SubElement(feed, f"{{{ATOM}}}author")
    ET.SubElement(author, f"{{{ATOM}}}name").text = "TTĐN"
    for message, entry_title, entry_language, url in entries:
        entry = ET.SubElement(feed, f"{{{ATOM}}}entry")
        ET.SubElement(entry, f"{{{ATOM}}}id").text = f"urn:ttdn:cap:{message.identifier}"
        ET.SubElement(entry, f"{{{ATOM}}}title", {"{http://www.w3.org/XML/1998/namespace}lang": entry_language}
                      ).text = entry_title
        ET.SubElement(entry, f"{{{ATOM}}}updated").text = _iso(message.sent)
        ET.SubElement(entry, f"{{{ATOM}}}link", {"rel": "alternate", "type": "application/cap+xml", "href": url})
        ET.SubElement(entry, f"{{{ATOM}}}category", {"term": message.msg_type})
        ET.SubElement(entry, f"{{{ATOM}}}summary").text = f"{message.msg_type} {message.alert.status}"
    return b'<?xml version="1.0" encoding="utf-8"?>\n' + ET.tostring(feed, encoding="utf-8", xml_declaration=False)
