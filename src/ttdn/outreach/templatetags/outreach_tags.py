"""Money in đồng as Vietnamese write it: 1.650.000 (Django's Vietnamese formats do not group digits)."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from typing import Any

from django import template

register = template.Library()


@register.filter
def vnd(value: Any) -> str:
    try:
        amount = Decimal(str(value)).quantize(Decimal(1), rounding=ROUND_HALF_UP)
    except (InvalidOperation, ValueError):
        return ""
    return f"{int(amount):,}".replace(",", ".")
