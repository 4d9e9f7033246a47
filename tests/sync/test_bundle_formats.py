"""USB bundles negotiate their format as the network does (issue 22): the hub writes a node's bundle in a format
that node last reported it reads, and a node refuses a bundle in a format it does not read, in Vietnamese and
English, with nothing applied, recorded or written."""

from __future__ import annotations

import json
import random
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import zstandard
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from ttdn.content import services as content
from ttdn.content.models import Item, State
from ttdn.core.errors import ServiceError
from ttdn.core.models import AuditEntry
from ttdn.sync.hub import services
from ttdn.sync.models import EdgeNode, ImportedBundle, NodeState
from ttdn.sync.node import services as node_services
from ttdn.sync.node.report import node_report
from ttdn.sync.transport import bundle, keys, wire

from ..conftest import World, advance, make_item
from .hubtool import pdf_bytes

pytestmark = pytest.mark.django_db


@pytest.fixture
def own_keys(settings: Any, tmp_path: Path) -> Path:
    """This test's own hub and node keys (the node is enrolled in this same database, as on a bench)."""
    settings.DATA_DIR = tmp_path / "data"
    settings.DATA_DIR.mkdir()
    return Path(settings.DATA_DIR)


def _enrolled(world: World, site_code: str = "pc-le-thanh", public_key: str = "") -> EdgeNode:
    """A node enrolled with this box's node key (or `public_key`, a second node's)."""
    from ttdn.places.services import SiteData, do_save_border_site

    site = do_save_border_site(None, SiteData(code=site_code, name=site_code, kind="border_post",
                                              province_id=world.gia_lai.pk, neighbour_country="KH", languages=[]))
    code = services.do_issue_code(None, site)
    return services.do_enroll(code, public_key or keys.public_hex(keys.node_key(create=True)), "box")


def _material(world: World, tmp_path: Path) -> Item:
    item = make_item(world)
    path = tmp_path / "doc.pdf"
    path.write_bytes(pdf_bytes(random.Random(3).randbytes(90_000)))
    content.do_attach_file(world.contributor, item.variants.get(), path, "doc.pdf")
    return advance(world, item, State.PUBLISHED)


def _as_node(node: EdgeNode) -> NodeState:
    """This database also plays the node's: what `ttdn edge enroll` keeps."""
    return NodeState.objects.create(hub_url="http://hub.invalid", node_uid=node.uid,
                                    hub_public_key=keys.public_hex(keys.hub_key()), site_code=node.site.code)


def _resigned(path: Path, out: Path, manifest_change: Callable[[dict[str, Any]], None],
              batch_change: Callable[[dict[str, Any]], None] | None = None) -> Path:
    """The same bundle, changed and signed again with the hub's key: what a hub of another version would write."""
    verified = bundle.verify(path, lambda m: keys.public_hex(keys.hub_key()))
    manifest = json.loads(json.dumps(verified.manifest))
    members: list[tuple[str, Callable[[], bytes]]] = []
    listing = []
    for name, _length, _sha in manifest["members"]:
        data = verified.read(name)
        if batch_change is not None and name.startswith("batch-"):
            batch = json.loads(zstandard.ZstdDecompressor().decompress(data))
            batch_change(batch)
            data = zstandard.ZstdCompressor().compress(json.dumps(batch).encode())
        members.append((name, lambda data=data: data))
        listing.append([name, len(data), wire.digest(data)])
    manifest["members"] = listing
    manifest_change(manifest)
    return bundle.write(out, manifest, keys.hub_key(), members)


def test_the_hub_writes_a_bundle_in_a_format_the_node_reported(world: World, own_keys: Path,
                                                               tmp_path: Path) -> None:
    node = _enrolled(world)
    _material(world, tmp_path)
    # Never reported its formats (a node from before the reporting): format 1, which every version reads.
    assert node.formats == {}
    first = services.do_export_bundle(None, [node], tmp_path / "first.tar")
    assert bundle.verify(first, lambda m: keys.public_hex(keys.hub_key())).manifest["format"] == 1

    # A node reports what it reads at every contact; the hub keeps the last report.
    services.do_record_contact(node, {"applied_seq": 0, "formats": {"batch": [1], "bundle": [1, 7]}})
    node.refresh_from_db()
    assert node.formats == {"batch": [1], "bundle": [1, 7]}
    second = services.do_export_bundle(None, [node], tmp_path / "second.tar")
    assert bundle.verify(second, lambda m: keys.public_hex(keys.hub_key())).manifest["format"] == max(
        {1, 7} & set(bundle.FORMATS))

    # A node that reads only a newer format gets no bundle it cannot read: refused, nothing written or audited.
    exports = AuditEntry.objects.filter(action="sync.bundle.export").count()
    for formats, code in (({"batch": [1], "bundle": [7]}, "bundle_format_unsupported"),
                          ({"batch": [7], "bundle": [1]}, "format_unsupported")):
        services.do_record_contact(node, {"formats": formats})
        node.refresh_from_db()
        with pytest.raises(ServiceError) as refused:
            services.do_export_bundle(None, [node], tmp_path / "refused.tar")
        assert refused.value.code == code and refused.value.status == 409
        assert not (tmp_path / "refused.tar").exists()
    services.do_record_contact(node, {"formats": {"batch": [1], "bundle": [7]}})
    node.refresh_from_db()
    with pytest.raises(ServiceError) as newer:
        services.do_export_bundle(None, [node], tmp_path / "refused.tar")
    message = str(newer.value.message)
    assert "định dạng" in message and "format" in message and str(node.uid) in message, message
    assert AuditEntry.objects.filter(action="sync.bundle.export").count() == exports

    # Several nodes in one bundle: a format all of them read, or none.
    other = _enrolled(world, "pc-dak-ruat", keys.public_hex(Ed25519PrivateKey.generate()))
    services.do_record_contact(node, {"formats": {"batch": [1], "bundle": [1, 7]}})
    node.refresh_from_db()
    both = services.do_export_bundle(None, [node, other], tmp_path / "both.tar")
    assert bundle.verify(both, lambda m: keys.public_hex(keys.hub_key())).manifest["format"] == 1


def test_a_node_names_its_formats_and_answers_in_the_bundles_format(world: World, own_keys: Path,
                                                                    tmp_path: Path) -> None:
    node = _enrolled(world)
    _material(world, tmp_path)
    assert node_report()["formats"] == {"batch": list(wire.FORMATS), "bundle": list(bundle.FORMATS)}
    path = services.do_export_bundle(None, [node], tmp_path / "b.tar")
    _as_node(node)
    result = node_services.do_import_bundle(None, path, tmp_path / "back.tar")
    assert result.status == "applied" and result.return_path == tmp_path / "back.tar"
    returned = bundle.verify(result.return_path, lambda m: node.public_key)
    assert returned.manifest["format"] == bundle.verify(path, lambda m: keys.public_hex(keys.hub_key())).manifest[
        "format"]
    assert returned.manifest["report"]["formats"] == {"batch": list(wire.FORMATS), "bundle": list(bundle.FORMATS)}

    services.do_import_return_bundle(None, result.return_path)
    node.refresh_from_db()
    assert node.formats == {"batch": list(wire.FORMATS), "bundle": list(bundle.FORMATS)}


@pytest.mark.parametrize("change", ["manifest", "batch"])
def test_a_node_refuses_a_bundle_in_a_format_it_does_not_read(world: World, own_keys: Path, tmp_path: Path,
                                                              change: str) -> None:
    node = _enrolled(world)
    _material(world, tmp_path)
    made = services.do_export_bundle(None, [node], tmp_path / "b.tar")
    newer = max(bundle.FORMATS + wire.FORMATS) + 1

    def manifest_change(manifest: dict[str, Any]) -> None:
        if change == "manifest":
            manifest["format"] = newer

    def batch_change(batch: dict[str, Any]) -> None:
        if change == "batch":
            batch["format"] = newer

    path = _resigned(made, tmp_path / "newer.tar", manifest_change, batch_change)
    state = _as_node(node)
    staging = own_keys / "sync" / "staging"
    with pytest.raises(ServiceError) as refused:
        node_services.do_import_bundle(None, path)
    message = str(refused.value.message)
    assert refused.value.code == "bundle_format_unsupported", message
    # Vietnamese for the post, English for whoever helps from afar; which format, and what to do.
    assert "định dạng" in message and "format" in message and str(newer) in message, message
    assert "nothing was applied" in message and "nâng cấp" in message.lower(), message
    # Nothing half-written: no position moved, no import recorded or audited, no return bundle, nothing staged.
    state.refresh_from_db()
    assert state.applied_seq == 0
    assert not ImportedBundle.objects.exists()
    assert not AuditEntry.objects.filter(action="sync.bundle.import").exists()
    assert not path.with_name(path.stem + "-return.tar").exists()
    assert not staging.exists() or not any(staging.iterdir())

    # The same bundle in the format this node reads is applied.
    ok = _resigned(made, tmp_path / "ok.tar", lambda m: None)
    assert node_services.do_import_bundle(None, ok).status == "applied"
