"""Each app registers its own periodic work and demo part; the worker and `ttdn demo` walk the registries, and
every app of the product has its place in the import layers that `lint-imports` checks."""

from __future__ import annotations

import tomllib
from pathlib import Path

from django.apps import apps

from ttdn.core.registry import demo_builders, periodic_tasks

ROOT = Path(__file__).resolve().parents[2]


def test_each_app_registers_its_periodic_work() -> None:
    schedule = {p.task.module_path: p.every for p in periodic_tasks()}
    assert schedule == {
        "ttdn.editorial.tasks.publish_due_items": 0,
        "ttdn.ops.tasks.scheduled_backup": 86400,
        "ttdn.content.tasks.expire_due_items": 0,
        "ttdn.content.tasks.collect_orphan_blobs": 6 * 3600,
        "ttdn.programme.tasks.send_reminders": 3600,
        "ttdn.search.tasks.rebuild_impact_index": 600,
        "ttdn.monitoring.tasks.poll_sources": 60,
        "ttdn.monitoring.tasks.send_digests": 3600,
        "ttdn.translation.tasks.notice_overdue_jobs": 3600,
        "ttdn.portal.tasks.deliver_webhooks": 15,
        "ttdn.portal.tasks.poll_cap_feeds": 60,
        "ttdn.points.tasks.pregenerate_speech": 3600,
    }


def test_demo_parts_run_content_first_then_the_plans_citing_it() -> None:
    assert [b.__module__ for b in demo_builders()] == ["ttdn.content.demo", "ttdn.programme.demo",
                                                       "ttdn.translation.demo", "ttdn.monitoring.demo"]


def test_every_app_stands_in_a_layer() -> None:
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["importlinter"]
    layers = next(c for c in config["contracts"] if c["id"] == "layers")["layers"]
    named = {part.strip() for layer in layers for part in layer.replace(":", "|").split("|")}
    ours = {config_.name for config_ in apps.get_app_configs() if config_.name.startswith("ttdn.")}
    assert ours - named == set(), "add the new app to [tool.importlinter] layers and to docs/architecture.md"
