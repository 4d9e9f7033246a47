"""IPTC ninjs 2.0 documents for newsrooms: one per published item and language."""

from __future__ import annotations

from typing import Any

from django.utils.html import strip_tags

from ttdn.content.models import Item, Variant

from .feeds import _iso, _updated

SCHEMA_URI = "http://www.iptc.org/std/ninjs/ninjs-schema_2.0.json"
_TYPES = {"audio": "audio", "video": "video", "image": "picture"}


def document(item: Item, variant: Variant, page_url: str, file_url: Any) -> dict[str, Any]:
    renditions = []
    for attachment in variant.attachments.select_related("asset").order_by("position"):
        asset = attachment.asset
        rendition: dict[str, Any] = {
            "name": f"attachment-{attachment.position}" if attachment.position else "original",
            "href": file_url(asset.sha256),
            "contenttype": asset.mime_type,
            "title": attachment.filename,
            "sizeinbytes": asset.size,
        }
        if asset.width and asset.height:
            rendition["width"], rendition["height"] = asset.width, asset.height
        if asset.duration_seconds:
            rendition["duration"] = asset.duration_seconds
        renditions.append(rendition)
    kinds = {a.asset.file_kind for a in variant.attachments.all()}
    doc: dict[str, Any] = {
        "uri": f"urn:ttdn:item:{item.uid}:{variant.language}",
        "type": next((t for k, t in _TYPES.items() if k in kinds and item.kind in {"audio", "video", "image"}),
                     "text"),
        "version": str(item.version),
        "firstcreated": _iso(item.created_at),
        "versioncreated": _iso(_updated(item, variant)),
        "contentcreated": _iso(item.published_at),
        "pubstatus": "usable",
        "language": variant.language,
        "headlines": [{"value": variant.title, "contenttype": "text/plain"}],
        "descriptions": ([{"value": strip_tags(variant.summary), "role": "summary", "contenttype": "text/plain"}]
                         if variant.summary else []),
        "bodies": [{"value": variant.body, "contenttype": "text/html", "role": "body"}] if variant.body else [],
        "subjects": [{"name": t.name, "uri": f"urn:ttdn:topic:{t.code}"} for t in item.topics.all()],
        "by": item.agency.name,
        "copyrightholder": item.agency.name,
        "renditions": renditions,
        "altids": [{"role": "web", "value": page_url}],
        "standard": {"name": "ninjs", "version": "2.0", "schema": SCHEMA_URI},
    }
    return {k: v for k, v in doc.items() if v != []}
