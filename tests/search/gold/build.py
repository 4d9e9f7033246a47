"""Write items.jsonl and queries.jsonl from the phrase tables (families_*.py) and the queries (queries_src.py).

Run `python -m tests.search.gold.build` after changing a table; both files are checked in. The build refuses
a query without a relevant item, and reports (and refuses) a query whose words do not occur in one of the
items judged relevant to it: the gold set measures a word index, not synonym guessing.
"""

from __future__ import annotations

import hashlib
import json
import re
import sys
import unicodedata
from collections import Counter
from pathlib import Path
from typing import Any

from tests.search.gold import families_a, families_b, families_c, families_d, places
from tests.search.gold.model import Family
from tests.search.gold.queries_src import QUERIES, Q

HERE = Path(__file__).resolve().parent
FAMILIES: list[Family] = [*families_a.FAMILIES, *families_b.FAMILIES, *families_c.FAMILIES]
UNSPACED = {"lo", "km", "zh-Hans"}
REGION_LANGS = {"lo": "LA", "km": "KH", "zh-Hans": "CN"}
KEY_SLOTS = ("gate", "river", "prov", "neigh", "country", "goods", "place", "crop", "fest", "aspect", "year")


def _stable(text: str) -> int:
    return int(hashlib.sha256(text.encode()).hexdigest()[:8], 16)


def attributes(family: Family, inst: dict[str, Any]) -> dict[str, Any]:
    """The instance with what follows from it: the province and country it concerns."""
    attrs = dict(inst)
    if "gate" in inst:
        attrs.setdefault("prov", places.GATE_PROVINCE[inst["gate"]])
        attrs.setdefault("neigh", places.GATE_NEIGHBOUR[inst["gate"]])
    if "river" in inst:
        attrs.setdefault("prov", places.RIVER_PROVINCE[inst["river"]])
    country = inst.get("country") or family.country
    if country is None and "prov" in attrs:
        country = places.PROVINCE_COUNTRY[attrs["prov"]]
    attrs["country"] = country
    return attrs


def _slot(family: Family, lang: str, name: str, value: Any) -> str:
    if name in family.extra:
        return family.extra[name][value][lang]
    table = {"gate": places.GATES, "prov": places.PROVINCES, "neigh": places.NEIGHBOURS, "river": places.RIVERS,
             "country": places.COUNTRIES}.get(name)
    if table is not None:
        return table[value][lang]
    if name == "month":
        return places.MONTHS[lang][int(value) - 1]
    return places.number(lang, value)


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


def render(family: Family, lang: str, attrs: dict[str, Any], index: int) -> dict[str, str] | None:
    """The variant in one language, or None when a name it needs does not exist in that language."""
    text = family.texts[lang]
    try:
        slots = {name: _slot(family, lang, name, value) for name, value in attrs.items() if value is not None}
        title = _capital(text.titles[index % len(text.titles)].format(**slots))
        summary = _capital(text.summary.format(**slots))
        sentences = [s.format(**slots) for s in text.body]
    except KeyError:
        return None
    # The same sentences in a different order from one edition to the next.
    start = index % len(sentences)
    sentences = sentences[start:] + sentences[:start]
    body = "".join(f"<p>{s}</p>" for s in sentences)
    return {"language": lang, "title": title, "summary": summary, "body": body}


def languages_for(family: Family, attrs: dict[str, Any], key: str) -> list[str]:
    chosen = []
    for lang in family.langs:
        if lang in ("vi",):
            chosen.append(lang)
        elif lang == "en":
            if _stable(key + "en") % 8:  # about one item in eight has no English version yet
                chosen.append(lang)
        elif lang in REGION_LANGS:
            if attrs["country"] == REGION_LANGS[lang]:
                chosen.append(lang)
            elif lang in family.everywhere and _stable(key + lang) % 5:
                chosen.append(lang)
        elif lang in ("jra", "rad", "bdq"):
            if attrs.get("prov") in places.HIGHLANDS and (lang != "bdq" or attrs.get("prov") != "dak-lak"):
                chosen.append(lang)
        elif lang == "hnj" and attrs.get("prov") in places.HMONG:
            chosen.append(lang)
    return chosen


# Recurring material comes back every year: each yearly item gets one more edition, in a year the family
# allows, with its figures changed. This is where the near-duplicate distractors come from.
YEARS_ALLOWED: dict[str, range] = {
    "health-declaration": range(2020, 2023), "swine-fever": range(2019, 2027), "election": range(0),
    "nationality": range(0),
}


def editions(family: Family) -> list[dict[str, Any]]:
    instances = list(family.instances)
    allowed = YEARS_ALLOWED.get(family.key, range(2018, 2027))

    def ident(inst: dict[str, Any]) -> tuple[Any, ...]:
        return tuple(inst.get(s) for s in KEY_SLOTS)

    taken = {ident(inst) for inst in instances}
    for inst in family.instances:
        if "year" not in inst:
            continue
        for delta in (-1, -2, 1, -3):
            year = inst["year"] + delta
            other = {**inst, "year": year}
            if year in allowed and ident(other) not in taken:
                # A boundary marker keeps its number; other figures change from year to year.
                if isinstance(inst.get("n"), int) and inst["n"] > 3 and family.key != "markers":
                    other["n"] = inst["n"] + (inst["n"] // 7 + 1) * (1 if delta > 0 else -1)
                if isinstance(inst.get("month"), int):
                    other["month"] = inst["month"] % 12 + 1
                taken.add(ident(other))
                instances.append(other)
                break
    return instances


def build_items() -> list[dict[str, Any]]:
    items: list[dict[str, Any]] = []
    seen: set[str] = set()
    for family in FAMILIES:
        for index, inst in enumerate(editions(family)):
            attrs = attributes(family, inst)
            key = "-".join([family.key, *(str(inst[s]) for s in KEY_SLOTS if s in inst)])
            if key in seen:
                raise SystemExit(f"duplicate item key {key}")
            seen.add(key)
            variants = [v for lang in languages_for(family, attrs, key)
                        if (v := render(family, lang, attrs, index)) is not None]
            if not variants or variants[0]["language"] != "vi":
                raise SystemExit(f"{key}: no Vietnamese source")
            items.append({
                "key": key,
                "family": family.key,
                "kind": family.kind,
                "topics": family.topics,
                "provinces": [places.PROVINCE_GSO[attrs["prov"]]] if attrs.get("prov") else [],
                "countries": [attrs["country"]] if attrs.get("country") else [],
                "source_language": "vi",
                "attrs": {k: v for k, v in attrs.items() if k in KEY_SLOTS},
                "variants": variants,
            })
    # Words of several syllables and their distractors (written item by item, not from a table).
    items += families_d.items()
    return items


# ------------------------------------------------------------------------------------------- queries


def fold_vi(text: str) -> str:
    """How a Vietnamese query is typed without diacritics: marks dropped, đ typed as d."""
    decomposed = unicodedata.normalize("NFD", text)
    stripped = "".join(c for c in decomposed if not ("\u0300" <= c <= "\u036f"))
    folded = unicodedata.normalize("NFC", stripped)
    return folded.replace("đ", "d").replace("Đ", "D").replace("ƀ", "b").replace("Ƀ", "B")


_WORD = re.compile(r"[\w\u0300-\u036f]+")


def _words_icu(text: str, locale: str) -> list[str]:
    import icu

    breaker = icu.BreakIterator.createWordInstance(icu.Locale(locale))
    breaker.setText(text)
    words, start = [], breaker.first()
    for end in breaker:
        piece = text[start:end].strip()
        if piece and any(ch.isalnum() for ch in piece):
            words.append(piece)
        start = end
    return words


def _plain(text: str) -> str:
    return re.sub(r"<[^>]+>", " ", text)


def _answerable(query: dict[str, Any], item: dict[str, Any]) -> bool:
    """Do the query's words (or its phrase) occur in the item's variant of the query's language?"""
    lang = query["language"]
    variant = next((v for v in item["variants"] if v["language"] == lang), None)
    if variant is None:
        return False
    text = _plain(" ".join([variant["title"], variant["summary"], variant["body"]]))
    q = query["text"]
    if not query["diacritics"]:
        text = fold_vi(text)
    text_l = text.casefold()
    phrases = re.findall(r'"([^"]+)"', q)
    rest = re.sub(r'"[^"]+"', " ", q)
    for phrase in phrases:
        if lang in UNSPACED:
            if phrase.casefold() not in text_l:
                return False
        elif not re.search(r"(?<![\w\u0300-\u036f])" + r"\s+".join(map(re.escape, _WORD.findall(phrase.casefold())))
                           + r"(?![\w\u0300-\u036f])", text_l):
            return False
    for piece in rest.split():
        prefix = piece.endswith("*")
        piece = piece.rstrip("*")
        if lang in UNSPACED:
            locale = {"lo": "lo", "km": "km", "zh-Hans": "zh"}[lang]
            words = _words_icu(piece, locale) if not prefix else [piece]
            if any(w.casefold() not in text_l for w in words if len(w) > 0):
                return False
            continue
        for word in _WORD.findall(piece.casefold()):
            tokens = _WORD.findall(text_l)
            if prefix:
                if not any(t.startswith(word) for t in tokens):
                    return False
            elif word not in tokens:
                return False
    return True


def build_queries(items: list[dict[str, Any]]) -> tuple[list[dict[str, Any]], list[str]]:
    problems: list[str] = []
    out: list[dict[str, Any]] = []
    counter: Counter[str] = Counter()

    def relevant(q: Q, lang: str) -> list[str]:
        keys = []
        for item in items:
            if item["family"] not in q.families:
                continue
            if not any(v["language"] == lang for v in item["variants"]):
                continue
            if all(item["attrs"].get(k) == v for k, v in q.where.items()):
                keys.append(item["key"])
        return keys

    by_key = {item["key"]: item for item in items}
    words = [Q(lang, text, "known-item", families, {"aspect": aspect})
             for lang, text, families, aspect in families_d.queries()]
    for q in [*QUERIES, *words]:
        counter[q.language] += 1
        qid = f"{q.language}-{counter[q.language]:03d}"
        rel = relevant(q, q.language)
        if not rel:
            problems.append(f"{qid} {q.text!r}: no relevant item")
        versions = [(qid, q.text, q.diacritics)]
        if q.language == "vi":
            versions.append((qid + "-nd", fold_vi(q.text), False))
        for vid, text, diacritics in versions:
            entry = {"id": vid, "language": q.language, "text": text, "kind": q.kind, "diacritics": diacritics,
                     "relevant": rel}
            if vid.endswith("-nd"):
                entry["typed_from"] = qid
            misses = [k for k in rel if not _answerable(entry, by_key[k])]
            if misses:
                problems.append(f"{vid} {text!r}: words absent from {len(misses)}/{len(rel)} relevant, "
                                f"e.g. {misses[0]}")
            out.append(entry)
    return out, problems


def main() -> int:
    items = build_items()
    queries, problems = build_queries(items)
    for line in problems:
        print("PROBLEM", line, file=sys.stderr)
    with (HERE / "items.jsonl").open("w", encoding="utf-8") as fh:
        for item in items:
            fh.write(json.dumps(item, ensure_ascii=False) + "\n")
    with (HERE / "queries.jsonl").open("w", encoding="utf-8") as fh:
        for query in queries:
            fh.write(json.dumps(query, ensure_ascii=False) + "\n")
    langs = Counter(v["language"] for item in items for v in item["variants"])
    qlangs = Counter(q["language"] + ("" if q["diacritics"] else "-nd") for q in queries)
    print(f"{len(items)} items, {sum(langs.values())} variants {dict(langs)}")
    print(f"{len(queries)} queries {dict(qlangs)} kinds {dict(Counter(q['kind'] for q in queries))}")
    return 1 if problems else 0


if __name__ == "__main__":
    raise SystemExit(main())
