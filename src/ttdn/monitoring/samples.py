"""Generated news pages in the border languages, for the demo, the tests and the benchmark (nothing downloaded).

Words come from the demo material of `ttdn.content` (Vietnamese, English, Lao, Khmer, Chinese) and a Thai list
below; sentences are drawn at random from them (seeded), so two stories share few word triples, as two real
stories do. `republish` makes the edited copies a wire story gets: a new headline, a lead cut, a sentence added,
words changed — the labelled set the clustering is measured on.
"""

from __future__ import annotations

import functools
import html
import json
import random
import re
import unicodedata
from dataclasses import dataclass, field
from pathlib import Path

LANGS = ("vi", "en", "lo", "km", "zh-Hans", "th")
HTML_LANG = {"vi": "vi", "en": "en", "lo": "lo", "km": "km", "zh-Hans": "zh-CN", "th": "th"}
UNSPACED = {"lo", "km", "zh-Hans", "th"}
SENTENCE_END = {"vi": ".", "en": ".", "lo": " ", "km": "។", "zh-Hans": "。", "th": " "}

_THAI = ("จังหวัด ชายแดน ประเทศ เวียดนาม ลาว กัมพูชา ความร่วมมือ การค้า ด่าน พรมแดน ประชาชน รัฐบาล การประชุม "
         "เศรษฐกิจ การท่องเที่ยว นักลงทุน โครงการ ถนน สะพาน โรงเรียน โรงพยาบาล เกษตรกร กาแฟ ยางพารา ข้าว "
         "เจ้าหน้าที่ ตำรวจ ทหาร ความปลอดภัย น้ำท่วม พายุ การพัฒนา วัฒนธรรม เทศกาล ประเพณี มิตรภาพ สินค้า "
         "ส่งออก นำเข้า ตลาด ราคา เพิ่มขึ้น ลดลง ปีนี้ เดือนที่แล้ว รายงาน ข่าว กล่าวว่า ได้รับ ดำเนินการ "
         "สนับสนุน ช่วยเหลือ ชุมชน หมู่บ้าน ภูเขา แม่น้ำ ป่าไม้ ไฟฟ้า อินเทอร์เน็ต นักเรียน ครู แพทย์").split()


def _demo_dir() -> Path:
    import ttdn.content

    return Path(ttdn.content.__file__).parent / "demo_data"


@functools.cache
def vocabulary() -> dict[str, list[str]]:
    from ttdn.search.normalize import icu_words

    words: dict[str, set[str]] = {lang: set() for lang in LANGS}
    for path in sorted(_demo_dir().glob("items-*.json")):
        for item in json.loads(path.read_text(encoding="utf-8")):
            for lang, variant in item.get("variants", {}).items():
                if lang not in words:
                    continue
                text = html.unescape(re.sub(r"<[^>]+>", " ", f"{variant.get('title', '')} {variant.get('body', '')}"))
                if lang in UNSPACED:
                    found = [w.strip() for w in icu_words(text)]
                else:
                    found = re.findall(r"[^\W\d_]+", text)
                words[lang].update(w for w in found if w and len(w) < 30
                                   and not any(unicodedata.category(c)[0] in "PZSNC" for c in w))
    words["th"].update(_THAI)
    return {lang: sorted(ws) for lang, ws in words.items()}


# Names of places as outlets write them, per language: (Vietnamese name, the language's spelling).
PLACES: dict[str, dict[str, str]] = {
    "Gia Lai": {"vi": "Gia Lai", "en": "Gia Lai", "lo": "ຢາລາຍ", "km": "យ៉ាឡាយ", "zh-Hans": "嘉莱", "th": "ซาลาย"},
    "Đắk Lắk": {"vi": "Đắk Lắk", "en": "Dak Lak", "lo": "ດັກລັກ", "km": "ដាក់ឡាក់", "zh-Hans": "多乐", "th": "ดั๊กลัก"},
    "Quảng Trị": {"vi": "Quảng Trị", "en": "Quang Tri", "lo": "ກວາງຈີ", "km": "ក្វាងទ្រី", "zh-Hans": "广治",
                  "th": "กว๋างจิ"},
    "Lệ Thanh": {"vi": "Lệ Thanh", "en": "Le Thanh", "lo": "ເລແທັງ", "km": "លេថាញ់", "zh-Hans": "礼清", "th": "เลทาน"},
}


@dataclass
class SamplePage:
    url: str
    language: str
    title: str
    html: str
    story: int  # label: the story this page carries (copies of one story share it)
    places: list[str] = field(default_factory=list)


def _sentence(rng: random.Random, lang: str, words: list[str]) -> str:
    n = rng.randint(9, 16)
    picked = [rng.choice(words) for _ in range(n)]
    if lang in UNSPACED:
        return "".join(picked) + SENTENCE_END[lang]
    text = " ".join(picked)
    return text[:1].upper() + text[1:] + SENTENCE_END[lang]


def story_text(rng: random.Random, lang: str, places: list[str]) -> tuple[str, list[str]]:
    words = vocabulary()[lang]
    title = _sentence(rng, lang, words).rstrip(".。។ ")[:120]
    paragraphs = []
    for i in range(rng.randint(5, 9)):
        sentences = [_sentence(rng, lang, words) for _ in range(rng.randint(2, 4))]
        if i < len(places):
            spelled = PLACES[places[i]][lang]
            sentences.insert(rng.randint(0, len(sentences)), f"{spelled}{SENTENCE_END[lang]}"
                             if lang in UNSPACED else f"{spelled} {_sentence(rng, lang, words)}")
        joiner = "" if lang in UNSPACED else " "
        paragraphs.append(joiner.join(sentences))
    return title, paragraphs


def page_html(title: str, paragraphs: list[str], lang: str, *, outlet: str = "Báo Biên giới",
              published: str = "2026-12-06T08:00:00+07:00", tag: bool = True) -> str:
    """A news page as outlets make them: a menu, the article, related links, a footer."""
    esc = html.escape
    menu = "".join(f'<li><a href="/muc-{i}">{esc(m)}</a></li>' for i, m in enumerate(
        ("Thời sự", "Kinh tế", "Xã hội", "Quốc tế", "Thể thao", "Văn hóa")))
    body = "".join(f"<p>{esc(p)}</p>" for p in paragraphs)
    lang_attr = f' lang="{HTML_LANG[lang]}"' if tag else ""
    return (f"<!DOCTYPE html><html{lang_attr}><head><meta charset=\"utf-8\"><title>{esc(title)} | {esc(outlet)}</title>"
            f'<meta property="og:title" content="{esc(title)}">'
            f'<meta property="article:published_time" content="{published}"></head><body>'
            f'<header><nav><ul>{menu}</ul></nav></header><main><article><h1>{esc(title)}</h1>'
            f'<div class="content">{body}</div></article>'
            f'<aside><h3>Tin liên quan</h3><ul><li><a href="/a">Tin khác 1</a></li><li><a href="/b">Tin khác 2</a></li>'
            f"</ul></aside></main><footer><p>© {esc(outlet)}. Giấy phép số 123/GP-BTTTT.</p></footer></body></html>")


def republish(rng: random.Random, title: str, paragraphs: list[str], lang: str) -> tuple[str, list[str]]:
    """An edited copy: maybe a new headline, the lead or the last paragraph cut, a sentence added, words swapped."""
    words = vocabulary()[lang]
    paragraphs = list(paragraphs)
    if rng.random() < 0.5:
        title = _sentence(rng, lang, words).rstrip(".。។ ")[:120]
    if rng.random() < 0.5 and len(paragraphs) > 4:
        paragraphs.pop(rng.choice((0, len(paragraphs) - 1)))
    if rng.random() < 0.6:
        paragraphs.insert(rng.randint(0, len(paragraphs)), _sentence(rng, lang, words))
    if rng.random() < 0.6:
        k = rng.randrange(len(paragraphs))
        if lang in UNSPACED:
            chars = list(paragraphs[k])
            for _ in range(3):
                chars[rng.randrange(len(chars))] = rng.choice(words)[:1]
            paragraphs[k] = "".join(chars)
        else:
            tokens = paragraphs[k].split()
            for _ in range(3):
                tokens[rng.randrange(len(tokens))] = rng.choice(words)
            paragraphs[k] = " ".join(tokens)
    return title, paragraphs


def corpus(n_stories: int, *, copies: tuple[int, int] = (1, 4), seed: int = 7, base: str = "http://news.test",
           langs: tuple[str, ...] = LANGS) -> list[SamplePage]:
    """Pages of `n_stories` stories, each carried by a few outlets with edits, languages in turn."""
    rng = random.Random(seed)
    pages: list[SamplePage] = []
    place_names = list(PLACES)
    for story in range(n_stories):
        lang = langs[story % len(langs)]
        places = rng.sample(place_names, rng.randint(0, 2))
        title, paragraphs = story_text(rng, lang, places)
        for copy in range(rng.randint(*copies)):
            t, ps = (title, paragraphs) if copy == 0 else republish(rng, title, paragraphs, lang)
            url = f"{base}/o{copy}/{lang}/story-{story}-{copy}.html"
            pages.append(SamplePage(url, lang, t, page_html(t, ps, lang, outlet=f"Outlet {copy}"), story, places))
    return pages
