"""The sync part of the API (thin: every write goes through ttdn.sync.services)."""

from ninja import Router

router = Router(tags=["sync"])
