from __future__ import annotations

from typing import Any

import pytest

from tests.conftest import World, advance, make_item
from ttdn.content import services as content
from ttdn.content.models import Item, TranslationState

# Real text in the languages the feeds carry (Lao, Khmer, Chinese, Jarai).
TRANSLATIONS = {
    "lo": ("ແຜ່ນພັບກ່ຽວກັບລະບຽບການເຂດຊາຍແດນ", "ສິ່ງທີ່ຄວນຮູ້"),
    "km": ("ខិត្តប័ណ្ណអំពីបទប្បញ្ញត្តិតំបន់ព្រំដែន", "អ្វីដែលត្រូវដឹង"),
    "zh-Hans": ("边境地区规定宣传单", "须知事项"),
    "jra": ("Hră pơblang kơ tơlơi phiăn anih guah kơnong", "Tơlơi năng thâo"),
}


def publish_with_translations(world: World, title: str = "Tờ gấp về đường biên giới Đắk Lắk",
                              languages: tuple[str, ...] = tuple(TRANSLATIONS), **kw: Any) -> Item:
    item = make_item(world, title=title, **kw)
    advance(world, item, "in_appraisal")
    for lang in languages:
        t, s = TRANSLATIONS[lang]
        variant = content.do_save_variant(world.appraiser, item, lang, t, s, f"<p>{t}</p>")
        content.do_set_translation_state(world.appraiser, variant, TranslationState.REVIEWED)
    item.refresh_from_db()
    return advance(world, item, "published")


@pytest.fixture
def published(world: World) -> Item:
    return publish_with_translations(world)
