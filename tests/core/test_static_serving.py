"""Static files as `ttdn serve` ships them: hashed names, compressed copies, cached for years — and the
published list's first view on a slow link within its byte budget, measured in chromium.

collectstatic runs once for the module into a throw-away STATIC_ROOT, as `ttdn serve` does at start.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from django.contrib.staticfiles.storage import staticfiles_storage
from django.core.management import call_command
from django.http import HttpResponse
from django.test import RequestFactory, override_settings

from tests.conftest import World, advance, make_item
from ttdn.core.middleware import StaticFilesMiddleware

ONE_YEAR = 365 * 24 * 3600
HASHED = re.compile(r"\.[0-9a-f]{12}\.(css|js|woff2)$")
# The first view of the published list (HTML, styles, scripts, fonts), in bytes over the wire.
FIRST_VIEW_BUDGET = 150 * 1024


@pytest.fixture(scope="module")
def collected(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Path]:
    root = tmp_path_factory.mktemp("static")
    with override_settings(STATIC_ROOT=root):
        call_command("collectstatic", interactive=False, verbosity=0)
        yield root


def _whitenoise() -> StaticFilesMiddleware:
    return StaticFilesMiddleware(lambda request: HttpResponse(status=404))


def _get(app: StaticFilesMiddleware, url: str, encoding: str) -> Any:
    return app(RequestFactory().get(url, HTTP_ACCEPT_ENCODING=encoding))


@pytest.mark.parametrize("name", ["ttdn/css/fonts.css", "ttdn/css/ttdn.css", "ttdn/vendor/htmx.min.js",
                                  "ttdn/js/ttdn.js"])
def test_pages_name_hashed_files_served_compressed_and_cached_for_a_year(collected: Path, name: str) -> None:
    url = staticfiles_storage.url(name)
    assert HASHED.search(url), url
    app = _whitenoise()
    for encoding in ("br", "gzip"):
        response = _get(app, url, f"{encoding}, deflate")
        assert response.status_code == 200
        assert response["Content-Encoding"] == encoding
        assert "Accept-Encoding" in response["Vary"]
        cache = response["Cache-Control"]
        assert "immutable" in cache and "public" in cache
        assert int(re.search(r"max-age=(\d+)", cache).group(1)) >= ONE_YEAR  # type: ignore[union-attr]
    plain = _get(app, url, "identity")
    assert "Content-Encoding" not in plain
    # Text files travel at well under half their size.
    for encoding in ("br", "gzip"):
        assert int(_get(app, url, encoding)["Content-Length"]) < int(plain["Content-Length"]) / 2
    collected_file = Path(staticfiles_storage.path(staticfiles_storage.stored_name(name)))
    assert int(plain["Content-Length"]) == collected_file.stat().st_size
    # The unhashed name may change under the same URL: it is cached briefly only.
    unhashed = _get(app, f"/static/{name}", "gzip")
    assert unhashed.status_code == 200 and "immutable" not in unhashed["Cache-Control"]


def test_fonts_inside_the_css_are_hashed_too(collected: Path) -> None:
    css = Path(staticfiles_storage.path(staticfiles_storage.stored_name("ttdn/css/fonts.css"))).read_text()
    urls = re.findall(r"url\(([^)]+)\)", css)
    assert urls and all(HASHED.search(u.strip("'\"")) for u in urls)
    response = _get(_whitenoise(), staticfiles_storage.url("ttdn/fonts/noto-sans-latin-400-normal.woff2"), "gzip")
    assert response.status_code == 200 and "immutable" in response["Cache-Control"]
    assert "Content-Encoding" not in response  # woff2 is compressed already


# ------------------------------------------------------------------------------- the first view, measured


@pytest.fixture
def production_server(collected: Path, browser_world: World) -> Iterator[str]:
    """The product's WSGI application (WhiteNoise, collected files) under waitress on a loopback port."""
    import waitress
    from django.core.wsgi import get_wsgi_application

    server = waitress.create_server(get_wsgi_application(), host="127.0.0.1", port=0, threads=4)
    thread = threading.Thread(target=server.run, daemon=True)
    thread.start()
    try:
        yield f"http://127.0.0.1:{server.effective_port}"  # type: ignore[union-attr]
    finally:
        server.close()
        thread.join(timeout=5)


def test_published_list_first_view_fits_the_budget(production_server: str, browser_world: World,
                                                   browser: Any) -> None:
    for n in range(12):
        advance(browser_world, make_item(browser_world, title=f"Tờ gấp về quy chế khu vực biên giới số {n}"),
                "published")
    context = browser.new_context(locale="vi-VN", viewport={"width": 1280, "height": 900})
    try:
        page = context.new_page()
        cdp = context.new_cdp_session(page)
        cdp.send("Network.enable")
        cdp.send("Network.setCacheDisabled", {"cacheDisabled": True})
        received: dict[str, int] = {}
        urls: dict[str, str] = {}
        cdp.on("Network.requestWillBeSent", lambda e: urls.__setitem__(e["requestId"], e["request"]["url"]))
        cdp.on("Network.loadingFinished",
               lambda e: received.__setitem__(e["requestId"], int(e["encodedDataLength"])))
        page.goto(f"{production_server}/published/", wait_until="networkidle")
        page.evaluate("document.fonts.ready.then(() => true)")
        page.wait_for_load_state("networkidle")
        total = sum(received.values())
        detail = sorted(((size, urls.get(rid, rid)) for rid, size in received.items()), reverse=True)
        assert page.locator("main h1").count() == 1
        assert total <= FIRST_VIEW_BUDGET, "\n".join(f"{s} {u}" for s, u in detail)
        fetched = " ".join(urls.values())
        # A Vietnamese page fetches no Lao, Khmer or Chinese font, nor the large latin-ext face (ă, đ, ơ, ư come
        # from the small Vietnamese one).
        assert "latin-ext" not in fetched and "noto-sans-vietnamese-400" in fetched
        assert "noto-sans-lao" not in fetched and "noto-sans-khmer" not in fetched and "noto-sans-sc" not in fetched
        print(f"first view {total} bytes:", detail)
    finally:
        context.close()
