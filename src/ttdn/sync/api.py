"""The sync part of the API (thin: every write goes through ttdn.sync.hub.services and ttdn.sync.node.services)."""

from ninja import Router

router = Router(tags=["sync"])
