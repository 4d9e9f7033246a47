"""A translation made on the hub's desk reaches a border-site node (hub and node as real processes): not while
it waits for review, and at the node's next sync once a second person has approved it."""

from __future__ import annotations

from typing import Any

from .conftest import Hub, Node, check_consistent, check_searchable


def _title(node: Node, uid: str, language: str) -> str | None:
    with node.db() as conn:
        row = conn.execute("SELECT v.title FROM content_variant v JOIN content_item i ON i.id = v.item_id "
                           "WHERE i.uid = ? AND v.language = ?", [uid.replace("-", ""), language]).fetchone()
    return row[0] if row else None


def test_a_reviewed_translation_reaches_the_node_at_its_next_sync(hub: Hub, make_node: Any) -> None:
    node: Node = make_node()
    assert node.sync()["status"] == "ok"
    held = node.items()
    # A public item the node holds in Vietnamese only (the post reads Khmer).
    uid = next(u for u in hub.corpus["public"] if u in held and "km" not in node.languages(u))
    sent = hub.tool("translate", uid, "km")
    assert sent["state"] == 30  # translated, waiting for review
    waiting = node.sync()
    assert waiting["status"] == "ok"
    assert "km" not in node.languages(uid)  # not public, so not at the border, before review

    approved = hub.tool("approve", uid, "km")
    assert approved["state"] == 40
    after = node.sync()
    assert after["status"] == "ok" and after["records"] >= 1
    assert "km" in node.languages(uid)
    assert _title(node, uid, "km") == sent["title"] and sent["title"].startswith("ឯកសារព្រំដែន")
    check_consistent(node, hub.tool("state", node.uid))
    check_searchable(node)
