"""End to end, with a hub and a node as separate processes: a screen's playlist changed by the post's officer on
the node and by a publisher at the hub, across real syncs (network, then a USB bundle). The hub's version wins
when both changed it, and the officer's devices page says so, with what they had."""

from __future__ import annotations

import uuid
from pathlib import Path
from typing import Any

from tests.sync.conftest import Hub, Node, last_json, run

A, B, C, D = (str(uuid.UUID(int=n)) for n in (11, 12, 13, 14))


def _tool(env: dict[str, str], *args: str) -> Any:
    return last_json(run(env, "-m", "tests.points.pointstool", *args).stdout)


def test_offline_playlist_edits_and_the_hub_wins_when_both_changed(hub: Hub, make_node: Any,
                                                                   tmp_path: Path) -> None:
    node: Node = make_node("pc-ia-chia")
    screen = _tool(node.env, "screen", "Màn hình đồn Ia Chia")
    device, uid = str(screen["device"]), screen["uid"]
    _tool(node.env, "officer-pin", device, A)
    assert node.sync()["status"] == "ok"
    at_hub = _tool(hub.env, "site-device", uid)
    assert at_hub["playlist"]["pinned"] == [A] and at_hub["revision"] == 2 and len(at_hub["playlist"]["rules"]) == 1

    # Only the hub changes it: the next sync applies it, and the hub sees it applied.
    _tool(hub.env, "hub-edit", uid, "pinned", B, A)
    assert node.sync()["status"] == "ok"
    mine = _tool(node.env, "playlist", device)
    assert mine["doc"]["pinned"] == [B, A] and mine["hub_at"] and not mine["conflicts"] and not mine["told"]
    assert _tool(hub.env, "site-device", uid)["hub_at"] == mine["hub_at"]

    # Only the officer changes it: it stays through the sync, and the hub learns it.
    _tool(node.env, "officer-pin", device, C)
    assert node.sync()["status"] == "ok"
    assert _tool(node.env, "playlist", device)["doc"]["pinned"] == [C]
    assert _tool(hub.env, "site-device", uid)["playlist"]["pinned"] == [C]

    # The link is down; the officer adds a rule on the node while a publisher removes the rule at the hub.
    _tool(node.env, "officer-rule", device, "bien-gioi")
    _tool(hub.env, "hub-edit", uid, "remove-rule", "0")
    assert node.sync()["status"] == "ok"
    mine = _tool(node.env, "playlist", device)
    assert mine["doc"]["rules"] == [] and mine["doc"]["pinned"] == [C]  # the hub's version won
    assert mine["told"] and [r["topics"] for r in mine["conflicts"][0]["rules"]] == [[], ["bien-gioi"]]
    at_hub = _tool(hub.env, "site-device", uid)
    assert at_hub["conflict_at"] and at_hub["playlist"]["rules"] == [] and at_hub["hub_at"] == mine["hub_at"]

    # No network at all: the officer pins again, the hub's next version comes on a USB bundle and wins.
    _tool(node.env, "officer-pin", device, C, A)
    _tool(hub.env, "hub-edit", uid, "pinned", D)
    usb = tmp_path / "usb"
    usb.mkdir()
    bundle = Path(hub.cli("bundle", "export", "--node", node.uid, str(usb)).stdout.strip().splitlines()[-1])
    # No new material in it ("already_applied"), but its batch is applied all the same: the playlist lands.
    assert last_json(node.cli("bundle", "import", str(bundle)).stdout)["status"] in {"applied", "already_applied"}
    mine = _tool(node.env, "playlist", device)
    assert mine["doc"]["pinned"] == [D] and len(mine["conflicts"]) == 2


def test_a_sync_makes_the_loudspeakers_speech_in_the_background(hub: Hub, make_node: Any) -> None:
    """A node's real apply: the items its loudspeaker will read (a pinned text item, an emergency), with no
    recording, are read by eSpeak NG in the worker once the sync committed; a second run makes nothing; the
    slot's Jarai is said to have no offline voice."""
    pinned = _tool(hub.env, "publish", "Lịch tiêm chủng tháng này")["uid"]
    node: Node = make_node("pc-ia-chia")
    _tool(node.env, "speaker", pinned)
    emergency = _tool(hub.env, "emergency", "Cảnh báo sạt lở đất", "pc-ia-chia")["uid"]
    try:
        assert node.sync()["status"] == "ok"
        queued = _tool(node.env, "speech")
        assert not queued["files"] and queued["runs"] and queued["runs"][-1]["status"] == "READY"
        # The node's worker takes it (the sync pass did not wait on the speech engine).
        node.cli("db_worker", "--batch", "--queue-name", "*", "--no-startup-delay", "--no-reload")
        done = _tool(node.env, "speech")
        assert {r["status"] for r in done["runs"]} == {"SUCCESSFUL"}
        result = done["runs"][-1]["result"]
        # (Other tests on the shared hub may leave material in other unspoken languages: Jarai is the slot's.)
        assert {f"{pinned}/vi", f"{emergency}/vi"} <= set(result["made"]) and "jra" in result["unspoken"]
        assert {name.split("-vi-v")[0] for name in done["files"]} >= {pinned, emergency}
        # Again (the hourly run, or the next batch): nothing made, the files untouched.
        again = _tool(node.env, "speech-run")
        assert again["made"] == [] and again["kept"] >= 2 and again["unspoken"] == result["unspoken"]
        assert _tool(node.env, "speech")["files"] == done["files"]
    finally:
        _tool(hub.env, "cancel", emergency)
