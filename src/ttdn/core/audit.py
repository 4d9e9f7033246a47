"""Recording audit entries. Called only from `do_…` functions, inside their transaction."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ttdn.core.models import AuditEntry

if TYPE_CHECKING:
    from django.db.models import Model

    from ttdn.accounts.models import User


def record(
    actor: User | None,
    action: str,
    obj: Model | None = None,
    *,
    agency_id: int | None = None,
    **data: Any,
) -> AuditEntry:
    label = actor.get_username() if actor is not None and actor.pk else "system"
    return AuditEntry.objects.create(
        actor=actor if actor is not None and actor.pk else None,
        actor_label=label,
        action=action,
        object_type=obj._meta.label_lower if obj is not None else "",
        object_id=str(obj.pk) if obj is not None else "",
        agency_id=agency_id,
        data={k: _jsonable(v) for k, v in data.items()},
    )


def _jsonable(value: Any) -> Any:
    if isinstance(value, str | int | float | bool) or value is None:
        return value
    if isinstance(value, list | tuple):
        return [_jsonable(v) for v in value]
    if isinstance(value, dict):
        return {str(k): _jsonable(v) for k, v in value.items()}
    return str(value)
