import unicodedata

from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "ttdn.core"
    label = "core"
    verbose_name = "TTĐN core"

    def ready(self) -> None:
        from django.conf.locale import LANG_INFO

        from ttdn.core.verbose_names import translate_generated_names

        translate_generated_names()

        # Django spells "Tiếng Việt" decomposed (e + combining marks). Shown in the language switch of every
        # page, such clusters make the browser fetch a CJK font chunk that happens to hold those marks; and
        # the product's text is NFC everywhere.
        for info in LANG_INFO.values():
            if "name_local" in info:
                info["name_local"] = unicodedata.normalize("NFC", info["name_local"])
