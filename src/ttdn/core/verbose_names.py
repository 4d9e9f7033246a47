"""Model and field names in the user's language for the Django admin (and any generated form), with no
migration: a name in plain English — made up by Django from the code ("full_name" → "full name", class
RoleGrant → "role grant") or written in the code without gettext — is looked up in the catalogue when shown.

No migration changes: Django writes into migrations the names as the code gives them (Field._verbose_name,
Options.original_attrs), which this leaves alone.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy


def _lazy(value: object) -> object:
    return value if isinstance(value, Promise) else gettext_lazy(str(value))


def translate_generated_names() -> None:
    for config in apps.get_app_configs():
        if config.name.startswith("django."):  # Django translates its own
            continue
        config.verbose_name = _lazy(config.verbose_name)  # type: ignore[assignment]
        for model in config.get_models():
            opts = model._meta
            raw = opts.verbose_name
            opts.verbose_name = _lazy(raw)  # type: ignore[assignment]
            if "verbose_name_plural" not in opts.original_attrs and not isinstance(raw, Promise):
                # Django's own plural is "<name>s" put together lazily; look that up instead.
                opts.verbose_name_plural = gettext_lazy(f"{raw}s")  # type: ignore[assignment]
            else:
                opts.verbose_name_plural = _lazy(opts.verbose_name_plural)  # type: ignore[assignment]
            for field in opts.get_fields(include_hidden=True):
                if hasattr(field, "verbose_name"):
                    field.verbose_name = _lazy(field.verbose_name)
