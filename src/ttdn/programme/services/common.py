"""What every programme service shares: text limits, refusals with a field, dates and numbers read from
input, the plan managers' check."""

from __future__ import annotations

import datetime as dt
import math
import unicodedata
from typing import Any

from django.utils.translation import gettext_lazy as _

from ttdn.accounts.models import User
from ttdn.core.errors import PermissionDenied, ServiceError
from ttdn.core.text import nfc
from ttdn.programme import permissions as perms
from ttdn.programme.models import Plan

TEXT_MAX = 20_000
TITLE_MAX = 1000


def invalid(code: str, message: Any, **details: Any) -> ServiceError:
    return ServiceError(code, message, **details)


def clean_text(value: Any, field_name: str, *, required: bool = False, limit: int = TEXT_MAX) -> str:
    text = nfc(str(value or "")).strip()
    if required and not text:
        raise invalid("invalid", _("This field is required."), field=field_name)
    if len(text) > limit:
        raise invalid("invalid", _("The text is longer than %(n)d characters.") % {"n": limit}, field=field_name)
    return text


def read_date(value: Any, where: str) -> dt.date | None:
    if value in (None, ""):
        return None
    try:
        return dt.date.fromisoformat(str(value))
    except ValueError:
        raise invalid("invalid_draft", _("%(where)s: “%(value)s” is not a date (YYYY-MM-DD).")
                       % {"where": where, "value": value}, field=where) from None


def read_number(value: Any, where: str) -> float | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool):
        raise invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": where}, field=where)
    try:
        number = float(value)
    except (TypeError, ValueError):
        raise invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": where},
                       field=where) from None
    if not math.isfinite(number):
        raise invalid("invalid_draft", _("%(where)s: a number is expected.") % {"where": where}, field=where)
    return number


def fold_words(text: str) -> str:
    """Lower case without diacritics (đ → d), for matching words in a plan's wording."""
    decomposed = unicodedata.normalize("NFD", text.lower().replace("đ", "d"))
    return " ".join("".join(ch for ch in decomposed if not unicodedata.combining(ch)).split())


def check_manage(actor: User, plan: Plan) -> None:
    if not perms.can_manage_plan(actor, plan):
        raise PermissionDenied(_("Only the plan's managers may do this."))
