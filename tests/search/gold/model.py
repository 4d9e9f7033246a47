"""The shape of the gold set's phrase tables: a family of recurring material and its texts per language."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any


@dataclass(frozen=True)
class T:
    """One language's texts for a family: title phrasings (rotated by instance), a summary, body sentences."""

    titles: list[str]
    summary: str
    body: list[str]


@dataclass
class Family:
    key: str
    kind: str
    topics: list[str]
    langs: list[str]
    instances: list[dict[str, Any]]
    texts: dict[str, T]
    # A country the family always concerns (else it is derived from the gate, river or province).
    country: str | None = None
    # Languages written whatever the country concerned (else Lao goes with Laos, Khmer with Cambodia, Chinese
    # with China).
    everywhere: tuple[str, ...] = ()
    extra: dict[str, dict[str, dict[str, str]]] = field(default_factory=dict)
