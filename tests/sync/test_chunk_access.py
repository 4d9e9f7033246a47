"""A node fetches only the chunks of files it is sent: by hash alone (GET /sync/chunks/<sha>, or many at once
with POST /sync/chunks) a public commune kiosk gets nothing of officials-only material, and still its own."""

from __future__ import annotations

from typing import Any

from .conftest import Hub, Node, last_json, run

# Runs on the node, with its own key: each chunk asked alone and then all in one batch.
FETCH = """
import hashlib, json, sys
import django
django.setup()
from ttdn.sync.node import client
from ttdn.sync.transport import keys, wire
from ttdn.sync.models import NodeState
state = NodeState.objects.get()
hub = client.HubClient(state.hub_url, state.node_uid, keys.node_key(), state.hub_public_key)
one = {}
for sha in sys.argv[1:]:
    try:
        data, _headers = hub._call("GET", f"chunks/{sha}")
        one[sha] = 200 if hashlib.sha256(data).hexdigest() == sha else "corrupt"
    except client.HubError as exc:
        one[sha] = exc.status
response = hub._open("POST", "chunks", json.dumps({"chunks": sys.argv[1:]}).encode())
batch = {}
for _sha in sys.argv[1:]:
    header = response.read(wire.FRAME.size)
    digest, flag, length = header[:32].hex(), header[32], int.from_bytes(header[33:37], "big")
    response.read(length)
    batch[digest] = "served" if flag in (0, 1) else "refused"
print(json.dumps({"one": one, "batch": batch}))
"""


def _fetch(node: Node, shas: list[str]) -> dict[str, Any]:
    return last_json(run(node.env, "-c", FETCH, *shas).stdout)  # type: ignore[no-any-return]


def test_a_public_node_gets_no_chunk_of_officials_only_files(hub: Hub, make_node: Any) -> None:
    secret = hub.tool("officials-file")
    # The file is smaller than a chunk: the chunk's hash is the file's, the one in every officials' link.
    assert secret["chunks"] == [secret["sha"]]
    own = hub.tool("chunks-of", hub.corpus["files"][1])
    public = own["chunks"][:3]

    kiosk: Node = make_node("xa-ia-o")
    answer = _fetch(kiosk, [secret["sha"], *public])
    assert answer["one"][secret["sha"]] == 404
    assert answer["batch"][secret["sha"]] == "refused"
    for sha in public:
        assert answer["one"][sha] == 200 and answer["batch"][sha] == "served"

    # A border post, sent officials-only material, gets the same chunk.
    post: Node = make_node("pc-ia-chia")
    answer = _fetch(post, [secret["sha"], public[0]])
    assert answer["one"] == {secret["sha"]: 200, public[0]: 200}
    assert set(answer["batch"].values()) == {"served"}
