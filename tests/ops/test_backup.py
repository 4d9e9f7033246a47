"""Backups: a populated hub is backed up, restored elsewhere by `ttdn restore` in another process (a new data directory
and a new database), and compared row by row and file by file; damage is found by `ttdn verify-backup`."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.conftest import World, make_item
from tests.ops.conftest import PASSPHRASE, assert_restored_matches, ttdn
from ttdn.content.files.blobs import blob_path
from ttdn.content.models import Asset
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.ops import backup as backups
from ttdn.ops import services


@pytest.mark.parametrize("secret", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_a_backup_restores_on_a_fresh_machine_with_every_row_and_file(
        hub: World, tmp_path: Path, target: dict[str, str], secret: str | None) -> None:
    from ttdn.sync.transport.keys import hub_key

    hub_key()  # the hub's signing key, which every node trusts, must come back
    secret_file = Path(settings.DATA_DIR) / "secret_key"
    if not secret_file.exists():
        secret_file.write_text("a-secret-key-kept-in-the-data-directory-0123456789")
    repo = tmp_path / "backups"
    result = services.do_backup(None, repo, secret)
    assert result.copied == result.files  # the first snapshot copies everything
    assert AuditEntry.objects.filter(action="ops.backup", data__snapshot=result.snapshot_id).exists()

    env = dict(target)
    if secret:
        env[backups.PASSPHRASE_ENV] = secret
        missing = ttdn({**env, backups.PASSPHRASE_ENV: ""}, "restore", str(repo))
        assert missing.returncode != 0 and backups.PASSPHRASE_ENV in missing.stderr
    done = ttdn(env, "restore", str(repo))
    assert done.returncode == 0, done.stderr
    assert result.snapshot_id in done.stdout

    assert_restored_matches(env)
    # A second restore into the now populated database is refused, and changes nothing.
    again = ttdn(env, "restore", str(repo))
    assert again.returncode != 0 and ("not empty" in again.stderr or "không trống" in again.stderr)


def test_later_snapshots_copy_only_what_changed(hub: World, tmp_path: Path) -> None:
    repo = tmp_path / "backups"
    first = backups.backup(repo)
    objects = sorted((repo / "objects").glob("*/*/*"))
    times = {p: p.stat().st_mtime_ns for p in objects}
    second = backups.backup(repo)
    assert second.snapshot_id != first.snapshot_id
    assert second.files == first.files
    assert second.copied <= 1  # at most the database, whose audit trail grew; no stored file again
    assert all(p.stat().st_mtime_ns == t for p, t in times.items())
    checked, problems = backups.verify_repository(repo)
    assert problems == [] and checked >= first.files


def test_an_encrypted_repository_hides_files_and_names(hub: World, tmp_path: Path) -> None:
    repo = tmp_path / "backups"
    backups.backup(repo, PASSPHRASE)
    sha = Asset.objects.first().sha256  # type: ignore[union-attr]
    plain = blob_path(sha).read_bytes()
    names = {p.name for p in (repo / "objects").glob("*/*/*") if p.suffix != ".sha256"}
    assert sha not in names
    for path in (repo / "objects").glob("*/*/*"):
        assert plain[:64] not in path.read_bytes()
    manifest = next((repo / "snapshots").glob("*.json")).read_text()
    assert sha not in manifest and "payload_sealed" in manifest
    with pytest.raises(ServiceError) as wrong:
        backups.Repository(repo, "not the passphrase")
    assert wrong.value.code == "backup.wrong_passphrase"
    # Without the passphrase the stored bytes are still checked; with it every file is read back too.
    assert backups.verify_repository(repo)[1] == []
    assert backups.verify_repository(repo, PASSPHRASE)[1] == []


@pytest.mark.parametrize("secret", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_verify_backup_finds_damage(hub: World, tmp_path: Path, secret: str | None,
                                    monkeypatch: pytest.MonkeyPatch) -> None:
    repo = tmp_path / "backups"
    backups.backup(repo, secret)
    if secret:
        monkeypatch.setenv(backups.PASSPHRASE_ENV, secret)
    call_command("verify_backup", str(repo), stdout=open(os.devnull, "w"))
    victim = max((p for p in (repo / "objects").glob("*/*/*") if p.suffix != ".sha256"),
                 key=lambda p: p.stat().st_size)
    data = bytearray(victim.read_bytes())
    data[len(data) // 2] ^= 0x40
    victim.write_bytes(bytes(data))
    with pytest.raises(CommandError, match="problems"):
        call_command("verify_backup", str(repo), stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    _checked, problems = backups.verify_repository(repo, secret)
    assert any(victim.name in p.what for p in problems)
    # A cut-short object and a damaged manifest are found too.
    victim.write_bytes(bytes(data[: len(data) // 3]))
    assert backups.verify_repository(repo, secret)[1]
    manifest = next((repo / "snapshots").glob("*.json"))
    manifest.write_text(manifest.read_text().replace('"objects"', '"objectz"', 1))
    assert any("damaged" in p.what or "hỏng" in p.what for p in backups.verify_repository(repo, secret)[1])


def test_restore_refuses_a_database_in_use(hub: World, tmp_path: Path) -> None:
    repo = tmp_path / "backups"
    backups.backup(repo)
    before = AuditEntry.objects.count()
    with pytest.raises(ServiceError) as refused:
        backups.restore(repo)
    assert refused.value.code == "backup.not_empty"
    assert AuditEntry.objects.count() == before


def test_bad_repositories_get_clear_errors(db: Any, tmp_path: Path) -> None:
    with pytest.raises(CommandError, match=r"repository\.json"):
        call_command("verify_backup", str(tmp_path))
    (tmp_path / "repository.json").write_text("{not json")
    with pytest.raises(ServiceError) as damaged:
        backups.Repository(tmp_path)
    assert damaged.value.code == "backup.bad_repository"
    (tmp_path / "repository.json").write_text('{"format": 99}')
    with pytest.raises(ServiceError) as newer:
        backups.Repository(tmp_path)
    assert newer.value.code == "backup.format"


def test_retention_keeps_seven_days_four_weeks_twelve_months() -> None:
    import datetime as dt

    start = dt.datetime(2025, 1, 1, 2, 0, tzinfo=dt.UTC)
    ids = [(start + dt.timedelta(days=d)).strftime("%Y%m%dT%H%M%S000Z") for d in range(500)]
    keep = backups.kept_snapshots(ids)
    days = sorted(backups.snapshot_time(i).date() for i in keep)
    newest = backups.snapshot_time(ids[-1]).date()
    assert ids[-1] in keep
    assert [d for d in days if (newest - d).days < 7] == [newest - dt.timedelta(days=n) for n in range(6, -1, -1)]
    assert len({d.isocalendar()[:2] for d in days}) >= 4
    months = {(d.year, d.month) for d in days}
    assert len(months) == 12
    assert len(keep) <= 7 + 4 + 12


def test_prune_drops_old_snapshots_and_the_files_only_they_needed(hub: World, tmp_path: Path) -> None:
    import datetime as dt

    repo = tmp_path / "backups"
    old = backups.backup(repo, now=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    repository = backups.Repository(repo)
    old_database = repository.object_path(repository.read_manifest(old.snapshot_id)["payload"]["database"]["object"])
    make_item(hub, title="Một tài liệu mới sau bản sao lưu cũ")  # the database differs from then on
    recent = [backups.backup(repo, now=dt.datetime(2026, 12, d, tzinfo=dt.UTC)) for d in (1, 2)]
    removed, freed = services.do_prune(None, repo, daily=1, weekly=1, monthly=1)
    assert old.snapshot_id in removed and recent[-1].snapshot_id not in removed
    assert freed >= 1 and not old_database.exists()
    sha = Asset.objects.first().sha256  # type: ignore[union-attr]
    assert repository.object_path(sha).exists()  # still needed by the kept snapshot
    assert backups.verify_repository(repo)[1] == []
    assert AuditEntry.objects.filter(action="ops.prune").exists()
