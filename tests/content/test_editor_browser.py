"""The rich-text editor in chromium: a contributor writes a formatted article (heading, bold, list, a table
pasted from Word, a Lao paragraph, Jarai and Bahnar letters) with the keyboard and the clipboard, and the
stored body is that article, cleaned by the server's rules, every letter exactly as typed (NFC). The HTML
source view is the central editors' only."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Callable
from typing import Any

import pytest
from playwright.sync_api import expect

from ttdn.content.models import Item, Variant

from ..conftest import World, advance, make_item

pytestmark = pytest.mark.browser

ITEM_URL = re.compile(r"/items/[0-9a-f-]{36}/(#.*)?$")
LAO = "ຂໍ້ມູນກ່ຽວກັບເຂດຊາຍແດນ ແລະ ດ່ານສາກົນ"
KHMER = "ព័ត៌មានអំពីតំបន់ព្រំដែន"
CHINESE = "边境地区须知"
# Jarai and Bahnar: ô with a combining breve (no precomposed form), ƀ, ĕ, ŏ.
MINORITY = "Bơ̆ ƀôn ĕ ŏ – ô̆"
WORD_HTML = (
    '<html xmlns:o="urn:schemas-microsoft-com:office:office" xmlns:w="urn:schemas-microsoft-com:office:word">'
    '<head><meta name=Generator content="Microsoft Word 15"><style>p.MsoNormal{margin:0}</style></head>'
    '<body lang=VI style="tab-interval:36.0pt"><!--StartFragment-->'
    '<p class=MsoNormal style="mso-margin-top-alt:auto"><b><span style="font-family:Times New Roman">'
    "Cửa khẩu quốc tế Lệ Thanh</span></b><o:p></o:p></p>"
    '<table class=MsoTableGrid border=1 style="border-collapse:collapse;mso-yfti-tbllook:1184">'
    '<tr style="mso-yfti-irow:0"><td width=200 style="width:150pt"><p class=MsoNormal>Giờ mở cửa<o:p></o:p></p></td>'
    '<td width=200><p class=MsoNormal>7:00 – 22:00<o:p></o:p></p></td></tr>'
    '<tr><td><p class=MsoNormal>ເວລາເປີດ</p></td><td><p class=MsoNormal>' + KHMER + "</p></td></tr>"
    "</table><p class=MsoNormal><span lang=VI>" + "Pơlei ƀôn – hơ̆k" + "</span></p><!--EndFragment--></body></html>"
)


def paste_html(page: Any, html: str, text: str = "") -> None:
    """Paste as the clipboard would: a paste event carrying text/html (and text/plain)."""
    page.evaluate(
        """([html, text]) => {
            const area = document.querySelector('#field-body .jodit-wysiwyg');
            const data = new DataTransfer();
            data.setData('text/html', html);
            data.setData('text/plain', text);
            area.dispatchEvent(new ClipboardEvent('paste', {clipboardData: data, bubbles: true, cancelable: true}));
        }""",
        [html, text],
    )


def test_contributor_writes_a_formatted_article_that_is_stored_exactly(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    world = browser_world
    page = new_page(world.contributor)
    problems: list[str] = []
    page.on("pageerror", lambda exc: problems.append(str(exc)))
    page.goto(f"{live_server.url}/items/new/")
    editor = page.locator("#field-body .jodit-wysiwyg")
    expect(editor).to_be_visible()
    expect(editor).to_have_attribute("lang", "vi")
    expect(editor).to_have_attribute("aria-labelledby", re.compile(".+"))
    # Nothing inline added (a strict Content-Security-Policy is coming): no <style> or <script> beyond the page's.
    served = page.request.get(f"{live_server.url}/items/new/").text()
    assert page.evaluate("document.querySelectorAll('style').length") == served.count("<style")
    assert page.evaluate("document.querySelectorAll('script:not([src])').length") == 0
    # A contributor gets the toolbar, not the HTML source.
    expect(page.locator("#field-body .jodit-toolbar-button_source")).to_have_count(0)
    expect(page.locator("#field-body .jodit-toolbar-button_table")).to_have_count(1)

    page.select_option("#id_kind", "article")
    page.fill("#id_title", "Hướng dẫn qua cửa khẩu Lệ Thanh")
    page.fill("#id_summary", "Giờ mở cửa và giấy tờ cần mang.")
    # Keyboard only: Tab from the summary reaches the text; Alt+F10 the toolbar, arrows move, Esc goes back.
    page.focus("#id_summary")
    page.keyboard.press("Tab")
    expect(editor).to_be_focused()
    expect(page.locator("#field-body [data-editor-keys]")).to_contain_text("Alt+F10")
    page.keyboard.press("Alt+F10")
    focused_button = "document.activeElement.closest('.jodit-toolbar-button')?.className || ''"
    first = page.evaluate(focused_button)
    assert "jodit-toolbar-button_paragraph" in first, first
    page.keyboard.press("ArrowRight")
    assert "jodit-toolbar-button_bold" in page.evaluate(focused_button)
    page.keyboard.press("Escape")
    expect(editor).to_be_focused()
    page.keyboard.type("Giấy tờ cần mang: ")
    page.keyboard.press("Control+b")
    page.keyboard.type("hộ chiếu")
    page.keyboard.press("Control+b")
    page.keyboard.press("Enter")
    # Letters as an input method delivers them (combining breve after ô, ƀ): inserted text, not key presses.
    page.keyboard.insert_text(MINORITY)
    page.keyboard.press("Enter")
    page.keyboard.insert_text(LAO)
    page.keyboard.press("Enter")
    page.keyboard.insert_text(CHINESE)
    page.keyboard.press("Enter")
    paste_html(page, WORD_HTML, "Cửa khẩu quốc tế Lệ Thanh")
    expect(editor.locator("table td")).to_have_count(4)

    # A heading and a list from the toolbar, a link with the keyboard.
    editor.locator("p", has_text="Giấy tờ cần mang").click()
    page.click("#field-body .jodit-toolbar-button_paragraph .jodit-toolbar-button__trigger")
    page.click(".jodit-popup [role=menuitem]:has-text('Tiêu đề 2'), .jodit-popup button:has-text('Tiêu đề 2')")
    editor.locator("p", has_text=LAO).click()
    page.click("#field-body .jodit-toolbar-button_ul .jodit-toolbar-button__button")

    page.check(f"input[name=target_provinces][value='{world.gia_lai.pk}']")
    page.check("#id_no_state_secrets")
    page.click("[data-testid=save-item]")
    page.wait_for_url(ITEM_URL)
    assert problems == []

    body = Variant.objects.get(item=Item.objects.get()).body
    assert body == unicodedata.normalize("NFC", body)
    for text in (MINORITY, LAO, CHINESE, KHMER, "ເວລາເປີດ", "Pơlei ƀôn – hơ̆k", "Giấy tờ cần mang",
                 "Cửa khẩu quốc tế Lệ Thanh"):
        assert unicodedata.normalize("NFC", text) in body, (text, body)
    assert re.search(r"<(strong|b)>hộ chiếu</(strong|b)>", body), body
    assert re.search(r"<h2>Giấy tờ cần mang:( |&nbsp;)<strong>hộ chiếu</strong></h2>", body), body
    assert f"<ul><li>{LAO}</li></ul>" in body
    assert "<table>" in body or "<table " in body
    assert body.count("<td") == 4
    # Word's and the browser's styling is gone: the server's rules keep structure only.
    for leftover in ("mso", "MsoNormal", "style=", "class=", "<o:p", "<span style", "<!--", "font-family"):
        assert leftover not in body, (leftover, body)
    # The page shows it back as written.
    expect(page.locator(".variant-body table td").first).to_contain_text("Giờ mở cửa")


def test_lao_translation_has_the_language_and_the_appraiser_may_edit_the_source(
    browser_world: World, new_page: Callable[..., Any], live_server: Any
) -> None:
    world = browser_world
    item = advance(world, make_item(world, body="<p>Văn bản gốc.</p>"), "approved")
    # The Lao translator writes in a Lao editor; no HTML source for translators either.
    translator = new_page(world.translator_lo)
    translator.goto(f"{live_server.url}/items/{item.uid}/variants/lo/")
    editor = translator.locator("#field-body .jodit-wysiwyg")
    expect(editor).to_have_attribute("lang", "lo")
    expect(translator.locator("#field-body .jodit-toolbar-button_source")).to_have_count(0)

    item = advance(world, make_item(world, title="Tờ gấp thứ hai", body="<p>Văn bản gốc.</p>"), "in_appraisal")
    appraiser = new_page(world.appraiser)
    appraiser.goto(f"{live_server.url}/items/{item.uid}/variants/vi/")
    source_button = appraiser.locator("#field-body .jodit-toolbar-button_source button")
    expect(source_button).to_have_count(1)
    source_button.click()
    source = appraiser.locator("#field-body .jodit-source textarea")
    expect(source).to_be_visible()
    source.fill(f'<h2>Mục 1</h2><p lang="lo">{LAO}</p><p onclick="alert(1)">An <script>alert(1)</script>toàn</p>')
    appraiser.click("[data-testid=save-variant]")
    appraiser.wait_for_url(ITEM_URL)
    body = Variant.objects.get(item=item, language="vi").body
    assert "<h2>Mục 1</h2>" in body and f'<p lang="lo">{LAO}</p>' in body
    assert "onclick" not in body and "<script" not in body and "alert" not in body


def test_editor_is_loaded_on_edit_pages_only(world: World, client: Any) -> None:
    client.force_login(world.contributor)
    assert b"jodit" in client.get("/items/new/").content
    for url in ("/published/", "/my-work/"):
        assert b"jodit" not in client.get(url).content
