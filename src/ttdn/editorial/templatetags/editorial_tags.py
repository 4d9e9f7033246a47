"""The editorial parts of the item page and lists: the opinion and schedule panel, the "scheduled" badge."""

from __future__ import annotations

from typing import Any

from django import template

from ttdn.content import permissions as perms
from ttdn.content.models import Item, State
from ttdn.editorial.forms import ScheduleForm
from ttdn.editorial.models import Schedule

register = template.Library()


@register.inclusion_tag("editorial/_item_panel.html", takes_context=True)
def editorial_panel(context: dict[str, Any], item: Item) -> dict[str, Any]:
    user = context.get("user")
    may_appraise = bool(user and user.is_authenticated) and any(
        perms.can_do(user, item, perms.ACTIONS[a]) for a in ("approve", "return"))
    may_publish = bool(user and user.is_authenticated) and perms.can_do(user, item, perms.ACTIONS["publish"])
    schedule = Schedule.objects.filter(item=item).select_related("scheduled_by").first() \
        if item.state == State.APPROVED else None
    return {
        "item": item, "may_appraise": may_appraise, "may_publish": may_publish, "schedule": schedule,
        "schedule_form": ScheduleForm() if may_publish and schedule is None else None,
        "csrf_token": context.get("csrf_token"),
    }


@register.simple_tag
def scheduled_for(item: Item) -> Schedule | None:
    """The schedule of an approved item, for list rows (approved rows only ask)."""
    if item.state != State.APPROVED:
        return None
    return Schedule.objects.filter(item_id=item.pk).first()
