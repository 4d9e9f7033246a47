"""Revoking a node from the nodes page asks first (a page saying what happens, with the reason), is for
operators only, and is audited."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from ttdn.core.models import AuditEntry
from ttdn.sync.models import EdgeNode

from ..conftest import World
from .test_hub import _login, _node

pytestmark = pytest.mark.django_db


def test_revoking_a_node_asks_first_and_is_audited(world: World, client: Client) -> None:
    node, _key = _node(world)
    _login(client, world.operator)
    url = reverse("sync:node_revoke", kwargs={"uid": node.uid})
    assert f'href="{url}"' in client.get(reverse("sync:dashboard")).content.decode()
    page = client.get(url)
    assert page.status_code == 200
    html = page.content.decode()
    assert 'data-testid="confirm-node-revoke"' in html and 'name="reason"' in html and "onclick" not in html
    # Sent without the confirmation: the same page again, nothing done.
    assert client.post(url, {"reason": "Mất thiết bị"}).status_code == 200
    node.refresh_from_db()
    assert node.revoked_at is None
    assert client.post(url, {"confirmed": "1", "reason": "Mất thiết bị"}).status_code == 302
    node.refresh_from_db()
    assert node.revoked_at is not None and node.revoked_reason == "Mất thiết bị"
    entry = AuditEntry.objects.get(action="sync.node.revoke")
    assert entry.actor == world.operator and entry.data["reason"] == "Mất thiết bị"
    assert f'href="{url}"' not in client.get(reverse("sync:dashboard")).content.decode()


def test_only_operators_revoke_nodes(world: World) -> None:
    node, _key = _node(world)
    url = reverse("sync:node_revoke", kwargs={"uid": node.uid})
    publisher = _login(Client(), world.publisher)  # sees the nodes, may not revoke them
    assert 'data-testid="revoke-node"' not in publisher.get(reverse("sync:dashboard")).content.decode()
    assert publisher.get(url).status_code == 403
    assert publisher.post(url, {"confirmed": "1"}).status_code == 403
    assert _login(Client(), world.reader).get(url).status_code == 404
    assert EdgeNode.objects.get(pk=node.pk).revoked_at is None
