"""The snippets' shortcuts agree with reading the text word by word."""

from __future__ import annotations

import json
from pathlib import Path

from ttdn.core.text import html_to_text
from ttdn.search import query as q
from ttdn.search.snippets import may_match, spans

GOLD = Path(__file__).parent / "gold"


def _texts() -> list[str]:
    texts: list[str] = []
    with (GOLD / "items.jsonl").open(encoding="utf-8") as f:
        for line in f:
            for variant in json.loads(line)["variants"]:
                texts += [variant.get("title", ""), variant.get("summary", ""), html_to_text(variant.get("body", ""))]
    return [t for t in texts if t]


def _queries() -> list[str]:
    with (GOLD / "queries.jsonl").open(encoding="utf-8") as f:
        return [json.loads(line)["text"] for line in f]


def test_may_match_never_skips_a_text_holding_a_match() -> None:
    texts = _texts()
    queries = _queries()
    queries += ["ΟΔΟΣ", "οδός", "gió*", "th*", "ສາກົນ", "ก*", "边境"]
    texts += ["ΟΔΟΣ'Α", "Κεντρική ΟΔΟΣ.", "đường\u00adbiên giới"]
    checked = skipped = 0
    for text in queries:
        parsed = q.parse(text)
        for doc in texts[::25]:  # a sample of the gold texts against every query
            found = bool(spans(doc, parsed, limit=1))
            if not may_match(doc, parsed):
                assert not found, (text, doc[:80])
                skipped += 1
            checked += found
    assert checked > 2000 and skipped > 20_000  # both sides exercised
