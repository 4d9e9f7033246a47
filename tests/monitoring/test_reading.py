"""Reading what outlets publish, without the database: feeds of every kind and their bad forms, encodings,
extraction, language identification in the border languages, the deduplication keys and near-duplicates."""

from __future__ import annotations

import itertools

import pytest

from ttdn.monitoring import langid, minhash, parse, samples
from ttdn.monitoring.matcher import Matcher
from ttdn.monitoring.pipeline import Watch, process, topic_matcher

RSS = """<?xml version="1.0" encoding="utf-8"?><rss version="2.0"><channel><title>Báo Gia Lai</title>
<language>vi</language>
<item><title>Gia Lai mở rộng cửa khẩu Lệ Thanh</title><link>/tin/1.html</link>
<description>&lt;p&gt;Tóm tắt &lt;b&gt;tin&lt;/b&gt;&lt;/p&gt;</description>
<pubDate>Sun, 06 Dec 2026 08:00:00 +0700</pubDate></item>
<item><title>Không có liên kết</title></item>
<item><title>Liên kết lạ</title><link>javascript:alert(1)</link></item>
</channel></rss>"""

ATOM = """<feed xmlns="http://www.w3.org/2005/Atom" xml:lang="en"><title>Vientiane Times</title>
<entry><title>Laos and Vietnam open a new border gate</title><link rel="alternate" href="https://vt.test/a/1"/>
<published>2026-12-05T10:00:00Z</published><summary>Short</summary></entry></feed>"""

SITEMAP = """<urlset xmlns="http://www.sitemaps.org/schemas/sitemap/0.9"
 xmlns:news="http://www.google.com/schemas/sitemap-news/0.9"><url><loc>https://km.test/news/9</loc>
<news:news><news:publication><news:name>Khmer Times</news:name><news:language>km</news:language></news:publication>
<news:publication_date>2026-12-04</news:publication_date><news:title>ព័ត៌មាន</news:title></news:news></url></urlset>"""


def test_rss_entries_are_absolute_and_only_http() -> None:
    kind, entries = parse.parse_feed(RSS.encode(), "https://baogialai.test/rss")
    assert kind == "feed"
    assert [e.url for e in entries] == ["https://baogialai.test/tin/1.html"]
    assert entries[0].summary == "Tóm tắt tin"
    assert entries[0].language == "vi"
    assert entries[0].published is not None and entries[0].published.isoformat() == "2026-12-06T08:00:00+07:00"


def test_atom_and_news_sitemap() -> None:
    kind, entries = parse.parse_feed(ATOM.encode(), "https://vt.test/feed")
    assert kind == "feed" and entries[0].url == "https://vt.test/a/1" and entries[0].language == "en"
    kind, entries = parse.parse_feed(SITEMAP.encode(), "https://km.test/sitemap.xml")
    assert kind == "sitemap" and entries[0].title == "ព័ត៌មាន" and entries[0].language == "km"


def test_broken_feed_is_read_as_far_as_it_goes() -> None:
    broken = RSS.replace("</channel></rss>", "<item><title>Cắt ngang").encode()
    _kind, entries = parse.parse_feed(broken, "https://baogialai.test/rss")
    assert entries[0].title == "Gia Lai mở rộng cửa khẩu Lệ Thanh"


@pytest.mark.parametrize("body", [
    b"",
    b"<html><body>not a feed</body></html>",
    b"\x00\x01\x02garbage",
])
def test_not_a_feed_is_a_clear_error(body: bytes) -> None:
    with pytest.raises(parse.ParseError):
        parse.parse_feed(body, "https://x.test/")


def test_entity_expansion_is_refused() -> None:
    bomb = (b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;&lol;">]>'
            b"<rss><channel><item><title>&lol2;</title><link>https://x.test/1</link></item></channel></rss>")
    with pytest.raises(parse.ParseError, match="thực thể XML"):
        parse.parse_feed(bomb, "https://x.test/")


def _cp1258(text: str) -> bytes:
    """Windows-1258 as Vietnamese legacy software wrote it: letters with their quality, tones combining."""
    import unicodedata

    out = b""
    for ch in text:
        try:
            out += ch.encode("cp1258")
        except UnicodeEncodeError:
            parts = unicodedata.normalize("NFD", ch)
            tones = "".join(c for c in parts if c in "\u0300\u0301\u0303\u0309\u0323")
            base = unicodedata.normalize("NFC", "".join(c for c in parts if c not in tones))
            out += (base + tones).encode("cp1258")
    return out


def test_encodings() -> None:
    text = "Cửa khẩu Lệ Thanh, tỉnh Gia Lai"
    # Declared Latin-1 but sent as UTF-8 (a common misconfiguration): read as UTF-8.
    assert parse.decode(text.encode("utf-8"), "text/html; charset=iso-8859-1") == text
    # Windows-1258 (Vietnamese legacy, tones as combining marks) declared in a meta tag: read and composed.
    legacy = _cp1258(f'<meta charset="windows-1258"><p>{text}</p>')
    assert text in parse.decode(legacy)
    # GB18030 Chinese declared in the XML declaration.
    chinese = '<?xml version="1.0" encoding="gb18030"?><p>嘉莱省</p>'.encode("gb18030")
    assert "嘉莱省" in parse.decode(chinese)
    # A BOM wins; undecodable bytes never raise.
    assert parse.decode("\ufeffສະບາຍດີ".encode("utf-8-sig")) == "ສະບາຍດີ"
    assert parse.decode(b"\xff\xfe\xfa bad", "text/html; charset=utf-8")


def test_extraction_keeps_the_article_and_drops_the_menu() -> None:
    html = samples.page_html("Tiêu đề tin", ["Đoạn thứ nhất của bài báo về cửa khẩu Lệ Thanh và tỉnh Gia Lai, "
                                             "dài hơn bốn mươi ký tự.", "Đoạn thứ hai về kinh tế biên giới."], "vi")
    page = parse.extract(html)
    assert page.title == "Tiêu đề tin"
    assert "Đoạn thứ nhất" in page.text and "Thời sự" not in page.text
    assert page.lang_tag == "vi" and page.published is not None
    assert parse.extract("") == parse.Page("", "", "", None)
    assert parse.extract("<<<>>>").title == ""  # garbage is read as whatever text it has, never raises


@pytest.mark.parametrize("lang", samples.LANGS)
def test_language_identification_per_language(lang: str) -> None:
    pages = samples.corpus(30, copies=(1, 1), seed=11, langs=(lang,))
    for page in pages:
        # The text alone decides (no page tag given).
        assert langid.identify(parse.extract(page.html).text) == lang


def test_language_on_short_and_mixed_text() -> None:
    assert langid.identify("", "vi-VN") == "vi"
    assert langid.identify("OK", "lo") == "lo"
    assert langid.identify("12345 !!! ...", "", "km") == "km"
    assert langid.identify("") == ""
    # Mostly Lao with a Vietnamese name inside: Lao.
    assert langid.identify("ແຂວງຢາລາຍ ຂອງ ສສ ຫວຽດນາມ ໄດ້ຈັດກອງປະຊຸມ ຮ່ວມກັບ ແຂວງອັດຕະປື Gia Lai") == "lo"
    # English with a Vietnamese place name: English.
    assert langid.identify("The province of Đắk Lắk announced new coffee exports to Laos and Cambodia today.") == "en"
    assert langid.identify("Tỉnh Gia Lai công bố kế hoạch phát triển kinh tế cửa khẩu năm nay") == "vi"
    assert langid.identify("嘉莱省今天宣布了新的口岸发展计划") == "zh-Hans"
    assert langid.identify("จังหวัดซาลายประกาศแผนพัฒนาด่านชายแดน") == "th"
    assert langid.identify("ខេត្តរតនគិរីបានរៀបចំកិច្ចប្រជុំ") == "km"


def test_url_and_title_keys() -> None:
    a = parse.normalize_url("HTTPS://www.Baogialai.test:443/tin/1.html/?utm_source=fb&b=2&a=1#top")
    b = parse.normalize_url("http://baogialai.test/tin/1.html?a=1&b=2")
    assert a == b
    assert parse.normalize_url("http://x.test/a/index.html") == parse.normalize_url("http://x.test/a/")
    assert parse.title_key("Gia Lai: mở cửa khẩu!") == parse.title_key("GIA LAI mo cua khau")
    assert parse.title_key("Gia Lai mở cửa khẩu") != parse.title_key("Gia Lai đóng cửa khẩu")
    assert parse.title_key("!!!") == ""


def test_near_duplicates_are_clustered_and_different_stories_are_not() -> None:
    pages = samples.corpus(36, copies=(2, 4), seed=5)
    watch = Watch(Matcher(), topic_matcher())
    sigs = [minhash.from_bytes(process(p.html.encode(), "text/html", p.url, watch).signature) for p in pages]
    tp = fp = fn = 0
    for i, j in itertools.combinations(range(len(pages)), 2):
        same = pages[i].story == pages[j].story
        found = minhash.similarity(sigs[i], sigs[j]) >= minhash.THRESHOLD
        tp += same and found
        fp += found and not same
        fn += same and not found
    assert tp / (tp + fp) >= 0.95 and tp / (tp + fn) >= 0.95, (tp, fp, fn)
    # Candidates share at least one band.
    assert set(minhash.band_keys(sigs[0])) & set(minhash.band_keys(sigs[1])) if pages[0].story == pages[1].story \
        else True
