"""Bundles are services: only an operator (or the command line) exports or reads them, and each is audited."""

from __future__ import annotations

from pathlib import Path

import pytest

from ttdn.core.errors import PermissionDenied
from ttdn.core.models import AuditEntry
from ttdn.sync.hub import services
from ttdn.sync.node import services as node_services
from ttdn.sync.transport import bundle, keys

from ..conftest import World
from .test_hub import _bundle, _node

pytestmark = pytest.mark.django_db


def test_bundle_export_is_for_operators_and_audited(world: World, tmp_path: Path) -> None:
    node, _key = _node(world)
    for who in (world.appraiser, world.publisher, world.agency_admin, world.reader):
        with pytest.raises(PermissionDenied):
            services.do_export_bundle(who, [node], tmp_path / "refused.tar")
    assert not (tmp_path / "refused.tar").exists()
    assert not AuditEntry.objects.filter(action="sync.bundle.export").exists()

    path = services.do_export_bundle(world.operator, [node], tmp_path / "b.tar")
    verified = bundle.verify(path, lambda m: keys.public_hex(keys.hub_key()))
    entry = AuditEntry.objects.get(action="sync.bundle.export")
    assert entry.actor == world.operator and entry.data["bundle_id"] == verified.manifest["bundle_id"]
    assert entry.data["nodes"] == [str(node.uid)]


def test_return_bundles_and_node_imports_are_for_operators(world: World, tmp_path: Path) -> None:
    path, _made = _bundle(world, tmp_path)
    with pytest.raises(PermissionDenied):
        services.do_import_return_bundle(world.appraiser, path)
    with pytest.raises(PermissionDenied):
        node_services.do_import_bundle(world.reader, path)
