"""The programme part of the API (thin: every write goes through ttdn.programme.services)."""

from ninja import Router

router = Router(tags=["programme"])
