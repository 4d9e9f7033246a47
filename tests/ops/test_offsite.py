"""Off-site copies: the same backup repository in a bucket of a real S3-compatible server (Debian's Ceph RADOS
gateway on loopback, scripts/s3-test-server.sh), restored from there on a fresh machine in another process."""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

import pytest
from django.conf import settings
from django.core.management import CommandError, call_command

from tests.conftest import World, make_item
from tests.ops.conftest import PASSPHRASE, assert_restored_matches, ttdn
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.ops import backup as backups
from ttdn.ops import services, tasks


@pytest.mark.parametrize("secret", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_an_offsite_copy_in_s3_restores_on_a_fresh_machine(
        hub: World, bucket: tuple[str, Any], target: dict[str, str], secret: str | None) -> None:
    from ttdn.sync.transport.keys import hub_key

    name, client = bucket
    hub_key()
    secret_file = Path(settings.DATA_DIR) / "secret_key"
    if not secret_file.exists():
        secret_file.write_text("a-secret-key-kept-in-the-data-directory-0123456789")
    url = f"s3://{name}/tinh-gia-lai/hub"
    result = services.do_backup(None, url, secret)
    assert result.copied == result.files
    keys = {o["Key"] for p in client.get_paginator("list_objects_v2").paginate(Bucket=name)
            for o in p.get("Contents", [])}
    assert f"tinh-gia-lai/hub/snapshots/{result.snapshot_id}.json" in keys
    assert "tinh-gia-lai/hub/repository.json" in keys
    if secret:  # the store holds ciphertext only: no file's hash names an object
        from ttdn.content.models import Asset

        assert not any(a.sha256 in k for a in Asset.objects.all() for k in keys)
    # A second snapshot sends only what changed (the database); no stored file again.
    second = services.do_backup(None, url, secret)
    assert second.copied <= 1 and second.files == result.files

    env = {**target, "TTDN_BACKUP_S3_ENDPOINT": os.environ["TTDN_BACKUP_S3_ENDPOINT"],
           "AWS_ACCESS_KEY_ID": os.environ["AWS_ACCESS_KEY_ID"],
           "AWS_SECRET_ACCESS_KEY": os.environ["AWS_SECRET_ACCESS_KEY"]}
    if secret:
        env[backups.PASSPHRASE_ENV] = secret
    listed = ttdn(env, "verify-backup", url, "--list")
    assert listed.returncode == 0, listed.stderr
    assert listed.stdout.split() == [result.snapshot_id, second.snapshot_id]
    checked = ttdn(env, "verify-backup", url)
    assert checked.returncode == 0 and "all sound" in checked.stdout, checked.stderr
    done = ttdn(env, "restore", url, "--snapshot", result.snapshot_id)
    assert done.returncode == 0, done.stderr
    assert_restored_matches(env)


@pytest.mark.parametrize("secret", [None, PASSPHRASE], ids=["plain", "encrypted"])
def test_damage_in_the_bucket_is_found_and_prune_frees_it(
        hub: World, bucket: tuple[str, Any], secret: str | None, monkeypatch: pytest.MonkeyPatch) -> None:
    import datetime as dt

    name, client = bucket
    url = f"s3://{name}/backups"
    old = backups.backup(url, secret, now=dt.datetime(2024, 1, 10, tzinfo=dt.UTC))
    make_item(hub, title="Thông báo mới sau bản sao lưu cũ")
    new = backups.backup(url, secret, now=dt.datetime(2026, 12, 1, tzinfo=dt.UTC))
    assert backups.verify_repository(url, secret)[1] == []
    repo = backups.Repository(url, secret)
    old_db = repo.read_manifest(old.snapshot_id)["payload"]["database"]["object"]
    key = f"backups/{repo.object_key(old_db)}"
    body = bytearray(client.get_object(Bucket=name, Key=key)["Body"].read())
    body[len(body) // 2] ^= 0x01
    client.put_object(Bucket=name, Key=key, Body=bytes(body))
    problems = backups.verify_repository(url, secret)[1]
    assert problems and {p.snapshot for p in problems} == {old.snapshot_id}
    if secret:
        monkeypatch.setenv(backups.PASSPHRASE_ENV, secret)
    with pytest.raises(CommandError, match="problems"):
        call_command("verify_backup", url, stdout=open(os.devnull, "w"), stderr=open(os.devnull, "w"))
    # Retention drops the old snapshot and the damaged database only it needed; the rest stays sound.
    removed, freed = services.do_prune(None, url, daily=1, weekly=1, monthly=1)
    assert removed == [old.snapshot_id] and freed >= 1
    assert backups.Repository(url).snapshot_ids() == [new.snapshot_id]
    assert backups.verify_repository(url, secret)[1] == []
    assert AuditEntry.objects.filter(action="ops.prune", data__repository=url).exists()


def test_the_worker_backs_up_here_and_off_site(hub: World, bucket: tuple[str, Any], tmp_path: Path,
                                               monkeypatch: pytest.MonkeyPatch) -> None:
    name, _client = bucket
    monkeypatch.setenv("TTDN_BACKUP_DIR", str(tmp_path / "local"))
    monkeypatch.setenv("TTDN_BACKUP_OFFSITE", f"s3://{name}/daily")
    monkeypatch.delenv(backups.PASSPHRASE_ENV, raising=False)
    taken = tasks.scheduled_backup.call().split()
    assert len(taken) == 2
    assert backups.Repository(tmp_path / "local").snapshot_ids() == [taken[0]]
    assert backups.Repository(f"s3://{name}/daily").snapshot_ids() == [taken[1]]


def test_s3_mistakes_get_clear_errors(db: Any, bucket: tuple[str, Any], monkeypatch: pytest.MonkeyPatch) -> None:
    name, _client = bucket
    with pytest.raises(ServiceError) as missing:
        backups.Repository(f"s3://{name}-absent/x", create=True)
    assert missing.value.code == "backup.s3_no_bucket"
    with pytest.raises(ServiceError) as empty:
        backups.Repository(f"s3://{name}/nothing-here")
    assert empty.value.code == "backup.no_repository"
    monkeypatch.setenv("AWS_SECRET_ACCESS_KEY", "not-the-secret")
    with pytest.raises(ServiceError) as denied:
        backups.Repository(f"s3://{name}/x", create=True)
    assert denied.value.code == "backup.s3_denied"
    monkeypatch.setenv("TTDN_BACKUP_S3_ENDPOINT", "http://127.0.0.1:9")  # nothing listens there
    with pytest.raises(ServiceError) as unreachable:
        backups.Repository(f"s3://{name}/x", create=True)
    assert unreachable.value.code == "backup.s3_unreachable"
    with pytest.raises(ServiceError) as bad:
        backups.Repository("s3:///no-bucket")
    assert bad.value.code == "backup.s3_url"
