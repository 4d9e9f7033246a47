"""The hub's signing key is created once, even when its first requests arrive together."""

from __future__ import annotations

import threading
from pathlib import Path

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ttdn.sync.transport import keys


def _create_at_once(path: Path, threads: int) -> list[Ed25519PrivateKey | BaseException]:
    found: list[Ed25519PrivateKey | BaseException] = []
    start = threading.Barrier(threads)

    def create() -> None:
        start.wait()
        try:
            found.append(keys._load_or_create(path))
        except BaseException as exc:  # asserted by the caller: no thread may fail
            found.append(exc)

    running = [threading.Thread(target=create) for _n in range(threads)]
    for thread in running:
        thread.start()
    for thread in running:
        thread.join()
    return found


def test_threads_creating_the_key_at_once_all_sign_with_the_key_kept(tmp_path: Path) -> None:
    path = tmp_path / keys.HUB_KEY_FILE
    for _round in range(5):
        path.unlink(missing_ok=True)
        found = _create_at_once(path, 8)
        kept = keys.public_hex(keys._load_or_create(path))
        assert [keys.public_hex(k) if isinstance(k, Ed25519PrivateKey) else k for k in found] == [kept] * 8
        assert sorted(p.name for p in tmp_path.iterdir()) == [keys.HUB_KEY_FILE], "a temporary file was left"
