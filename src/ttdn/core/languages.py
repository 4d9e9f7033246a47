"""The one registry of languages: BCP 47 tag, ISO 639-3 code, Vietnamese and English names, script.

Every language field in the product takes its choices from here, so adding a language is one line.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Language:
    tag: str  # BCP 47
    iso639_3: str
    name_vi: str
    name_en: str
    script: str  # ISO 15924
    # True for scripts written without spaces between words (search must segment them).
    unspaced: bool = False
    minority: bool = False  # an ethnic-minority language of Vietnam

    def name(self, ui_language: str = "vi") -> str:
        return self.name_en if ui_language.startswith("en") else self.name_vi


LANGUAGES: tuple[Language, ...] = (
    Language("vi", "vie", "Tiếng Việt", "Vietnamese", "Latn"),
    Language("en", "eng", "Tiếng Anh", "English", "Latn"),
    Language("lo", "lao", "Tiếng Lào", "Lao", "Laoo", unspaced=True),
    Language("km", "khm", "Tiếng Khmer (Campuchia)", "Khmer", "Khmr", unspaced=True),
    Language("zh-Hans", "zho", "Tiếng Trung (giản thể)", "Chinese (Simplified)", "Hans", unspaced=True),
    Language("th", "tha", "Tiếng Thái Lan", "Thai", "Thai", unspaced=True),
    Language("fr", "fra", "Tiếng Pháp", "French", "Latn"),
    Language("ru", "rus", "Tiếng Nga", "Russian", "Cyrl"),
    Language("jra", "jra", "Tiếng Gia Rai", "Jarai", "Latn", minority=True),
    Language("bdq", "bdq", "Tiếng Ba Na", "Bahnar", "Latn", minority=True),
    Language("rad", "rad", "Tiếng Ê Đê", "Rade (Ede)", "Latn", minority=True),
    Language("hnj", "hnj", "Tiếng Mông (H'Mông)", "Hmong Njua", "Latn", minority=True),
    Language("blt", "blt", "Tiếng Thái (Tày Đăm)", "Tai Dam", "Tavt", minority=True),
    Language("mtq", "mtq", "Tiếng Mường", "Muong", "Latn", minority=True),
    Language("kxm", "kxm", "Tiếng Khmer Nam Bộ", "Northern Khmer", "Khmr", unspaced=True, minority=True),
    Language("mng", "mng", "Tiếng M'Nông", "Eastern Mnong", "Latn", minority=True),
    Language("sed", "sed", "Tiếng Xơ Đăng", "Sedang", "Latn", minority=True),
)

BY_TAG: dict[str, Language] = {lang.tag: lang for lang in LANGUAGES}
_BY_LOWER: dict[str, Language] = {lang.tag.lower(): lang for lang in LANGUAGES}
_BY_LOWER.update({lang.iso639_3: lang for lang in LANGUAGES if lang.iso639_3 not in _BY_LOWER})
# Common spellings that mean the same tag.
_BY_LOWER.update({"zh": BY_TAG["zh-Hans"], "zh-cn": BY_TAG["zh-Hans"], "zh-hans-cn": BY_TAG["zh-Hans"]})


def get(tag: str) -> Language | None:
    """The language for a tag, accepting case differences, ISO 639-3 codes and common aliases."""
    return _BY_LOWER.get(tag.strip().lower().replace("_", "-"))


def canonical_tag(tag: str) -> str | None:
    lang = get(tag)
    return lang.tag if lang else None


def choices(ui_language: str = "vi") -> list[tuple[str, str]]:
    return [(lang.tag, f"{lang.name(ui_language)} ({lang.tag})") for lang in LANGUAGES]


def model_choices() -> list[tuple[str, str]]:
    """Stable choices for model fields (labels do not matter to migrations)."""
    return [(lang.tag, lang.name_en) for lang in LANGUAGES]


def name(tag: str, ui_language: str = "vi") -> str:
    lang = get(tag)
    return lang.name(ui_language) if lang else tag
