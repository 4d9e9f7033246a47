"""Static files under names that carry a hash of their content, with gzip and brotli copies beside them.

`ttdn serve` runs collectstatic first, so WhiteNoise serves every file compressed and marked cacheable for
years (a changed file gets a new name). Before collectstatic has run (tests, a first `django-admin runserver`)
templates fall back to the plain names, which WhiteNoise still serves from the app folders.
"""

from __future__ import annotations

from whitenoise.storage import CompressedManifestStaticFilesStorage


class StaticStorage(CompressedManifestStaticFilesStorage):
    manifest_strict = False

    def stored_name(self, name: str) -> str:
        try:
            return super().stored_name(name)
        except ValueError:  # not collected yet: no hashed copy to point at
            return name
