"""What each app adds to the whole, registered by the app itself, so that core never imports an app above it.

- Periodic work: an app's `tasks.py` calls `periodic(task, every=…)`; `ttdn worker` enqueues each on its schedule.
- Demo data: an app's `demo.py` decorates its builder with `@demo_part(order)`; `ttdn demo` runs them in order.
- Home page parts: an app's `AppConfig.ready` calls `home_part(name, template, context)`; the signed-in home page
  (content's "my work") includes each part whose `context(user)` has something to show.

Both are found with Django's `autodiscover_modules`, as the admin finds `admin.py`.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from django.utils.module_loading import autodiscover_modules

# The demo accounts' shared password and second-factor key (demo only; printed for the person trying it).
DEMO_PASSWORD = "TTDN-demo-2026"  # noqa: S105
DEMO_TOTP_SECRET = "TTDNDEMOBIENGIOIHAIKHONGHAISAUAA"  # noqa: S105


@dataclass(frozen=True)
class Periodic:
    task: Any  # a django_tasks Task
    every: float  # seconds between runs; 0: every sweep of the worker
    order: int  # within a sweep, lower first


_periodic: dict[str, Periodic] = {}


def periodic(task: Any, *, every: float = 0, order: int = 100) -> None:
    """Register `task` to be enqueued every `every` seconds (at most once per worker sweep)."""
    _periodic[task.module_path] = Periodic(task, every, order)


def periodic_tasks() -> list[Periodic]:
    autodiscover_modules("tasks")
    return sorted(_periodic.values(), key=lambda p: p.order)


@dataclass
class DemoPart:
    """What an app's demo builder reports: the accounts it made (username, roles, agency) and lines to print."""

    users: list[tuple[str, str, str]] = field(default_factory=list)
    lines: list[str] = field(default_factory=list)


DemoBuilder = Callable[[Callable[[str], None]], DemoPart]
_demo: dict[str, tuple[int, DemoBuilder]] = {}


def demo_part(order: int) -> Callable[[DemoBuilder], DemoBuilder]:
    """Register an app's demo builder; lower `order` runs first (content's material before the plans citing it)."""

    def register(builder: DemoBuilder) -> DemoBuilder:
        _demo[builder.__module__] = (order, builder)
        return builder

    return register


def demo_builders() -> list[DemoBuilder]:
    autodiscover_modules("demo")
    return [builder for _order, builder in sorted(_demo.values(), key=lambda entry: entry[0])]


@dataclass(frozen=True)
class HomePart:
    template: str  # included with `part` set to what `context` returned
    context: Callable[[Any], dict[str, Any] | None]  # the user → the part's context, or None: nothing to show
    order: int


_home: dict[str, HomePart] = {}


def home_part(name: str, template: str, context: Callable[[Any], dict[str, Any] | None], *,
              order: int = 100) -> None:
    """Register a part of the signed-in home page (lower `order` first); registering a name again replaces it."""
    _home[name] = HomePart(template, context, order)


def home_parts(user: Any) -> list[tuple[str, dict[str, Any]]]:
    """(template, context) of each registered part with something to show this user, in order."""
    shown = []
    for part in sorted(_home.values(), key=lambda p: p.order):
        context = part.context(user)
        if context is not None:
            shown.append((part.template, context))
    return shown
