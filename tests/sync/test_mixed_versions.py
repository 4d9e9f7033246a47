"""Mixed versions: the hub is upgraded first, the border sites later. A node still running the previous release (its
sources from git, its own database migrated by its own code) enrols with and syncs from this hub and ends up holding
exactly what a node of this version holds; formats neither side reads are refused with a clear message."""

from __future__ import annotations

import subprocess
from pathlib import Path
from typing import Any

import pytest

from tests.ops.test_upgrade import ROOT as REPO
from tests.ops.test_upgrade import landed_versions
from ttdn.core.errors import ServiceError
from ttdn.sync.transport import keys, wire

from .conftest import Hub, Node, base_env, check_consistent, last_json

pytestmark = pytest.mark.slow


def _wanted(state: dict[str, list[Any]]) -> dict[str, int]:
    return {uid: version for uid, (version, _seq, wanted) in state.items() if wanted}


@pytest.fixture(scope="module")
def previous_release(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """The sources of the release before this one (the last schema main had before this version's)."""
    commit = landed_versions()[-1]
    target = tmp_path_factory.mktemp(f"release-{commit}")
    archive = subprocess.run(["git", "-C", str(REPO), "archive", commit, "src"], capture_output=True, check=True)
    subprocess.run(["tar", "-x", "-C", str(target)], input=archive.stdout, check=True)
    return target / "src"


def test_a_node_one_release_behind_syncs_from_this_hub(hub: Hub, make_node: Any, previous_release: Path,
                                                       tmp_path: Path) -> None:
    data = tmp_path / "old-node"
    data.mkdir()
    old = Node({**base_env(data, "edge"), "PYTHONPATH": str(previous_release)}, data)
    old.cli("migrate", "-v0")
    old.cli("edge", "enroll", hub.url, hub.code())
    with old.db() as conn:
        old.uid = conn.execute("SELECT node_uid FROM sync_nodestate").fetchone()[0]
    # That node really runs the older code: its database lacks migrations this version has.
    with old.db() as conn:
        applied = {(a, n) for a, n in conn.execute("SELECT app, name FROM django_migrations")}
    from django.db.migrations.loader import MigrationLoader

    assert set(MigrationLoader(None, ignore_no_migrations=True).disk_migrations) - applied

    summary = old.sync()
    assert summary["status"] == "ok" and summary["records"] > 100 and summary["files_written"] > 0
    uid = old.uid.replace("-", "")
    uid = f"{uid[:8]}-{uid[8:12]}-{uid[12:16]}-{uid[16:20]}-{uid[20:]}"
    state = hub.tool("state", uid)
    check_consistent(old, state)
    assert old.items() == _wanted(state)
    # A node of this version at the same site holds the same material.
    new = make_node()
    assert new.sync()["status"] == "ok"
    assert new.items() == old.items()
    again = last_json(old.cli("sync").stdout)
    assert again["status"] == "ok" and again["records"] == 0


def test_formats_are_negotiated_and_refused_clearly() -> None:
    assert wire.served_format(None) == 1  # a node from before the negotiation reads format 1
    assert wire.served_format("1") == 1
    assert wire.served_format(",".join(map(str, [*wire.FORMATS, 99]))) == max(wire.FORMATS)
    with pytest.raises(ServiceError) as newer:
        wire.served_format("99")
    assert newer.value.code == "format_unsupported" and newer.value.status == 409
    with pytest.raises(ServiceError) as bad:
        wire.served_format("một")
    assert bad.value.code == "bad_request"


def test_a_batch_in_a_newer_format_tells_the_node_to_upgrade(tmp_path: Path, settings: Any) -> None:
    settings.DATA_DIR = tmp_path
    key = keys.hub_key()
    payload, signature = wire.encode({"format": 99, "entries": []}, key)
    with pytest.raises(ValueError, match="upgrade this node"):
        wire.decode(payload, signature, keys.public_hex(key))
