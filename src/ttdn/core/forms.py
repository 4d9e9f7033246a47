"""Form pieces shared by every app: dates typed and shown as dd/mm/yyyy whatever the browser's locale.

A native <input type=date> shows and reads dates in the browser's own format (mm/dd/yyyy in an en-US
browser), so a date field is a text field with a pattern; ttdn.js adds a calendar button that uses the
browser's picker only to choose a day, and writes it back as dd/mm/yyyy.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

DAY_FORMAT = "%d/%m/%Y"
# Day first; ISO too, for links and for what a native date picker sends.
DAY_INPUT_FORMATS = ["%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y", "%Y-%m-%d"]
# The browser checks it too. Its `pattern` attribute is compiled with the `v` flag: "/" and "-" are escaped
# inside a class, and "-" never outside one (an invalid pattern is ignored, with a console error).
DAY_PATTERN = r"\s*(\d{1,2}[\/.\-]\d{1,2}[\/.\-]\d{4}|\d{4}-\d{2}-\d{2})\s*"


class DayInput(forms.DateInput):
    input_type = "text"

    def __init__(self, attrs: dict[str, Any] | None = None) -> None:
        base = {
            "placeholder": _("dd/mm/yyyy"),
            "title": _("dd/mm/yyyy"),
            "pattern": DAY_PATTERN,
            "autocomplete": "off",
            "size": "10",
            "data-day-input": "",
        }
        super().__init__(attrs={**base, **(attrs or {})}, format=DAY_FORMAT)


class DayField(forms.DateField):
    """A date typed as dd/mm/yyyy (01/12/2026 is 1 December 2026), checked on the server."""

    widget = DayInput
    input_formats = DAY_INPUT_FORMATS
    default_error_messages = {
        "invalid": _("Enter a date as dd/mm/yyyy, for example 01/12/2026 for 1 December 2026."),
    }

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", DayInput())
        super().__init__(input_formats=DAY_INPUT_FORMATS, **kwargs)


def parse_day(text: str | None) -> dt.date | None:
    """A day typed by a person (dd/mm/yyyy or ISO), or None if it is empty or not a date."""
    text = (text or "").strip()
    for fmt in DAY_INPUT_FORMATS:
        try:
            return dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    return None
