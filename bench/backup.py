"""Backup and restore of a large hub: time, size, and a full compare after the restore (every row, every file hash).

    python bench/backup.py [--quick] [--variants N] [--files-gb G] [--backend sqlite|postgresql] [--pg-url URL]
                           [--s3 s3://bucket/prefix] [--passphrase TEXT]

A hub is built in a temporary data directory (and, on PostgreSQL, a database dropped and created again): N
published language versions (bulk SQL, half Vietnamese sources, half translations) and G GB of stored files
(incompressible bytes, 8 MB each, attached to items). Then, each as a separate `ttdn` process as an operator runs
them: `ttdn backup` into a new repository, a second `ttdn backup` (nothing changed: the increment), `ttdn
verify-backup`, `ttdn restore` into a new data directory and database, and a compare of every row of every table
and of every restored file's hash. Default: 1,000,000 variants and 10 GB on PostgreSQL (over an hour on the
2-core machine, and 25 GB of free disk); --quick: 20,000 variants and 0.25 GB. The last line is the JSON of figures.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit, urlunsplit

ROOT = Path(__file__).resolve().parents[1]
DEFAULT_PG_URL = "postgres://postgres@127.0.0.1:5432/ttdn_bench_backup"
FILE_BYTES = 8 * 1024 * 1024


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--quick", action="store_true")
    parser.add_argument("--variants", type=int, default=None)
    parser.add_argument("--files-gb", type=float, default=None)
    parser.add_argument("--backend", choices=["sqlite", "postgresql"], default="postgresql")
    parser.add_argument("--pg-url", default=os.environ.get("TTDN_BENCH_PG_URL", DEFAULT_PG_URL))
    parser.add_argument("--s3", help="back up into this S3 repository instead of a directory")
    parser.add_argument("--passphrase", default="", help="encrypt the repository")
    parser.add_argument("--workdir", help="where the data directories and the repository go (default: /tmp)")
    parser.add_argument("--phase", choices=["build"], help=argparse.SUPPRESS)
    args = parser.parse_args()
    variants = args.variants if args.variants is not None else (20_000 if args.quick else 1_000_000)
    files_gb = args.files_gb if args.files_gb is not None else (0.25 if args.quick else 10.0)
    if args.phase == "build":
        return build(variants, files_gb)

    work = Path(tempfile.mkdtemp(prefix="ttdn-bench-backup-", dir=args.workdir))
    try:
        return run(args, work, variants, files_gb)
    finally:
        shutil.rmtree(work, ignore_errors=True)
        if args.backend == "postgresql":
            for name in ("source", "restored"):
                _drop(_db_url(args.pg_url, name))


def _db_url(base: str, suffix: str) -> str:
    parts = urlsplit(base)
    return urlunsplit(parts._replace(path=f"{parts.path.rstrip('/')}_{suffix}"))


def _pg(url: str) -> dict[str, Any]:
    parts = urlsplit(url)
    return {"host": parts.hostname, "port": parts.port or 5432, "user": parts.username, "password": parts.password}


def _drop(url: str) -> None:
    import psycopg

    with psycopg.connect(dbname="postgres", autocommit=True, **_pg(url)) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{urlsplit(url).path.strip("/")}" WITH (FORCE)')


def _create(url: str) -> None:
    import psycopg

    _drop(url)
    with psycopg.connect(dbname="postgres", autocommit=True, **_pg(url)) as admin:
        admin.execute(f'CREATE DATABASE "{urlsplit(url).path.strip("/")}" TEMPLATE template0 ENCODING UTF8 '
                      "LC_CTYPE 'C.UTF-8' LC_COLLATE 'C.UTF-8'")


def _env(data: Path, db_url: str | None, args: argparse.Namespace) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("TTDN_")}
    env["TTDN_DATA_DIR"] = str(data)
    env["TTDN_SECRET_KEY"] = "bench-only-secret-key-0123456789abcdef0123456789"  # noqa: S105
    if db_url:
        env["TTDN_DATABASE_URL"] = db_url
    if args.passphrase:
        env["TTDN_BACKUP_PASSPHRASE"] = args.passphrase
    for key in ("TTDN_BACKUP_S3_ENDPOINT",):
        if os.environ.get(key):
            env[key] = os.environ[key]
    return env


def _timed(env: dict[str, str], *command: str) -> float:
    started = time.perf_counter()
    done = subprocess.run([sys.executable, *command], env=env, cwd=ROOT, capture_output=True, text=True, check=False)
    elapsed = time.perf_counter() - started
    if done.returncode != 0:
        raise SystemExit(f"{' '.join(command)} failed:\n{done.stdout[-2000:]}\n{done.stderr[-4000:]}")
    print(f"  {' '.join(command[2:4])}: {elapsed:.1f} s  {done.stdout.strip().splitlines()[-1:]}", flush=True)
    return elapsed


def _du(path: Path) -> int:
    return sum(p.stat().st_size for p in path.rglob("*") if p.is_file())


def run(args: argparse.Namespace, work: Path, variants: int, files_gb: float) -> int:
    source_db = restored_db = None
    if args.backend == "postgresql":
        source_db, restored_db = _db_url(args.pg_url, "source"), _db_url(args.pg_url, "restored")
        _create(source_db)
        _create(restored_db)
    source = _env(work / "source", source_db, args)
    restored = _env(work / "restored", restored_db, args)
    repo = args.s3 or str(work / "repository")
    print(f"backend {args.backend}, {variants:,} variants, {files_gb} GB of files, repository {repo}", flush=True)
    started = time.perf_counter()
    _timed(source, "-m", "ttdn.cli", "migrate", "-v0")
    done = subprocess.run([sys.executable, __file__, "--phase", "build", "--variants", str(variants),
                           "--files-gb", str(files_gb)], env=source, cwd=ROOT, check=False)
    if done.returncode != 0:
        return done.returncode
    print(f"  built in {time.perf_counter() - started:.0f} s", flush=True)

    backup_s = _timed(source, "-m", "ttdn.cli", "backup", repo)
    again_s = _timed(source, "-m", "ttdn.cli", "backup", repo)
    verify_s = _timed(source, "-m", "ttdn.cli", "verify-backup", repo)
    restore_s = _timed(restored, "-m", "ttdn.cli", "restore", repo)
    repository_bytes = _du(Path(repo)) if not args.s3 else None

    started = time.perf_counter()
    tables, rows, mismatched = compare_databases(args.backend, work, source_db, restored_db)
    files, bad_files = compare_blobs(work / "source" / "blobs", work / "restored" / "blobs")
    compare_s = time.perf_counter() - started
    print(f"  compare: {rows:,} rows in {tables} tables, {files:,} files, {compare_s:.1f} s; "
          f"mismatched tables {mismatched}, bad files {bad_files}", flush=True)
    figures = {
        "bench": "backup", "backend": args.backend, "variants": variants, "files_gb": files_gb,
        "encrypted": bool(args.passphrase), "s3": bool(args.s3),
        "backup_s": round(backup_s, 1), "incremental_backup_s": round(again_s, 1), "verify_s": round(verify_s, 1),
        "restore_s": round(restore_s, 1), "compare_s": round(compare_s, 1),
        "repository_bytes": repository_bytes, "rows_compared": rows, "files_compared": files,
        "identical": not mismatched and not bad_files,
    }
    print(json.dumps(figures))
    return 0 if figures["identical"] else 1


# ------------------------------------------------------------------------------------------------ compare


def _table_digests(cursor: Any, tables: list[str], placeholder: str) -> dict[str, tuple[int, str]]:
    found = {}
    for table in tables:
        # Rows in primary-key order (the first column), hashed as text: bounded memory at any size.
        cursor.execute(f'SELECT * FROM "{table}" ORDER BY 1')  # noqa: S608
        digest, count = hashlib.sha256(), 0
        while batch := cursor.fetchmany(5000):
            for row in batch:
                digest.update(repr(tuple(_text(v) for v in row)).encode())
                count += 1
        found[table] = (count, digest.hexdigest())
    return found


def _text(value: Any) -> str:
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, memoryview | bytes):
        return bytes(value).hex()
    if isinstance(value, float):
        return repr(value)
    if isinstance(value, dict | list):
        return json.dumps(value, sort_keys=True, ensure_ascii=False)
    if isinstance(value, str) and value[:1] in "[{":
        try:
            return json.dumps(json.loads(value), sort_keys=True, ensure_ascii=False)
        except ValueError:
            return value
    return str(value)


def compare_databases(backend: str, work: Path, source_db: str | None,
                      restored_db: str | None) -> tuple[int, int, list[str]]:
    def digests(where: Any) -> dict[str, tuple[int, str]]:
        if backend == "sqlite":
            with sqlite3.connect(where / "ttdn.sqlite3") as db:
                names = [r[0] for r in db.execute("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT "
                                                  "LIKE 'sqlite_%' AND name NOT LIKE '%fts%'")]
                return _table_digests(db.cursor(), names, "?")
        import psycopg

        with psycopg.connect(dbname=urlsplit(where).path.strip("/"), **_pg(where)) as db, db.cursor() as cursor:
            cursor.execute("SELECT tablename FROM pg_tables WHERE schemaname = current_schema()")
            return _table_digests(cursor, [r[0] for r in cursor.fetchall()], "%s")

    before = digests(work / "source" if backend == "sqlite" else source_db)
    after = digests(work / "restored" if backend == "sqlite" else restored_db)
    # The audit trail gained the backup's and the restore's own entries afterwards; everything else is equal.
    mismatched = [t for t in before if t != "core_auditentry" and before[t] != after.get(t)]
    if after.get("core_auditentry", (0, ""))[0] < before.get("core_auditentry", (0, ""))[0]:
        mismatched.append("core_auditentry")
    return len(before), sum(c for c, _d in before.values()), mismatched


def compare_blobs(source: Path, restored: Path) -> tuple[int, int]:
    files = bad = 0
    for path in source.rglob("*"):
        if not path.is_file() or len(path.name) != 64:
            continue
        files += 1
        copy = restored / path.relative_to(source)
        digest = hashlib.sha256()
        try:
            with copy.open("rb") as fh:
                while chunk := fh.read(1 << 20):
                    digest.update(chunk)
        except FileNotFoundError:
            bad += 1
            continue
        if digest.hexdigest() != path.name:
            bad += 1
    return files, bad


# ------------------------------------------------------------------------------------------------ build


def build(variants: int, files_gb: float) -> int:
    """(In the source hub's environment) the material, by bulk SQL: a load, not a test of the workflow."""
    import datetime as dt
    import random

    import django

    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "ttdn.settings")
    django.setup()
    from django.db import transaction
    from django.utils import timezone

    from ttdn.accounts.models import Agency, User
    from ttdn.content.files.blobs import blob_path
    from ttdn.content.models import Asset, Attachment, Item, State, TranslationState, Variant

    rng = random.Random(20261207)
    agency = Agency.objects.create(code="bench-gia-lai", name="Sở Văn hóa, Thể thao và Du lịch tỉnh Gia Lai",
                                   kind="department")
    user = User.objects.create(username="bench-contributor", agency=agency)
    now = timezone.now()
    words = ("biên giới", "đồn biên phòng", "cửa khẩu", "thông tin đối ngoại", "người dân", "xã biên giới",
             "ຊາຍແດນ", "ព្រំដែន", "边境", "quy định", "xuất nhập cảnh", "hàng hóa", "an ninh", "tuyên truyền")
    made, items_made = 0, []
    started = time.perf_counter()
    while made < variants:
        batch = min(5000, (variants - made + 1) // 2)
        with transaction.atomic():
            items = Item.objects.bulk_create([
                Item(kind="notice", source_language="vi", agency=agency, created_by=user, state=State.PUBLISHED,
                     published_at=now - dt.timedelta(days=rng.randint(0, 2000)), created_at=now, updated_at=now,
                     state_changed_at=now) for _ in range(batch)])
            sources = [Variant(item=i, language="vi", title=" ".join(rng.sample(words, 4)),
                               summary=" ".join(rng.sample(words, 6)),
                               body="".join(f"<p>{' '.join(rng.sample(words, 8))} {rng.randint(1, 10**6)}</p>"
                                            for _ in range(4)),
                               translation_state=TranslationState.REVIEWED, created_at=now, updated_at=now)
                       for i in items]
            Variant.objects.bulk_create(sources, batch_size=2000)
            translations = [Variant(item=v.item, language=rng.choice(["lo", "km", "zh", "en"]), title=v.title,
                                    summary=v.summary, body=v.body, source_variant=v, source_revision=1,
                                    translation_state=TranslationState.REVIEWED, created_at=now, updated_at=now)
                            for v in sources]
            Variant.objects.bulk_create(translations, batch_size=2000)
        made += 2 * batch
        items_made.extend(sources[: max(1, len(sources) // 100)])
        if made % 100_000 < 2 * batch:
            print(f"  {made:,} variants, {time.perf_counter() - started:.0f} s", flush=True)
    count = max(1, int(files_gb * 1e9 / FILE_BYTES))
    for n in range(count):
        data = os.urandom(FILE_BYTES)
        sha = hashlib.sha256(data).hexdigest()
        path = blob_path(sha)
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(data)
        asset = Asset.objects.create(sha256=sha, size=len(data), mime_type="application/pdf", file_kind="pdf",
                                     uploaded_by=user)
        Attachment.objects.create(variant=items_made[n % len(items_made)], asset=asset, filename=f"tai-lieu-{n}.pdf")
    # As `ttdn migrate` leaves a real hub: the search index built and stamped (a restore then keeps it as it is).
    from ttdn.search.services import do_reindex_all

    do_reindex_all()
    print(f"  {made:,} variants, {count} files of {FILE_BYTES // 2**20} MB, the search index, in "
          f"{time.perf_counter() - started:.0f} s", flush=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
