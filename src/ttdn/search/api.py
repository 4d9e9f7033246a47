"""The search part of the API (thin: every write goes through ttdn.search.services)."""

from ninja import Router

router = Router(tags=["search"])
