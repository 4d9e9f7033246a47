"""Vietnamese mobile numbers: the forms people type (0…, 84…, +84…, with spaces, dots or dashes) brought to
one form, 84 followed by the 9 digits of a current 10-digit mobile number.

The operator is not decided here: numbers move between operators, so it comes from the import or a lookup.
"""

from __future__ import annotations

import re

from django.utils.translation import gettext_lazy as _

from ttdn.core.errors import ServiceError

# Mobile prefixes (the two digits after the 0) in use since the 2018 change to 10-digit numbers.
MOBILE_PREFIXES = frozenset({
    "32", "33", "34", "35", "36", "37", "38", "39", "86", "96", "97", "98",  # Viettel
    "81", "82", "83", "84", "85", "88", "91", "94",  # VinaPhone
    "70", "76", "77", "78", "79", "89", "90", "93",  # MobiFone
    "52", "56", "58", "92",  # Vietnamobile
    "59", "99",  # Gmobile
    "87",  # Itel
    "55",  # Reddi
})

_SEPARATORS = re.compile(r"[\s.\-()]")


def normalise_mobile(raw: str) -> str:
    """`raw` as 84XXXXXXXXX, or ServiceError("bad_mobile") saying why in the user's language."""
    text = _SEPARATORS.sub("", raw.strip())
    if text.startswith("+"):
        text = text[1:]
    if not text.isdigit():
        raise ServiceError("bad_mobile", _("“%(number)s” is not a phone number: only digits are allowed.")
                           % {"number": raw})
    if text.startswith("84"):
        national = text[2:]
    elif text.startswith("0"):
        national = text[1:]
    else:
        raise ServiceError("bad_mobile", _("“%(number)s” must start with 0 or 84.") % {"number": raw})
    if len(national) != 9:
        raise ServiceError("bad_mobile", _("“%(number)s” is not a 10-digit mobile number.") % {"number": raw})
    if national[:2] not in MOBILE_PREFIXES:
        raise ServiceError("bad_mobile", _("“%(number)s” does not start with a Vietnamese mobile prefix.")
                           % {"number": raw})
    return "84" + national
