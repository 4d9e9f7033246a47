"""A border node that lost its disk comes back as itself: its own backup on a USB stick (`ttdn backup`, which keeps
the node's key, its cursor and every file) is restored on the replacement disk, and the next sync over the link, or a
hub bundle carried on USB when there is no link, brings it up to what the hub holds now."""

from __future__ import annotations

import shutil
from pathlib import Path
from typing import Any

import pytest

from .conftest import Hub, Node, base_env, check_consistent, last_json

pytestmark = pytest.mark.slow


def _wanted(state: dict[str, list[Any]]) -> dict[str, int]:
    return {uid: version for uid, (version, _seq, wanted) in state.items() if wanted}


def _replacement(tmp_path: Path, name: str, usb: Path) -> Node:
    """A new disk: an empty data directory, the node's backup restored into it from the stick."""
    data = tmp_path / name
    data.mkdir()
    node = Node(base_env(data, "edge"), data)
    restored = node.cli("restore", str(usb))
    assert "restored snapshot" in restored.stdout
    return node


def test_a_node_restores_itself_from_usb_then_catches_up(hub: Hub, make_node: Any, tmp_path: Path) -> None:
    node: Node = make_node()
    assert node.sync()["status"] == "ok"
    usb = tmp_path / "usb"
    node.cli("backup", str(usb))
    # After the nightly backup the hub publishes more, and the node syncs it; then the disk dies.
    later = hub.tool("publish-one", "Thông báo sau bản sao lưu đêm qua")["uid"]
    assert node.sync()["status"] == "ok"
    assert later in node.items()
    shutil.rmtree(node.data_dir)

    # Over the link: the same node (its key came back), its cursor from the backup, only the rest travels.
    back = _replacement(tmp_path, "new-disk", usb)
    back.uid = node.uid
    assert later not in back.items()
    caught_up = back.sync()
    assert caught_up["status"] == "ok" and 0 < caught_up["records"] < 50
    state = hub.tool("state", node.uid)
    check_consistent(back, state)
    assert back.items() == _wanted(state) and later in back.items()
    assert [n["uid"] for n in hub.tool("nodes") if n["uid"] == node.uid] == [node.uid]  # no second node

    # Without a link: the operator carries a full bundle for that node; its return bundle is accepted as the node's.
    offline = _replacement(tmp_path, "offline-disk", usb)
    offline.uid = node.uid
    bundle = Path(hub.cli("bundle", "export", "--node", node.uid, "--full", str(tmp_path / "to-site")).stdout.strip())
    result = last_json(offline.cli("bundle", "import", str(bundle), "--return-to", str(tmp_path / "back.tar")).stdout)
    assert result["status"] in ("applied", "ok"), result
    state = hub.tool("state", node.uid)
    assert offline.items() == _wanted(state)
    check_consistent(offline, state)
    recorded = last_json(hub.cli("bundle", "import", str(tmp_path / "back.tar")).stdout)
    assert recorded == {"status": "recorded", "node": node.uid}
