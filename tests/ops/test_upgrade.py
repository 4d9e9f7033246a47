"""Upgrades: a database built by each earlier release's own code (its sources taken from git at every commit of main
that changed a migration) is migrated by this version, on SQLite and on PostgreSQL; and a hub populated by the oldest
release with a demo keeps every row through every later release's migrations up to this one."""

from __future__ import annotations

import json
import os
import pickle
import shutil
import sqlite3
import subprocess
import sys
import uuid
import zlib
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import pytest
from django.db import connection

from tests import forkserver
from ttdn.ops import backup as backups

pytestmark = pytest.mark.slow
ROOT = Path(__file__).resolve().parents[2]
# The oldest release with `ttdn demo` (plans, material, files, accounts): the populated hub every later release
# migrates in turn.
POPULATED_FROM = "0053b35"
# Derived tables every release rebuilds from the material (the search index and its queue and statistics): their
# rows may be rewritten by a migration, the material they come from may not.
DERIVED = ("search_",)
# The release that landed the first form of search.0006_impact_index (without search_segment.dates): the releases
# after it and before search.0007_impact_index_upgrade could not rebuild the search index of a PostgreSQL hub it had
# migrated. 0007 mends such a hub.
FIRST_IMPACT_INDEX = "b8df5e0"
MENDED_BY = "ttdn/search/migrations/0007_impact_index_upgrade.py"


def _git(*args: str) -> str:
    return subprocess.run(["git", "-C", str(ROOT), *args], capture_output=True, text=True, check=True).stdout


def _schema(commit: str) -> str:
    return "\n".join(line.split(None, 2)[2] for line in _git("ls-tree", "-r", commit, "--", "src/ttdn").splitlines()
                     if "/migrations/0" in line)


def landed_versions() -> list[str]:
    """Every schema main has had, oldest first, except this one: the commits on main's first-parent line that
    changed a migration, one per distinct set of migration files."""
    commits = _git("log", "--first-parent", "--format=%h", "HEAD", "--", "src/ttdn/*/migrations/*.py").split()
    assert commits, "the upgrade test needs the repository's history (not a shallow clone)"
    current, seen, versions = _schema("HEAD"), set(), []
    for commit in reversed(commits):
        schema = _schema(commit)
        if schema != current and schema not in seen:
            seen.add(schema)
            versions.append(commit)
    return versions


@dataclass
class Release:
    commit: str
    src: Path


@pytest.fixture(scope="module")
def releases(tmp_path_factory: pytest.TempPathFactory) -> list[Release]:
    """Each earlier release's sources, from git (nothing of this checkout changes)."""
    base = tmp_path_factory.mktemp("releases")
    found = []
    for commit in landed_versions():
        target = base / commit
        target.mkdir()
        archive = subprocess.run(["git", "-C", str(ROOT), "archive", commit, "src"], capture_output=True, check=True)
        subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
        found.append(Release(commit, target / "src"))
    return found


class Database:
    """A database of the engine this test run uses, outside the test database: a SQLite file in a data directory,
    or a PostgreSQL database created here and dropped afterwards."""

    def __init__(self, base: Path) -> None:
        self.base = base
        self.created: list[str] = []

    def env(self, name: str, release: Release | None = None) -> dict[str, str]:
        env = {k: v for k, v in os.environ.items() if k not in ("TTDN_DATABASE_URL", "DJANGO_SETTINGS_MODULE")}
        env["TTDN_DATA_DIR"] = str(self.base / name)
        if connection.vendor == "postgresql":
            env["TTDN_DATABASE_URL"] = self._url(name)
        if release is not None:  # that release's code first on the path, before this checkout's
            env["PYTHONPATH"] = str(release.src)
        return env

    def target(self, name: str) -> str:
        """That database as tests/ops/upgradetool.py names it: its data directory, and its URL on PostgreSQL."""
        env = self.env(name)
        url = env.get("TTDN_DATABASE_URL", "")
        return f"{env['TTDN_DATA_DIR']}={url}" if url else env["TTDN_DATA_DIR"]

    def _params(self) -> dict[str, Any]:
        return {k: v for k, v in backups.pg_params().items() if v is not None and k != "dbname"}

    def _db_name(self, name: str) -> str:
        return f"ttdn_up_{self.token}_{name}"[:63]

    @property
    def token(self) -> str:
        if not hasattr(self, "_token"):
            self._token = uuid.uuid4().hex[:6]
        return self._token

    def _url(self, name: str) -> str:
        p = self._params()
        auth = f"{p.get('user', 'postgres')}:{p['password']}@" if p.get("password") else f"{p.get('user', 'postgres')}@"
        return f"postgres://{auth}{p.get('host', '127.0.0.1')}:{p.get('port', 5432)}/{self._db_name(name)}"

    def create(self, name: str, copy_of: str | None = None) -> None:
        (self.base / name).mkdir(parents=True, exist_ok=True)
        if connection.vendor == "sqlite":
            if copy_of:
                # SQLite's backup API, not a file copy: the releases keep the database in WAL mode, and a copy of
                # the main file alone misses what the log still holds.
                with sqlite3.connect(self.base / copy_of / "ttdn.sqlite3") as source, \
                        sqlite3.connect(self.base / name / "ttdn.sqlite3") as target:
                    source.backup(target)
                for extra in ("secret_key", "blobs"):
                    source = self.base / copy_of / extra
                    if source.is_dir():
                        shutil.copytree(source, self.base / name / extra, dirs_exist_ok=True)
                    elif source.exists():
                        shutil.copyfile(source, self.base / name / extra)
            return
        import psycopg

        template = f' TEMPLATE "{self._db_name(copy_of)}"' if copy_of else " TEMPLATE template0"
        with psycopg.connect(dbname="postgres", autocommit=True, **self._params()) as admin:
            admin.execute(f'CREATE DATABASE "{self._db_name(name)}"{template} ENCODING UTF8')
        self.created.append(self._db_name(name))
        if copy_of:
            for extra in ("secret_key", "blobs"):
                source = self.base / copy_of / extra
                if source.is_dir():
                    shutil.copytree(source, self.base / name / extra, dirs_exist_ok=True)
                elif source.exists():
                    shutil.copyfile(source, self.base / name / extra)

    def drop_all(self) -> None:
        if connection.vendor != "postgresql":
            return
        import psycopg

        with psycopg.connect(dbname="postgres", autocommit=True, **self._params()) as admin:
            for name in self.created:
                admin.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')

    def tables(self, name: str) -> dict[str, list[tuple[Any, ...]]]:
        """Every table's rows as text, keyed by column name (columns sorted), ordered — but the derived tables (the
        search index, rebuilt by migrations): they are never compared, so they are not read."""
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.base / name / "ttdn.sqlite3") as db:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' "
                                                  "AND name NOT LIKE 'sqlite_%'")]
                return {t: _read(db.cursor(), t) for t in names if "_fts" not in t and not t.startswith(DERIVED)}
        import psycopg

        with psycopg.connect(dbname=self._db_name(name), **self._params()) as db, db.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            return {t: _read(cursor, t) for (t,) in cursor.fetchall() if not t.startswith(DERIVED)}


    def applied(self, name: str) -> set[tuple[str, str]]:
        query = "SELECT app, name FROM django_migrations"
        if connection.vendor == "sqlite":
            with sqlite3.connect(self.base / name / "ttdn.sqlite3") as db:
                return {(a, n) for a, n in db.execute(query)}
        import psycopg

        with psycopg.connect(dbname=self._db_name(name), **self._params()) as db:
            return {(a, n) for a, n in db.execute(query).fetchall()}


def _read(cursor: Any, table: str) -> list[tuple[Any, ...]]:
    cursor.execute(f'SELECT * FROM "{table}"')  # noqa: S608  (names from the database's own catalogue)
    columns = [c[0] for c in cursor.description]
    return [tuple(sorted(zip(columns, (_text(v) for v in row), strict=True))) for row in cursor.fetchall()]


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return str(value)


@pytest.fixture
def databases(db: Any, tmp_path: Path) -> Iterator[Database]:
    found = Database(tmp_path)
    try:
        yield found
    finally:
        found.drop_all()


def _run(env: dict[str, str], *args: str, cwd: Path = ROOT, module: bool = False) -> subprocess.CompletedProcess[str]:
    """`ttdn ARGS` (or `python ARGS` with module=True) in that environment; it must succeed."""
    if module:
        done = subprocess.run([sys.executable, *args], capture_output=True, text=True, env=env, cwd=cwd, timeout=900,
                              check=False)
    else:  # each release's own code, forked from warm third-party libraries (tests/forkserver.py)
        done = forkserver.run(["-m", "ttdn.cli", *args], env=env, cwd=cwd, timeout=900)
    assert done.returncode == 0, f"ttdn {' '.join(args)} ({env.get('PYTHONPATH', 'this version')}):\n" \
                                 f"{done.stdout[-2000:]}\n{done.stderr[-4000:]}"
    return done


def _unapplied(database: Database, name: str) -> set[tuple[str, str]]:
    """This version's migrations not recorded as applied in that database."""
    from django.db.migrations.loader import MigrationLoader

    on_disk = set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations)
    return on_disk - database.applied(name)


def _key(row: tuple[Any, ...]) -> tuple[Any, ...]:
    columns = dict(row)
    return (columns["id"],) if "id" in columns else row


def _assert_kept(before: dict[str, list[tuple[Any, ...]]], after: dict[str, list[tuple[Any, ...]]],
                 where: str) -> None:
    """Every row of every table before is still there after, with the values of the columns it kept."""
    for table, rows in before.items():
        if table.startswith(DERIVED) or table == "django_migrations":
            continue
        assert table in after, f"{where} dropped {table}"
        kept = {_key(r): dict(r) for r in after[table]}
        for row in rows:
            old = dict(row)
            new = kept.get(_key(row))
            assert new is not None, f"{where} lost a row of {table}: {old}"
            changed = {c: (v, new[c]) for c, v in old.items() if c in new and new[c] != v}
            assert not changed, f"{where} changed {table} row {_key(row)}: {changed}"


def test_every_landed_schema_upgrades_to_this_version_with_every_row(databases: Database,
                                                                       releases: list[Release]) -> None:
    """A hub upgraded at every release: each release migrates the database the previous one left, and the oldest
    release with a demo fills it (agencies, accounts, material in several languages with files, plans). After each
    release, every row is still there (only derived tables, the search index, may change), and a copy of the
    database at that release is migrated by this version, again with every row kept."""
    assert len(releases) >= 10
    databases.create("chain")
    populated = False
    before: dict[str, list[tuple[Any, ...]]] = {}
    kept_at: dict[str, bytes] = {}  # each release's tables, compressed until this version has migrated its copy
    broken: list[str] = []
    for release in releases:
        env = databases.env("chain", release)
        if not _old_migrate(env, release):
            broken.append(release.commit)
        if release.commit.startswith(POPULATED_FROM):
            _run(env, "demo", cwd=release.src.parent)
            populated = True
        at_release = databases.tables("chain")
        _assert_kept(before, at_release, release.commit)
        before = at_release
        if populated:
            material = {t: rows for t, rows in at_release.items() if rows and not t.startswith(DERIVED)}
            assert sum(len(rows) for rows in material.values()) > 1000
            assert {"content_item", "content_variant", "content_asset", "accounts_user"} <= set(material)
        # A copy of the database as that release left it, for this version to upgrade.
        databases.create(release.commit, copy_of="chain")
        assert _unapplied(databases, release.commit), release.commit  # that release's schema really is older
        kept_at[release.commit] = zlib.compress(pickle.dumps(at_release), 1)
    assert populated
    # This version's `ttdn migrate` on every copy: Django's migrate command on each database in turn, in one process
    # (tests/ops/upgradetool.py: one start instead of one per release, and the model states two copies go through
    # alike computed once).
    targets = [databases.target(r.commit) for r in releases]
    done = json.loads(_run(databases.env(releases[0].commit), "-m", "tests.ops.upgradetool", *targets,
                           module=True).stdout.strip().splitlines()[-1])
    assert len(done["seconds"]) == len(releases)
    for release in releases:
        assert _unapplied(databases, release.commit) == set(), release.commit
        _assert_kept(pickle.loads(zlib.decompress(kept_at.pop(release.commit))),  # noqa: S301 (written above)
                     databases.tables(release.commit), f"this version (from {release.commit})")
    # History that cannot be mended: the releases after the first form of search.0006 (b8df5e0) failed to rebuild
    # such a hub's search index after migrating; its rows and schema were intact, and this version upgrades it.
    first = next(i for i, r in enumerate(releases) if r.commit.startswith(FIRST_IMPACT_INDEX))
    known = {r.commit for r in releases[first + 1:] if not (r.src / MENDED_BY).exists()}
    assert set(broken) <= known, broken


def _old_migrate(env: dict[str, str], release: Release) -> bool:
    """That release's `ttdn migrate`; False when only its search index rebuild after the migrations failed (a
    known break of the past, see FIRST_IMPACT_INDEX)."""
    done = forkserver.run(["-m", "ttdn.cli", "migrate", "-v0"], env=env, cwd=release.src.parent, timeout=900)
    if done.returncode == 0:
        return True
    assert "emit_post_migrate_signal" in done.stderr and 'column "dates"' in done.stderr, \
        f"{release.commit}: {done.stderr[-4000:]}"
    return False
