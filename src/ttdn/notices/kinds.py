"""The kinds of notice. Each app registers its own (label and message) when it is loaded; the message is
formatted with the notice's params in the reader's language: %(actor)s, %(title)s and whatever the app gave."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.utils.functional import Promise
from django.utils.translation import gettext as _


@dataclass(frozen=True)
class Kind:
    code: str
    label: str | Promise  # a short name, for the e-mail subject and filters
    message: str | Promise  # one sentence, "%(actor)s submitted “%(title)s” for appraisal."


KINDS: dict[str, Kind] = {}


def register(code: str, label: str | Promise, message: str | Promise) -> Kind:
    kind = Kind(code, label, message)
    KINDS[code] = kind
    return kind


def get(code: str) -> Kind | None:
    return KINDS.get(code)


def render(code: str, params: dict[str, Any], actor_name: str = "") -> str:
    """The notice's sentence in the active language. A kind no app registers any more still reads."""
    kind = KINDS.get(code)
    values: dict[str, Any] = {"title": "", "reason": ""}
    values.update(params)
    values["actor"] = actor_name or _("The system")
    if kind is None:
        return str(values.get("text") or code)
    try:
        return str(kind.message) % values
    except (KeyError, ValueError, TypeError):
        return str(kind.label)
