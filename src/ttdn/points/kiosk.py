"""The touch kiosk's catalogue: everything a passer-by may read at this node, per language, in one answer the
kiosk keeps in memory, so browsing, reading and searching work with the node's link to the hub down and cost
the node nothing per touch. Only reads: the catalogue is what `content.permissions` lets anyone see, live now.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
from collections import Counter
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.urls import reverse

from ttdn.content.models import Topic
from ttdn.content.permissions import shown_variants
from ttdn.core import languages
from ttdn.core.text import html_to_text
from ttdn.points.models import Device

MAX_ITEMS = 500
MAX_TEXT = 20_000  # characters of one variant's text (a kiosk reads leaflets and articles, not books)
# The start screen's first row, always in this order (the plans' languages of the neighbours), then the site's.
FIRST_LANGUAGES = ("vi", "en", "lo", "km", "zh-Hans")
# Each language's name in itself, for the start screen's buttons. Minority languages by the people's own name.
ENDONYMS = {
    "vi": "Tiếng Việt", "en": "English", "lo": "ພາສາລາວ", "km": "ភាសាខ្មែរ", "zh-Hans": "中文", "th": "ภาษาไทย",
    "fr": "Français", "ru": "Русский", "jra": "Jrai", "bdq": "Bahnar", "rad": "Êđê", "hnj": "Hmoob",
    "blt": "Tai Dam", "mtq": "Mường", "kxm": "Khmer Surin", "mng": "M'Nông", "sed": "Xơ Đăng",
}
# The kiosk's few labels in the visitor's language (the node's UI catalogues hold Vietnamese and English only).
LABELS: dict[str, dict[str, str]] = {
    "vi": {"start": "Chọn ngôn ngữ", "all": "Tất cả", "search": "Tìm kiếm", "back": "Quay lại",
           "home": "Trang đầu", "larger": "Chữ to hơn", "empty": "Chưa có tài liệu nào.", "space": "Cách",
           "clear": "Xoá", "results": "Kết quả"},
    "en": {"start": "Choose a language", "all": "All", "search": "Search", "back": "Back", "home": "Start",
           "larger": "Larger text", "empty": "Nothing here yet.", "space": "Space", "clear": "Clear",
           "results": "Results"},
    "lo": {"start": "ເລືອກພາສາ", "all": "ທັງໝົດ", "search": "ຄົ້ນຫາ", "back": "ກັບຄືນ", "home": "ໜ້າທຳອິດ",
           "larger": "ຕົວໜັງສືໃຫຍ່ຂຶ້ນ", "empty": "ຍັງບໍ່ມີເອກະສານ.", "space": "ຍະຫວ່າງ", "clear": "ລຶບ",
           "results": "ຜົນການຄົ້ນຫາ"},
    "km": {"start": "ជ្រើសរើសភាសា", "all": "ទាំងអស់", "search": "ស្វែងរក", "back": "ត្រឡប់ក្រោយ",
           "home": "ទំព័រដើម", "larger": "អក្សរធំជាងនេះ", "empty": "មិនទាន់មានឯកសារ។", "space": "ដកឃ្លា",
           "clear": "លុប", "results": "លទ្ធផល"},
    "zh-Hans": {"start": "选择语言", "all": "全部", "search": "搜索", "back": "返回", "home": "首页",
                "larger": "放大文字", "empty": "暂无资料。", "space": "空格", "clear": "清除", "results": "搜索结果"},
}

# On-screen keyboards by script: the letters a visitor types a search with. Latin scripts need no diacritics
# (the search folds them); Chinese gets the characters of the material itself (no input method on a kiosk).
_LATIN = list("aăâbcdđeêghiklmnoôơpqrstuưvxyfjwz")
_LAO = [chr(c) for c in range(0x0E81, 0x0EDF) if chr(c).isalpha() or 0x0EB0 <= c <= 0x0ECD]
_KHMER = [chr(c) for c in range(0x1780, 0x17D3) if chr(c).isalpha() or 0x17B6 <= c <= 0x17D2]
_THAI = [chr(c) for c in range(0x0E01, 0x0E4E) if chr(c).isalpha() or 0x0E31 <= c <= 0x0E4D]
_CYRILLIC = [chr(c) for c in range(0x0430, 0x0450)]
_TAI_VIET = [chr(c) for c in range(0xAA80, 0xAAC3)]
KEYBOARD_CHARACTERS = 80


def label_language(tag: str) -> str:
    """The language the kiosk's labels are shown in for a visitor who chose `tag`."""
    if tag in LABELS:
        return tag
    lang = languages.get(tag)
    return "vi" if lang is None or lang.minority else "en"


def _keyboard(tag: str, texts: list[str]) -> list[str]:
    lang = languages.get(tag)
    script = lang.script if lang else "Latn"
    if script == "Laoo":
        keys = _LAO
    elif script == "Khmr":
        keys = _KHMER
    elif script == "Thai":
        keys = _THAI
    elif script == "Cyrl":
        keys = _CYRILLIC
    elif script == "Tavt":
        keys = _TAI_VIET
    elif script == "Hans":
        counts = Counter(ch for text in texts for ch in text if "\u4e00" <= ch <= "\u9fff")
        keys = [ch for ch, _n in counts.most_common(KEYBOARD_CHARACTERS)]
    else:
        keys = _LATIN
    return [k for k in keys if not k.isspace()]


def _paragraphs(html: str) -> list[str]:
    text = html_to_text(html)[:MAX_TEXT]
    return [p.strip() for p in text.split("\n") if p.strip()]


def _media(variant: Any) -> list[dict[str, str]]:
    out = []
    for attachment in variant.attachments.all():
        asset = attachment.asset
        url = reverse("content:file", args=[asset.sha256])
        if asset.file_kind in {"image", "video", "audio"}:
            out.append({"type": asset.file_kind, "url": url, "name": attachment.filename})
        elif asset.thumbnail_sha256:  # a PDF or document: its first page, as a picture
            out.append({"type": "image", "url": reverse("content:file_thumb", args=[asset.sha256]),
                        "name": attachment.filename})
    return out


def catalogue(device: Device, showable: Any, site_languages: list[str], now: dt.datetime) -> dict[str, Any]:
    """The kiosk's whole catalogue: languages (with their names in themselves and the keyboard), topics, items."""
    items = list(showable.prefetch_related("topics", "variants__attachments__asset")
                 .order_by("-published_at", "-id")[:MAX_ITEMS])
    by_language: dict[str, list[str]] = {}
    topics_used: set[str] = set()
    out_items = []
    anonymous = AnonymousUser()
    for item in items:
        variants = {}
        for v in shown_variants(anonymous, item, list(item.variants.all())):
            variants[v.language] = {"title": v.title, "summary": v.summary, "text": _paragraphs(v.body),
                                    "media": _media(v)}
            by_language.setdefault(v.language, []).append(v.title + " " + v.summary)
        if not variants:
            continue
        codes = [t.code for t in item.topics.all()]
        topics_used.update(codes)
        out_items.append({"uid": str(item.uid), "kind": item.kind, "topics": codes, "source": item.source_language,
                          "until": item.valid_until.isoformat() if item.valid_until else None,
                          "variants": variants})
    order = [*FIRST_LANGUAGES, *[t for t in site_languages if t not in FIRST_LANGUAGES]]
    order += sorted(t for t in by_language if t not in order)
    langs = []
    for tag in order:
        if tag not in by_language and tag != "vi":
            continue  # a button that leads to nothing is worse than none
        lang = languages.get(tag)
        langs.append({"tag": tag, "name": ENDONYMS.get(tag, lang.name_en if lang else tag),
                      "script": lang.script if lang else "Latn", "count": len(by_language.get(tag, [])),
                      "labels": LABELS[label_language(tag)], "label_lang": label_language(tag),
                      "keyboard": _keyboard(tag, by_language.get(tag, []))})
    topics = [{"code": t.code, "vi": t.name, "en": t.name_en or t.name}
              for t in Topic.objects.filter(code__in=topics_used).order_by("name")]
    body = {"languages": langs, "topics": topics, "items": out_items}
    version = hashlib.sha256(json.dumps(body, sort_keys=True).encode()).hexdigest()[:16]
    return {"paired": True, "device": device.name, "idle": device.idle_seconds, "now": now.isoformat(),
            "version": version, **body}
