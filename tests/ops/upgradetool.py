"""This version's `ttdn migrate` on several databases, one after another, in one process (tests/ops/test_upgrade.py).

    python -m tests.ops.upgradetool DATA_DIR[=POSTGRESQL_URL] ...

Each database is migrated by Django's own `migrate` command, system checks and post-migrate handlers included (the
search index rebuild among them), exactly as `ttdn migrate` run on it would. What a process does once — start, load
the product, import the migrations — is done once here instead of once per database. And the model states Django
computes on the way are kept: most of a `migrate` is Django rendering the model state each operation of each
migration leaves (every model related to the one changed is rendered again), and that state depends only on which
migrations were applied before it, not on the database. Two databases that reach the same set of applied migrations
(a copy made at an old release, once its migrations up to a newer release's are applied, and the copy made at that
newer release) go on through the same states; the second one reuses them. The database work — every schema change
and data migration — runs on each database for real. Prints one JSON line: seconds per database, states reused.
"""

from __future__ import annotations

import gc
import json
import os
import sys
import time
from typing import Any
from urllib.parse import urlsplit


class StateMemo:
    """The project states before and after each operation of a migration, keyed by the set of migrations applied
    before it. Django mutates the state it is handed in place, so what is kept is never handed out: a reused state
    goes to the operations as it is (they read it only) and onwards as a copy."""

    def __init__(self) -> None:
        self.steps: dict[tuple[frozenset[tuple[str, str]], tuple[str, str]], list[tuple[Any, Any]]] = {}
        self.before: dict[frozenset[tuple[str, str]], Any] = {}
        self.current: tuple[frozenset[tuple[str, str]], tuple[str, str]] | None = None
        self.reused = self.computed = 0

    def install(self) -> None:
        from django.db.migrations.executor import MigrationExecutor
        from django.db.migrations.migration import Migration
        from django.db.migrations.operations.special import RunPython
        from django.db.transaction import atomic

        memo = self
        apply_migration = MigrationExecutor.apply_migration
        create_state = MigrationExecutor._create_project_state

        def _create_project_state(executor: Any, with_applied_migrations: bool = False) -> Any:
            if with_applied_migrations:
                kept = memo.before.get(frozenset(executor.loader.applied_migrations))
                if kept is not None:
                    return kept.clone()
            return create_state(executor, with_applied_migrations)

        def _apply_migration(executor: Any, state: Any, migration: Any, fake: bool = False,
                             fake_initial: bool = False) -> Any:
            done = executor.__dict__.setdefault("_memo_applied", set(executor.loader.applied_migrations))
            memo.current = (frozenset(done), (migration.app_label, migration.name))
            try:
                return apply_migration(executor, state, migration, fake=fake, fake_initial=fake_initial)
            finally:
                memo.current = None
                done.add((migration.app_label, migration.name))

        def apply(migration: Any, project_state: Any, schema_editor: Any, collect_sql: bool = False) -> Any:
            key = memo.current
            if key is None or collect_sql:
                return original_apply(migration, project_state, schema_editor, collect_sql)

            def run(operation: Any, old: Any, new: Any) -> None:
                # As Migration.apply: an atomic operation gets its own transaction where the migration has none.
                atomic_operation = operation.atomic or (migration.atomic and operation.atomic is not False)
                if not schema_editor.atomic_migration and atomic_operation:
                    with atomic(schema_editor.connection.alias):
                        operation.database_forwards(migration.app_label, schema_editor, old, new)
                else:
                    operation.database_forwards(migration.app_label, schema_editor, old, new)
                if isinstance(operation, RunPython):
                    # It rendered its state's models afresh (Django drops a delayed rendering first): that rendering
                    # is complete, and a database reaching this operation later can use it as it is.
                    old.is_delayed = False

            steps = memo.steps.get(key)
            if steps is not None:
                memo.reused += 1
                for operation, (old, new) in zip(migration.operations, steps, strict=True):
                    run(operation, old, new)
                return steps[-1][1].clone() if steps else project_state
            memo.computed += 1
            memo.before.setdefault(key[0], project_state.clone())
            steps = []
            for operation in migration.operations:
                old = project_state.clone()
                operation.state_forwards(migration.app_label, project_state)
                run(operation, old, project_state)
                if steps:  # the state after the previous operation is the one this operation started from
                    steps[-1] = (steps[-1][0], old)
                steps.append((old, None))
            if steps:
                steps[-1] = (steps[-1][0], project_state.clone())
            memo.steps[key] = steps
            return project_state

        original_apply = Migration.apply
        MigrationExecutor._create_project_state = _create_project_state  # type: ignore[method-assign]
        MigrationExecutor.apply_migration = _apply_migration  # type: ignore[method-assign]
        Migration.apply = apply  # type: ignore[method-assign]


def _use(target: str) -> None:
    """Point the default connection (and the data directory's paths) at one database."""
    from pathlib import Path

    from django.conf import settings
    from django.contrib.contenttypes.models import ContentType
    from django.db import connections

    data_dir, _eq, url = target.partition("=")
    connections.close_all()
    db = connections["default"].settings_dict
    if url:
        db["NAME"] = urlsplit(url).path.strip("/")
    else:
        db["NAME"] = str(Path(data_dir) / "ttdn.sqlite3")
    settings.DATA_DIR = Path(data_dir)
    settings.BLOB_DIR = Path(data_dir) / "blobs"
    ContentType.objects.clear_cache()  # ids of the previous database


def main(targets: list[str]) -> dict[str, Any]:
    first_dir, _eq, first_url = targets[0].partition("=")
    os.environ["TTDN_DATA_DIR"] = first_dir
    if first_url:
        os.environ["TTDN_DATABASE_URL"] = first_url
    os.environ["DJANGO_SETTINGS_MODULE"] = "ttdn.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    memo = StateMemo()
    memo.install()
    # The kept states are millions of objects that live to the end: the cyclic collector, left to its defaults, walks
    # them again and again (a fifth of the time). Collect less often, and never what the set-up made.
    gc.freeze()
    gc.set_threshold(50_000, 20, 100)
    seconds = []
    for target in targets:
        started = time.monotonic()
        _use(target)
        call_command("migrate", verbosity=0, interactive=False, skip_checks=False)
        connections.close_all()
        seconds.append(round(time.monotonic() - started, 2))
    return {"seconds": seconds, "states_reused": memo.reused, "states_computed": memo.computed}


if __name__ == "__main__":
    print(json.dumps(main(sys.argv[1:])), flush=True)
    sys.stderr.flush()
    os._exit(0)  # the databases are closed; freeing the kept states one by one would take seconds more
