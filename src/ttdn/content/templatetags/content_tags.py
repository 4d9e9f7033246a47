"""Small template helpers for the content pages."""

from __future__ import annotations

from typing import Any

from django import template

from ttdn.content.forms import ui_language
from ttdn.core import languages

register = template.Library()


@register.filter
def language_name(tag: str) -> str:
    """The language's name in the interface language ("Tiếng Lào" / "Lao")."""
    return languages.name(tag, ui_language())


@register.filter
def ui_variant(item: Any) -> Any:
    """The variant to title an item with: the interface language's if present, else the source."""
    from ttdn.content.views import ui_variant as pick

    return pick(item)


@register.filter
def source_title(item: Any) -> str:
    source = item.source_variant()
    return source.title if source else ""


@register.filter
def topic_name(topic: Any) -> str:
    """A topic's name in the interface language (the English name when there is one)."""
    name_en = getattr(topic, "name_en", None)
    if ui_language() == "en" and name_en:
        return str(name_en)
    return str(topic.name)
