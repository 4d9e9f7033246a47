"""Portal pages: item page in every public language, hreflang and OpenGraph, slugs, home, robots, sitemap."""

from __future__ import annotations

from django.test import Client

from tests.conftest import World, advance
from tests.portal.conftest import TRANSLATIONS, publish_with_translations
from ttdn.content import services as content
from ttdn.content.models import Item, TranslationState
from ttdn.portal.queries import slug


def test_slugs_drop_diacritics_and_d_stroke() -> None:
    assert slug("Tờ gấp về đường biên giới Đắk Lắk") == "to-gap-ve-duong-bien-gioi-dak-lak"
    assert slug("ĐỒNG ĐĂNG") == "dong-dang"
    assert slug("边境") == "tin"  # no Latin letters: a fixed word keeps the URL readable


def test_item_page_lists_every_public_language(world: World, published: Item, client: Client) -> None:
    response = client.get(f"/portal/vi/items/{published.uid}/")
    assert response.status_code == 301
    url = response["Location"]
    assert url.endswith(f"/portal/vi/items/{published.uid}/to-gap-ve-duong-bien-gioi-dak-lak/")
    page = client.get(url)
    html = page.content.decode()
    assert "Set-Cookie" not in page
    for lang in ["vi", *TRANSLATIONS]:
        assert f'rel="alternate" hreflang="{lang}"' in html
    assert '<meta property="og:title" content="Tờ gấp về đường biên giới Đắk Lắk">' in html
    assert 'aria-current="page"' in html
    lao = client.get(f"/portal/lo/items/{published.uid}/", follow=True)
    assert TRANSLATIONS["lo"][0] in lao.content.decode()
    assert client.get(f"/portal/th/items/{published.uid}/").status_code == 404  # no Thai version


def test_home_by_language_and_province(world: World, client: Client) -> None:
    publish_with_translations(world, "Tin Gia Lai", languages=("lo",))
    html = client.get("/portal/?lang=lo").content.decode()
    assert TRANSLATIONS["lo"][0] in html and 'href="/portal/feeds/lo.atom"' in html
    assert "Tin Gia Lai" in client.get(f"/portal/?province={world.gia_lai.gso_code}").content.decode()
    assert "Tin Gia Lai" not in client.get(f"/portal/?province={world.dak_lak.gso_code}").content.decode()


def test_robots_and_sitemap(world: World, published: Item, client: Client) -> None:
    robots = client.get("/robots.txt").content.decode()
    assert "Sitemap: http://testserver/sitemap.xml" in robots
    sitemap = client.get("/sitemap.xml").content.decode()
    for lang in ["vi", *TRANSLATIONS]:
        assert f"/portal/{lang}/items/{published.uid}/" in sitemap


def test_search_finds_only_public_live_material(world: World, published: Item, client: Client) -> None:
    publish_with_translations(world, "Biên giới cho cán bộ", audience="officials")
    html = client.get("/portal/search/", {"q": "bien gioi"}).content.decode()
    assert "Tờ gấp về đường biên giới Đắk Lắk" in html
    assert "cho cán bộ" not in html
    lao = client.get("/portal/search/", {"q": "ຊາຍແດນ", "lang": "lo"}).content.decode()
    assert f"/portal/lo/items/{published.uid}/" in lao
    assert "Không tìm thấy tài liệu nào" in client.get("/portal/search/", {"q": "khongcogi"}).content.decode()


def test_cached_pages_follow_withdrawal_and_changes(world: World, published: Item, client: Client) -> None:
    url = f"/portal/lo/items/{published.uid}/"
    page = client.get(url, follow=True)
    assert TRANSLATIONS["lo"][0] in page.content.decode()
    assert TRANSLATIONS["lo"][0] in client.get("/portal/?lang=lo").content.decode()
    lao = published.variants.get(language="lo")
    content.do_save_variant(world.appraiser, published, "lo", "ຫົວຂໍ້ໃໝ່", "", "<p>ໃໝ່</p>")
    content.do_set_translation_state(world.appraiser, lao, TranslationState.REVIEWED)
    assert "ຫົວຂໍ້ໃໝ່" in client.get(url, follow=True).content.decode()
    assert "ຫົວຂໍ້ໃໝ່" in client.get("/portal/?lang=lo").content.decode()
    advance(world, published, "withdrawn")
    assert client.get(url).status_code == 404
    assert "ຫົວຂໍ້ໃໝ່" not in client.get("/portal/?lang=lo").content.decode()


def test_open_graph_names_the_audio(world: World, published: Item, client: Client) -> None:
    from pathlib import Path

    media = Path(__file__).parents[1] / "fixtures" / "media" / "sample.ogg"
    attachment = content.do_attach_file(world.appraiser, published.variants.get(language="lo"), media, "a.ogg")
    html = client.get(f"/portal/lo/items/{published.uid}/", follow=True).content.decode()
    assert f'<meta property="og:audio" content="http://testserver/files/{attachment.asset.sha256}/">' in html
    assert f'src="/files/{attachment.asset.sha256}/"' in html and "<audio controls" in html
