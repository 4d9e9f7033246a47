"""Faults while backing up: the backup disk fills up. The backup fails with a clear message, leaves no snapshot and
no partial file behind, and the next one, once there is room, is whole. (A real small file system: tmpfs, mounted
by the test: as root, or through sudo as the README's quick start allows, owned by the user running the tests.)"""

from __future__ import annotations

import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from tests.conftest import World
from tests.ops.conftest import ttdn
from ttdn.core.errors import ServiceError
from ttdn.ops import backup as backups
from ttdn.ops import services


def _as_root(*command: str) -> list[str]:
    return list(command) if os.geteuid() == 0 else ["sudo", "-n", *command]


@pytest.fixture
def small_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "usb"
    mount.mkdir()
    owner = f"uid={os.getuid()},gid={os.getgid()}"
    subprocess.run(_as_root("mount", "-t", "tmpfs", "-o", f"size=256k,{owner}", "tmpfs", str(mount)), check=True)
    try:
        yield mount
    finally:
        subprocess.run(_as_root("umount", "-l", str(mount)), check=False)


def test_a_full_backup_disk_fails_cleanly_and_the_next_backup_is_whole(hub: World, small_disk: Path) -> None:
    repo = small_disk / "ttdn"
    with pytest.raises(ServiceError) as full:
        services.do_backup(None, repo)
    assert full.value.code == "backup.disk_full" and str(small_disk) in str(full.value.message)
    assert not list((repo / "snapshots").glob("*"))  # no snapshot names objects that are not all there
    assert not [p for p in repo.rglob(".tmp-*")]  # no partial file left to fill the disk further
    subprocess.run(_as_root("mount", "-o", "remount,size=256m", str(small_disk)), check=True)
    result = services.do_backup(None, repo)
    assert backups.Repository(repo).snapshot_ids() == [result.snapshot_id]
    assert backups.verify_repository(repo)[1] == []


def test_a_restore_onto_a_disk_too_small_says_so(hub: World, tmp_path: Path, small_disk: Path,
                                                 target: dict[str, str]) -> None:
    from PIL import Image

    from tests.conftest import make_item
    from ttdn.content import services as content

    # A file larger than the new disk (noise does not compress), so the restore cannot fit on either backend.
    noise = Image.frombytes("RGB", (400, 400), bytes(random_bytes(400 * 400 * 3)))
    noise.save(tmp_path / "noise.png")
    item = make_item(hub, title="Ảnh lớn")
    content.do_attach_file(hub.contributor, item.source_variant(), tmp_path / "noise.png",  # type: ignore[arg-type]
                           "ảnh.png")
    repo = tmp_path / "backups"
    services.do_backup(None, repo)
    env = {**target, "TTDN_DATA_DIR": str(small_disk / "data")}
    done = ttdn(env, "restore", str(repo))
    assert done.returncode != 0
    assert "full" in done.stderr or "đầy" in done.stderr, done.stderr[-2000:]
    assert "Traceback" not in done.stderr


def random_bytes(n: int) -> bytes:
    import os

    return os.urandom(n)
