"""Template filters of the plan pages."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def dong(value: Any) -> str:
    """An amount in đồng written the Vietnamese way: 1.250.000."""
    if value is None or value == "":
        return "—"
    try:
        amount = int(value)
    except (TypeError, ValueError):
        return str(value)
    return f"{amount:,}".replace(",", ".")
