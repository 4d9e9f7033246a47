"""A visitor on a phone-sized screen switches an item from Vietnamese to Lao and plays its audio."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tests.conftest import World
from tests.portal.conftest import TRANSLATIONS, publish_with_translations
from ttdn.content import services as content

MEDIA = Path(__file__).parents[1] / "fixtures" / "media"


def test_phone_visitor_switches_to_lao_and_plays_audio(browser: Any, live_server: Any,
                                                        browser_world: World) -> None:
    world = browser_world
    item = publish_with_translations(world, languages=("lo",))
    lao = item.variants.get(language="lo")
    content.do_attach_file(world.appraiser, lao, MEDIA / "sample.ogg", "ban-tin.ogg")
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 740}, is_mobile=True,
                                  has_touch=True)
    try:
        page = context.new_page()
        page.goto(f"{live_server.url}/portal/vi/items/{item.uid}/")
        assert page.locator("h1").inner_text() == "Tờ gấp về đường biên giới Đắk Lắk"
        # Readable on a phone: nothing wider than the screen.
        assert page.evaluate("document.documentElement.scrollWidth") <= 375
        page.get_by_role("link", name="ພາສາລາວ").or_(page.locator('nav.languages a[hreflang="lo"]')).first.click()
        page.wait_for_url("**/portal/lo/items/**")
        assert page.locator("h1").inner_text() == TRANSLATIONS["lo"][0]
        assert page.locator("article").get_attribute("lang") == "lo"
        audio = page.locator("audio")
        audio.evaluate("a => a.play()")
        page.wait_for_function("() => document.querySelector('audio').currentTime > 0")
        assert audio.evaluate("a => a.error === null")
        assert context.cookies() == []
    finally:
        context.close()


def test_agency_page_embeds_the_widget(browser: Any, live_server: Any, browser_world: World) -> None:
    """An agency's own site (another origin on loopback) frames the widget; the list shows in Lao, no cookies."""
    import http.server
    import threading

    publish_with_translations(browser_world, languages=("lo",))
    page_html = (f'<!doctype html><html lang="vi"><body><h1>Cổng thông tin Sở</h1>'
                 f'<iframe id="ttdn" src="{live_server.url}/portal/widget/lo/" style="width:100%;border:0"></iframe>'
                 "<script>addEventListener('message', e => { if (e.data.ttdnWidgetHeight) "
                 "document.getElementById('ttdn').style.height = e.data.ttdnWidgetHeight + 'px'; });</script>"
                 "</body></html>").encode()

    class Agency(http.server.BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            self.send_response(200)
            self.send_header("Content-Type", "text/html; charset=utf-8")
            self.end_headers()
            self.wfile.write(page_html)

        def log_message(self, *args: Any) -> None:
            pass

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Agency)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    context = browser.new_context(locale="vi-VN", viewport={"width": 375, "height": 740})
    try:
        page = context.new_page()
        page.goto(f"http://127.0.0.1:{server.server_address[1]}/")
        frame = page.frame_locator("#ttdn")
        link = frame.locator("li a").first
        assert link.inner_text() == TRANSLATIONS["lo"][0]
        page.wait_for_function("() => parseInt(document.getElementById('ttdn').style.height || '0') > 0")
        assert context.cookies() == []
        link.click()  # target=_top: the whole window goes to the item page
        page.wait_for_url("**/portal/lo/items/**")
        assert page.locator("h1").inner_text() == TRANSLATIONS["lo"][0]
    finally:
        context.close()
        server.shutdown()
        server.server_close()
