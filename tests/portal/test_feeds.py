"""Feeds: only public live material, valid Atom (RELAX NG) and JSON Feed 1.1, conditional GET."""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path
from typing import Any

import pytest
from django.test import Client
from django.utils import timezone
from lxml import etree

from tests.conftest import World, advance, make_item
from tests.portal.conftest import TRANSLATIONS, publish_with_translations
from ttdn.content import services as content
from ttdn.content.models import Item

SCHEMA = etree.RelaxNG(etree.parse(str(Path(__file__).parents[1] / "fixtures" / "atom" / "atom.rng")))
ATOM = "{http://www.w3.org/2005/Atom}"


def atom(client: Client, lang: str, query: str = "") -> etree._Element:
    response = client.get(f"/portal/feeds/{lang}.atom{query}")
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/atom+xml")
    doc = etree.fromstring(response.content)
    SCHEMA.assertValid(doc)
    return doc


def json_feed(client: Client, lang: str, query: str = "") -> dict[str, Any]:
    response = client.get(f"/portal/feeds/{lang}.json{query}")
    assert response.status_code == 200
    doc = json.loads(response.content)
    # JSON Feed 1.1: version and title required; each item needs id and content_html or content_text.
    assert doc["version"] == "https://jsonfeed.org/version/1.1"
    assert isinstance(doc["title"], str) and doc["title"]
    assert isinstance(doc["items"], list)
    for entry in doc["items"]:
        assert isinstance(entry["id"], str) and entry["id"]
        assert "content_html" in entry or "content_text" in entry
        dt.datetime.fromisoformat(entry["date_published"])
    return doc


def titles(doc: etree._Element) -> list[str]:
    return [e.findtext(f"{ATOM}title") for e in doc.iter(f"{ATOM}entry")]


@pytest.mark.parametrize("lang", list(TRANSLATIONS))
def test_feeds_in_lao_khmer_chinese_jarai(world: World, published: Item, client: Client, lang: str) -> None:
    title = TRANSLATIONS[lang][0]
    doc = atom(client, lang)
    assert titles(doc) == [title]
    assert doc.get("{http://www.w3.org/XML/1998/namespace}lang") == lang
    link = next(doc.iter(f"{ATOM}entry")).find(f"{ATOM}link")
    assert link is not None and link.get("hreflang") == lang
    assert client.get(link.get("href", "")).status_code == 200  # the entry's page exists, in that language
    feed = json_feed(client, lang)
    assert [e["title"] for e in feed["items"]] == [title]
    assert feed["items"][0]["language"] == lang


def test_vietnamese_feed_and_filters(world: World, published: Item, client: Client) -> None:
    assert titles(atom(client, "vi")) == ["Tờ gấp về đường biên giới Đắk Lắk"]
    gso = world.gia_lai.gso_code
    assert titles(atom(client, "vi", f"?province={gso}&kind=leaflet")) == ["Tờ gấp về đường biên giới Đắk Lắk"]
    assert titles(atom(client, "vi", f"?province={world.dak_lak.gso_code}")) == []
    assert titles(atom(client, "lo", "?kind=article")) == []
    assert titles(atom(client, "lo", "?topic=nothing-here")) == []
    assert client.get("/portal/feeds/vi.atom?kind=bogus").status_code == 400
    assert client.get("/portal/feeds/xx.json").status_code == 400


def test_topic_filter(world: World, client: Client) -> None:
    content.do_save_topic(None, "bien-gioi", "Biên giới")
    publish_with_translations(world, "Có chủ đề", languages=("lo",), topics=["bien-gioi"])
    publish_with_translations(world, "Không chủ đề", languages=("lo",))
    assert titles(atom(client, "vi", "?topic=bien-gioi")) == ["Có chủ đề"]
    assert len(json_feed(client, "lo", "?topic=bien-gioi")["items"]) == 1


def test_never_public_material_is_absent(world: World, published: Item, client: Client) -> None:
    now = timezone.now()
    officials = publish_with_translations(world, "Chỉ cán bộ", audience="officials")
    make_item(world, title="Bản nháp")
    withdrawn = publish_with_translations(world, "Đã thu hồi")
    advance(world, withdrawn, "withdrawn")
    expired = publish_with_translations(world, "Đã hết hạn", valid_until=now + dt.timedelta(days=1))
    advance(world, expired, "expired")
    future = publish_with_translations(world, "Chưa đến hạn", valid_from=now + dt.timedelta(days=3))
    hidden = ["Chỉ cán bộ", "Bản nháp", "Đã thu hồi", "Đã hết hạn", "Chưa đến hạn"]
    for lang in ["vi", *TRANSLATIONS]:
        assert len(titles(atom(client, lang))) == 1
        assert len(json_feed(client, lang)["items"]) == 1
    for path in ["/portal/", "/sitemap.xml", "/portal/?lang=lo"]:
        text = client.get(path).content.decode()
        assert "Tờ gấp về đường biên giới" in text or TRANSLATIONS["lo"][0] in text or "/portal/" in text
        for word in hidden:
            assert word not in text
    sitemap = client.get("/sitemap.xml").content.decode()
    assert str(published.uid) in sitemap
    for item in (officials, withdrawn, expired, future):
        assert str(item.uid) not in sitemap
        assert client.get(f"/portal/vi/items/{item.uid}/").status_code == 404


def test_untranslated_or_unreviewed_language_is_absent(world: World, client: Client) -> None:
    item = make_item(world, title="Chỉ tiếng Việt")
    advance(world, item, "in_appraisal")
    content.do_save_variant(world.appraiser, item, "lo", "ບໍ່ທັນກວດ")  # translated, not reviewed
    advance(world, item, "published")
    assert titles(atom(client, "lo")) == []
    assert titles(atom(client, "vi")) == ["Chỉ tiếng Việt"]
    assert client.get(f"/portal/lo/items/{item.uid}/").status_code == 404


def test_conditional_get(world: World, published: Item, client: Client) -> None:
    for fmt in ("atom", "json"):
        first = client.get(f"/portal/feeds/vi.{fmt}")
        etag, modified = first["ETag"], first["Last-Modified"]
        again = client.get(f"/portal/feeds/vi.{fmt}", HTTP_IF_NONE_MATCH=etag)
        assert again.status_code == 304 and again.content == b""
        assert client.get(f"/portal/feeds/vi.{fmt}", HTTP_IF_MODIFIED_SINCE=modified).status_code == 304
        # Another language's tag does not match this one.
        assert client.get(f"/portal/feeds/lo.{fmt}", HTTP_IF_NONE_MATCH=etag).status_code == 200
    etag = client.get("/portal/feeds/vi.atom")["ETag"]
    advance(world, published, "withdrawn")
    after = client.get("/portal/feeds/vi.atom", HTTP_IF_NONE_MATCH=etag)
    assert after.status_code == 200 and after["ETag"] != etag
    assert titles(etree.fromstring(after.content)) == []
    assert "Set-Cookie" not in after


def test_a_new_publication_changes_the_tag(world: World, published: Item, client: Client) -> None:
    etag = client.get("/portal/feeds/lo.json")["ETag"]
    publish_with_translations(world, "Tin thứ hai", languages=("lo",))
    response = client.get("/portal/feeds/lo.json", HTTP_IF_NONE_MATCH=etag)
    assert response.status_code == 200
    assert len(json.loads(response.content)["items"]) == 2


def test_audio_is_an_enclosure_and_an_attachment(world: World, published: Item, client: Client) -> None:
    media = Path(__file__).parents[1] / "fixtures" / "media" / "sample.ogg"
    content.do_attach_file(world.appraiser, published.variants.get(language="lo"), media, "ban-tin.ogg")
    doc = atom(client, "lo")
    [enclosure] = [link for link in doc.iter(f"{ATOM}link") if link.get("rel") == "enclosure"]
    assert enclosure.get("type", "").startswith("audio/") and enclosure.get("length") == str(media.stat().st_size)
    [attachment] = json_feed(client, "lo")["items"][0]["attachments"]
    assert attachment["url"] == enclosure.get("href") and attachment["size_in_bytes"] == media.stat().st_size
    assert "attachments" not in json_feed(client, "vi")["items"][0]


def test_a_new_file_changes_the_tag_and_the_body(world: World, published: Item, client: Client) -> None:
    first = client.get("/portal/feeds/lo.json")
    media = Path(__file__).parents[1] / "fixtures" / "media" / "sample.ogg"
    content.do_attach_file(world.appraiser, published.variants.get(language="lo"), media, "ban-tin.ogg")
    second = client.get("/portal/feeds/lo.json", HTTP_IF_NONE_MATCH=first["ETag"])
    assert second.status_code == 200 and second["ETag"] != first["ETag"]
    assert json.loads(second.content)["items"][0]["attachments"]


def test_unchanged_feed_poll_is_one_query(world: World, published: Item, client: Client,
                                          django_assert_max_num_queries: Any) -> None:
    etag = client.get("/portal/feeds/vi.atom")["ETag"]
    with django_assert_max_num_queries(1):
        assert client.get("/portal/feeds/vi.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304
    with django_assert_max_num_queries(1):
        assert client.get("/portal/feeds/vi.atom").status_code == 200  # body from the cache


def test_feeds_by_path_segments(world: World, client: Client) -> None:
    """Every combination of topic, province and kind has a feed address of its own, without a query string."""
    content.do_save_topic(None, "cua-khau", "Cửa khẩu")
    publish_with_translations(world, "Cửa khẩu Lệ Thanh", languages=("km",), topics=["cua-khau"])
    publish_with_translations(world, "Bài viết khác", languages=("km",), kind="article")
    gso = world.gia_lai.gso_code

    def path_titles(lang: str, segments: str) -> list[str]:
        response = client.get(f"/portal/feeds/{lang}/{segments}.atom")
        assert response.status_code == 200, response.content
        doc = etree.fromstring(response.content)
        SCHEMA.assertValid(doc)
        [self_link] = [link for link in doc.iter(f"{ATOM}link") if link.get("rel") == "self"]
        assert self_link.get("href", "").endswith(f"/portal/feeds/{lang}/{segments}.atom")
        return titles(doc)

    assert path_titles("vi", "topic/cua-khau") == ["Cửa khẩu Lệ Thanh"]
    assert path_titles("vi", f"topic/cua-khau/province/{gso}/kind/leaflet") == ["Cửa khẩu Lệ Thanh"]
    assert path_titles("vi", "kind/article") == ["Bài viết khác"]
    assert path_titles("vi", f"province/{world.dak_lak.gso_code}") == []
    assert path_titles("km", f"province/{gso}/kind/leaflet") == [TRANSLATIONS["km"][0]]
    # Any order is read; the feed names itself in the one order.
    response = client.get("/portal/feeds/vi/kind/leaflet/topic/cua-khau.json")
    assert response.status_code == 200
    assert json.loads(response.content)["feed_url"].endswith("/portal/feeds/vi/topic/cua-khau/kind/leaflet.json")
    assert [e["title"] for e in json.loads(response.content)["items"]] == ["Cửa khẩu Lệ Thanh"]
    # The same feed by query string and by path: the same tag, so a poller switching costs nothing.
    etag = client.get("/portal/feeds/vi.atom?topic=cua-khau")["ETag"]
    assert client.get("/portal/feeds/vi/topic/cua-khau.atom", HTTP_IF_NONE_MATCH=etag).status_code == 304
    for bad in ("vi/topic.atom", "vi/colour/red.atom", "vi/kind/poem.atom", "vi/topic/a/topic/b.atom",
                "xx/topic/a.atom"):
        response = client.get(f"/portal/feeds/{bad}", HTTP_ACCEPT_LANGUAGE="vi")
        assert response.status_code == 400 and "địa chỉ" in response.content.decode()
    # The home page of a filter points at its feeds.
    home = client.get("/portal/?lang=km&topic=cua-khau").content.decode()
    assert "/portal/feeds/km/topic/cua-khau.atom" in home


def test_withdrawn_items_are_announced_as_deleted_in_atom(world: World, client: Client) -> None:
    """RFC 6721: a withdrawn or expired public item leaves the Atom feed and is announced as deleted (its id
    only); officials-only material, and items of other feeds, are never announced."""
    content.do_save_topic(None, "cua-khau", "Cửa khẩu")
    gone = publish_with_translations(world, "Đã thu hồi", languages=("lo",), topics=["cua-khau"])
    other = publish_with_translations(world, "Chủ đề khác", languages=("km",))
    officials = publish_with_translations(world, "Chỉ cán bộ", languages=("lo",), audience="officials")
    for item in (gone, other, officials):
        advance(world, item, "withdrawn")
    tomb = "{http://purl.org/atompub/tombstones/1.0}deleted-entry"

    def deleted(lang: str, query: str = "") -> list[str]:
        return [e.get("ref", "") for e in atom(client, lang, query).iter(tomb)]

    assert set(deleted("vi")) == {f"urn:uuid:{gone.uid}", f"urn:uuid:{other.uid}"}
    assert deleted("lo") == [f"urn:uuid:{gone.uid}"]
    assert deleted("vi", "?topic=cua-khau") == [f"urn:uuid:{gone.uid}"]
    assert deleted("km") == [f"urn:uuid:{other.uid}"]
    text = client.get("/portal/feeds/vi.atom").content.decode()
    assert str(officials.uid) not in text and "Đã thu hồi" not in text
